import { act, renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import type { Api, ListInfo } from "@/api/client";
import { ApiError } from "@/api/errors";

import { useLists } from "./useLists";

function list(id: string, name: string, overrides: Partial<ListInfo> = {}): ListInfo {
  return { id, name, role: "owner", personal: false, created_at: "2024-01-01T00:00:00Z", ...overrides };
}

const PERSONAL = list("p", "Personal", { personal: true });
const WORK = list("w", "Work", { role: "viewer" });

function fakeApi(methods: Partial<Api>): Api {
  return methods as Api;
}

async function loaded(api: Api) {
  const hook = renderHook(() => useLists(api));
  await waitFor(() => {
    expect(hook.result.current.status).toBe("ready");
  });
  return hook;
}

describe("useLists", () => {
  it("loads the caller's lists", async () => {
    const api = fakeApi({ lists: vi.fn().mockResolvedValue([PERSONAL, WORK]) });
    const { result } = renderHook(() => useLists(api));
    expect(result.current.status).toBe("loading");
    await waitFor(() => {
      expect(result.current.lists.map((l) => l.name)).toEqual(["Personal", "Work"]);
    });
  });

  it("shows a load error and retries", async () => {
    const lists = vi.fn().mockRejectedValueOnce(new ApiError(503, "Not ready")).mockResolvedValueOnce([PERSONAL]);
    const api = fakeApi({ lists });
    const { result } = renderHook(() => useLists(api));
    await waitFor(() => {
      expect(result.current.status).toBe("error");
    });
    expect(result.current.loadError).toBe("Not ready");
    act(() => {
      result.current.reload();
    });
    await waitFor(() => {
      expect(result.current.status).toBe("ready");
    });
  });

  it("puts a created or renamed list in its place, by name", async () => {
    const api = fakeApi({
      lists: vi.fn().mockResolvedValue([PERSONAL, WORK]),
      createList: vi.fn().mockResolvedValue(list("a", "Art")),
      renameList: vi.fn().mockResolvedValue({ ...WORK, name: "Agenda" }),
    });
    const { result } = await loaded(api);
    await act(() => result.current.create("Art"));
    expect(result.current.lists.map((l) => l.name)).toEqual(["Personal", "Art", "Work"]);
    await act(() => result.current.rename("w", "Agenda"));
    expect(result.current.lists.map((l) => l.name)).toEqual(["Personal", "Agenda", "Art"]);
  });

  it("forgets a deleted or left list", async () => {
    const removeMember = vi.fn().mockResolvedValue(undefined);
    const api = fakeApi({
      lists: vi.fn().mockResolvedValue([PERSONAL, WORK, list("x", "Xmas")]),
      deleteList: vi.fn().mockResolvedValue(undefined),
      removeMember,
    });
    const { result } = await loaded(api);
    await act(() => result.current.remove("x"));
    await act(() => result.current.leave("w", "ann"));
    expect(removeMember).toHaveBeenCalledWith("w", "ann");
    expect(result.current.lists).toEqual([PERSONAL]);
  });

  it("reloads (keeping what it shows) when a change is refused with 403", async () => {
    const lists = vi.fn().mockResolvedValueOnce([PERSONAL, list("w", "Work")]).mockResolvedValueOnce([PERSONAL, WORK]);
    const renameList = vi.fn().mockRejectedValue(new ApiError(403, "Only an owner can rename this list."));
    const { result } = await loaded(fakeApi({ lists, renameList }));
    // (Inside act: a rejected act() would drop the state update it queued.)
    await act(async () => {
      await expect(result.current.rename("w", "Mine")).rejects.toMatchObject({ status: 403 });
    });
    expect(result.current.status).toBe("ready");
    await waitFor(() => {
      expect(result.current.lists[1]?.role).toBe("viewer");
    });
    expect(lists).toHaveBeenCalledTimes(2);
  });
});
