/**
 * The colour theme the user chose: the system's (prefers-color-scheme), or
 * always light, or always dark.
 *
 * The choice is kept in a cookie rather than localStorage because the server
 * must know it to render `<html data-theme>` (see src/app/layout.tsx): the
 * first paint is already in the chosen theme, with no flash and no inline
 * script for the Content-Security-Policy to allow.
 */

export type Theme = "system" | "light" | "dark";

export const THEMES: readonly { value: Theme; label: string }[] = [
  { value: "system", label: "System" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
];

export const THEME_COOKIE = "theme";
const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

/** The theme a cookie value names; anything else (or none) is "system". */
export function themeFrom(value: string | null | undefined): Theme {
  return value === "light" || value === "dark" ? value : "system";
}

/** `<html data-theme>`: absent for "system", so the CSS follows prefers-color-scheme. */
export function themeAttribute(theme: Theme): "light" | "dark" | undefined {
  return theme === "system" ? undefined : theme;
}

/** The `document.cookie` assignment that remembers `theme` (or forgets the choice, for "system"). */
export function themeCookie(theme: Theme): string {
  const maxAge = theme === "system" ? 0 : ONE_YEAR_SECONDS;
  return `${THEME_COOKIE}=${theme}; Path=/; Max-Age=${maxAge}; SameSite=Lax`;
}
