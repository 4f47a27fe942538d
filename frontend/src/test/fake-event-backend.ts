import { vi } from "vitest";

/** One request the stream made, and the server's end of its response. */
export interface Connection {
  headers: Headers;
  /** Sends text (or raw bytes) down the stream. */
  send(data: string | Uint8Array): void;
  /** The server ends the response. */
  end(): void;
  readonly aborted: boolean;
}

export type Plan = "stream" | "network-error" | Response;

/**
 * A stand-in for the backend: each fetch takes the next planned answer (an
 * open event stream by default) and is recorded with the time it was made.
 */
export function fakeEventBackend() {
  const plans: Plan[] = [];
  const connections: Connection[] = [];
  const times: number[] = [];
  const fetch = vi.fn((_url: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    times.push(Date.now());
    const plan = plans.shift() ?? "stream";
    if (plan === "network-error") return Promise.reject(new TypeError("Failed to fetch"));
    if (plan instanceof Response) return Promise.resolve(plan);
    const signal = init?.signal ?? null;
    let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
    });
    signal?.addEventListener("abort", () => {
      controller?.error(new DOMException("aborted", "AbortError"));
    });
    connections.push({
      headers: new Headers(init?.headers),
      send(data) {
        controller?.enqueue(typeof data === "string" ? new TextEncoder().encode(data) : data);
      },
      end() {
        controller?.close();
      },
      get aborted() {
        return signal?.aborted ?? false;
      },
    });
    return Promise.resolve(new Response(body, { headers: { "Content-Type": "text/event-stream" } }));
  });
  return { fetch, plans, connections, times };
}

/** Lets promise chains (fetch, stream reads) run. */
export async function settle() {
  for (let i = 0; i < 30; i += 1) await Promise.resolve();
}

