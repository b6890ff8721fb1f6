/**
 * The disk sources beyond plain files on real QEMU 7.2, each on the fixture libvirt 9.0 started
 * (`fixtures/record_argv.sh`): block devices (loop devices made here on images of the recorded
 * sizes), NBD over TCP on 127.0.0.1 and over a unix socket (qemu-nbd), floppies on i440fx and
 * q35, and a copy-on-read disk. For each, QEMU holds every node libvirt's command line names,
 * of the same driver, read-only as libvirt's, and the guest sees the device (`query-block`).
 * Block and NBD disks' `domblkinfo` is libvirt's. http(s) disks start through QEMU's curl module
 * (qemu-block-extra) on a loopback server with byte ranges; iSCSI, RBD, Gluster and SSH disks
 * are refused as libvirt's start is refused by QEMU, which finds no server, and SCSI passthrough
 * (`device='lun'`: scsi-block, virtio-blk with SG_IO) as QEMU refuses libvirt's on a loop
 * device and with virtio 1.0. Disks hot-plugged after
 * libvirt's start (`fixtures/disk-hotplug.attach.xml`) get libvirt's indexes, and QEMU a node
 * pair for every layer of a qcow2 chain, linked as libvirt links them. A cdrom's medium
 * changes to a block device, an NBD export and none (`fixtures/disk-media.attach.xml`) with
 * libvirt's nodes and live XML.
 */
import assert from "node:assert/strict";
import { VirError } from "../../../util/errors.ts";
import { VIR } from "../../../util/constants.ts";
import { child } from "../../../util/xml/mod.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import type { DomainRef } from "../../../util/contract/types.ts";
import { parseDomainXML } from "../../../conf/domain/mod.ts";
import type { DomainDef } from "../../../conf/domain/def.ts";
import { qdevId } from "../../../drivers/qemu/api/stats_qmp.ts";
import { blockdevs, chains, loopDevices, makeImages, nbdServer } from "./disk_fixtures.ts";
import { type KeepingLauncher, realQemuTest, withRealDriver } from "./real_qemu.ts";
import { serveRanges } from "./range_http_server.ts";

const fixtures = new URL("./fixtures/", import.meta.url);
const read = (name: string) => Deno.readTextFile(new URL(name, fixtures));

interface NamedNode {
  "node-name": string;
  drv: string;
  file: string;
  ro: boolean;
}

interface BlockEntry {
  qdev?: string;
  inserted?: { "node-name"?: string };
}

/**
 * Starts `xml` (its paths under `dir`, then `edit`ed) and checks that QEMU holds the nodes of
 * libvirt's argv for fixture `name` (`rename` maps libvirt's file names to this run's), and
 * that each frontend libvirt started is there on the node libvirt gave it.
 */
async function startsAsLibvirt(
  { dir, launcher, conn }: { dir: string; launcher: KeepingLauncher; conn: DriverConnection },
  name: string,
  edit: (xml: string) => string = (x) => x,
  rename: (file: string) => string = (f) => `${dir}${f}`,
  flags = 0,
): Promise<DomainRef> {
  const xml = await read(`${name}.xml`);
  await makeImages(dir, xml);
  const dom = await conn.domainCreateXML!(
    edit(xml.replaceAll("file='/", `file='${dir}/`)),
    flags,
  );
  const mon = launcher.procs.at(-1)!.monitor;
  const nodes = await mon.run<NamedNode[]>("query-named-block-nodes", { flat: true });
  const libvirt = (await read(`${name}.argv`)).split("\n");
  const expected = blockdevs(libvirt);
  assert.deepEqual(
    nodes.map((n) => n["node-name"]).filter((n) => n.startsWith("libvirt-")).sort(),
    expected.map((n) => n["node-name"]).sort(),
    `${name}: the nodes`,
  );
  for (const node of expected) {
    const open = nodes.find((n) => n["node-name"] === node["node-name"])!;
    assert.equal(open.drv, node.driver, `${name}: ${node["node-name"]}'s driver`);
    if (node.filename) assert.equal(open.file, rename(node.filename));
    if ("read-only" in node) assert.equal(open.ro, node["read-only"], node["node-name"]);
  }
  // Every frontend of libvirt's command line that has a medium sits on libvirt's node.
  const blocks = await mon.run<BlockEntry[]>("query-block");
  const frontends = libvirt.flatMap((a, i) =>
    libvirt[i - 1] === "-device" && a.includes('"drive"') ? [JSON.parse(a)] : []
  );
  assert.ok(frontends.length >= 1, `${name}: libvirt's frontends`);
  for (const f of frontends) {
    const entry = blocks.find((b) =>
      b.qdev === f.id || b.qdev === `/machine/peripheral/${f.id}/virtio-backend`
    );
    assert.equal(entry?.inserted?.["node-name"], f.drive, `${name}: ${f.id}'s medium`);
  }
  return dom;
}

