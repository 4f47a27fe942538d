import { describe, expect, it } from "vitest";

import type { Todo } from "@/api/client";
import { ConflictError } from "@/api/errors";
import { makeTodo } from "@/test/todos";

import { TodoChangeQueue } from "./todo-changes";

const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** A request whose answer the test gives when it likes. */
interface Held {
  id: string;
  version: number;
  answer: (todo: Todo | null) => Promise<void>;
  fail: (error: Error) => Promise<void>;
}

/** Sends through `queue`, recording each request as it goes out (not when it is queued). */
function sender(queue: TodoChangeQueue) {
  const sent: Held[] = [];
  const send = (id: string, base: number) =>
    queue.enqueue(id, base, (version) => {
      let answer: (todo: Todo | null) => void = () => undefined;
      let fail: (error: Error) => void = () => undefined;
      const response = new Promise<Todo | null>((resolve, reject) => {
        answer = resolve;
        fail = reject;
      });
      // Each settles the request, then lets the queue move on.
      sent.push({
        id,
        version,
        answer: (todo) => {
          answer(todo);
          return settle();
        },
        fail: (error) => {
          fail(error);
          return settle();
        },
      });
      return response;
    });
  return { sent, send };
}

describe("TodoChangeQueue", () => {
  it("sends a second change to a todo after the first is answered, with the version it answered", async () => {
    const { sent, send } = sender(new TodoChangeQueue());
    const first = send("a", 3);
    const second = send("a", 3);
    expect(sent.map(({ version }) => version)).toEqual([3]);

    await sent[0]?.answer(makeTodo(1, { id: "a", version: 4 }));
    await expect(first).resolves.toMatchObject({ version: 4 });
    expect(sent.map(({ version }) => version)).toEqual([3, 4]);

    await sent[1]?.answer(makeTodo(1, { id: "a", version: 5 }));
    await expect(second).resolves.toMatchObject({ version: 5 });
  });

  it("chains three changes made on the same copy, and one made on a copy an answer already brought", async () => {
    const { sent, send } = sender(new TodoChangeQueue());
    void send("a", 3);
    void send("a", 3);
    void send("a", 4);
    await sent[0]?.answer(makeTodo(1, { id: "a", version: 4 }));
    await sent[1]?.answer(makeTodo(1, { id: "a", version: 5 }));
    await sent[2]?.answer(makeTodo(1, { id: "a", version: 6 }));
    expect(sent.map(({ version }) => version)).toEqual([3, 4, 5]);
  });

  it("sends changes to different todos in parallel", () => {
    const { sent, send } = sender(new TodoChangeQueue());
    void send("a", 1);
    void send("b", 7);
    void send("c", 2);
    expect(sent.map(({ id, version }) => [id, version])).toEqual([
      ["a", 1],
      ["b", 7],
      ["c", 2],
    ]);
  });

  it("once the todo is idle, sends at once with the newest of this tab's own versions", async () => {
    const queue = new TodoChangeQueue();
    const { sent, send } = sender(queue);
    void send("a", 3);
    await sent[0]?.answer(makeTodo(1, { id: "a", version: 4 }));
    // An editor opened on version 3 before the tick's answer came.
    void send("a", 3);
    expect(sent.map(({ version }) => version)).toEqual([3, 4]);
    expect(queue.expectedVersion("a", 3)).toBe(4);
    expect(queue.expectedVersion("a", 2)).toBe(2);
    expect(queue.expectedVersion("b", 3)).toBe(3);
  });

  it("never skips a version someone else made: their change between ours keeps the If-Match", async () => {
    const queue = new TodoChangeQueue();
    const { sent, send } = sender(queue);
    void send("a", 3);
    void send("a", 3);
    // Sent without If-Match, the first landed after a change made elsewhere (3 -> 4 by them, 4 -> 5 by us).
    await sent[0]?.answer(makeTodo(1, { id: "a", version: 5 }));
    expect(sent.map(({ version }) => version)).toEqual([3, 3]);
  });

  it("still sends a later change when the earlier one fails, with the version it was made on", async () => {
    const { sent, send } = sender(new TodoChangeQueue());
    const first = send("a", 3);
    const second = send("a", 3);
    await sent[0]?.fail(new ConflictError());
    await expect(first).rejects.toBeInstanceOf(ConflictError);
    expect(sent.map(({ version }) => version)).toEqual([3, 3]);

    await sent[1]?.answer(makeTodo(1, { id: "a", version: 5 }));
    await expect(second).resolves.toMatchObject({ version: 5 });
  });

  it("keeps the versions already ours when a later change fails", async () => {
    const { sent, send } = sender(new TodoChangeQueue());
    void send("a", 3);
    const failing = send("a", 3);
    void send("a", 3);
    await sent[0]?.answer(makeTodo(1, { id: "a", version: 4 }));
    await sent[1]?.fail(new Error("Network down"));
    await expect(failing).rejects.toThrow("Network down");
    await settle();
    expect(sent.map(({ version }) => version)).toEqual([3, 4, 4]);
  });

  it("forgets the versions once a change deleted the todo", async () => {
    const queue = new TodoChangeQueue();
    const { sent, send } = sender(queue);
    void send("a", 3);
    await sent[0]?.answer(makeTodo(1, { id: "a", version: 4 }));
    void send("a", 4);
    await sent[1]?.answer(null);
    expect(queue.expectedVersion("a", 3)).toBe(3);
  });
});
