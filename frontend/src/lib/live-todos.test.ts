import { describe, expect, it } from "vitest";

import {
  makeTodo as todo,
  todoCreated as created,
  todoDeleted as deleted,
  todoMoved as moved,
  todoUpdated as updated,
} from "@/test/todos";

import {
  addCounts,
  countsDelta,
  countsWithPending,
  type KnownTodos,
  learnGone,
  learnTodo,
  type PendingChange,
  type PendingChanges,
  placeTodo,
  rebasePending,
  settlePage,
  showPending,
  todoEventChange,
  visibleTodos,
  withNewPending,
} from "./live-todos";



describe("todoEventChange: what an event means for one list", () => {
  it("a created todo is new to the list", () => {
    const known: KnownTodos = new Map();
    expect(todoEventChange(known, "L", created(todo(1)))).toEqual({ id: "id-01", before: null, after: todo(1) });
  });

  it("a repeated event, or one no newer than what is known, is no news", () => {
    const known: KnownTodos = new Map();
    todoEventChange(known, "L", created(todo(1)));
    expect(todoEventChange(known, "L", created(todo(1)))).toBeNull();
    expect(todoEventChange(known, "L", updated(todo(1, { version: 3, title: "three" })))?.before).toEqual(todo(1));
    expect(todoEventChange(known, "L", updated(todo(1, { version: 3, title: "three" })))).toBeNull();
    expect(todoEventChange(known, "L", updated(todo(1, { version: 2, title: "two, late" })))).toBeNull();
    expect(known.get("id-01")?.todo?.title).toBe("three");
  });

  it("an update to a todo never seen has an unknown before", () => {
    expect(todoEventChange(new Map(), "L", updated(todo(1, { version: 4 })))?.before).toBeUndefined();
  });

  it("a deletion removes it once; a late copy does not bring it back", () => {
    const known: KnownTodos = new Map();
    learnTodo(known, todo(1, { version: 2 }));
    expect(todoEventChange(known, "L", deleted(todo(1, { version: 2 })))).toEqual({
      id: "id-01",
      before: todo(1, { version: 2 }),
      after: null,
    });
    expect(todoEventChange(known, "L", deleted(todo(1, { version: 2 })))).toBeNull();
    expect(todoEventChange(known, "L", updated(todo(1, { version: 2 })))).toBeNull();
    expect(todoEventChange(known, "L", created(todo(1)))).toBeNull();
  });

  it("ignores other lists' events", () => {
    const known: KnownTodos = new Map();
    expect(todoEventChange(known, "L", created(todo(1), "M"))).toBeNull();
    expect(todoEventChange(known, "L", deleted(todo(1), "M"))).toBeNull();
    expect(known.size).toBe(0);
  });

  it("a move leaves the source list and joins the destination", () => {
    const source: KnownTodos = new Map();
    learnTodo(source, todo(1));
    const move = moved(todo(1, { version: 2 }), "L", "M");
    expect(todoEventChange(source, "L", move)).toMatchObject({ id: "id-01", after: null });
    expect(todoEventChange(source, "L", move)).toBeNull();
    const destination: KnownTodos = new Map();
    expect(todoEventChange(destination, "M", move)).toMatchObject({ id: "id-01", before: null, after: { list_id: "M" } });
    expect(todoEventChange(new Map(), "N", move)).toBeNull();
  });

  it("a todo moved away and back again is in the list again", () => {
    const known: KnownTodos = new Map();
    learnTodo(known, todo(1));
    todoEventChange(known, "L", moved(todo(1, { version: 2 }), "L", "M"));
    expect(todoEventChange(known, "L", moved(todo(1, { version: 3 }), "M", "L"))).toMatchObject({
      before: null,
      after: { version: 3 },
    });
  });

  it("learnGone is no news for a departure older than a known copy", () => {
    const known: KnownTodos = new Map();
    learnTodo(known, todo(1, { version: 5 }));
    expect(learnGone(known, "id-01", 4)).toBeNull();
    expect(learnGone(known, "id-01", 5)).not.toBeNull();
  });
});

describe("counts", () => {
  const stats = { total: 3, active: 2, completed: 1 };

  it("move with each change when the todo's earlier state is known", () => {
    const done = todo(1, { completed: true, version: 2 });
    expect(countsDelta({ id: "x", before: null, after: todo(1) })).toEqual({ total: 1, active: 1, completed: 0 });
    expect(countsDelta({ id: "x", before: todo(1), after: done })).toEqual({ total: 0, active: -1, completed: 1 });
    expect(countsDelta({ id: "x", before: done, after: null })).toEqual({ total: -1, active: 0, completed: -1 });
    expect(countsDelta({ id: "x", before: todo(1), after: todo(1, { title: "renamed", version: 2 }) })).toEqual({
      total: 0,
      active: 0,
      completed: 0,
    });
    expect(addCounts(stats, { total: 0, active: -1, completed: 1 })).toEqual({ total: 3, active: 1, completed: 2 });
  });

  it("cannot be told when the todo was never seen (ask the server)", () => {
    expect(countsDelta({ id: "x", before: undefined, after: null })).toBeNull();
  });

  it("never go below zero", () => {
    expect(addCounts({ total: 0, active: 0, completed: 0 }, { total: -1, active: -1, completed: 0 })).toEqual({
      total: 0,
      active: 0,
      completed: 0,
    });
  });
});

