/**
 * The runtime status of a running domain, saved under the run directory so a restarted
 * driver can re-attach (libvirt's `<domstatus>`).
 *
 * @module
 */
import { writeFileAtomic } from "./atomic_file.ts";

/** What is saved per running domain. */
export interface DomainStatus {
  name: string;
  uuid: string;
  id: number;
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
  await writeFileAtomic(`${runDir}/${status.name}.status.json`, JSON.stringify(status));
}

/** Removes a domain's status file. */
export async function removeStatus(runDir: string, name: string): Promise<void> {
  await Deno.remove(`${runDir}/${name}.status.json`).catch(() => {});
}

/** Every saved status. */
export async function loadStatuses(runDir: string): Promise<DomainStatus[]> {
  const out: DomainStatus[] = [];
  try {
    for await (const e of Deno.readDir(runDir)) {
      if (!e.name.endsWith(".status.json")) continue;
      try {
        out.push(JSON.parse(await Deno.readTextFile(`${runDir}/${e.name}`)));
      } catch {
        // A status file from a half-finished write is useless: that domain is not ours.
      }
    }
  } catch {
    // No run dir yet: nothing was running.
  }
  return out;
}
