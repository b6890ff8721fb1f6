import { VirError } from "./errors.ts";

/** A pid file this process holds locked; {@link PidFile.release} unlinks and unlocks it. */
export interface PidFile {
  readonly path: string;
  release(): Promise<void>;
}

/** strerror(3) wording of the errors Deno reports for files. */
function strerror(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "No such file or directory";
  if (e instanceof Deno.errors.PermissionDenied) return "Permission denied";
  return e instanceof Error ? e.message.replace(/ \(os error \d+\)$/, "") : String(e);
}

/**
 * Takes the pid file at `path` as libvirt's `virPidFileAcquirePath` does: open (create) it,
 * lock it exclusively without waiting, make sure the file locked is still the one at `path`
 * (another holder may have released and unlinked it meanwhile), then write our pid. A file
 * another live process holds is refused with libvirt's error; a stale file (its process died,
 * so its lock went with it) is taken over. Only Deno hosts (drivers, the daemon) use this.
 *
 * @example
 * ```ts
 * import { acquirePidFile } from "./pid_file.ts";
 * const pid = await acquirePidFile("/tmp/demo-driver.pid");
 * await pid.release();
 * ```
 */
export async function acquirePidFile(path: string): Promise<PidFile> {
  while (true) {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { write: true, create: true, mode: 0o644 });
    } catch (e) {
      throw VirError.report(
        "NONE",
        "SYSTEM_ERROR",
        `Failed to open pid file '${path}': ${strerror(e)}`,
      );
    }
    if (!(await file.tryLock(true))) {
      file.close();
      throw VirError.report(
        "NONE",
        "SYSTEM_ERROR",
        `Failed to acquire pid file '${path}': Resource temporarily unavailable`,
      );
    }
    const locked = await file.stat();
    const current = await Deno.stat(path).catch(() => undefined);
    if (current?.ino !== locked.ino) {
      file.close();
      continue;
    }
    await file.truncate(0);
    await file.write(new TextEncoder().encode(String(Deno.pid)));
    return {
      path,
      async release() {
        await Deno.remove(path).catch(() => {});
        file.close();
      },
    };
  }
}
