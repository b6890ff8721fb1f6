/**
 * Times a live migration with `--copy-storage-all` of a domain whose qcow2 disk holds N MiB of
 * data (real QEMU 7.2 under TCG, no guest), edgevirt's QEMU driver (two drivers in this process
 * on separate state roots) against libvirt 9.0's (two private libvirtd from the oracle's
 * `daemon.sh`, driven by python3-libvirt), in one run, rounds alternating after one warm-up
 * round each that is not counted. The destination's image exists beforehand on both sides, so
 * the time is the copy and the migration, not the image's creation.
 *
 * `deno run -A tests/bench/storage_migration_bench.ts [ROUNDS] [--mib=N] [--edgevirt-only]`
 *
 * @module
 */
import { Connection } from "../../client/connection.ts";
import { qemuConnectDriver } from "../../drivers/qemu/mod.ts";
import { VIR } from "../../util/constants.ts";
import type { DriverConnection } from "../../util/driver.ts";
import { median } from "./hotplug_domain.ts";
import { type OracleDaemon, SHARED, withOracleDaemon } from "./oracle_daemon.ts";

const rounds = Number(Deno.args.find((a) => !a.startsWith("--")) ?? 3);
const mib = Number(Deno.args.find((a) => a.startsWith("--mib="))?.slice(6) ?? 256);
const edgevirtOnly = Deno.args.includes("--edgevirt-only");
const FLAGS = VIR.MIGRATE_LIVE | VIR.MIGRATE_NON_SHARED_DISK;

async function run(cmd: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "piped" }).output();
  if (!out.success) throw new Error(`${cmd}: ${new TextDecoder().decode(out.stderr)}`);
}

const domainXML = (disk: string) =>
  `<domain type='qemu'><name>smig</name><uuid>5a7e0000-0000-4000-8000-0000000be4c0</uuid>
<memory unit='MiB'>32</memory><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${disk}'/>
<target dev='vda' bus='virtio'/></disk><memballoon model='none'/></devices></domain>`;

/** A world-writable folder (libvirtd runs as `nobody`) with the source image and the empty
 * destination image. */
async function images(): Promise<{ dir: string; src: string; dst: string }> {
  const dir = await Deno.makeTempDir({ prefix: "ev-smig-bench-" });
  await Deno.chmod(dir, 0o777);
  const src = `${dir}/src.qcow2`;
  const dst = `${dir}/dst.qcow2`;
  await run("qemu-img", "create", "-q", "-f", "qcow2", src, `${mib}M`);
  await run("qemu-io", "-c", `write -P 0x5a 0 ${mib}M`, src);
  await run("qemu-img", "create", "-q", "-f", "qcow2", dst, `${mib}M`);
  for (const f of [src, dst]) await Deno.chmod(f, 0o666);
  return { dir, src, dst };
}

/** One edgevirt migration: seconds of `migrate3`. */
async function edgevirtRound(): Promise<number> {
  const img = await images();
  const [a, b] = await Promise.all(
    ["a", "b"].map(async (side) =>
      await qemuConnectDriver.open(new URL("qemu:///session"), {
        stateDir: `${img.dir}/state-${side}`,
      }) as DriverConnection
    ),
  );
  try {
    await a.domainCreateXML!(domainXML(img.src), 0);
    const dom = await new Connection(a, "qemu:///session").lookupDomainByName("smig");
    const params = {
      migrate_uri: "tcp:127.0.0.1",
      listen_address: "127.0.0.1",
      destination_xml: domainXML(img.dst),
    };
    const t0 = performance.now();
    const moved = await dom.migrate3(new Connection(b, "qemu:///session"), params, FLAGS);
    const seconds = (performance.now() - t0) / 1000;
    await moved.destroy();
    return seconds;
  } finally {
    await a.connectClose();
    await b.connectClose();
    await Deno.remove(img.dir, { recursive: true });
  }
}

const PY = `
import sys, time, libvirt
src, dst, xml_src, xml_dst = sys.argv[1:5]
a, b = libvirt.open(src), libvirt.open(dst)
dom = a.createXML(xml_src, 0)
t0 = time.monotonic()
moved = dom.migrate3(b, {"migrate_uri": "tcp:127.0.0.1", "listen_address": "127.0.0.1",
                         "destination_xml": xml_dst}, ${FLAGS})
print(time.monotonic() - t0)
moved.destroy()
`;

/** One libvirt migration: seconds of `migrate3`, between the two daemons. */
async function libvirtRound(a: OracleDaemon, b: OracleDaemon): Promise<number> {
  const img = await images();
  try {
    const out = await new Deno.Command("/usr/bin/python3", {
      args: ["-c", PY, a.URI_QEMU, b.URI_QEMU, domainXML(img.src), domainXML(img.dst)],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
    return Number(new TextDecoder().decode(out.stdout).trim());
  } finally {
    await Deno.remove(img.dir, { recursive: true });
  }
}

const oracle = `${SHARED}/oracle`;
const times: Record<string, number[]> = { edgevirt: [], libvirt: [] };
const measure = async (a?: OracleDaemon, b?: OracleDaemon) => {
  await edgevirtRound();
  if (a && b) await libvirtRound(a, b);
  for (let i = 0; i < rounds; i++) {
    times.edgevirt.push(await edgevirtRound());
    if (a && b) times.libvirt.push(await libvirtRound(a, b));
  }
};
if (edgevirtOnly) await measure();
else await withOracleDaemon(oracle, (a) => withOracleDaemon(oracle, (b) => measure(a, b)));
for (const [side, list] of Object.entries(times)) {
  if (!list.length) continue;
  console.log(
    `${side}: migrate3 --copy-storage-all of ${mib} MiB, median ${median(list).toFixed(3)} s ` +
      `(${list.map((t) => t.toFixed(3)).join(", ")})`,
  );
}
