import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { FakeLauncher, FakeTapHost } from "../../../drivers/qemu/testing/mod.ts";
import { storageDriver } from "../../../drivers/storage/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import type { VirError } from "../../../util/errors.ts";
import { createRegistry } from "../../../util/registry.ts";
import { SystemLauncher } from "../../../drivers/qemu/process/mod.ts";
import { KeepingLauncher, realQemuTest } from "./real_qemu.ts";

const disk = (source: string, extra = "") =>
  `<disk type='volume' device='disk'>${extra}<source ${source}/>` +
  `<target dev='vda' bus='virtio'/></disk>`;

const domainXML = (devices: string) =>
  `<domain type='qemu'><name>v1</name><memory unit='MiB'>128</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os>
<devices>${devices}<memballoon model='none'/></devices></domain>`;

/** The QEMU driver with the host's storage driver under a temp root, a dir pool `p` in it. */
async function world<L extends FakeLauncher | SystemLauncher>(launcher: L) {
  const dir = await Deno.makeTempDir();
  const registry = createRegistry([qemuConnectDriver], [storageDriver]);
  const conn: DriverConnection = await registry.find("qemu")!.open(
    new URL(`qemu:///embed?root=${dir}`),
    { launcher, taps: new FakeTapHost([]), log: () => {} },
  );
  await Deno.mkdir(`${dir}/images`);
  const pool = await conn.storagePoolDefineXML!(
    `<pool type='dir'><name>p</name><target><path>${dir}/images</path></target></pool>`,
    0,
  );
  await conn.storagePoolCreate!(pool, 0);
  return {
    dir,
    conn,
    launcher,
    pool,
    async [Symbol.asyncDispose]() {
      await conn.connectClose();
      for (const pids of launcher.find(dir).values()) {
        for (const pid of pids) await launcher.reap(pid);
      }
      await Deno.remove(dir, { recursive: true });
    },
  };
}

const err = async (p: Promise<unknown>) => (await p.then(() => undefined, (e) => e)) as VirError;

Deno.test("a volume disk starts on its volume's path and its live XML still names pool and volume", async () => {
  await using w = await world(new FakeLauncher());
  await w.conn.storageVolCreateXML!(
    w.pool,
    "<volume><name>a.qcow2</name><capacity unit='MiB'>16</capacity>" +
      "<target><format type='qcow2'/></target></volume>",
    0,
  );
  await w.conn.storageVolCreateXML!(
    w.pool,
    "<volume><name>b.img</name><capacity unit='MiB'>1</capacity></volume>",
    0,
  );
  const dom = await w.conn.domainCreateXML!(
    domainXML(
      disk("pool='p' volume='a.qcow2'", "<driver name='qemu' type='qcow2'/>") +
        disk("pool='p' volume='b.img'").replace("vda", "vdb"),
    ),
    0,
  );
  const argv = w.launcher.launches[0];
  const formats = argv.filter((_, i) => argv[i - 1] === "-blockdev").map((a) => JSON.parse(a))
    .filter((node) => node.driver !== "file");
  const files = argv.filter((_, i) => argv[i - 1] === "-blockdev").map((a) => JSON.parse(a))
    .filter((node) => node.driver === "file").map((node) => node.filename);
  assert.deepEqual(files, [`${w.dir}/images/a.qcow2`, `${w.dir}/images/b.img`]);
  assert.deepEqual(formats.map((node) => [node["node-name"], node.driver]), [
    ["libvirt-2-format", "qcow2"],
    ["libvirt-1-format", "raw"],
  ]);
  const live = await w.conn.domainGetXMLDesc!(dom, 0);
  assert.match(
    live,
    /<disk type='volume' device='disk'>\s*<driver name='qemu' type='qcow2'\/>\s*<source pool='p' volume='a.qcow2' index='2'\/>/,
  );
  // libvirt's QEMU driver never probes: a volume disk without a format is raw.
  assert.match(
    live,
    /<disk type='volume' device='disk'>\s*<driver name='qemu' type='raw'\/>\s*<source pool='p' volume='b.img' index='1'\/>/,
  );
  assert.doesNotMatch(live, new RegExp(`${w.dir}/images`));
  await w.conn.domainDestroyFlags!(dom, 0);
});

Deno.test("a volume disk whose pool or volume cannot be used refuses the start with libvirt's errors", async () => {
  await using w = await world(new FakeLauncher());
  const start = (source: string) => err(w.conn.domainCreateXML!(domainXML(disk(source)), 0));
  const noPool = await start("pool='nope' volume='a'");
  assert.deepEqual(
    [noPool.code, noPool.message],
    [VIR.ERR_NO_STORAGE_POOL, "Storage pool not found: no storage pool with matching name 'nope'"],
  );
  const noVol = await start("pool='p' volume='a'");
  assert.deepEqual(
    [noVol.code, noVol.message],
    [VIR.ERR_NO_STORAGE_VOL, "Storage volume not found: no storage vol with matching name 'a'"],
  );
  await w.conn.storagePoolDestroy!(w.pool);
  const inactive = await start("pool='p' volume='a'");
  assert.deepEqual(
    [inactive.code, inactive.domain, inactive.message],
    [
      VIR.ERR_CONFIG_UNSUPPORTED,
      VIR.FROM_DOMAIN,
      "unsupported configuration: storage pool 'p' containing volume 'a' is not active",
    ],
  );
  assert.equal(w.launcher.launches.length, 0);
});

