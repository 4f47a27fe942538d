/** Display helpers for values from the API. */

/**
 * A timestamp from the API (ISO 8601, UTC) as a date in the reader's locale
 * and time zone, e.g. "March 5, 2026". Returns the input when it is not a date.
 */
export function formatDate(iso: string, locale?: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone }).format(date);
}

/**
 * A timestamp from the API as a date and time in the reader's locale and time
 * zone, e.g. "Mar 5, 2026, 9:30 AM". Returns the input when it is not a date.
 */
export function formatDateTime(iso: string, locale?: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(date);
}
