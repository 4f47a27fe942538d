import { describe, expect, it } from "vitest";

import { itemsLeftLabel, mergeTodos } from "./todo-list";

const todo = (id: string, created_at: string, title = id) => ({ id, created_at, title });

describe("mergeTodos", () => {
  it("appends a later page in API order", () => {
    const first = [todo("a", "2024-01-01T00:00:00Z"), todo("b", "2024-01-02T00:00:00Z")];
    const next = [todo("c", "2024-01-03T00:00:00Z")];
    expect(mergeTodos(first, next).map((t) => t.id)).toEqual(["a", "b", "c"]);
  });

  it("does not duplicate a todo added locally that a later page returns", () => {
    const added = todo("new", "2024-01-09T00:00:00Z");
    const loaded = [todo("a", "2024-01-01T00:00:00Z"), added];
    const page2 = [todo("b", "2024-01-05T00:00:00Z"), { ...added, title: "server copy" }];
    const merged = mergeTodos(loaded, page2);
    expect(merged.map((t) => t.id)).toEqual(["a", "b", "new"]);
    expect(merged[2]?.title).toBe("server copy");
  });

  it("orders equal timestamps by id", () => {
    const at = "2024-01-01T00:00:00Z";
    expect(mergeTodos([todo("b", at)], [todo("a", at)]).map((t) => t.id)).toEqual(["a", "b"]);
  });
});

describe("itemsLeftLabel", () => {
  it("pluralises", () => {
    expect(itemsLeftLabel(0)).toBe("0 items left");
    expect(itemsLeftLabel(1)).toBe("1 item left");
    expect(itemsLeftLabel(5)).toBe("5 items left");
  });
});