describe("placeTodo: the loaded list with one todo as it is now", () => {
  const loaded = { todos: [todo(1), todo(3)], nextCursor: null };

  it("replaces a loaded todo in place, and removes one that is gone", () => {
    expect(placeTodo(loaded, "id-01", todo(1, { title: "new", version: 2 }), "all").map((t) => t.title)).toEqual([
      "new",
      "Todo 3",
    ]);
    expect(placeTodo(loaded, "id-01", null, "all").map((t) => t.id)).toEqual(["id-03"]);
    expect(placeTodo(loaded, "id-09", null, "all")).toEqual(loaded.todos);
  });

  it("adds a new todo at its place (the end, for a new one) when all pages are loaded", () => {
    expect(placeTodo(loaded, "id-04", todo(4), "all").map((t) => t.id)).toEqual(["id-01", "id-03", "id-04"]);
    expect(placeTodo(loaded, "id-02", todo(2), "all").map((t) => t.id)).toEqual(["id-01", "id-02", "id-03"]);
  });

  it("does not append past the loaded pages when more are to come", () => {
    const paged = { todos: [todo(1), todo(3)], nextCursor: "c" };
    expect(placeTodo(paged, "id-04", todo(4), "all").map((t) => t.id)).toEqual(["id-01", "id-03"]);
    // One that sorts within the loaded pages (unticked again under Active, say) does go in.
    expect(placeTodo(paged, "id-02", todo(2), "all").map((t) => t.id)).toEqual(["id-01", "id-02", "id-03"]);
  });

  it("adds only todos the filter shows", () => {
    expect(placeTodo(loaded, "id-04", todo(4, { completed: true }), "active")).toHaveLength(2);
    expect(placeTodo(loaded, "id-04", todo(4, { completed: true }), "completed")).toHaveLength(3);
  });
});

describe("settlePage", () => {
  it("shows the newer copy an event brought while the page loaded, and drops one deleted meanwhile", () => {
    const known: KnownTodos = new Map();
    learnTodo(known, todo(1, { version: 3, title: "newer" }));
    learnGone(known, "id-02", 1);
    expect(settlePage(known, [todo(1), todo(2), todo(3)]).map((t) => t.title)).toEqual(["newer", "Todo 3"]);
    expect(known.get("id-03")?.version).toBe(1);
  });
});

describe("visibleTodos", () => {
  it("shows what the filter shows, and a todo being edited whatever its state", () => {
    const todos = [todo(1), todo(2, { completed: true })];
    expect(visibleTodos(todos, "active", new Set()).map((t) => t.id)).toEqual(["id-01"]);
    expect(visibleTodos(todos, "active", new Set(["id-02"])).map((t) => t.id)).toEqual(["id-01", "id-02"]);
  });
});

describe("pending changes (the user's, before the server answers)", () => {
  const tick = (n: number, action = 1): PendingChange => ({ base: todo(n), next: todo(n, { completed: true }), action });
  const hide = (n: number, action = 2): PendingChange => ({ base: todo(n), next: null, action });
  const adding: PendingChange = { base: null, next: todo(9, { id: "pending:k" }), action: 3 };
  const pending: PendingChanges = new Map<string, PendingChange>([
    ["id-01", tick(1)],
    ["id-02", hide(2)],
    ["pending:k", adding],
  ]);

  it("shows ticks, hides deletions and adds the temporary row where it belongs", () => {
    const shown = showPending({ todos: [todo(1), todo(2), todo(3)], nextCursor: null }, pending, "all");
    expect(shown.map((t) => [t.id, t.completed])).toEqual([
      ["id-01", true],
      ["id-03", false],
      ["pending:k", false],
    ]);
    // With more pages to load, a new todo is not placed past the loaded ones.
    expect(showPending({ todos: [todo(1), todo(2)], nextCursor: "c" }, pending, "all").map((t) => t.id)).toEqual(["id-01"]);
  });

  it("counts them on top of the server's counts", () => {
    // One ticked (active −1, completed +1), one hidden (total −1, active −1), one being added (total +1, active +1).
    expect(countsWithPending({ total: 3, active: 3, completed: 0 }, pending)).toEqual({ total: 3, active: 2, completed: 1 });
  });

  it("is measured from the newest server copy: a confirmed deletion ends it, a tick stays on top of an edit", () => {
    const gone = rebasePending(pending, { id: "id-02", before: todo(2), after: null });
    expect(gone.has("id-02")).toBe(false);
    const edited = rebasePending(pending, { id: "id-01", before: todo(1), after: todo(1, { title: "Renamed", version: 2 }) });
    expect(edited.get("id-01")).toEqual({
      base: todo(1, { title: "Renamed", version: 2 }),
      next: todo(1, { title: "Renamed", version: 2, completed: true }),
      action: 1,
    });
    expect(rebasePending(pending, { id: "id-07", before: todo(7), after: null })).toBe(pending);
  });

  it("a change made on top of a pending one is measured from the server's copy: an untick after a tick counts nothing", () => {
    const untick: PendingChange = { base: todo(1, { completed: true }), next: todo(1), action: 4 };
    const both = withNewPending(pending, "id-01", untick);
    expect(both.get("id-01")).toEqual({ base: todo(1), next: todo(1), action: 4 });
    expect(countsWithPending({ total: 3, active: 3, completed: 0 }, both)).toEqual({ total: 3, active: 3, completed: 0 });
    // Nothing pending for the todo: the change is taken as it is.
    expect(withNewPending(pending, "id-03", tick(3, 5)).get("id-03")).toEqual(tick(3, 5));
  });
});
