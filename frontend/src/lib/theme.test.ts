import { describe, expect, it } from "vitest";

import { themeAttribute, themeCookie, themeFrom } from "./theme";

describe("theme", () => {
  it("reads a cookie value, anything unknown being the system's theme", () => {
    expect(themeFrom("dark")).toBe("dark");
    expect(themeFrom("light")).toBe("light");
    expect(themeFrom("purple")).toBe("system");
    expect(themeFrom(undefined)).toBe("system");
  });

  it("sets data-theme only for a chosen theme", () => {
    expect(themeAttribute("dark")).toBe("dark");
    expect(themeAttribute("system")).toBeUndefined();
  });

  it("remembers a choice for a year and forgets it for the system's theme", () => {
    expect(themeCookie("dark")).toBe("theme=dark; Path=/; Max-Age=31536000; SameSite=Lax");
    expect(themeCookie("system")).toBe("theme=system; Path=/; Max-Age=0; SameSite=Lax");
  });
});
