import { describe, expect, it } from "vitest";

import type { SearchHit } from "@/api/client";
import { makeTodo } from "@/test/todos";

import { groupByList, isSearchShortcut, normaliseQuery, QUERY_MAX } from "./search";

function hit(id: string, listId: string, listName: string): SearchHit {
  return {
    todo: makeTodo(1, { id, list_id: listId, title: id }),
    list_name: listName,
    title: [{ text: id, match: true }],
    snippet: [],
    snippet_starts_inside: false,
    snippet_ends_inside: false,
  };
}

describe("search", () => {
  it("groups hits by list, lists in the order of their best hit", () => {
    const groups = groupByList([hit("a", "l2", "Work"), hit("b", "l1", "Home"), hit("c", "l2", "Work")]);
    expect(groups.map((group) => [group.listName, group.hits.map((found) => found.todo.id)])).toEqual([
      ["Work", ["a", "c"]],
      ["Home", ["b"]],
    ]);
    expect(groupByList([])).toEqual([]);
  });

  it("trims the query and cuts it to what the API accepts", () => {
    expect(normaliseQuery(null)).toBe("");
    expect(normaliseQuery("  milk  ")).toBe("milk");
    expect(normaliseQuery("x".repeat(QUERY_MAX + 5))).toHaveLength(QUERY_MAX);
  });

  it("takes / as the shortcut only outside fields and without modifiers", () => {
    const key = (target: EventTarget | null, extra: Partial<KeyboardEvent> = {}) =>
      isSearchShortcut({ key: "/", ctrlKey: false, metaKey: false, altKey: false, target, ...extra });
    expect(key(document.body)).toBe(true);
    expect(key(null)).toBe(true);
    expect(key(document.createElement("input"))).toBe(false);
    expect(key(document.createElement("textarea"))).toBe(false);
    const editable = document.createElement("div");
    editable.setAttribute("contenteditable", "true");
    document.body.append(editable);
    expect(key(editable)).toBe(false);
    expect(key(document.body, { ctrlKey: true })).toBe(false);
    expect(isSearchShortcut({ key: "k", ctrlKey: false, metaKey: false, altKey: false, target: document.body })).toBe(false);
  });
});
