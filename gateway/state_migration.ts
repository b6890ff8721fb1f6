/**
 * Moves `qemu:///session` domain definitions from where earlier versions kept them (under
 * `$XDG_RUNTIME_DIR/edgevirt/qemu/config` or `~/.cache/edgevirt/qemu/config`, both wiped by a
 * reboot or a cache clean) to the driver's config directory, once: moved files leave the old
 * directory, which is removed when empty, so a later start finds nothing to do.
 *
 * @example
 * ```ts
 * import { legacyQemuConfigDirs, migrateDefinitions } from "./state_migration.ts";
 * const env = (name: string) => Deno.env.get(name);
 * const to = `${await Deno.makeTempDir()}/qemu`;
 * await migrateDefinitions(legacyQemuConfigDirs(env), to, console.error);
 * ```
 * @module
 */

/** The session definitions' old directories, for the environment `env`. */
export function legacyQemuConfigDirs(env: (name: string) => string | undefined): string[] {
  const old: string[] = [];
  const runtime = env("XDG_RUNTIME_DIR");
  if (runtime) old.push(`${runtime}/edgevirt/qemu/config`);
  old.push(`${env("HOME") || "/tmp"}/.cache/edgevirt/qemu/config`);
  return old;
}

/**
 * Moves every file under each of `from` to the same place under `to` (a file already there is
 * kept, and the old one left where it is), logging one line per directory moved. Returns the
 * number of files moved.
 */
export async function migrateDefinitions(
  from: string[],
  to: string,
  log: (line: string) => void,
): Promise<number> {
  let total = 0;
  for (const dir of from) {
    if (dir === to) continue;
    const files = await filesUnder(dir);
    if (!files) continue;
    let moved = 0;
    const kept: string[] = [];
    for (const rel of files) {
      const target = `${to}/${rel}`;
      if (await exists(target)) {
        kept.push(rel);
        continue;
      }
      await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
      await move(`${dir}/${rel}`, target);
      moved++;
    }
    await removeEmptyDirs(dir);
    total += moved;
    const note = kept.length ? `; kept the newer ${kept.join(", ")} in ${to}` : "";
    if (moved || kept.length) {
      log(`moved ${moved} file(s) of domain definitions ${dir} → ${to}${note}`);
    }
  }
  return total;
}

/** Paths of the files under `dir`, relative to it; `undefined` when it does not exist. */
async function filesUnder(dir: string): Promise<string[] | undefined> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for await (const e of Deno.readDir(rel ? `${dir}/${rel}` : dir)) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) await walk(path);
      else if (e.isFile) out.push(path);
    }
  };
  try {
    await walk("");
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  return out;
}

/** A rename, or a copy and a removal across file systems (a tmpfs runtime dir to the home). */
async function move(from: string, to: string): Promise<void> {
  try {
    await Deno.rename(from, to);
  } catch {
    await Deno.copyFile(from, to);
    await Deno.remove(from);
  }
}

/** Removes `dir` and its subdirectories bottom-up where they hold nothing any more. */
async function removeEmptyDirs(dir: string): Promise<void> {
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) await removeEmptyDirs(`${dir}/${e.name}`);
  }
  await Deno.remove(dir).catch(() => {});
}

function exists(path: string): Promise<boolean> {
  return Deno.lstat(path).then(() => true, () => false);
}
