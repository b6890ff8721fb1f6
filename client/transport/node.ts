import type { RuntimeAdapter } from "./types.ts";

interface NodeProcess {
  env: Record<string, string | undefined>;
}

// Module names held in variables so that bundlers for browsers and Workers leave these
// imports alone: they only run on Node.
const UNDICI = "undici";
const FS = "node:fs/promises";
const NET = "node:net";

const STRERROR: Record<string, string> = {
  ENOENT: "No such file or directory",
  ECONNREFUSED: "Connection refused",
  EACCES: "Permission denied",
};

interface NetSocket {
  once(event: string, f: (e?: { code?: string; message: string }) => void): void;
  destroy(): void;
}

/** Why a unix socket refuses connections, through `node:net` (Node and Bun). */
export async function nodeUnixError(path: string): Promise<string | undefined> {
  const net = await import(NET) as { createConnection(path: string): NetSocket };
  return new Promise((resolve) => {
    const socket = net.createConnection(path);
    socket.once("connect", () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once("error", (e) => resolve(STRERROR[e?.code ?? ""] ?? e?.message ?? "error"));
  });
}

/** Node: undici's `Agent({connect: {socketPath}})` for unix sockets, `process.env`, `node:fs`. */
export const nodeAdapter: RuntimeAdapter = {
  name: "node",
  env: (name) => (globalThis as unknown as { process: NodeProcess }).process.env[name],
  async readTextFile(path) {
    const fs = await import(FS) as { readFile(p: string, enc: string): Promise<string> };
    try {
      return await fs.readFile(path, "utf8");
    } catch {
      return undefined;
    }
  },
  async unixFetch(path) {
    const undici = await import(UNDICI) as {
      Agent: new (o: { connect: { socketPath: string } }) => unknown;
      fetch: typeof fetch;
    };
    const dispatcher = new undici.Agent({ connect: { socketPath: path } });
    const unixFetch: typeof fetch = (input, init) =>
      undici.fetch(input, { ...init, dispatcher } as RequestInit & { dispatcher: unknown });
    return unixFetch;
  },
  unixError: nodeUnixError,
};
