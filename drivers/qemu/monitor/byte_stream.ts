/**
 * The transport under a QMP client: any duplex byte stream. A `Deno.UnixConn` is one; tests
 * and the fake QEMU peer hand in an in-process pipe instead.
 *
 * @module
 */

/** A duplex byte stream, as `Deno.Conn` exposes it. */
export interface ByteStream {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
  /** Releases the underlying resource (a socket) when the stream is abandoned. */
  close?(): void;
}

/** The two ends of an in-process duplex pipe. */
export interface StreamPair {
  /** The end a client (the QMP client) uses. */
  client: ByteStream;
  /** The end a server (the fake QEMU) uses. */
  server: ByteStream;
}

/**
 * An in-process duplex pipe: what one end writes, the other end reads.
 *
 * @example
 * ```ts
 * import { streamPair } from "./byte_stream.ts";
 * const { client, server } = streamPair();
 * const w = client.writable.getWriter();
 * await w.write(new TextEncoder().encode("hi"));
 * const { value } = await server.readable.getReader().read();
 * ```
 */
export function streamPair(): StreamPair {
  // Buffered like a socket: a write completes without waiting for the reader.
  const pipe = () =>
    new TransformStream<Uint8Array, Uint8Array>(undefined, { highWaterMark: 64 }, {
      highWaterMark: 1024,
    });
  const up = pipe();
  const down = pipe();
  return {
    client: { readable: down.readable, writable: up.writable },
    server: { readable: up.readable, writable: down.writable },
  };
}

/**
 * Splits a byte stream into text lines (QMP frames each JSON object with CRLF). A final
 * unterminated fragment is yielded at EOF; cancelling the reader ends the iteration.
 *
 * @example
 * ```ts
 * import { readLines, streamPair } from "./byte_stream.ts";
 * const { server } = streamPair();
 * for await (const line of readLines(server.readable.getReader())) console.log(line);
 * ```
 */
export async function* readLines(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, "");
      buffer = buffer.slice(nl + 1);
      if (line.trim()) yield line;
    }
  }
  buffer += decoder.decode();
  if (buffer.trim()) yield buffer;
}
