import { describe, expect, it } from "vitest";

import { etagForVersion, versionFromEtag } from "./etag";

describe("etag", () => {
  it("quotes the version for If-Match", () => {
    expect(etagForVersion(3)).toBe('"3"');
  });

  it("reads strong and weak ETags", () => {
    expect(versionFromEtag('"12"')).toBe(12);
    expect(versionFromEtag('W/"7"')).toBe(7);
    expect(versionFromEtag(' "1" ')).toBe(1);
  });

  it("round-trips", () => {
    expect(versionFromEtag(etagForVersion(42))).toBe(42);
  });

  it("rejects missing or non-version ETags", () => {
    expect(versionFromEtag(null)).toBeNull();
    expect(versionFromEtag("")).toBeNull();
    expect(versionFromEtag("12")).toBeNull();
    expect(versionFromEtag('"abc"')).toBeNull();
  });
});
