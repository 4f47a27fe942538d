import { describe, expect, it } from "vitest";

import { completedParamFor, filterFromSearchParams, filterHref, matchesFilter } from "./filter";

describe("filter <-> URL", () => {
  it("reads the filter from ?filter=", () => {
    expect(filterFromSearchParams(new URLSearchParams("filter=active"))).toBe("active");
    expect(filterFromSearchParams(new URLSearchParams("filter=completed"))).toBe("completed");
  });

  it("treats a missing or unknown filter as all", () => {
    expect(filterFromSearchParams(new URLSearchParams(""))).toBe("all");
    expect(filterFromSearchParams(new URLSearchParams("filter=bogus"))).toBe("all");
    expect(filterFromSearchParams(null)).toBe("all");
  });

  it("builds links: all is the bare path", () => {
    expect(filterHref("all")).toBe("/");
    expect(filterHref("active")).toBe("/?filter=active");
    expect(filterHref("completed", new URLSearchParams("filter=active"))).toBe("/?filter=completed");
    expect(filterHref("all", new URLSearchParams("filter=active"))).toBe("/");
  });

  it("links to the page it is on (a list's own page)", () => {
    expect(filterHref("active", undefined, "/lists/abc")).toBe("/lists/abc?filter=active");
    expect(filterHref("all", new URLSearchParams("filter=active"), "/lists/abc")).toBe("/lists/abc");
  });

  it("keeps unrelated query parameters", () => {
    expect(filterHref("active", new URLSearchParams("debug=1"))).toBe("/?debug=1&filter=active");
  });

  it("round-trips every filter through the URL", () => {
    for (const filter of ["all", "active", "completed"] as const) {
      const query = filterHref(filter).split("?")[1] ?? "";
      expect(filterFromSearchParams(new URLSearchParams(query))).toBe(filter);
    }
  });

  it("maps to the API's completed parameter", () => {
    expect(completedParamFor("all")).toBeUndefined();
    expect(completedParamFor("active")).toBe(false);
    expect(completedParamFor("completed")).toBe(true);
  });

  it("decides which todos a filter shows", () => {
    expect(matchesFilter({ completed: true }, "all")).toBe(true);
    expect(matchesFilter({ completed: true }, "active")).toBe(false);
    expect(matchesFilter({ completed: false }, "active")).toBe(true);
    expect(matchesFilter({ completed: false }, "completed")).toBe(false);
  });
});
