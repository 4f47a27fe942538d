import { describe, expect, it } from "vitest";

import { MAX_RETRY_MS, reconnectDelay, retryAfterMs } from "./reconnect-delay";

describe("reconnectDelay", () => {
  it("starts at the server's retry value and doubles per failed attempt", () => {
    const highest = () => 1; // no jitter taken off
    expect([0, 1, 2, 3].map((attempt) => reconnectDelay(attempt, 2000, highest))).toEqual([2000, 4000, 8000, 16000]);
  });

  it("is capped, however many attempts failed", () => {
    expect(reconnectDelay(5, 2000, () => 1)).toBe(MAX_RETRY_MS);
    expect(reconnectDelay(1000, 2000, () => 1)).toBe(MAX_RETRY_MS);
  });

  it("takes up to half off at random, so clients spread out", () => {
    expect(reconnectDelay(0, 2000, () => 0)).toBe(1000);
    expect(reconnectDelay(0, 2000, () => 0.5)).toBe(1500);
    expect(reconnectDelay(10, 2000, () => 0)).toBe(MAX_RETRY_MS / 2);
  });
});

describe("retryAfterMs", () => {
  it("reads seconds and HTTP dates", () => {
    expect(retryAfterMs("7")).toBe(7000);
    expect(retryAfterMs(" 0 ")).toBe(0);
    const now = Date.parse("2024-01-01T00:00:00Z");
    expect(retryAfterMs("Mon, 01 Jan 2024 00:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("Sun, 31 Dec 2023 00:00:00 GMT", now)).toBe(0);
  });

  it("is null when missing or unreadable", () => {
    expect(retryAfterMs(null)).toBeNull();
    expect(retryAfterMs("soon")).toBeNull();
    expect(retryAfterMs("-5")).toBeNull();
  });
});
