/**
 * A running domain's folder for file-backed guest memory (libvirt's
 * `qemuGetMemoryBackingDomainPath`: `<memory_backing_dir>/<shortname>`), where QEMU makes a
 * file per memory backend: made before QEMU starts when the domain needs one
 * (`qemuProcessBuildDestroyMemoryPaths`), removed with everything in it when QEMU has gone.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { domainShortName } from "../../conf/domain/short_name.ts";
import { section } from "../../conf/domain/tune_xml.ts";
import { VirError } from "../../util/errors.ts";
import { strerror } from "../../util/strerror.ts";
import { child, children } from "../../util/xml/mod.ts";

/**
 * The memory folder of domain `name` run as `id` under `memoryBackingDir`.
 *
 * @example
 * ```ts
 * import { memoryDir } from "./memory_dir.ts";
 * memoryDir("/var/lib/edgevirt/qemu/ram", 3, "web"); // "/var/lib/edgevirt/qemu/ram/3-web"
 * ```
 */
export function memoryDir(memoryBackingDir: string, id: number, name: string): string {
  return `${memoryBackingDir}/${domainShortName(id, name)}`;
}

/**
 * `qemuProcessNeedMemoryBackingPath`: a file memory source, or a memory access mode for the
 * whole guest or one of its NUMA cells.
 */
function needsMemoryDir(def: DomainDef): boolean {
  const backing = section(def, "memoryBacking");
  if (child(backing, "source")?.attributes.type === "file") return true;
  if (child(backing, "access")?.attributes.mode) return true;
  const cells = children(def.cpu?.extra.find((e) => e.name === "numa"), "cell");
  return cells.some((c) => c.attributes.memAccess);
}

/**
 * Makes the memory folder of `def` (running as `id`) when its memory needs files, private to
 * the driver's user as libvirt's 0700; a failure is libvirt's "Unable to create".
 *
 * @example
 * ```ts
 * import { prepareMemoryDir } from "./memory_dir.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * await prepareMemoryDir(def, "/var/lib/edgevirt/qemu/ram", 3);
 * ```
 */
export async function prepareMemoryDir(
  def: DomainDef,
  memoryBackingDir: string,
  id: number,
): Promise<void> {
  if (!needsMemoryDir(def)) return;
  const path = memoryDir(memoryBackingDir, id, def.name);
  try {
    await Deno.mkdir(path, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw VirError.bare("QEMU", "SYSTEM_ERROR", `Unable to create ${path}: ${strerror(e)}`);
  }
}

/**
 * Removes a stopped domain's memory folder, whether or not it had one (libvirt's
 * `qemuProcessStop` removes it unconditionally).
 *
 * @example
 * ```ts
 * import { removeMemoryDir } from "./memory_dir.ts";
 * await removeMemoryDir("/var/lib/edgevirt/qemu/ram", 3, "web");
 * ```
 */
export async function removeMemoryDir(
  memoryBackingDir: string,
  id: number,
  name: string,
): Promise<void> {
  await Deno.remove(memoryDir(memoryBackingDir, id, name), { recursive: true }).catch(() => {});
}
