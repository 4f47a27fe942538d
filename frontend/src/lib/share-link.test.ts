import { afterEach, describe, expect, it } from "vitest";

import { forgetSecret, joinUrl, takeSecret } from "./share-link";

afterEach(() => {
  forgetSecret();
  window.history.replaceState(null, "", "/");
});

describe("share links in the browser", () => {
  it("puts the secret in the fragment, which no request carries", () => {
    expect(joinUrl("https://todo.example", "abc_-1")).toBe("https://todo.example/join#abc_-1");
  });

  it("takes the secret out of the address bar and keeps it in the tab", () => {
    window.history.replaceState(null, "", "/join#the-secret");
    expect(takeSecret()).toBe("the-secret");
    expect(window.location.hash).toBe("");
    expect(window.location.pathname).toBe("/join");
    // After a log-in, /join again: the secret waited in the tab.
    expect(takeSecret()).toBe("the-secret");
    forgetSecret();
    expect(takeSecret()).toBeNull();
  });
});