/**
 * `virsh domblkinfo --all` of libvirt 9.0 on the same sources (fixtures/NAME.domblkinfo, or
 * NAME.inactive.domblkinfo for the defined domain before its start: target capacity allocation
 * physical) against the driver's answers.
 */
async function blockInfoAsLibvirt(
  conn: DriverConnection,
  dom: DomainRef,
  name: string,
  kind: "" | ".inactive" = "",
) {
  const rows = (await read(`${name}${kind}.domblkinfo`)).trim().split("\n");
  assert.ok(rows.length >= 2, name);
  for (const row of rows) {
    const [target, ...sizes] = row.trim().split(/\s+/);
    const info = await conn.domainGetBlockInfo!(dom, target, 0);
    assert.deepEqual(
      [info.capacity, info.allocation, info.physical].map(Number),
      sizes.map(Number),
      `${name} ${target}`,
    );
  }
}

realQemuTest({
  name:
    "real QEMU: block disks on loop devices are libvirt's host_device nodes; domblkinfo is libvirt's",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-blk-", async (driver) => {
      const loops = await loopDevices(driver.dir, await read("disk-block.xml"));
      const local = (xml: string) =>
        loops.map.reduce((x, [name, dev]) => x.replaceAll(`'${name}'`, `'${dev}'`), xml);
      try {
        // Defined, not running: the sizes come from the devices themselves.
        const defined = await driver.conn.domainDefineXMLFlags!(
          local(await read("disk-block.xml")),
          0,
        );
        await blockInfoAsLibvirt(driver.conn, defined, "disk-block", ".inactive");
        await driver.conn.domainUndefineFlags!(defined, 0);
        const dom = await startsAsLibvirt(
          driver,
          "disk-block",
          local,
          (f) => loops.map.find(([name]) => name === f)?.[1] ?? f,
        );
        await blockInfoAsLibvirt(driver.conn, dom, "disk-block");
        await driver.conn.domainDestroyFlags!(dom, 0);
      } finally {
        await loops.close();
      }
    });
  },
});

realQemuTest({
  name:
    "real QEMU: NBD disks over TCP (loopback) and a unix socket are libvirt's nbd nodes; domblkinfo is libvirt's",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-nbd-", async (driver) => {
      const tcp = await nbdServer(driver.dir, { name: "ev-tcp" });
      const unix = await nbdServer(driver.dir, { socket: `${driver.dir}/nbd.sock` });
      try {
        const dom = await startsAsLibvirt(
          driver,
          "disk-net",
          (xml) =>
            xml.replace("port='41809'", `port='${tcp.port}'`)
              .replace("socket='/var/lib/ev/nbd.sock'", `socket='${unix.socket}'`),
        );
        // The live sources as libvirt's (fixtures/disk-net.live.xml): protocol, export, the
        // TLS default of qemu.conf, the index; the host's port and socket are this run's.
        const sources = (xml: string) =>
          parseDomainXML(xml, 0, true).devices.other.filter((d) => d.name === "disk").map((d) =>
            child(d, "source")?.attributes
          );
        assert.deepEqual(
          sources(await driver.conn.domainGetXMLDesc!(dom, 0)),
          sources(await read("disk-net.live.xml")),
        );
        // Both exports are 2 MiB, as the recording's qemu-nbd served them.
        await blockInfoAsLibvirt(driver.conn, dom, "disk-net");
        await driver.conn.domainDestroyFlags!(dom, 0);
      } finally {
        await tcp.stop();
        await unix.stop();
      }
    });
  },
});

realQemuTest({
  name: "real QEMU: floppies (i440fx, q35) and copy-on-read disks start on libvirt's nodes",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-fd-", async (driver) => {
      for (const name of ["disk-floppy", "disk-floppy-q35"]) {
        const dom = await startsAsLibvirt(driver, name);
        // The empty drive B is there too, without a medium.
        const blocks = await driver.launcher.procs.at(-1)!.monitor.run<BlockEntry[]>(
          "query-block",
        );
        if (name === "disk-floppy") {
          const b = blocks.find((e) => e.qdev === "fdc0-0-1");
          assert.ok(b && !b.inserted, "the empty floppy drive");
        }
        await driver.conn.domainDestroyFlags!(dom, 0);
      }
    });
  },
});

