/**
 * Times live changes and state operations of edgevirt's QEMU driver (in process, real QEMU
 * 7.2 under TCG) and of libvirt 9.0's (a private libvirtd from the oracle's `daemon.sh`, driven
 * by `qemu_state_bench.py --serve`) in one run: start, attach-disk, detach (SCSI), snapshot
 * create + revert, save + restore. Rounds alternate between the two, after one warm-up round
 * each that is not counted, so that the shared machine's load falls on both alike. For edgevirt
 * it also shows the QMP round trips each step waited for (the driver's monitor latency
 * histogram): what is left is the driver's own time and, for a detach, QEMU's DEVICE_DELETED.
 *
 * `deno run -A tests/bench/qemu_state_bench.ts [ROUNDS] [--edgevirt-only] [--settle=MS]`
 *
 * `--settle=MS` waits that long after each start before the attach, on both sides: right after a
 * start the guest's firmware runs under TCG and QEMU answers QMP slower.
 *
 * @module
 */
import { qemuConnectDriver } from "../../drivers/qemu/mod.ts";
import { VIR } from "../../util/constants.ts";
import type { DriverConnection } from "../../util/driver.ts";
import { median } from "./hotplug_domain.ts";
import { SHARED, withOracleDaemon } from "./oracle_daemon.ts";

const rounds = Number(Deno.args.find((a) => !a.startsWith("--")) ?? 5);
const edgevirtOnly = Deno.args.includes("--edgevirt-only");
/** ms between the start and the attach: the guest's firmware boots meanwhile (0: none). */
const settleMs = Number(Deno.args.find((a) => a.startsWith("--settle="))?.slice(9) ?? 0);
const STEPS = [
  "start",
  "attach-disk",
  "detach-disk",
  "snapshot-create",
  "snapshot-revert",
  "save",
  "restore",
] as const;
type Round = Record<string, number>;

/** The QMP round trips the driver saw so far: seconds and count, over every command. */
function qmpSoFar(conn: DriverConnection): { seconds: number; count: number } {
  const out = { seconds: 0, count: 0 };
  for (const family of conn.driverMetrics?.() ?? []) {
    for (const { histogram } of family.samples) {
      out.seconds += histogram.sum;
      out.count += histogram.count;
    }
  }
  return out;
}

/** One round on edgevirt, with each step's time and its QMP share. */
async function edgevirtSide(): Promise<
  { round: () => Promise<Round>; close: () => Promise<void> }
> {
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
  const LIVE = VIR.DOMAIN_AFFECT_LIVE;
  const round = async () => {
    const out: Round = {};
    const timed = async (name: string, fn: () => Promise<unknown>) => {
      const q = qmpSoFar(conn);
      const t = performance.now();
      await fn();
      out[name] = performance.now() - t;
      const after = qmpSoFar(conn);
      out[`${name} qmp`] = (after.seconds - q.seconds) * 1000;
      out[`${name} qmp#`] = after.count - q.count;
    };
    await timed("start", () => conn.domainCreateWithFlags!(dom, 0));
    await new Promise((r) => setTimeout(r, settleMs));
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
    return out;
  };
  const close = async () => {
    await conn.domainDestroyFlags!(dom, 0).catch(() => {});
    await conn.connectClose();
    await Deno.remove(work, { recursive: true });
  };
  return { round, close };
}

/** libvirt's rounds: `qemu_state_bench.py --serve` runs one per line it reads. */
function libvirtSide(uri: string) {
  const child = new Deno.Command("/usr/bin/python3", {
    args: [new URL("./qemu_state_bench.py", import.meta.url).pathname, uri, "--serve"],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const round = async (): Promise<Round> => {
    await writer.write(new TextEncoder().encode(`round ${settleMs}\n`));
    while (!buffered.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error("qemu_state_bench.py ended");
      buffered += value;
    }
    const at = buffered.indexOf("\n");
    const line = buffered.slice(0, at);
    buffered = buffered.slice(at + 1);
    return JSON.parse(line);
  };
  const close = async () => {
    await writer.close();
    await lines.cancel();
    await child.status;
  };
  return { round, close };
}

const load = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");

async function run(uri?: string): Promise<void> {
  const ev = await edgevirtSide();
  const lv = uri ? libvirtSide(uri) : undefined;
  const evRounds: Round[] = [];
  const lvRounds: Round[] = [];
  const loadBefore = load();
  try {
    await ev.round();
    await lv?.round();
    for (let i = 0; i < rounds; i++) {
      evRounds.push(await ev.round());
      if (lv) lvRounds.push(await lv.round());
    }
  } finally {
    await ev.close();
    await lv?.close();
  }
  const med = (rs: Round[], key: string) => median(rs.map((r) => r[key]));
  console.log(
    `medians of ${rounds} rounds (after one warm-up each), load ${loadBefore} → ${load()}` +
      (settleMs ? `, attach ${settleMs} ms after the start` : ""),
  );
  console.log(
    "step              edgevirt ms (QMP ms, round trips)   libvirt ms   ratio (goal ≤ 0.5)",
  );
  for (const step of STEPS) {
    const e = med(evRounds, step);
    const qmp = `(${med(evRounds, `${step} qmp`).toFixed(1)}, ${med(evRounds, `${step} qmp#`)})`;
    const l = lv ? med(lvRounds, step) : NaN;
    const ratio = e / l;
    console.log(
      `${step.padEnd(16)} ${e.toFixed(1).padStart(9)} ${qmp.padEnd(14)} ${
        lv ? l.toFixed(1).padStart(18) : "".padStart(18)
      }   ${lv ? `${ratio.toFixed(2)} ${ratio <= 0.5 ? "met" : "NOT met"}` : ""}`,
    );
  }
  console.log(JSON.stringify({ edgevirt: evRounds, libvirt: lvRounds }));
}

if (edgevirtOnly) await run();
else await withOracleDaemon(`${SHARED}/oracle`, (daemon) => run(daemon.URI_QEMU));
