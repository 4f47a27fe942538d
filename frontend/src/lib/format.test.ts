import { describe, expect, it } from "vitest";

import { formatDate } from "./format";

describe("formatDate", () => {
  it("shows the date in the given locale and time zone", () => {
    expect(formatDate("2026-03-05T10:00:00Z", "en-US", "UTC")).toBe("March 5, 2026");
    expect(formatDate("2026-03-05T10:00:00Z", "en-GB", "UTC")).toBe("5 March 2026");
  });

  it("uses the reader's time zone: late on the 5th in UTC is the 6th in Tokyo", () => {
    expect(formatDate("2026-03-05T23:30:00Z", "en-US", "Asia/Tokyo")).toBe("March 6, 2026");
  });

  it("returns what it cannot parse unchanged", () => {
    expect(formatDate("not a date", "en-US")).toBe("not a date");
  });
});