/** The live XML's `<disk>` elements, indented as libvirt writes them. */
const liveDisks = (xml: string) => xml.match(/ {4}<disk [\s\S]*?<\/disk>/g) ?? [];

realQemuTest({
  name:
    "real QEMU: http and https disks (qemu-block-extra's curl) start on libvirt's nodes, and the guest reads what the server serves",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-http-", async (driver) => {
      const served = `${driver.dir}/www`;
      await Deno.mkdir(`${served}/images`, { recursive: true });
      const data = new Uint8Array(1 << 20).map((_, i) => (i * 7 + 3) & 0xff);
      const key = `${driver.dir}/tls.key`, cert = `${driver.dir}/tls.pem`;
      const made = await new Deno.Command("openssl", {
        args: ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1"]
          .concat(["-days", "1", "-keyout", key, "-out", cert]),
        stderr: "null",
      }).output();
      assert.ok(made.success, "openssl made the server's certificate");
      for (
        const [name, file, port, tls] of [
          ["disk-http", "disk.img", 41880, undefined],
          [
            "disk-https",
            "boot.iso",
            41443,
            { cert: await Deno.readTextFile(cert), key: await Deno.readTextFile(key) },
          ],
        ] as const
      ) {
        await Deno.writeFile(`${served}/images/${file}`, data);
        // An ephemeral port in place of the recorded one.
        const server = serveRanges(served, 0, tls);
        const ours = (x: string) => x.replaceAll(`port='${port}'`, `port='${server.addr.port}'`);
        try {
          const dom = await startsAsLibvirt(driver, name, ours);
          const live = await driver.conn.domainGetXMLDesc!(dom, 0);
          assert.deepEqual(liveDisks(live), liveDisks(ours(await read(`${name}.live.xml`))));
          // What QEMU reads through the node the device sits on: the node exported over NBD
          // (HMP's qemu-io prints to QEMU's stdout, not to the monitor).
          const mon = driver.launcher.procs.at(-1)!.monitor;
          const socket = `${driver.dir}/nbd-${name}.sock`;
          await mon.run("nbd-server-start", { addr: { type: "unix", data: { path: socket } } });
          await mon.run("block-export-add", {
            type: "nbd",
            id: "check",
            "node-name": "libvirt-1-format",
            name: "d",
          });
          const io = await new Deno.Command("qemu-io", {
            args: ["-r", "-f", "raw", `nbd+unix:///d?socket=${socket}`, "-c", "read -v 4096 16"],
            stdout: "piped",
          }).output();
          const out = new TextDecoder().decode(io.stdout);
          const bytes = [...out.matchAll(/^[0-9a-f]{8}: +((?:[0-9a-f]{2} ){1,16})/gm)]
            .flatMap((m) => m[1].trim().split(" ").map((b) => parseInt(b, 16)));
          assert.deepEqual(bytes, [...data.subarray(4096, 4112)], out);
          await driver.conn.domainDestroyFlags!(dom, 0);
        } finally {
          await server.shutdown();
        }
      }
    });
  },
});

realQemuTest({
  name:
    "real QEMU: iSCSI, RBD, Gluster, SSH and SCSI passthrough disks are refused by QEMU as libvirt's are",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-refused-", async ({ dir, conn }) => {
      // No iSCSI target, Ceph monitor, Gluster server or SSH server listens here, so QEMU
      // (with qemu-block-extra's modules) fails to connect; the RBD disk's Ceph configuration
      // gives up after a second (librados would wait 300 s).
      const refused = [
        "disk-iscsi",
        "disk-rbd",
        "disk-gluster",
        "disk-ssh",
        "disk-lun",
        "disk-lun-scsi",
      ];
      for (const name of refused) {
        // libvirt 9.0's words on this machine (fixtures/NAME.error): QEMU's own refusal of
        // what libvirt built, after libvirt's "internal error: …".
        const recorded = await read(`${name}.error`);
        const qemuSays = recorded.slice(recorded.lastIndexOf("}: ") + 3).trim();
        assert.match(recorded, /internal error: /);
        const xml = await read(`${name}.xml`);
        await makeImages(dir, xml);
        const loops = await loopDevices(dir, xml);
        try {
          const local = loops.map.reduce(
            (x, [n, d]) => x.replaceAll(`'${n}'`, `'${d}'`),
            xml.replaceAll("file='/", `file='${dir}/`),
          );
          const caught = await conn.domainCreateXML!(local, 0).then(() => undefined, (e) => e);
          // libvirt's recording wrote its temporary folder back out of the paths.
          const err = caught instanceof VirError
            ? Object.assign(caught, { message: caught.message.replaceAll(`${dir}/`, "/") })
            : caught;
          assert.ok(err instanceof VirError, `${name}: ${err}`);
          assert.equal(err.code, VIR.ERR_INTERNAL_ERROR);
          assert.match(err.message, /^internal error: /);
          assert.ok(err.message.trim().endsWith(qemuSays), `${name}: ${err.message}`);
          // A network storage node is libvirt's to the byte, as QEMU echoes it.
          const node = recorded.match(/-blockdev (\{.*\}): /)?.[1];
          if (node) assert.ok(err.message.includes(`-blockdev ${node}: `), err.message);
          else assert.match(name, /^disk-lun/);
        } finally {
          await loops.close();
        }
      }
    });
  },
});