Deno.test("an encrypted disk without a secret driver is refused, never started as a plain disk", async () => {
  await using w = await world(new FakeLauncher());
  const enc = (format: string) =>
    `<disk type='file' device='disk'><source file='${w.dir}/x.img'>` +
    `<encryption format='${format}'><secret type='passphrase' uuid='${crypto.randomUUID()}'/>` +
    `</encryption></source><target dev='vda' bus='virtio'/></disk>`;
  const luks = await err(w.conn.domainCreateXML!(domainXML(enc("luks")), 0));
  assert.deepEqual(
    [luks.code, luks.message],
    [
      VIR.ERR_NO_CONNECT,
      `no connection driver available for secret://${Deno.uid() === 0 ? "/system" : "/session"}`,
    ],
  );
  const qcow = await err(w.conn.domainCreateXML!(domainXML(enc("qcow")), 0));
  assert.equal(
    qcow.message,
    "unsupported configuration: old qcow/qcow2 encryption is not supported",
  );
  assert.equal(w.launcher.launches.length, 0);
});

realQemuTest({
  name: "real QEMU: a pool volume disk is the file QEMU holds open",
  async fn() {
    const launcher = new SystemLauncher();
    await using w = await world(launcher);
    await w.conn.storageVolCreateXML!(
      w.pool,
      "<volume><name>r.qcow2</name><capacity unit='MiB'>8</capacity>" +
        "<target><format type='qcow2'/></target></volume>",
      0,
    );
    const dom = await w.conn.domainCreateXML!(
      domainXML(disk("pool='p' volume='r.qcow2'", "<driver name='qemu' type='qcow2'/>")),
      0,
    );
    const [pid] = [...launcher.find(w.dir).values()].flat();
    const open = [...Deno.readDirSync(`/proc/${pid}/fd`)].map((e) => {
      try {
        return Deno.readLinkSync(`/proc/${pid}/fd/${e.name}`);
      } catch {
        return "";
      }
    });
    assert.ok(open.includes(`${w.dir}/images/r.qcow2`), open.join(" "));
    await w.conn.domainDestroyFlags!(dom, 0);
  },
});

realQemuTest({
  name:
    "real QEMU: a volume disk hot-plugs on its volume's path; a missing volume is libvirt's error",
  async fn() {
    const launcher = new KeepingLauncher();
    await using w = await world(launcher);
    await w.conn.storageVolCreateXML!(
      w.pool,
      "<volume><name>h.qcow2</name><capacity unit='MiB'>8</capacity>" +
        "<target><format type='qcow2'/></target></volume>",
      0,
    );
    // ACPI: the PCI bus takes hot-plugged devices.
    const xml = domainXML("").replace("</os>", "</os><features><acpi/></features>");
    const dom = await w.conn.domainCreateXML!(xml, 0);
    const hot = disk("pool='p' volume='h.qcow2'", "<driver name='qemu' type='qcow2'/>")
      .replace("vda", "vdb");
    // The storage driver's refusal, before QEMU is asked anything; the domain is unchanged.
    const before = await w.conn.domainGetXMLDesc!(dom, 0);
    const missing = await err(
      w.conn.domainAttachDeviceFlags!(dom, hot.replace("h.qcow2", "x"), VIR.DOMAIN_AFFECT_LIVE),
    );
    // libvirt 9.0's answers (fixtures/record_volume_hotplug.sh): the error, then the disk.
    const [error, ...recorded] = (await Deno.readTextFile(
      new URL("./fixtures/volume-hotplug.out", import.meta.url),
    )).split("\n");
    assert.equal(missing.code, VIR.ERR_NO_STORAGE_VOL);
    assert.equal(`error: ${missing.message}`, error);
    assert.equal(await w.conn.domainGetXMLDesc!(dom, 0), before);

    await w.conn.domainAttachDeviceFlags!(dom, hot, VIR.DOMAIN_AFFECT_LIVE);
    // QEMU holds the volume's file on the disk's storage node, the frontend on its format node.
    const proc = launcher.procs.at(-1)!;
    const nodes = await proc.monitor.run<{ "node-name": string; drv: string; file: string }[]>(
      "query-named-block-nodes",
      { flat: true },
    );
    const storage = nodes.find((n) => n["node-name"] === "libvirt-1-storage");
    assert.deepEqual([storage?.drv, storage?.file], ["file", `${w.dir}/images/h.qcow2`]);
    const blocks = await proc.monitor.run<{ qdev?: string; inserted?: { "node-name": string } }[]>(
      "query-block",
    );
    assert.equal(
      blocks.find((b) => b.qdev?.includes("virtio-disk1"))?.inserted?.["node-name"],
      "libvirt-1-format",
    );
    // The live XML names pool and volume, its index and ended chain, as libvirt's.
    const diskOf = (xml: string) => xml.match(/<disk[^]*<\/disk>/)?.[0].replace(/>\s+</g, "><");
    const theirs = diskOf(recorded.join("\n"));
    assert.match(theirs ?? "", /volume='h.qcow2' index='1'/);
    assert.equal(diskOf(await w.conn.domainGetXMLDesc!(dom, 0)), theirs);
    await w.conn.domainDestroyFlags!(dom, 0);
  },
});
