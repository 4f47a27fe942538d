import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { createApi } from "@/api/client";

import { SLOW_AFTER_MS, SlowRequests, slowRequests } from "./slow-requests";

describe("SlowRequests", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("counts a request once it has waited SLOW_AFTER_MS, and tells its listeners", () => {
    const tracker = new SlowRequests();
    const listener = vi.fn();
    tracker.subscribe(listener);
    tracker.started("a");
    tracker.started("b");
    vi.advanceTimersByTime(SLOW_AFTER_MS - 1);
    expect(tracker.count()).toBe(0);
    tracker.ended("b");
    vi.advanceTimersByTime(1);
    expect(tracker.count()).toBe(1);
    expect(listener).toHaveBeenCalledTimes(1);
    tracker.ended("a");
    expect(tracker.count()).toBe(0);
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it("forgets a request answered in time without a word", () => {
    const tracker = new SlowRequests();
    const listener = vi.fn();
    const unsubscribe = tracker.subscribe(listener);
    tracker.started("a");
    tracker.ended("a");
    vi.advanceTimersByTime(SLOW_AFTER_MS * 2);
    expect(tracker.count()).toBe(0);
    expect(listener).not.toHaveBeenCalled();
    unsubscribe();
  });

  it("hears of every request of the API client: a hung one, then its failure", async () => {
    let fail: (error: Error) => void = () => undefined;
    const api = createApi({
      baseUrl: "http://frontend.test/api",
      getToken: () => "jwt-token",
      onUnauthorized: () => undefined,
      fetch: () =>
        new Promise<Response>((_, reject) => {
          fail = reject;
        }),
    });
    const stats = api.stats();
    await vi.advanceTimersByTimeAsync(SLOW_AFTER_MS);
    expect(slowRequests.count()).toBe(1);
    fail(new TypeError("Failed to fetch"));
    await expect(stats).rejects.toMatchObject({ status: 0 });
    expect(slowRequests.count()).toBe(0);
  });
});
