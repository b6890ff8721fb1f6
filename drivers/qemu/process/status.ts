/**
 * The runtime status of a running domain, saved under the run directory so a restarted
 * driver can re-attach (libvirt's `<domstatus>`). It is written before QEMU is launched (state
 * paused / starting up, no pid yet), again as soon as QEMU's pid is known, and after every
 * change, so a driver killed at any point finds every QEMU it launched.
 *
 * @module
 */
import { writeFileAtomic } from "./atomic_file.ts";
import type { NicRuntime } from "../net/nics.ts";
import type { StoredBlockJob } from "../api/block_job_state.ts";
import type { StoredBackup } from "../api/backup.ts";
import type { Taints } from "../taint.ts";

/** What is saved per running domain. */
export interface DomainStatus {
  name: string;
  uuid: string;
  id: number;
  /** QEMU's pid; 0 while QEMU is being launched. */
  pid: number;
  monitorPath: string;
  state: number;
  reason: number;
  /** The live definition (XML). */
  liveXml: string;
  /** A reboot waits for the guest's power-off (absent in older files). */
  fakeReboot?: boolean;
  /** vCPU aliases and thread ids, by vCPU id. */
  vcpus: { alias?: string; tid: number }[];
  /** The taps and network ports of the NICs (absent in older files). */
  nics?: NicRuntime[];
  /** The guest agent's response timeout (libvirt's `<agentTimeout>`; absent in older files). */
  agentTimeout?: number;
  /** The block jobs running (absent in older files). */
  blockJobs?: StoredBlockJob[];
  /** The running backup (libvirt's `<domainbackup>` in the status XML). */
  backup?: StoredBackup;
  /** Taints and deprecation warnings (libvirt's `<taint>`, `<deprecation>`; absent in older files). */
  taints?: Taints;
}

/** A status file that could not be read, by the domain name its file carries. */
export interface DamagedStatus {
  name: string;
  path: string;
  why: string;
}

const SUFFIX = ".status.json";

/**
 * The status file of domain `name`.
 *
 * @example
 * ```ts
 * import { statusPath } from "./status.ts";
 * statusPath("/tmp/run", "vm"); // "/tmp/run/vm.status.json"
 * ```
 */
export function statusPath(runDir: string, name: string): string {
  return `${runDir}/${name}${SUFFIX}`;
}

/**
 * Saves a status file atomically.
 *
 * @example
 * ```ts
 * import { saveStatus } from "./status.ts";
 * import type { DomainStatus } from "./status.ts";
 * declare const status: DomainStatus;
 * await saveStatus("/tmp/run", status);
 * ```
 */
export async function saveStatus(runDir: string, status: DomainStatus): Promise<void> {
  await writeFileAtomic(statusPath(runDir, status.name), JSON.stringify(status));
}

/**
 * Removes a domain's status file. Synchronously: a removal left pending by a stop must not
 * land after the next start has written the domain's new status.
 *
 * @example
 * ```ts
 * import { removeStatus } from "./status.ts";
 * await removeStatus("/tmp/run", "vm");
 * ```
 */
export function removeStatus(runDir: string, name: string): Promise<void> {
  try {
    Deno.removeSync(statusPath(runDir, name));
  } catch {
    // Already gone.
  }
  return Promise.resolve();
}

const isInt = (v: unknown): v is number => Number.isSafeInteger(v);

/** Why `v` is no usable status of domain `name`, or undefined when it is one. */
function statusProblem(v: unknown, name: string): string | undefined {
  if (typeof v !== "object" || v === null) return "not a JSON object";
  const s = v as Record<string, unknown>;
  if (s.name !== name) return `name ${JSON.stringify(s.name)} is not the file's '${name}'`;
  for (const key of ["uuid", "monitorPath", "liveXml"]) {
    if (typeof s[key] !== "string") return `no ${key}`;
  }
  for (const key of ["id", "pid", "state", "reason"]) {
    if (!isInt(s[key]) || (s[key] as number) < 0) return `no ${key}`;
  }
  if (s.fakeReboot !== undefined && typeof s.fakeReboot !== "boolean") return "bad fakeReboot";
  const vcpus = s.vcpus;
  if (
    !Array.isArray(vcpus) ||
    !vcpus.every((c) =>
      typeof c === "object" && c !== null && isInt(c.tid) &&
      (c.alias === undefined || typeof c.alias === "string")
    )
  ) return "no vcpus";
  if (
    s.nics !== undefined &&
    (!Array.isArray(s.nics) ||
      !s.nics.every((n) => typeof n === "object" && n !== null && isInt(n.index)))
  ) return "bad nics";
  if (s.agentTimeout !== undefined && !(isInt(s.agentTimeout) && s.agentTimeout >= -2)) {
    return "bad agentTimeout";
  }
  return undefined;
}

/**
 * Every saved status, and the files that are not one (cut, invalid JSON, fields missing).
 *
 * @example
 * ```ts
 * import { loadStatuses } from "./status.ts";
 * const { statuses, damaged } = await loadStatuses("/tmp/run");
 * ```
 */
export async function loadStatuses(
  runDir: string,
): Promise<{ statuses: DomainStatus[]; damaged: DamagedStatus[] }> {
  const statuses: DomainStatus[] = [];
  const damaged: DamagedStatus[] = [];
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(runDir)) {
      if (e.isFile && e.name.endsWith(SUFFIX)) names.push(e.name.slice(0, -SUFFIX.length));
    }
  } catch {
    // No run dir yet: nothing was running.
  }
  for (const name of names) {
    const path = statusPath(runDir, name);
    let why: string | undefined;
    try {
      const value = JSON.parse(await Deno.readTextFile(path));
      why = statusProblem(value, name);
      if (!why) statuses.push(value);
    } catch (err) {
      why = err instanceof Error ? err.message : String(err);
    }
    if (why) damaged.push({ name, path, why });
  }
  return { statuses, damaged };
}
