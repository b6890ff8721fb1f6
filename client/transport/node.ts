import type { RuntimeAdapter } from "./types.ts";

interface NodeProcess {
  env: Record<string, string | undefined>;
}

// Module names held in variables so that bundlers for browsers and Workers leave these
// imports alone: they only run on Node.
const UNDICI = "undici";
const FS = "node:fs/promises";

/** Node: undici's `Agent({connect: {socketPath}})` for unix sockets, `process.env`, `node:fs`. */
export const nodeAdapter: RuntimeAdapter = {
  name: "node",
  env: (name) => (globalThis as unknown as { process: NodeProcess }).process.env[name],
  async readTextFile(path) {
    const fs = await import(FS) as { readFile(p: string, enc: string): Promise<string> };
    try {
      return await fs.readFile(path, "utf8");
    } catch (e) {
      // Only a missing file is "no token"; EACCES and the rest say why.
      if ((e as { code?: string }).code === "ENOENT") return undefined;
      throw e;
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
};
