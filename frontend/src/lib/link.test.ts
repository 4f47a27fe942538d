import { describe, expect, it } from "vitest";

import { findLink, nextCursorFromLink } from "./link";

describe("nextCursorFromLink", () => {
  it("reads the cursor from the backend's absolute next link", () => {
    const header = '<http://127.0.0.1:8000/todo?limit=50&cursor=eyJpZCI6IjEifQ%3D%3D>; rel="next"';
    expect(nextCursorFromLink(header)).toBe("eyJpZCI6IjEifQ==");
  });

  it("reads it from a relative link with other query parameters", () => {
    expect(nextCursorFromLink('</todo?completed=false&cursor=abc&limit=20>; rel="next"')).toBe("abc");
  });

  it("picks rel=next among several links, whatever their order", () => {
    const header =
      '<http://h/todo?cursor=first>; rel="first", <http://h/todo?cursor=second>; rel="next", <http://h/todo?cursor=p>; rel="prev"';
    expect(nextCursorFromLink(header)).toBe("second");
  });

  it("accepts unquoted and multi-valued rel, case-insensitively", () => {
    expect(nextCursorFromLink("<http://h/todo?cursor=x>; rel=next")).toBe("x");
    expect(nextCursorFromLink('<http://h/todo?cursor=y>; rel="last NEXT"')).toBe("y");
  });

  it("is not fooled by commas inside the URL", () => {
    expect(nextCursorFromLink('<http://h/todo?cursor=a,b>; rel="next"')).toBe("a,b");
  });

  it("returns null on the last page or for junk", () => {
    expect(nextCursorFromLink(null)).toBeNull();
    expect(nextCursorFromLink("")).toBeNull();
    expect(nextCursorFromLink('<http://h/todo?cursor=p>; rel="prev"')).toBeNull();
    expect(nextCursorFromLink("not a link header")).toBeNull();
    expect(nextCursorFromLink('<http://h/todo?limit=5>; rel="next"')).toBeNull();
  });
});

describe("findLink", () => {
  it("returns the raw URL of the requested relation", () => {
    expect(findLink('<http://h/a>; rel="next", <http://h/b>; rel="prev"', "prev")).toBe("http://h/b");
  });
});
