/**
 * The part of udev libvirt's node-device and interface drivers use, read straight from sysfs
 * (no libudev: Deno has none, and on hosts without udevd libudev reads the same files): a
 * device's sysfs attributes and symlinks, and its properties as udev gives them, the kernel's
 * `uevent` file plus what udevd recorded in its database (`/run/udev/data`) when it runs.
 * Every path is a `/sys/…` path as libvirt prints it; a {@link Sysfs} maps them under another
 * root so a copied snapshot of a machine reads like that machine.
 *
 * @module
 */

/** Where a {@link Sysfs} reads from: the sysfs tree and udevd's database. */
export interface SysfsLocation {
  /** The directory standing for `/sys` (default `/sys`). */
  root?: string;
  /** udevd's database directory (default `/run/udev/data`). */
  udevData?: string;
}

/** One device as libudev presents it. */
export interface UdevDevice {
  /** `/sys/devices/…`, the real path. */
  syspath: string;
  /** The last path component, `!` read as `/` (libudev's sysname). */
  sysname: string;
  /** Basename of the `subsystem` link. */
  subsystem?: string;
  /** `DEVTYPE` of the uevent. */
  devtype?: string;
  /** uevent and udev database properties. */
  props: Map<string, string>;
  /** udev database symlinks under /dev. */
  devlinks: string[];
}

/** `read()`, or undefined when the file is absent or unreadable; a missing Deno permission throws. */
function tryRead<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable) throw e;
    return undefined;
  }
}

/**
 * Reads sysfs (or a snapshot of it) as libudev would.
 *
 * @example
 * ```ts
 * import { Sysfs } from "./sysfs.ts";
 * const sys = new Sysfs();
 * console.log(sys.attr("/sys/class/net/lo", "address")); // "00:00:00:00:00:00"
 * ```
 */
export class Sysfs {
  /** The directory standing for `/sys`. */
  readonly root: string;
  /** udevd's database directory. */
  readonly udevData: string;

  constructor(location: SysfsLocation = {}) {
    const root = location.root ?? "/sys";
    // Absolute and without links, as the paths realPath gives back.
    this.root = tryRead(() => Deno.realPathSync(root)) ?? root.replace(/\/+$/, "");
    this.udevData = location.udevData ?? "/run/udev/data";
  }

  /** The file behind a `/sys/…` path. */
  file(path: string): string {
    return this.root + path.slice(4);
  }

  /** A real file path back as `/sys/…`. */
  logical(file: string): string {
    return "/sys" + file.slice(this.root.length);
  }

  /** Whether the path exists (following links). */
  exists(path: string): boolean {
    return tryRead(() => Deno.statSync(this.file(path))) !== undefined;
  }

  /** An open file (the caller closes it), or undefined when it cannot be opened. */
  open(path: string): Deno.FsFile | undefined {
    return tryRead(() => Deno.openSync(this.file(path)));
  }

  /** A file's text, or undefined. */
  text(path: string): string | undefined {
    return tryRead(() => Deno.readTextFileSync(this.file(path)));
  }

  /**
   * `udev_device_get_sysattr_value`: an attribute with trailing whitespace removed, or the
   * basename of a symlink attribute (`driver`), or undefined when absent or unreadable.
   */
  attr(dir: string, name: string): string | undefined {
    const path = `${dir}/${name}`;
    const info = tryRead(() => Deno.lstatSync(this.file(path)));
    if (!info) return undefined;
    if (info.isSymlink) return this.linkName(path);
    if (!info.isFile) return undefined;
    return this.text(path)?.replace(/\s+$/, "");
  }

  /** Basename of a symlink's target. */
  linkName(path: string): string | undefined {
    const target = tryRead(() => Deno.readLinkSync(this.file(path)));
    return target?.split("/").pop();
  }

  /** The `/sys/…` path a symlink or path resolves to. */
  resolve(path: string): string | undefined {
    const real = tryRead(() => Deno.realPathSync(this.file(path)));
    return real?.startsWith(this.root) ? this.logical(real) : undefined;
  }

  /** Entry names of a directory, sorted (empty when absent). */
  list(dir: string): string[] {
    const names = tryRead(() => [...Deno.readDirSync(this.file(dir))].map((e) => e.name));
    return (names ?? []).sort();
  }

  /** Whether `path` is a regular file (following links). */
  isFile(path: string): boolean {
    return tryRead(() => Deno.statSync(this.file(path)).isFile) ?? false;
  }

  /** `udev_device_new_from_syspath`: the device at a real `/sys/devices/…` path. */
  device(syspath: string): UdevDevice | undefined {
    const uevent = this.text(`${syspath}/uevent`);
    if (uevent === undefined) return undefined;
    const props = new Map<string, string>();
    for (const line of uevent.split("\n")) {
      const eq = line.indexOf("=");
      if (eq > 0) props.set(line.slice(0, eq), line.slice(eq + 1));
    }
    const subsystem = this.linkName(`${syspath}/subsystem`);
    const sysname = syspath.split("/").pop()!.replaceAll("!", "/");
    if (subsystem) props.set("SUBSYSTEM", subsystem);
    props.set("DEVPATH", syspath.slice(4));
    const devlinks: string[] = [];
    for (const line of this.#database(syspath, subsystem, sysname, props)) {
      if (line.startsWith("E:")) {
        const eq = line.indexOf("=");
        if (eq > 2) props.set(line.slice(2, eq), line.slice(eq + 1));
      } else if (line.startsWith("S:")) {
        devlinks.push(`/dev/${line.slice(2)}`);
      }
    }
    return { syspath, sysname, subsystem, devtype: props.get("DEVTYPE"), props, devlinks };
  }

  /** udevd's record of a device (`b8:0`, `n3`, `+pci:0000:00:01.0`), as lines. */
  #database(
    syspath: string,
    subsystem: string | undefined,
    sysname: string,
    props: Map<string, string>,
  ): string[] {
    const major = props.get("MAJOR");
    const ifindex = props.get("IFINDEX");
    const id = major !== undefined
      ? `${subsystem === "block" ? "b" : "c"}${major}:${props.get("MINOR")}`
      : ifindex !== undefined
      ? `n${ifindex}`
      : `+${subsystem}:${syspath.split("/").pop() ?? sysname}`;
    const text = tryRead(() => Deno.readTextFileSync(`${this.udevData}/${id}`));
    return text?.split("\n") ?? [];
  }
}
