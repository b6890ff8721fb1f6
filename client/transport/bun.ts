import type { RuntimeAdapter } from "./types.ts";

interface BunGlobal {
  env: Record<string, string | undefined>;
  file(path: string): { exists(): Promise<boolean>; text(): Promise<string> };
}

const bun = () => (globalThis as unknown as { Bun: BunGlobal }).Bun;

/** Bun: its `fetch` takes a `unix` option; `Bun.env` and `Bun.file` for the token. */
export const bunAdapter: RuntimeAdapter = {
  name: "bun",
  env: (name) => bun().env[name],
  async readTextFile(path) {
    const file = bun().file(path);
    return await file.exists() ? await file.text() : undefined;
  },
  unixFetch(path) {
    const unixFetch: typeof fetch = (input, init) =>
      fetch(input, { ...init, unix: path } as RequestInit & { unix: string });
    return Promise.resolve(unixFetch);
  },
};
