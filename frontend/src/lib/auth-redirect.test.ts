import { describe, expect, it } from "vitest";

import { LOGIN_MESSAGES, loginReasonFrom, loginUrl, safeNextPath } from "./auth-redirect";

describe("safeNextPath", () => {
  it("keeps paths on this site, with their query", () => {
    expect(safeNextPath("/")).toBe("/");
    expect(safeNextPath("/?filter=active")).toBe("/?filter=active");
  });

  it("refuses other sites and odd forms", () => {
    expect(safeNextPath("https://evil.example/")).toBe("/");
    expect(safeNextPath("//evil.example/")).toBe("/");
    expect(safeNextPath("/\\evil.example")).toBe("/");
    expect(safeNextPath("javascript:alert(1)")).toBe("/");
    expect(safeNextPath("")).toBe("/");
    expect(safeNextPath(null)).toBe("/");
  });

  it("never returns to the auth pages themselves", () => {
    expect(safeNextPath("/login?next=/")).toBe("/");
    expect(safeNextPath("/signup")).toBe("/");
  });
});

describe("loginUrl (the 401 redirect)", () => {
  it("remembers where the user was and why they left", () => {
    const url = loginUrl({ next: "/?filter=completed", reason: "expired" });
    expect(url).toBe("/login?next=%2F%3Ffilter%3Dcompleted&reason=expired");
    const params = new URLSearchParams(url.split("?")[1]);
    expect(safeNextPath(params.get("next"))).toBe("/?filter=completed");
    expect(loginReasonFrom(params.get("reason"))).toBe("expired");
  });

  it("omits next when it is the home page or unsafe", () => {
    expect(loginUrl({ next: "/" })).toBe("/login");
    expect(loginUrl({ next: "//evil.example" })).toBe("/login");
    expect(loginUrl({ reason: "logged-out" })).toBe("/login?reason=logged-out");
  });

  it("ignores unknown reasons", () => {
    expect(loginReasonFrom("hacked")).toBeNull();
    expect(loginReasonFrom("toString")).toBeNull();
    expect(loginReasonFrom(null)).toBeNull();
  });

  it("knows why an account session ended", () => {
    expect(loginReasonFrom("signed-out-everywhere")).toBe("signed-out-everywhere");
    expect(loginReasonFrom("account-deleted")).toBe("account-deleted");
    expect(LOGIN_MESSAGES["signed-out-everywhere"]).toMatch(/^Signed out on every device/);
    expect(LOGIN_MESSAGES["account-deleted"]).toMatch(/^Account deleted/);
    expect(loginReasonFrom("signed-out-elsewhere")).toBe("signed-out-elsewhere");
    expect(LOGIN_MESSAGES["signed-out-elsewhere"]).toMatch(/^You were signed out/);
  });
});
