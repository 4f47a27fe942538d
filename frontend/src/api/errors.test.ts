import { describe, expect, it } from "vitest";

import { messageFromErrorBody, tooManyAttemptsMessage } from "./errors";

describe("messageFromErrorBody", () => {
  it("uses a string detail as is", () => {
    expect(messageFromErrorBody(403, { detail: "The password is not correct" })).toBe("The password is not correct");
  });

  it("joins 422 items, naming fields by the form's labels when given", () => {
    const body = {
      detail: [
        { loc: ["body", "new_password"], msg: "String should have at least 8 characters", type: "string_too_short" },
        { loc: ["body", "other"], msg: "Field required", type: "missing" },
      ],
    };
    expect(messageFromErrorBody(422, body)).toBe("new_password: String should have at least 8 characters; other: Field required");
    expect(messageFromErrorBody(422, body, { new_password: "New password" })).toBe(
      "New password: String should have at least 8 characters; other: Field required",
    );
  });

  it("ignores labels inherited from Object.prototype", () => {
    const body = { detail: [{ loc: ["body", "constructor"], msg: "Bad", type: "x" }] };
    expect(messageFromErrorBody(422, body, {})).toBe("constructor: Bad");
  });

  it("falls back to a message per status", () => {
    expect(messageFromErrorBody(429, null)).toBe("Too many requests. Wait a moment and try again.");
    expect(messageFromErrorBody(418, {})).toBe("Something went wrong (HTTP 418).");
  });
});

describe("tooManyAttemptsMessage", () => {
  it("says how long to wait, from Retry-After seconds", () => {
    expect(tooManyAttemptsMessage("1")).toBe("Too many wrong passwords. Try again in 1 second.");
    expect(tooManyAttemptsMessage("59")).toBe("Too many wrong passwords. Try again in 59 seconds.");
    expect(tooManyAttemptsMessage("60")).toBe("Too many wrong passwords. Try again in 1 minute.");
    expect(tooManyAttemptsMessage("299")).toBe("Too many wrong passwords. Try again in 5 minutes.");
  });

  it("stays vague without a usable header", () => {
    for (const value of [null, "", "soon", "Wed, 21 Oct 2015 07:28:00 GMT", "-5"]) {
      expect(tooManyAttemptsMessage(value)).toBe("Too many wrong passwords. Wait a few minutes and try again.");
    }
  });
});
