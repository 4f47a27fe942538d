import { describe, expect, it } from "vitest";

import type { Todo } from "@/api/client";
import { ConflictError } from "@/api/errors";
import { makeTodo } from "@/test/todos";

import { RebaseConflict, rebaseChanges, sendRebasing, TodoChangeQueue } from "./todo-changes";

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

describe("rebaseChanges", () => {
  const base = makeTodo(1, { title: "Water plants", content: "The ferns", version: 3 });

  it("keeps a tick on a todo someone renamed", () => {
    const current = { ...base, title: "Water the plants", version: 4 };
    expect(rebaseChanges({ completed: true }, base, current)).toEqual({ completed: true });
  });

  it("keeps an edit of the title when someone ticked the todo or edited its notes", () => {
    const current = { ...base, completed: true, content: "All of them", version: 5 };
    expect(rebaseChanges({ title: "Water all plants" }, base, current)).toEqual({ title: "Water all plants" });
  });

  it("is a conflict when someone else set the same field to another value", () => {
    const current = { ...base, title: "Repot the ferns", version: 4 };
    expect(rebaseChanges({ title: "Water all plants" }, base, current)).toBeNull();
    expect(rebaseChanges({ title: "Water all plants", completed: true }, base, current)).toBeNull();
  });

  it("sends nothing for the fields the server already holds as wanted", () => {
    const current = { ...base, completed: true, title: "Water all plants", version: 6 };
    expect(rebaseChanges({ completed: true }, base, current)).toEqual({});
    expect(rebaseChanges({ title: "Water all plants", content: "Mine" }, base, current)).toEqual({ content: "Mine" });
  });

  it("compares a due time as the API does (HH:MM against HH:MM:SS)", () => {
    const withDue = { ...base, due_date: "2024-05-01", due_time: "09:30:00", due_zone: "Europe/Paris" };
    const current = { ...withDue, title: "Renamed", version: 4 };
    expect(rebaseChanges({ due_date: "2024-05-01", due_time: "09:30", due_zone: "Europe/Paris" }, withDue, current)).toEqual({});
    expect(rebaseChanges({ due_time: "10:00" }, withDue, current)).toEqual({ due_time: "10:00" });
    expect(rebaseChanges({ due_time: "10:00" }, withDue, { ...current, due_time: "11:00:00" })).toBeNull();
  });

  it("never rebases a move: its place is relative to the list it was made on", () => {
    expect(rebaseChanges({ after: "id-02" }, base, { ...base, version: 4 })).toBeNull();
  });
});

describe("sendRebasing", () => {
  const base = makeTodo(1, { title: "Water plants", version: 3 });

  function io(current: Todo, answers: (Todo | Error)[]) {
    const sent: { changes: object; version: number }[] = [];
    return {
      sent,
      io: {
        update: (changes: object, version: number) => {
          sent.push({ changes, version });
          const answer = answers.shift();
          return answer instanceof Error || answer === undefined
            ? Promise.reject(answer ?? new Error("No answer left"))
            : Promise.resolve(answer);
        },
        fetch: () => Promise.resolve(current),
      },
    };
  }

  it("sends once when the server takes the change", async () => {
    const { sent, io: server } = io(base, [{ ...base, completed: true, version: 4 }]);
    await expect(sendRebasing({ completed: true }, base, 3, server)).resolves.toMatchObject({ version: 4 });
    expect(sent).toEqual([{ changes: { completed: true }, version: 3 }]);
  });

  it("after a 412 from a rename elsewhere, ticks the renamed copy with its version", async () => {
    const renamed = { ...base, title: "Water the plants", version: 4 };
    const { sent, io: server } = io(renamed, [new ConflictError(), { ...renamed, completed: true, version: 5 }]);
    await expect(sendRebasing({ completed: true }, base, 3, server)).resolves.toMatchObject({
      title: "Water the plants",
      completed: true,
      version: 5,
    });
    expect(sent).toEqual([
      { changes: { completed: true }, version: 3 },
      { changes: { completed: true }, version: 4 },
    ]);
  });

  it("after a 412, sends nothing more when the server already holds the change", async () => {
    const ticked = { ...base, completed: true, version: 4 };
    const { sent, io: server } = io(ticked, [new ConflictError()]);
    await expect(sendRebasing({ completed: true }, base, 3, server)).resolves.toBe(ticked);
    expect(sent).toHaveLength(1);
  });

  it("rejects with the server's copy when someone else set the same field", async () => {
    const renamed = { ...base, title: "Repot the ferns", version: 4 };
    const { sent, io: server } = io(renamed, [new ConflictError()]);
    const refusal = sendRebasing({ title: "Water all plants" }, base, 3, server);
    await expect(refusal).rejects.toBeInstanceOf(RebaseConflict);
    await expect(refusal).rejects.toMatchObject({ status: 412, current: renamed });
    expect(sent).toHaveLength(1);
  });

  it("tries again once only: a second 412 is reported", async () => {
    const renamed = { ...base, title: "Water the plants", version: 4 };
    const { sent, io: server } = io(renamed, [new ConflictError(), new ConflictError()]);
    await expect(sendRebasing({ completed: true }, base, 3, server)).rejects.toBeInstanceOf(ConflictError);
    expect(sent).toHaveLength(2);
  });

  it("passes any other refusal on without fetching", async () => {
    const gone = Object.assign(new Error("gone"), { status: 404 });
    const { sent, io: server } = io(base, [gone]);
    await expect(sendRebasing({ completed: true }, base, 3, server)).rejects.toBe(gone);
    expect(sent).toHaveLength(1);
  });
});
