/**
 * Per-runtime transport adapters: the only place the client touches a runtime API (unix
 * sockets, environment variables, files). The portable core asks {@link runtimeAdapter} and
 * works with plain `fetch` where no adapter fits (browsers, Cloudflare Workers).
 *
 * @example
 * ```ts
 * import { runtimeAdapter } from "./mod.ts";
 * const adapter = runtimeAdapter();
 * console.log(adapter.name, adapter.env("EDGEVIRT_TOKEN") !== undefined);
 * ```
 * @module
 */
import { bunAdapter } from "./bun.ts";
import { denoAdapter } from "./deno.ts";
import { fetchAdapter } from "./fetch.ts";
import { nodeAdapter } from "./node.ts";
import type { RuntimeAdapter } from "./types.ts";

export type { RuntimeAdapter } from "./types.ts";

let override: RuntimeAdapter | undefined;

/** Replaces runtime detection (a custom runtime, or tests). `undefined` restores detection. */
export function setRuntimeAdapter(adapter: RuntimeAdapter | undefined): void {
  override = adapter;
}

/** The adapter for the runtime this code runs on. */
export function runtimeAdapter(): RuntimeAdapter {
  if (override) return override;
  const g = globalThis as Record<string, unknown>;
  if (g.Deno !== undefined) return denoAdapter;
  if (g.Bun !== undefined) return bunAdapter;
  const proc = g.process as { versions?: { node?: string } } | undefined;
  if (proc?.versions?.node) return nodeAdapter;
  return fetchAdapter;
}
