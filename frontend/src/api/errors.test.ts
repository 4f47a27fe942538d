import { describe, expect, it } from "vitest";

import { messageFromErrorBody, tooManyAttemptsMessage, tooManyRequestsMessage } from "./errors";

describe("messageFromErrorBody", () => {
  it("keeps the backend's sentence where it is written for people (403, 409)", () => {
    expect(messageFromErrorBody(403, { detail: "The password is not correct" })).toBe("The password is not correct");
    expect(messageFromErrorBody(409, { detail: "A list must keep an owner" })).toBe("A list must keep an owner");
  });

  it("never shows the server's own text for other statuses", () => {
    expect(messageFromErrorBody(500, "Internal Server Error")).toBe("Something went wrong on our side. Try again in a moment.");
    expect(messageFromErrorBody(404, { detail: "Todo not found" })).toBe(
      "That todo no longer exists: it was deleted somewhere else.",
    );
    expect(messageFromErrorBody(502, { detail: "The backend is not reachable." })).toBe(
      "The server can't be reached right now. Try again in a moment.",
    );
    expect(messageFromErrorBody(503, { detail: "Database unavailable" })).toBe(
      "The server is busy or starting up. Try again in a moment.",
    );
    expect(messageFromErrorBody(507, { detail: "Insufficient Storage" })).toBe(
      "Something went wrong on our side. Try again in a moment.",
    );
    expect(messageFromErrorBody(418, { detail: "I'm a teapot" })).toBe(
      "Something went wrong (error 418). Reload the page and try again.",
    );
  });

  it("joins 422 items, naming fields by the form's labels when given", () => {
    const body = {
      detail: [
        { loc: ["body", "new_password"], msg: "String should have at least 8 characters", type: "string_too_short" },
        { loc: ["body", "other"], msg: "Field required", type: "missing" },
      ],
    };
    expect(messageFromErrorBody(422, body)).toBe("new_password: String should have at least 8 characters; other: Field required");
    expect(messageFromErrorBody(422, body, { fieldLabels: { new_password: "New password" } })).toBe(
      "New password: String should have at least 8 characters; other: Field required",
    );
  });

  it("ignores labels inherited from Object.prototype", () => {
    const body = { detail: [{ loc: ["body", "constructor"], msg: "Bad", type: "x" }] };
    expect(messageFromErrorBody(422, body, {})).toBe("constructor: Bad");
  });

  it("says how long to wait after a 429 when the server said it", () => {
    expect(messageFromErrorBody(429, null)).toBe("Too many requests. Wait a moment and try again.");
    expect(messageFromErrorBody(429, { detail: "Slow down" }, { retryAfter: "30" })).toBe(
      "Too many requests. Try again in 30 seconds.",
    );
    expect(tooManyRequestsMessage("120")).toBe("Too many requests. Try again in 2 minutes.");
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
