import { describe, expect, it } from "vitest";

import { findShownList, listHref, sameUserName, sortLists, upsertList } from "./lists";

const personal = { id: "p", name: "Personal", personal: true };
const groceries = { id: "g", name: "groceries", personal: false };
const work = { id: "w", name: "Work", personal: false };

describe("lists", () => {
  it("links the personal list at / and every other one at /lists/<id>", () => {
    expect(listHref(personal)).toBe("/");
    expect(listHref(work)).toBe("/lists/w");
    expect(listHref({ ...work, id: "a/b" })).toBe("/lists/a%2Fb");
  });

  it("finds the list a page shows: by id, or the personal list on /", () => {
    const lists = [personal, groceries, work];
    expect(findShownList(lists, null)).toBe(personal);
    expect(findShownList(lists, "w")).toBe(work);
    expect(findShownList(lists, "p")).toBe(personal);
    expect(findShownList(lists, "unknown")).toBeUndefined();
  });

  it("sorts like GET /lists: personal first, then by name ignoring case", () => {
    expect(sortLists([work, personal, groceries]).map((l) => l.id)).toEqual(["p", "g", "w"]);
  });

  it("puts a new or renamed list in its place", () => {
    const lists = [personal, groceries, work];
    expect(upsertList(lists, { id: "a", name: "Art", personal: false }).map((l) => l.id)).toEqual(["p", "a", "g", "w"]);
    expect(upsertList(lists, { ...work, name: "Agenda" }).map((l) => l.name)).toEqual(["Personal", "Agenda", "groceries"]);
  });

  it("compares user names as the backend does, ignoring case", () => {
    expect(sameUserName("Ann", "ann")).toBe(true);
    expect(sameUserName("ann", "bob")).toBe(false);
    expect(sameUserName("ann", null)).toBe(false);
  });
});
