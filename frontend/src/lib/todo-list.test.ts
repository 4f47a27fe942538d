import { describe, expect, it } from "vitest";

import { LAST_POSITION, addingPosition, itemsLeftLabel, mergeTodos, movedLabel, positionFor } from "./todo-list";

const todo = (id: string, position: string, title = id) => ({ id, position, title });

describe("mergeTodos", () => {
  it("appends a later page in API order", () => {
    const first = [todo("a", "a0"), todo("b", "a1")];
    const next = [todo("c", "a2")];
    expect(mergeTodos(first, next).map((t) => t.id)).toEqual(["a", "b", "c"]);
  });

  it("does not duplicate a todo added locally that a later page returns", () => {
    const added = todo("new", "a9");
    const loaded = [todo("a", "a0"), added];
    const page2 = [todo("b", "a5"), { ...added, title: "server copy" }];
    const merged = mergeTodos(loaded, page2);
    expect(merged.map((t) => t.id)).toEqual(["a", "b", "new"]);
    expect(merged[2]?.title).toBe("server copy");
  });

  it("orders equal positions by id", () => {
    expect(mergeTodos([todo("b", "a0")], [todo("a", "a0")]).map((t) => t.id)).toEqual(["a", "b"]);
  });

  it("compares positions bytewise, as the server does: Z before a", () => {
    const merged = mergeTodos([todo("lower", "a0a")], [todo("upper", "a0Z"), todo("digit", "a09")]);
    expect(merged.map((t) => t.id)).toEqual(["digit", "upper", "lower"]);
  });
});

describe("positionFor", () => {
  const list = [todo("a", "a0"), todo("b", "a1"), todo("c", "a2")];
  const order = (id: string, position: string | null) =>
    mergeTodos(
      list.filter((t) => t.id !== id),
      [todo(id, position ?? "?")],
    ).map((t) => t.id);

  it("places a todo first, last, after and before another", () => {
    expect(order("c", positionFor(list, "c", { after: null }))).toEqual(["c", "a", "b"]);
    expect(order("a", positionFor(list, "a", { before: null }))).toEqual(["b", "c", "a"]);
    expect(order("a", positionFor(list, "a", { after: "b" }))).toEqual(["b", "a", "c"]);
    expect(order("c", positionFor(list, "c", { before: "b" }))).toEqual(["a", "c", "b"]);
  });

  it("cannot tell for an anchor not loaded, or a tie", () => {
    expect(positionFor(list, "a", { after: "zz" })).toBeNull();
    expect(positionFor(list, "a", { before: "zz" })).toBeNull();
    expect(positionFor([todo("a", "a0"), todo("b", "a1"), todo("c", "a1")], "a", { after: "b" })).toBeNull();
  });

  it("goes before the rows being added, which keep the order they were added in", () => {
    const adding = [todo("a", "a0"), todo("z-second", addingPosition(2)), todo("y-first", addingPosition(1))];
    expect(mergeTodos([], adding).map((t) => t.id)).toEqual(["a", "y-first", "z-second"]);
    const position = positionFor(mergeTodos([], adding), "a", { before: "y-first" });
    expect(position).not.toBeNull();
    expect(mergeTodos(adding, [todo("a", position ?? "")]).map((t) => t.id)).toEqual(["a", "y-first", "z-second"]);
    expect(addingPosition(10) > addingPosition(9)).toBe(true);
  });

  it("goes before a row being added", () => {
    const adding = [todo("a", "a0"), todo("new", LAST_POSITION)];
    const position = positionFor(adding, "a", { before: "new" });
    expect(position).not.toBeNull();
    expect(mergeTodos([todo("new", LAST_POSITION)], [todo("a", position ?? "")]).map((t) => t.id)).toEqual(["a", "new"]);
  });
});

describe("movedLabel", () => {
  it("counts from one", () => {
    expect(movedLabel(2, 7)).toBe("Moved to position 3 of 7");
  });
});

describe("itemsLeftLabel", () => {
  it("pluralises", () => {
    expect(itemsLeftLabel(0)).toBe("0 items left");
    expect(itemsLeftLabel(1)).toBe("1 item left");
    expect(itemsLeftLabel(5)).toBe("5 items left");
  });
});
