/**
 * A parser for Server-Sent Events (the `text/event-stream` format of the
 * HTML standard, "Interpreting an event stream"), fed text as it arrives.
 *
 * The browser's own EventSource does this for us, but it cannot send an
 * Authorization header, so the live stream is read with `fetch` and parsed
 * here. Pure: no I/O, no timers, so every rule below is unit-tested.
 *
 * The format, in short: lines end in CRLF, LF or CR. `field: value` sets a
 * field of the event being built (one space after the colon is dropped);
 * `data` may repeat and its lines are joined with "\n"; a line starting with
 * ":" is a comment (servers send them as heartbeats); a blank line dispatches
 * the event. Chunks of the network stream may split a line, or a CRLF,
 * anywhere.
 */

export interface SseMessage {
  /** The `event:` field, or "message" when the event had none. */
  type: string;
  /** The `data:` lines joined with "\n". */
  data: string;
  /** The last `id:` the stream has set so far (ids carry over from earlier events); "" when none. */
  lastEventId: string;
}

export interface SseHandlers {
  onMessage: (message: SseMessage) => void;
  /** A `retry:` field: the reconnection delay the server asks for, in milliseconds. */
  onRetry?: (milliseconds: number) => void;
  /** A comment line, without its colon (": keep-alive" gives " keep-alive"). */
  onComment?: (text: string) => void;
}

export interface SseParser {
  /** Parses the next piece of decoded text. */
  feed(text: string): void;
  /** The id to resume from (`Last-Event-ID`): the last one set by a dispatched event. */
  readonly lastEventId: string;
}

/**
 * A parser for one connection. `lastEventId` is where a previous connection
 * left off: the standard keeps the id across reconnections.
 */
export function createSseParser(handlers: SseHandlers, lastEventId = ""): SseParser {
  let committedId = lastEventId;
  // The event being built.
  let idBuffer = lastEventId;
  let eventType = "";
  let data = "";
  // The text of a line whose end has not arrived yet.
  let partialLine = "";
  // The last chunk ended with CR: if the next one starts with LF, that LF ends nothing.
  let afterCarriageReturn = false;
  let atStart = true;

  function dispatch(): void {
    committedId = idBuffer;
    if (data === "") {
      eventType = "";
      return;
    }
    const message = { type: eventType || "message", data: data.endsWith("\n") ? data.slice(0, -1) : data, lastEventId: committedId };
    data = "";
    eventType = "";
    handlers.onMessage(message);
  }

  function processLine(line: string): void {
    if (line === "") {
      dispatch();
      return;
    }
    if (line.startsWith(":")) {
      handlers.onComment?.(line.slice(1));
      return;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        eventType = value;
        break;
      case "data":
        data += `${value}\n`;
        break;
      case "id":
        // An id containing NUL is ignored (the standard's rule).
        if (!value.includes("\0")) idBuffer = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) handlers.onRetry?.(Number(value));
        break;
      default:
      // Unknown fields are ignored.
    }
  }

  function feed(text: string): void {
    let chunk = text;
    if (atStart && chunk !== "") {
      atStart = false;
      // A byte-order mark may open the stream (TextDecoder usually drops it already).
      if (chunk.startsWith("\uFEFF")) chunk = chunk.slice(1);
    }
    let start = 0;
    if (afterCarriageReturn && chunk.startsWith("\n")) start = 1;
    if (chunk !== "") afterCarriageReturn = false;
    for (let index = start; index < chunk.length; index += 1) {
      const char = chunk[index];
      if (char !== "\r" && char !== "\n") continue;
      const line = partialLine + chunk.slice(start, index);
      partialLine = "";
      if (char === "\r") {
        if (index + 1 === chunk.length) afterCarriageReturn = true;
        else if (chunk[index + 1] === "\n") index += 1;
      }
      start = index + 1;
      processLine(line);
    }
    partialLine += chunk.slice(start);
  }

  return {
    feed,
    get lastEventId() {
      return committedId;
    },
  };
}
