import { renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import type { Api } from "@/api/client";
import { fakeLiveEvents } from "@/test/fake-live-events";

import { useMembers } from "./useMembers";

async function loadedMembers() {
  const members = vi.fn().mockResolvedValue([
    { name: "ann", role: "owner" },
    { name: "bob", role: "viewer" },
  ]);
  const api = { members } as unknown as Api;
  const live = fakeLiveEvents();
  const hook = renderHook(() => useMembers(api, "trip"), { wrapper: live.Wrapper });
  await waitFor(() => {
    expect(hook.result.current.status).toBe("ready");
  });
  return { ...hook, members, live };
}

const names = (members: readonly { name: string; role: string }[]) => members.map((m) => `${m.name}:${m.role}`);

describe("useMembers, live", () => {
  it("follows members added, changed and removed elsewhere, in this list only", async () => {
    const { result, live } = await loadedMembers();
    live.emit(
      { type: "member.added", list_id: "trip", list_name: "Trip", name: "cy", role: "editor" },
      { type: "member.added", list_id: "trip", list_name: "Trip", name: "cy", role: "editor" },
      { type: "member.added", list_id: "other", list_name: "Other", name: "dee", role: "editor" },
      { type: "member.updated", list_id: "trip", name: "Bob", role: "editor" },
      { type: "member.removed", list_id: "trip", name: "ann" },
    );
    expect(names(result.current.members)).toEqual(["Bob:editor", "cy:editor"]);
  });

  it("fetches the members again after a resync", async () => {
    const { members, live } = await loadedMembers();
    live.emit({ type: "resync", reason: "too many events missed" });
    await waitFor(() => {
      expect(members).toHaveBeenCalledTimes(2);
    });
  });
});
