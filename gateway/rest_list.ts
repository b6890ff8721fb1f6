/**
 * REST lists and summaries: each object with its state by name beside the number and what
 * `virsh list`/`net-list`/`pool-list` show (`?recursion=1` adds its full JSON definition, as
 * Incus's `recursion`), filtered by `?state=running,paused` and `?name=web-*` (a glob).
 *
 * @example
 * ```ts ignore
 * const items = await listObjects(RESOURCES[0], call, new URLSearchParams("state=running"));
 * // [{ name: "test", uuid: "…", id: 1, state: 1, stateName: "running", info: {…} }]
 * ```
 * @module
 */
import type { DriverMethod } from "../util/driver.ts";
import { VirError } from "../util/errors.ts";
import { DOMAIN_STATES, EnumNames, POOL_STATES } from "./enum_names.ts";
import { modelCodec } from "./models.ts";
import { flagsOf, type Resource } from "./rest.ts";

/** A driver call on the caller's behalf (the gateway's `dispatch`). */
export type Call = (method: DriverMethod, args: unknown[]) => Promise<unknown>;

/** Objects without a state enum are `active` or `inactive`. */
const ACTIVITY = { names: () => ["inactive", "active"] } as const;

/** The state names a resource's `?state=` takes. */
export function stateNames(r: Resource): string[] {
  return (STATES[r.segment] ?? ACTIVITY).names();
}

const STATES: Record<string, EnumNames> = { domains: DOMAIN_STATES, pools: POOL_STATES };

/**
 * One object's summary: its ref, `info` where the driver has it, and its state as a number
 * and a name (`active` for objects whose only state is whether they run).
 */
export async function summarize(r: Resource, ref: unknown, call: Call): Promise<object> {
  const out: Record<string, unknown> = { ...ref as object };
  if (r.info) {
    const info = await call(r.info, [ref]) as { state: number };
    const names = STATES[r.segment];
    out.state = info.state;
    if (names) out.stateName = names.name(info.state);
    out.info = info;
  } else if (r.active) {
    const active = await call(r.active, [ref]) as boolean;
    out.active = active;
    out.stateName = active ? "active" : "inactive";
  }
  return out;
}

/** What a list request asks for, checked before any call. */
interface ListQuery {
  recursion: boolean;
  states?: Set<string>;
  name?: RegExp;
}

function listQuery(r: Resource, q: URLSearchParams): ListQuery {
  const recursion = q.get("recursion") ?? "0";
  if (recursion !== "0" && recursion !== "1") {
    throw VirError.report("RPC", "INVALID_ARG", `recursion must be 0 or 1, got '${recursion}'`);
  }
  const wanted = q.getAll("state").flatMap((s) => s.split(",")).filter(Boolean);
  const known = stateNames(r);
  const unknown = wanted.filter((s) => !known.includes(s));
  if (unknown.length) {
    throw VirError.report(
      "RPC",
      "INVALID_ARG",
      `unknown ${r.title} state '${unknown.join(", ")}' (known: ${known.join(", ")})`,
    );
  }
  const glob = q.get("name");
  return {
    recursion: recursion === "1",
    states: wanted.length ? new Set(wanted) : undefined,
    name: glob === null ? undefined : globRegExp(glob),
  };
}

/** A shell glob (`*`, `?`) as an anchored regular expression. */
export function globRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "s");
}

/** The resource's list for `GET /…/{segment}`: summaries, filtered, full with `recursion=1`. */
export async function listObjects(r: Resource, call: Call, q: URLSearchParams): Promise<object[]> {
  const query = listQuery(r, q);
  const refs = await call(r.list, [flagsOf(q)]) as { name?: string; uuid: string }[];
  const named = query.name ? refs.filter((ref) => query.name!.test(ref.name ?? ref.uuid)) : refs;
  const out: object[] = [];
  for (const ref of named) {
    const summary = await summarize(r, ref, call) as { stateName?: string };
    if (query.states && !query.states.has(summary.stateName ?? "")) continue;
    if (!query.recursion) {
      out.push(summary);
      continue;
    }
    const doc = await call(r.xml, [ref, 0]) as string;
    out.push({ ...summary, definition: modelCodec(r.model).toModel(doc) });
  }
  return out;
}
