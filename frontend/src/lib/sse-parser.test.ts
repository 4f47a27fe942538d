import { describe, expect, it } from "vitest";

import { createSseParser, type SseMessage } from "./sse-parser";

/** Feeds `chunks` to a fresh parser; returns what it reported. */
function parse(chunks: string[], lastEventId?: string) {
  const messages: SseMessage[] = [];
  const retries: number[] = [];
  const comments: string[] = [];
  const parser = createSseParser(
    {
      onMessage: (message) => messages.push(message),
      onRetry: (ms) => retries.push(ms),
      onComment: (text) => comments.push(text),
    },
    lastEventId,
  );
  for (const chunk of chunks) parser.feed(chunk);
  return { messages, retries, comments, lastEventId: parser.lastEventId };
}

/** `text` one UTF-16 unit per chunk (the parser must cope with any cut). */
function oneByOne(text: string): string[] {
  return Array.from({ length: text.length }, (_, index) => text.charAt(index));
}

/** Every way of cutting `text` in two. */
function splits(text: string): string[][] {
  return Array.from({ length: text.length + 1 }, (_, at) => [text.slice(0, at), text.slice(at)]);
}

const STREAM = 'retry: 2000\n\nid: c1\nevent: ready\ndata: {"type":"ready","resumed":false}\n\n: keep-alive\n\nid: c2\nevent: todo.deleted\ndata: {"a":1}\n\n';

describe("createSseParser", () => {
  it("reads events with their type, data and id", () => {
    const { messages, retries, comments, lastEventId } = parse([STREAM]);
    expect(messages).toEqual([
      { type: "ready", data: '{"type":"ready","resumed":false}', lastEventId: "c1" },
      { type: "todo.deleted", data: '{"a":1}', lastEventId: "c2" },
    ]);
    expect(retries).toEqual([2000]);
    expect(comments).toEqual([" keep-alive"]);
    expect(lastEventId).toBe("c2");
  });

  it("gives the same result however the text is split into chunks", () => {
    const whole = parse([STREAM]);
    for (const chunks of splits(STREAM)) expect(parse(chunks)).toEqual(whole);
    // One character at a time.
    expect(parse(oneByOne(STREAM))).toEqual(whole);
  });

  it("accepts CRLF, CR and LF line ends, mixed, even with CRLF split across chunks", () => {
    const lf = parse(["id: 7\ndata: a\n\ndata: b\n\n"]);
    const crlf = "id: 7\r\ndata: a\r\n\r\ndata: b\r\n\r\n";
    expect(parse([crlf])).toEqual(lf);
    expect(parse(["id: 7\rdata: a\r\rdata: b\r\r"])).toEqual(lf);
    expect(parse(["id: 7\r\ndata: a\n\rdata: b\r\n\n"])).toEqual(lf);
    for (const chunks of splits(crlf)) expect(parse(chunks)).toEqual(lf);
    expect(parse(oneByOne(crlf))).toEqual(lf);
  });

  it("does not take a CR then LF in separate chunks as two line ends", () => {
    // "data: a\r" | "\ndata: b\n\n" is one event with two data lines, not a dispatch in between.
    expect(parse(["data: a\r", "\ndata: b\n\n"]).messages).toEqual([{ type: "message", data: "a\nb", lastEventId: "" }]);
  });

  it("joins repeated data lines with newlines and drops only the last one", () => {
    expect(parse(["data: one\ndata:two\ndata:  three\ndata\n\n"]).messages[0]?.data).toBe("one\ntwo\n three\n");
  });

  it("dispatches an event with empty data, but not one without data", () => {
    expect(parse(["event: x\n\n", "data:\n\n"]).messages).toEqual([{ type: "message", data: "", lastEventId: "" }]);
  });

  it("ignores comments, unknown fields and bad retry values", () => {
    const { messages, retries, comments } = parse([":hello\nfoo: bar\nretry: soon\nretry: 12a\nretry:1500\ndata: x\n\n"]);
    expect(messages).toEqual([{ type: "message", data: "x", lastEventId: "" }]);
    expect(retries).toEqual([1500]);
    expect(comments).toEqual(["hello"]);
  });

  it("keeps the id across events, resets it with an empty id, and ignores one with NUL", () => {
    const { messages } = parse(["id: a\ndata: 1\n\ndata: 2\n\nid\ndata: 3\n\nid: b\0c\ndata: 4\n\n"]);
    expect(messages.map((m) => m.lastEventId)).toEqual(["a", "a", "", ""]);
  });

  it("takes an id only once its event is dispatched, even an event without data", () => {
    const parser = createSseParser({ onMessage: () => undefined }, "start");
    parser.feed("id: next\n");
    expect(parser.lastEventId).toBe("start");
    parser.feed("\n");
    expect(parser.lastEventId).toBe("next");
  });

  it("starts from the id a previous connection left off at", () => {
    expect(parse(["data: x\n\n"], "c9").messages[0]?.lastEventId).toBe("c9");
  });

  it("drops a byte-order mark at the start and keeps an unfinished event unsent", () => {
    const { messages } = parse(["\uFEFFdata: x\n\n", "data: never dispatched\n"]);
    expect(messages).toEqual([{ type: "message", data: "x", lastEventId: "" }]);
  });

  it("keeps a colon inside the value and takes a line without colon as a field name", () => {
    expect(parse(['data: {"a":"b:c"}\n\n']).messages[0]?.data).toBe('{"a":"b:c"}');
  });
});