interface BlockGraph {
  nodes: { id: number; name: string }[];
  edges: { parent: number; child: number; name: string }[];
}

realQemuTest({
  name: "real QEMU: hot-plugged disks get libvirt's indexes and nodes, every backing layer its own",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-hpd-", async (driver) => {
      const { dir, conn, launcher } = driver;
      const devices = (await read("disk-hotplug.attach.xml")).trim().split("\n");
      const loops = await loopDevices(dir, devices.join("\n"));
      await Deno.mkdir(`${dir}/var/lib/ev`, { recursive: true });
      const nbd = await nbdServer(dir, { socket: `${dir}/var/lib/ev/hp-nbd.sock` });
      const local = (xml: string) =>
        loops.map.reduce(
          (x, [name, dev]) => x.replaceAll(`'${name}'`, `'${dev}'`),
          xml.replaceAll("file='/", `file='${dir}/`).replaceAll("socket='/", `socket='${dir}/`),
        );
      const unlocal = (s: string) =>
        loops.map.reduce((x, [name, dev]) => x.replaceAll(dev, name), s.replaceAll(`${dir}/`, "/"));
      try {
        await makeImages(dir, devices.join("\n"));
        const dom = await startsAsLibvirt(driver, "disk-hotplug");
        for (const dev of devices) {
          await conn.domainAttachDeviceFlags!(dom, local(dev), VIR.DOMAIN_AFFECT_LIVE);
        }
        // libvirt 9.0's live XML after the same attaches (fixtures/disk-hotplug.attached.xml).
        // Running domains' XML, parsed as a status (which keeps the source indexes).
        const status = (xml: string) => parseDomainXML(xml, 0, true);
        const live = status(await conn.domainGetXMLDesc!(dom, 0));
        const expected = chains(status(await read("disk-hotplug.attached.xml")));
        assert.ok(expected.some((c) => c.layers.length === 3), "a chain was attached");
        assert.deepEqual(chains(live, unlocal), expected);
        // The NBD source as libvirt's: qemu.conf's TLS default and its index, its socket.
        const nbdSource = (def: DomainDef) =>
          def.devices.other.filter((d) => d.name === "disk" && d.attributes.type === "network")
            .map((
              d,
            ) => [child(d, "source")?.attributes, child(child(d, "source"), "host")?.attributes]);
        const attached = status(unlocal(await conn.domainGetXMLDesc!(dom, 0)));
        assert.equal(nbdSource(attached).length, 1);
        assert.deepEqual(
          nbdSource(attached),
          nbdSource(status(await read("disk-hotplug.attached.xml"))),
        );
        // QEMU holds a storage and a format node for every index, the copy-on-read filter,
        // and each qcow2 format node's backing is the next layer's node.
        const mon = launcher.procs.at(-1)!.monitor;
        const graph = await mon.run<BlockGraph>("x-debug-query-block-graph");
        const names = new Set(graph.nodes.map((n) => n.name));
        for (const disk of expected) {
          for (const i of disk.indexes) {
            for (const kind of ["storage", "format"]) {
              assert.ok(names.has(`libvirt-${i}-${kind}`), `libvirt-${i}-${kind}`);
            }
          }
        }
        assert.ok(names.has("libvirt-CoR-vdd"));
        const byId = new Map(graph.nodes.map((n) => [n.id, n.name]));
        const backing = (name: string) =>
          graph.edges.filter((e) => byId.get(e.parent) === name && e.name === "backing")
            .map((e) => byId.get(e.child));
        const vdb = expected.find((c) => c.dst === "vdb")!.indexes;
        vdb.forEach((i, k) => {
          const below = vdb[k + 1];
          assert.deepEqual(
            backing(`libvirt-${i}-format`),
            below === undefined ? [] : [`libvirt-${below}-format`],
            `libvirt-${i}-format's backing`,
          );
        });
        // The guest's virtio disk sits on the NBD disk's format node.
        const blocks = await mon.run<BlockEntry[]>("query-block");
        const vde = blocks.find((b) => qdevId(b.qdev) === "virtio-disk4");
        assert.equal(
          vde?.inserted?.["node-name"],
          `libvirt-${expected.find((c) => c.dst === "vde")!.indexes[0]}-format`,
        );
        await conn.domainDestroyFlags!(dom, 0);
      } finally {
        await loops.close();
        await nbd.stop();
      }
    });
  },
});

