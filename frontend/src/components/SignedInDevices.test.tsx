import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { Device, DevicePage } from "@/api/client";
import { ApiError } from "@/api/errors";

import { SignedInDevices } from "./SignedInDevices";

function device(id: string, overrides: Partial<Device> = {}): Device {
  return {
    id,
    device: `Firefox ${id}`,
    address: "203.0.113.7",
    created_at: "2026-12-07T09:00:00Z",
    last_seen_at: "2026-12-07T09:30:00Z",
    expires_at: "2026-12-21T09:30:00Z",
    current: false,
    ...overrides,
  };
}

/** A fake backend: `devices` newest first, paged two at a time. */
function backend(devices: Device[]) {
  const listDevices = vi.fn((cursor?: string): Promise<DevicePage> => {
    const start = cursor ? Number(cursor) : 0;
    const items = devices.slice(start, start + 2);
    const next = start + 2 < devices.length ? String(start + 2) : null;
    return Promise.resolve({ items, next_cursor: next });
  });
  const signOutDevice = vi.fn((id: string) => {
    devices.splice(
      devices.findIndex((found) => found.id === id),
      1,
    );
    return Promise.resolve();
  });
  const signOutOthers = vi.fn(() => {
    devices.splice(0, devices.length, ...devices.filter((found) => found.current));
    return Promise.resolve();
  });
  return { listDevices, signOutDevice, signOutOthers };
}

describe("SignedInDevices", () => {
  it("lists devices a page at a time, this one marked and not signed out from here", async () => {
    const fake = backend([device("1", { current: true }), device("2"), device("3")]);
    render(<SignedInDevices {...fake} />);
    const list = await screen.findByRole("list", { name: "Your signed-in devices" });
    expect(within(list).getAllByRole("listitem")).toHaveLength(2);
    const mine = within(list).getAllByRole("listitem")[0];
    expect(mine).toBeDefined();
    expect(within(mine as HTMLElement).getByText("This device")).toBeTruthy();
    expect(within(mine as HTMLElement).queryByRole("button")).toBeNull();

    await userEvent.click(screen.getByRole("button", { name: "Show more devices" }));
    await waitFor(() => {
      expect(within(list).getAllByRole("listitem")).toHaveLength(3);
    });
    expect(fake.listDevices).toHaveBeenLastCalledWith("2");
    expect(screen.queryByRole("button", { name: "Show more devices" })).toBeNull();
  });

  it("signs one device out and says so", async () => {
    const fake = backend([device("1", { current: true }), device("2")]);
    render(<SignedInDevices {...fake} />);
    await userEvent.click(await screen.findByRole("button", { name: /^Sign out Firefox 2/ }));
    expect(fake.signOutDevice).toHaveBeenCalledWith("2");
    expect(await screen.findByText("Signed out Firefox 2.")).toBeTruthy();
    await waitFor(() => {
      expect(screen.queryByText("Firefox 2")).toBeNull();
    });
  });

  it("signs out all the others, then has nothing left to sign out", async () => {
    const fake = backend([device("1", { current: true }), device("2"), device("3")]);
    render(<SignedInDevices {...fake} />);
    const button = await screen.findByRole("button", { name: "Sign out all other devices" });
    await userEvent.click(button);
    expect(fake.signOutOthers).toHaveBeenCalledOnce();
    expect(await screen.findByText("Signed out every other device.")).toBeTruthy();
    await waitFor(() => {
      expect(button).toHaveProperty("disabled", true);
    });
  });

  it("shows why a sign-out failed", async () => {
    const fake = backend([device("1", { current: true }), device("2")]);
    fake.signOutDevice.mockRejectedValueOnce(new ApiError(503, "The server is busy."));
    render(<SignedInDevices {...fake} />);
    await userEvent.click(await screen.findByRole("button", { name: /^Sign out Firefox 2/ }));
    expect((await screen.findByRole("alert")).textContent).toBe("The server is busy.");
  });
});
