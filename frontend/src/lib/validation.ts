/**
 * Client-side input checks. They mirror the backend's bounds so the user gets
 * a message before a round trip; the backend still enforces them (a 422).
 */

export const TITLE_MAX = 200;
export const LIST_NAME_MAX = 100;
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

/** A list's name: trimmed, something visible, at most LIST_NAME_MAX characters (as the backend counts). */
export function validateListName(raw: string): Validated<string> {
  const name = raw.trim();
  if (name.length === 0) return { ok: false, message: "A list needs a name." };
  const length = codePointLength(name);
  if (length > LIST_NAME_MAX) {
    return { ok: false, message: `Keep the name under ${LIST_NAME_MAX + 1} characters (it has ${length}).` };
  }
  return { ok: true, value: name };
}

/** Todo notes (the `content` field): free text, at most CONTENT_MAX characters. */
export function validateContent(raw: string): Validated<string> {
  if (raw.length > CONTENT_MAX) {
    return { ok: false, message: `Notes are limited to ${CONTENT_MAX} characters (these have ${raw.length}).` };
  }
  return { ok: true, value: raw };
}

/**
 * Length in Unicode code points, as Python's `len()` (the backend) counts:
 * a character outside the BMP (an emoji, say) is one, not two UTF-16 units.
 */
export function codePointLength(text: string): number {
  return text.length - (text.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0);
}

/**
 * A password the backend will accept as new: PASSWORD_MIN–PASSWORD_MAX
 * characters counted as the backend counts them (code points, so an emoji is
 * one), and no NUL character. Returns the problem, or null.
 */
export function newPasswordProblem(password: string): string | null {
  const length = codePointLength(password);
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
    return `Passwords are ${PASSWORD_MIN}–${PASSWORD_MAX} characters long.`;
  }
  if (password.includes("\0")) return "Passwords can't contain the NUL character.";
  return null;
}

/** What is wrong with a user name by the backend's rules, or null. */
export function userNameProblem(name: string): string | null {
  if (name.length < NAME_MIN || name.length > NAME_MAX) {
    return `Usernames are ${NAME_MIN}–${NAME_MAX} characters long.`;
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) return "Usernames may use letters, digits, '_', '.' and '-' only.";
  return null;
}

/** The user name typed into the share dialog: trimmed, and one that could exist. */
export function validateMemberName(raw: string): Validated<string> {
  const name = raw.trim();
  if (name === "") return { ok: false, message: "Enter the user name of the person to share with." };
  const problem = userNameProblem(name);
  return problem ? { ok: false, message: problem } : { ok: true, value: name };
}

/** A check that names the field at fault, so the form can show the message under it. */
export type FieldValidated<T, Field extends string> = { ok: true; value: T } | { ok: false; field: Field; message: string };

/** Sign-up fields, with the backend's rules. Returns the first problem found. */
export function validateSignup(
  name: string,
  password: string,
): FieldValidated<{ name: string; password: string }, "name" | "password"> {
  const nameProblem = userNameProblem(name);
  if (nameProblem) return { ok: false, field: "name", message: nameProblem };
  const problem = newPasswordProblem(password);
  if (problem) return { ok: false, field: "password", message: problem };
  return { ok: true, value: { name, password } };
}

export type PasswordChangeField = "current" | "new" | "confirm";

/** The change-password form: current password given, new one valid, typed twice alike. */
export function validatePasswordChange(
  current: string,
  next: string,
  confirm: string,
): FieldValidated<{ currentPassword: string; newPassword: string }, PasswordChangeField> {
  if (current === "") return { ok: false, field: "current", message: "Enter your current password." };
  if (codePointLength(current) > PASSWORD_MAX) {
    return { ok: false, field: "current", message: "The password is not correct." };
  }
  const problem = newPasswordProblem(next);
  if (problem) return { ok: false, field: "new", message: problem };
  if (confirm !== next) return { ok: false, field: "confirm", message: "The two new passwords don't match." };
  return { ok: true, value: { currentPassword: current, newPassword: next } };
}

/**
 * Whether the delete-account button may be pressed: the password is given
 * and the account name is typed exactly (a deliberate act, not a slip).
 */
export function canDeleteAccount(accountName: string, typedName: string, password: string): boolean {
  return password !== "" && accountName !== "" && typedName === accountName;
}
