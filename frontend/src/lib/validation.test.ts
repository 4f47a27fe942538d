import { describe, expect, it } from "vitest";

import {
  canDeleteAccount,
  codePointLength,
  CONTENT_MAX,
  newPasswordProblem,
  PASSWORD_MAX,
  PASSWORD_MIN,
  TITLE_MAX,
  validateContent,
  validateListName,
  validateMemberName,
  validatePasswordChange,
  validateSignup,
  validateTitle,
} from "./validation";

describe("validateTitle", () => {
  it("refuses empty and whitespace-only titles", () => {
    expect(validateTitle("")).toEqual({ ok: false, message: "A todo needs a title." });
    expect(validateTitle("   \t ")).toEqual({ ok: false, message: "A todo needs a title." });
  });

  it("trims surrounding whitespace", () => {
    expect(validateTitle("  Buy milk ")).toEqual({ ok: true, value: "Buy milk" });
  });

  it("enforces the backend's length limit", () => {
    expect(validateTitle("x".repeat(TITLE_MAX)).ok).toBe(true);
    const tooLong = validateTitle("x".repeat(TITLE_MAX + 1));
    expect(tooLong.ok).toBe(false);
  });
});

describe("validateListName", () => {
  it("trims and needs something visible", () => {
    expect(validateListName("  Groceries ")).toEqual({ ok: true, value: "Groceries" });
    expect(validateListName(" \t ")).toEqual({ ok: false, message: "A list needs a name." });
  });

  it("allows 100 characters as the backend counts them (an emoji is one)", () => {
    expect(validateListName("🛒".repeat(100)).ok).toBe(true);
    expect(validateListName("x".repeat(101))).toEqual({
      ok: false,
      message: "Keep the name under 101 characters (it has 101).",
    });
  });
});

describe("validateMemberName", () => {
  it("takes a trimmed user name", () => {
    expect(validateMemberName(" bob_2 ")).toEqual({ ok: true, value: "bob_2" });
  });

  it("asks for a name, and refuses one no account could have", () => {
    expect(validateMemberName("")).toMatchObject({ ok: false, message: "Enter the user name of the person to share with." });
    expect(validateMemberName("bo")).toMatchObject({ ok: false, message: "Usernames are 3–64 characters long." });
    expect(validateMemberName("bob smith")).toMatchObject({ ok: false });
  });
});

describe("validateContent", () => {
  it("allows empty notes and refuses huge ones", () => {
    expect(validateContent("")).toEqual({ ok: true, value: "" });
    expect(validateContent("x".repeat(CONTENT_MAX + 1)).ok).toBe(false);
  });
});

describe("validateSignup", () => {
  it("accepts the backend's allowed names", () => {
    expect(validateSignup("user_1.a-b", "longenough").ok).toBe(true);
  });

  it("refuses short or odd names and short passwords", () => {
    expect(validateSignup("ab", "longenough")).toMatchObject({ ok: false, field: "name" });
    expect(validateSignup("has space", "longenough")).toMatchObject({ ok: false });
    expect(validateSignup("valid", "short")).toMatchObject({
      ok: false,
      field: "password",
      message: "Passwords are 8–128 characters long.",
    });
  });
});

describe("newPasswordProblem", () => {
  it("accepts the backend's bounds exactly", () => {
    expect(newPasswordProblem("x".repeat(PASSWORD_MIN))).toBeNull();
    expect(newPasswordProblem("x".repeat(PASSWORD_MAX))).toBeNull();
    expect(newPasswordProblem("x".repeat(PASSWORD_MIN - 1))).toBe("Passwords are 8–128 characters long.");
    expect(newPasswordProblem("x".repeat(PASSWORD_MAX + 1))).toBe("Passwords are 8–128 characters long.");
  });

  it("counts characters as the backend does (an emoji is one, not two)", () => {
    expect(newPasswordProblem("🔑".repeat(4))).not.toBeNull(); // 4 characters, 8 UTF-16 units
    expect(newPasswordProblem("🔑".repeat(PASSWORD_MAX))).toBeNull();
  });

  it("refuses the NUL character", () => {
    expect(newPasswordProblem("long enough\0")).toBe("Passwords can't contain the NUL character.");
  });
});

describe("validatePasswordChange", () => {
  it("passes a valid change through", () => {
    expect(validatePasswordChange("old", "new-password", "new-password")).toEqual({
      ok: true,
      value: { currentPassword: "old", newPassword: "new-password" },
    });
  });

  it("names the field at fault, first problem first", () => {
    expect(validatePasswordChange("", "short", "x")).toMatchObject({ ok: false, field: "current" });
    expect(validatePasswordChange("old", "short", "short")).toMatchObject({
      ok: false,
      field: "new",
      message: "Passwords are 8–128 characters long.",
    });
    expect(validatePasswordChange("old", "new-password", "new-passw0rd")).toMatchObject({
      ok: false,
      field: "confirm",
      message: "The two new passwords don't match.",
    });
  });

  it("knows no current password can be longer than the maximum", () => {
    expect(validatePasswordChange("x".repeat(PASSWORD_MAX + 1), "new-password", "new-password")).toMatchObject({
      ok: false,
      field: "current",
    });
  });
});

describe("canDeleteAccount", () => {
  it("needs the password and the exact account name", () => {
    expect(canDeleteAccount("user1", "user1", "pass")).toBe(true);
    expect(canDeleteAccount("user1", "user1", "")).toBe(false);
    expect(canDeleteAccount("user1", "User1", "pass")).toBe(false);
    expect(canDeleteAccount("user1", "user1 ", "pass")).toBe(false);
    expect(canDeleteAccount("", "", "pass")).toBe(false);
  });
});

describe("codePointLength", () => {
  it("counts like Python's len()", () => {
    expect(codePointLength("")).toBe(0);
    expect(codePointLength("pass")).toBe(4);
    expect(codePointLength("café")).toBe(4);
    expect(codePointLength("🔑🔑")).toBe(2);
    expect(codePointLength("a\uD800b")).toBe(3); // a lone surrogate is one
  });
});
