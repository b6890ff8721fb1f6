/**
 * What the disk tests share: the images `fixtures/record_argv.sh` makes for a fixture (files
 * with their chains, loop devices, NBD servers), made again under a test's folder, and the
 * parts of a command line and a live XML they compare with libvirt's.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { DomainDef } from "../../../conf/domain/def.ts";
import { chainIndexes } from "../../../drivers/qemu/api/device_disk.ts";
import { diskLayers } from "../../../drivers/qemu/api/disk_layers.ts";
import { child } from "../../../util/xml/mod.ts";
import { waitFor } from "../../wait.ts";

/** Runs `cmd`, failing with its stderr. */
export async function run(cmd: string, ...args: string[]) {
  const out = await new Deno.Command(cmd, { args, stderr: "piped" }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
}

/** The Ceph configuration `record_argv.sh` writes for an RBD disk's `<config file>`. */
const CEPH_CONF = "[global]\nclient_mount_timeout = 1\n";

/** The images of `xml` under `root`, as `record_argv.sh` made them for libvirt. */
export async function makeImages(root: string, xml: string) {
  for (const [, p] of xml.matchAll(/file='([^']*)'/g)) {
    const path = `${root}${p}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    if (p.endsWith(".top.qcow2")) {
      const stem = path.slice(0, -".top.qcow2".length);
      await run("qemu-img", "create", "-q", "-f", "raw", `${stem}.base.img`, "1M");
      await run(
        "qemu-img",
        "create",
        "-q",
        "-f",
        "qcow2",
        "-b",
        `${stem}.base.img`,
        "-F",
        "raw",
        `${stem}.mid.qcow2`,
      );
      await run(
        "qemu-img",
        "create",
        "-q",
        "-f",
        "qcow2",
        "-b",
        `${stem}.mid.qcow2`,
        "-F",
        "qcow2",
        path,
      );
    } else if (p.endsWith(".qcow2")) {
      await run("qemu-img", "create", "-q", "-f", "qcow2", path, "16M");
    } else if (p.endsWith(".conf")) {
      // An RBD disk's Ceph configuration: no monitor runs here, and librados would wait 300 s.
      await Deno.writeTextFile(path, CEPH_CONF);
    } else await Deno.writeFile(path, new Uint8Array(1 << 20));
  }
}

/** The `-blockdev` objects of an argv, parsed. */
export const blockdevs = (argv: string[]) =>
  argv.flatMap((a, i) => argv[i - 1] === "-blockdev" ? [JSON.parse(a)] : []);

/** Each disk's chain as the live XML shows it: files, formats and indexes. */
export function chains(def: DomainDef, unroot = (s: string) => s) {
  return def.devices.other.filter((d) => d.name === "disk").map((d) => ({
    dst: child(d, "target")?.attributes.dev,
    layers: diskLayers(d).map((l) => `${unroot(l.file)} ${l.format} ${l.index}`),
    indexes: chainIndexes(d),
    ended: child(d, "backingStore") !== undefined,
  }));
}

/**
 * Loop devices for the `/dev/ev-loopN` sources of `xml`, each on an image of (4 + N) MiB under
 * `root` as the recording made them: the fixture's name and the device's path, and `close`,
 * which detaches them.
 */
export async function loopDevices(
  root: string,
  xml: string,
): Promise<{ map: [string, string][]; close: () => Promise<void> }> {
  const map: [string, string][] = [];
  const close = async () => {
    for (const [, dev] of map) await run("losetup", "-d", dev);
  };
  try {
    for (const name of new Set(xml.match(/\/dev\/ev-loop\d+/g) ?? [])) {
      const image = `${root}/${name.slice("/dev/".length)}.img`;
      const f = await Deno.create(image);
      await f.truncate((4 + Number(name.slice("/dev/ev-loop".length))) << 20);
      f.close();
      const out = await new Deno.Command("losetup", {
        args: ["-f", "--show", image],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      map.push([name, new TextDecoder().decode(out.stdout).trim()]);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { map, close };
}

/** A running qemu-nbd and where it serves. */
export interface NbdServer {
  /** The TCP port on 127.0.0.1, or the unix socket's path. */
  port?: number;
  socket?: string;
  stop: () => Promise<void>;
}

/**
 * Serves a fresh 2 MiB raw image under `root` with qemu-nbd, as export `name` (if any), on a
 * free port of 127.0.0.1 or on the unix socket `socket`; resolves once it accepts connections.
 */
export async function nbdServer(
  root: string,
  opts: { name?: string; socket?: string },
): Promise<NbdServer> {
  const image = await Deno.makeTempFile({ dir: root, suffix: ".img" });
  await run("qemu-img", "create", "-q", "-f", "raw", image, "2M");
  let port: number | undefined;
  if (!opts.socket) {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    port = (l.addr as Deno.NetAddr).port;
    l.close();
  }
  const args = ["-t", "-f", "raw", "--cache=none", image];
  if (opts.name) args.push("-x", opts.name);
  if (opts.socket) args.push("-k", opts.socket);
  else args.push("-b", "127.0.0.1", "-p", String(port));
  const proc = new Deno.Command("qemu-nbd", { args, stdout: "null", stderr: "null" }).spawn();
  const stop = async () => {
    try {
      proc.kill("SIGTERM");
    } catch { /* already gone */ }
    await proc.status;
  };
  try {
    await waitFor(
      async () => {
        try {
          const c = opts.socket
            ? await Deno.connect({ transport: "unix", path: opts.socket })
            : await Deno.connect({ hostname: "127.0.0.1", port: port! });
          c.close();
          return true;
        } catch {
          return false;
        }
      },
      10_000,
      20,
      "qemu-nbd listening",
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, socket: opts.socket, stop };
}
