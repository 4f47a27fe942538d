/**
 * Client-side input checks. They mirror the backend's bounds so the user gets
 * a message before a round trip; the backend still enforces them (a 422).
 */

export const TITLE_MAX = 200;
export const CONTENT_MAX = 10_000;
export const NAME_MIN = 3;
export const NAME_MAX = 64;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export type Validated<T> = { ok: true; value: T } | { ok: false; message: string };

/** A todo title: trimmed, not empty, at most TITLE_MAX characters. */
export function validateTitle(raw: string): Validated<string> {
  const title = raw.trim();
  if (title.length === 0) return { ok: false, message: "A todo needs a title." };
  if (title.length > TITLE_MAX) {
    return { ok: false, message: `Keep the title under ${TITLE_MAX + 1} characters (it has ${title.length}).` };
  }
  return { ok: true, value: title };
}

/** Todo notes (the `content` field): free text, at most CONTENT_MAX characters. */
export function validateContent(raw: string): Validated<string> {
  if (raw.length > CONTENT_MAX) {
    return { ok: false, message: `Notes are limited to ${CONTENT_MAX} characters (these have ${raw.length}).` };
  }
  return { ok: true, value: raw };
}

/** Sign-up fields, with the backend's rules. Returns the first problem found. */
export function validateSignup(name: string, password: string): Validated<{ name: string; password: string }> {
  if (name.length < NAME_MIN || name.length > NAME_MAX) {
    return { ok: false, message: `Usernames are ${NAME_MIN}–${NAME_MAX} characters long.` };
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
    return { ok: false, message: "Usernames may use letters, digits, '_', '.' and '-' only." };
  }
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    return { ok: false, message: `Passwords are ${PASSWORD_MIN}–${PASSWORD_MAX} characters long.` };
  }
  return { ok: true, value: { name, password } };
}