realQemuTest({
  name:
    "real QEMU: a cdrom's medium changes to a block device, then to an NBD export, then is ejected, as libvirt's",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-media-", async (driver) => {
      const { dir, conn, launcher } = driver;
      // libvirt 9.0 changed the medium with the same attaches (fixtures/disk-media.attach.xml).
      const media = (await read("disk-media.attach.xml")).trim().split("\n");
      const loops = await loopDevices(dir, media.join("\n"));
      await Deno.mkdir(`${dir}/var/lib/ev`, { recursive: true });
      const nbd = await nbdServer(dir, { socket: `${dir}/var/lib/ev/media-nbd.sock` });
      const local = (xml: string) =>
        loops.map.reduce(
          (x, [name, dev]) => x.replaceAll(`'${name}'`, `'${dev}'`),
          xml.replaceAll("socket='/", `socket='${dir}/`),
        );
      try {
        // Paused: the BIOS probing its cdrom would otherwise race the tray (libvirt's change
        // fails then too: "Tray of the device is not open").
        const dom = await startsAsLibvirt(
          driver,
          "disk-media",
          undefined,
          undefined,
          VIR.DOMAIN_START_PAUSED,
        );
        const mon = launcher.procs.at(-1)!.monitor;
        const medium = async () => {
          const nodes = await mon.run<NamedNode[]>("query-named-block-nodes", { flat: true });
          const blocks = await mon.run<BlockEntry[]>("query-block");
          const top = blocks.find((b) => b.qdev === "ide0-1-0")?.inserted?.["node-name"];
          return {
            top,
            nodes: nodes.filter((n) => n["node-name"].startsWith("libvirt-"))
              .map((n) => `${n["node-name"]} ${n.drv}`).sort(),
          };
        };
        // The old medium's nodes go, the new one's are its own: a host_device, then nbd.
        await conn.domainAttachDeviceFlags!(dom, local(media[0]), VIR.DOMAIN_AFFECT_LIVE);
        assert.deepEqual(await medium(), {
          top: "libvirt-2-format",
          nodes: ["libvirt-2-format raw", "libvirt-2-storage host_device"],
        });
        await conn.domainAttachDeviceFlags!(dom, local(media[1]), VIR.DOMAIN_AFFECT_LIVE);
        assert.deepEqual(await medium(), {
          top: "libvirt-3-format",
          nodes: ["libvirt-3-format raw", "libvirt-3-storage nbd"],
        });
        await conn.domainAttachDeviceFlags!(dom, media[2], VIR.DOMAIN_AFFECT_LIVE);
        assert.deepEqual(await medium(), { top: undefined, nodes: [] });
        // The live disk as libvirt's after the eject: a file drive, its empty source numbered
        // after the two media before it.
        const diskOf = (xml: string) => xml.match(/<disk[^]*<\/disk>/)?.[0].replace(/>\s+</g, "><");
        const theirs = diskOf(await read("disk-media.attached.xml"));
        assert.match(theirs ?? "", /<disk type='file' device='cdrom'>.*<source index='4'\/>/);
        const ours = (await conn.domainGetXMLDesc!(dom, 0)).replaceAll(`${dir}/`, "/");
        assert.equal(diskOf(ours), theirs);
        await conn.domainDestroyFlags!(dom, 0);
      } finally {
        await loops.close();
        await nbd.stop();
      }
    });
  },
});
