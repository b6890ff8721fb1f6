/**
 * This project's recording of libvirt 9.0 on a real machine (`tests/tools/record_nodedev.sh`):
 * what its node-device and interface drivers answered, and the sysfs they read, rebuilt as a
 * directory tree the drivers can read in place of `/sys`.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { FIXTURES } from "../../paths.ts";
import type { EthtoolProbe } from "../../../drivers/node_device/ethtool.ts";

/** What libvirt answered (libvirt.json). */
export interface LibvirtRecording {
  nodedev: {
    list: string;
    tree: string;
    caps: Record<string, string[]>;
    devices: Record<string, { xml: string; parent: string | null; caps: string[] }>;
  };
  iface: {
    list_all: string;
    list_active: string;
    xml: Record<string, string>;
    xml_inactive: Record<string, string>;
  };
}

interface Snapshot {
  files: Record<string, string>;
  binary: Record<string, string>;
  links: Record<string, string>;
  dirs: string[];
  ethtool: Record<string, Record<string, number | number[] | null>>;
}

/** libvirt's answers. */
export const RECORDED: LibvirtRecording = JSON.parse(
  Deno.readTextFileSync(join(FIXTURES, "nodedev/libvirt.json")),
);

const SNAPSHOT: Snapshot = JSON.parse(
  Deno.readTextFileSync(join(FIXTURES, "nodedev/snapshot.json")),
);

/** The recorded offload feature answers, as the driver's ethtool probe. */
export const recordedEthtool: EthtoolProbe = (ifname, cmd) =>
  SNAPSHOT.ethtool[ifname]?.[String(cmd)] ?? undefined;

/**
 * Runs `body` with the recorded sysfs rebuilt under a temporary directory (removed after).
 *
 * @example
 * ```ts
 * import { withRecordedSysfs } from "./recording.ts";
 * await withRecordedSysfs((root) => Promise.resolve(console.log(root)));
 * ```
 */
export async function withRecordedSysfs<T>(body: (root: string) => Promise<T>): Promise<T> {
  const root = await Deno.makeTempDir({ prefix: "evt-sysfs-" });
  try {
    for (const dir of SNAPSHOT.dirs) Deno.mkdirSync(join(root, dir), { recursive: true });
    const place = (path: string) => {
      Deno.mkdirSync(dirname(join(root, path)), { recursive: true });
      return join(root, path);
    };
    for (const [path, text] of Object.entries(SNAPSHOT.files)) {
      Deno.writeTextFileSync(place(path), text);
    }
    for (const [path, hex] of Object.entries(SNAPSHOT.binary)) {
      const bytes = new Uint8Array(hex.length / 2);
      for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
      Deno.writeFileSync(place(path), bytes);
    }
    for (const [path, target] of Object.entries(SNAPSHOT.links)) {
      Deno.symlinkSync(target, place(path));
    }
    return await body(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}
