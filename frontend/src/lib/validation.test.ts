import { describe, expect, it } from "vitest";

import { CONTENT_MAX, TITLE_MAX, validateContent, validateSignup, validateTitle } from "./validation";

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
    expect(validateSignup("ab", "longenough")).toMatchObject({ ok: false });
    expect(validateSignup("has space", "longenough")).toMatchObject({ ok: false });
    expect(validateSignup("valid", "short")).toMatchObject({
      ok: false,
      message: "Passwords are 8–128 characters long.",
    });
  });
});
