/** One Server-Sent-Events message. */
export interface SseMessage {
  id?: string;
  event: string;
  data: string;
  retry?: number;
}

/**
 * Parses a `text/event-stream` body into messages (the WHATWG event-stream rules: `:` comments,
 * `field: value` lines, a blank line dispatches, `data` lines join with `\n`).
 *
 * @example
 * ```ts
 * import { parseSse } from "./sse.ts";
 * const body = new Response("id: 1\nevent: x\ndata: {}\n\n").body!;
 * for await (const m of parseSse(body)) console.log(m.id, m.event, m.data);
 * ```
 */
export async function* parseSse(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<SseMessage> {
  // Typed as a plain transform: the DOM library and Deno's disagree on TextDecoderStream's input.
  const decoder = new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>;
  const reader = body.pipeThrough(decoder).pipeThrough(lineSplitter()).getReader();
  // An injected fetch (tests, service bindings) may not tie the body to the signal: cancel the
  // reader ourselves so the peer sees the stream end.
  const onAbort = () => reader.cancel().catch(() => {});
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    yield* messages(reader);
  } finally {
    signal?.removeEventListener("abort", onAbort);
    reader.releaseLock();
  }
}

async function* messages(reader: ReadableStreamDefaultReader<string>): AsyncGenerator<SseMessage> {
  let msg: SseMessage = { event: "message", data: "" };
  let hasData = false;
  for (;;) {
    const { done, value: line } = await reader.read();
    if (done) return;
    if (line === "") {
      if (hasData || msg.retry !== undefined) yield msg;
      msg = { event: "message", data: "" };
      hasData = false;
      continue;
    }
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") {
      msg.data = hasData ? `${msg.data}\n${value}` : value;
      hasData = true;
    } else if (field === "event") msg.event = value;
    else if (field === "id") msg.id = value;
    else if (field === "retry" && /^\d+$/.test(value)) msg.retry = Number(value);
  }
}

function lineSplitter(): TransformStream<string, string> {
  let rest = "";
  return new TransformStream({
    transform(chunk, controller) {
      const parts = (rest + chunk).split(/\r\n|\r|\n/);
      rest = parts.pop()!;
      for (const p of parts) controller.enqueue(p);
    },
    flush(controller) {
      if (rest) controller.enqueue(rest);
    },
  });
}
