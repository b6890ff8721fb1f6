import { dirname, resolve } from "node:path";

/** The repository root. */
export const REPO_ROOT: string = resolve(dirname(new URL(import.meta.url).pathname), "..");

/**
 * The shared reference folder (`../shared` beside the checkout, as on developer machines and in
 * CI); `EDGEVIRT_SHARED` overrides it.
 */
export const SHARED: string = Deno.env.get("EDGEVIRT_SHARED") ?? resolve(REPO_ROOT, "../shared");
