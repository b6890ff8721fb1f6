/**
 * Times live changes and state operations of edgevirt's QEMU driver (in process, real QEMU
 * 7.2 under TCG): start, attach-disk, detach (SCSI), snapshot create + revert, save + restore —
 * the steps `qemu_state_bench.py` times on libvirt 9.0.
 *
 * `deno run -A tests/bench/qemu_state_bench.ts [ROUNDS]`
 *
 * @module
 */
import { qemuConnectDriver } from "../../drivers/qemu/mod.ts";
import { VIR } from "../../util/constants.ts";
import type { DriverConnection } from "../../util/driver.ts";

const rounds = Number(Deno.args[0] ?? 3);
const work = await Deno.makeTempDir({ prefix: "evbench-" });
for (const f of ["vda", "sdb"]) {
  await new Deno.Command("qemu-img", {
    args: ["create", "-q", "-f", "qcow2", `${work}/${f}.qcow2`, "16M"],
  }).output();
}
const xml = `<domain type='qemu'><name>bench</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features><devices>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${work}/vda.qcow2'/>
<target dev='vda' bus='virtio'/></disk><controller type='scsi' model='virtio-scsi'/>
<memballoon model='none'/></devices></domain>`;
const disk = `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
<source file='${work}/sdb.qcow2'/><target dev='sdb' bus='scsi'/></disk>`;
const conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
  stateDir: `${work}/state`,
  log: () => {},
}) as DriverConnection;
const dom = await conn.domainDefineXMLFlags!(xml, 0);
const times = new Map<string, number[]>();
const timed = async (name: string, fn: () => Promise<unknown>) => {
  const t = performance.now();
  await fn();
  times.set(name, [...times.get(name) ?? [], performance.now() - t]);
};
const LIVE = VIR.DOMAIN_AFFECT_LIVE;
try {
  for (let i = 0; i < rounds; i++) {
    await timed("start", () => conn.domainCreateWithFlags!(dom, 0));
    await timed("attach-disk", () => conn.domainAttachDeviceFlags!(dom, disk, LIVE));
    await timed("detach-disk", () => conn.domainDetachDeviceFlags!(dom, disk, LIVE));
    const snap = "<domainsnapshot><name>s</name></domainsnapshot>";
    await timed("snapshot-create", () => conn.domainSnapshotCreateXML!(dom, snap, 0));
    await timed("snapshot-revert", () => conn.domainRevertToSnapshot!(dom, "s", 0));
    await conn.domainSnapshotDelete!(dom, "s", 0);
    await timed("save", () => conn.domainSaveFlags!(dom, `${work}/bench.save`, null, 0));
    await timed("restore", () => conn.domainRestoreFlags!(`${work}/bench.save`, null, 0));
    await Deno.remove(`${work}/bench.save`);
    await conn.domainDestroyFlags!(dom, 0);
  }
} finally {
  await conn.domainDestroyFlags!(dom, 0).catch(() => {});
  await conn.connectClose();
  await Deno.remove(work, { recursive: true });
}
for (const [name, ts] of times) {
  const median = ts.sort((a, b) => a - b)[Math.floor(ts.length / 2)];
  console.log(`${name.padEnd(16)} median ${median.toFixed(1).padStart(8)} ms`);
}
