/**
 * Volume upload and download throughput, edgevirt vs libvirt in one run (issue 9): N MiB of
 * random data (`--mib`, default 256) into a raw volume and back out, then a 1 GiB sparse file
 * (4 MiB of data, the rest holes) with the sparse flags. The edgevirt side is the public client
 * of a host program (`host.ts`, HTTP/1.1) through a real gateway process serving
 * `qemu:///session`, over TCP on loopback (its connection guard's relay included, as for any
 * TCP client; `--unix`: over the gateway's unix socket instead, which has no relay, as
 * libvirtd's has none); the libvirt side is `virsh vol-upload`/`vol-download`
 * (`--sparse` for the sparse rows) against a private session libvirtd
 * (`/work/shared/oracle/daemon.sh`) over its unix socket. Each row runs edgevirt then libvirt
 * right after, so both see the same machine load; each side's time is the best of `--runs`.
 *
 * Columns: MB/s (10^6 bytes of the volume per second, holes included) of each and their ratio
 * (edgevirt ÷ libvirt, goal ≥ 1), from each side's fastest run; the CPU time client and
 * daemon spent per MiB (this process and the gateway; virsh and libvirtd), which the machine's
 * other load moves far less than times; and each daemon's peak RSS during a transfer (VmHWM,
 * reset before it), the highest over the runs with the largest growth in one run (issue 9's
 * goal: at most 64 MiB more than before). The clients (this process, virsh) are not in the RSS
 * columns. Linux only.
 *
 * ```sh
 * deno run -A tests/bench/vol_stream_bench.ts [--mib 256] [--runs 2] [--unix] [--oracle /work/shared/oracle]
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { connect } from "../../host.ts";
import type { Connection } from "../../client/connection.ts";
import type { StorageVolume } from "../../client/objects.ts";
import { VIR } from "../../util/constants.ts";
import { filePieces, pieceSink } from "../../util/sparse_file.ts";
import { spawnGateway } from "../gateway/process.ts";
import { cpuUs, peakRss, resetPeakRss } from "../proc_stats.ts";
import { withOracleDaemon } from "./oracle_daemon.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    mib: { type: "string", default: "256" },
    runs: { type: "string", default: "2" },
    oracle: { type: "string", default: "/work/shared/oracle" },
    unix: { type: "boolean", default: false },
  },
});
const MiB = 1024 * 1024;
const SIZE = Number(values.mib) * MiB;
const SPARSE_SIZE = 1024 * MiB;
const RUNS = Number(values.runs);

/**
 * One side's transfer: seconds, the CPU time client and daemon spent (µs), and the daemon's
 * RSS before and at its peak.
 */
type Sample = { seconds: number; cpuUs: number; rssBefore: number; rssPeak: number };

/** Times `body`, whose client CPU time is this process's (edgevirt) or what it returns (virsh). */
async function sampled(pid: number, body: () => Promise<number | void>): Promise<Sample> {
  const rssBefore = await resetPeakRss(pid);
  const cpu = cpuUs(pid) + cpuUs("self");
  const t = performance.now();
  const childCpu = (await body()) ?? 0;
  const seconds = (performance.now() - t) / 1000;
  return {
    seconds,
    cpuUs: cpuUs(pid) + cpuUs("self") - cpu + childCpu,
    rssBefore,
    rssPeak: await peakRss(pid),
  };
}

const best = (xs: Sample[]) => xs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
/**
 * The highest peak over the runs and the largest growth in one: a later run starts where the
 * garbage of an earlier one left the RSS, so its own growth says less.
 */
const rss = (xs: Sample[]) =>
  `${mib(Math.max(...xs.map((x) => x.rssPeak)))} ` +
  `(+${mib(Math.max(...xs.map((x) => x.rssPeak - x.rssBefore)))})`;

async function randomFile(path: string, size: number): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const block = new Uint8Array(MiB);
  for (let at = 0; at < size; at += MiB) {
    for (let i = 0; i < MiB; i += 65536) crypto.getRandomValues(block.subarray(i, i + 65536));
    for (let off = 0; off < MiB;) off += await file.write(block.subarray(off));
  }
  file.close();
}

async function sparseFile(path: string, size: number): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  await file.truncate(size);
  const block = new Uint8Array(MiB);
  for (const at of [0, size / 4 + 4096, size / 2, size - MiB]) {
    for (let i = 0; i < MiB; i += 65536) crypto.getRandomValues(block.subarray(i, i + 65536));
    await file.seek(at, Deno.SeekMode.Start);
    for (let off = 0; off < MiB;) off += await file.write(block.subarray(off));
  }
  file.close();
}

/** As evsh's vol-upload: the file in 1 MiB reads, its holes as holes when sparse. */
async function edgevirtUpload(conn: Connection, vol: StorageVolume, src: string, sparse: boolean) {
  const st = conn.newStream();
  await vol.upload(st, 0, 0, sparse ? VIR.STORAGE_VOL_UPLOAD_SPARSE_STREAM : 0);
  const file = await Deno.open(src);
  await st.sparseSendAll(await filePieces({ file, path: src, offset: 0, length: 0, sparse }));
}

/** As evsh's vol-download (and virsh's): sparseRecvAll into the file, holes skipped. */
async function edgevirtDownload(
  conn: Connection,
  vol: StorageVolume,
  dst: string,
  sparse: boolean,
) {
  const st = conn.newStream();
  await vol.download(st, 0, 0, sparse ? VIR.STORAGE_VOL_DOWNLOAD_SPARSE_STREAM : 0);
  const file = await Deno.open(dst, { write: true, create: true, truncate: true });
  await st.sparseRecvAll(await pieceSink(file, dst));
}

/** Runs virsh; its CPU time (user + system, µs) comes back, measured by a python parent. */
async function virsh(uri: string, ...args: string[]): Promise<number> {
  const script = "import resource, subprocess, sys\n" +
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n" +
    "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n" +
    "print((r.ru_utime + r.ru_stime) * 1e6)";
  const out = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", script, "virsh", "-q", "-c", uri, ...args],
    stdout: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`virsh ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return Number(new TextDecoder().decode(out.stdout));
}

async function sameBytes(a: string, b: string): Promise<boolean> {
  const out = await new Deno.Command("cmp", { args: ["-s", a, b] }).output();
  return out.success;
}

const mbs = (bytes: number, s: Sample) => bytes / 1e6 / s.seconds;
const mib = (n: number) => (n / MiB).toFixed(0);
const cpuPerMiB = (bytes: number, s: Sample) => (s.cpuUs / 1000 / (bytes / MiB)).toFixed(2);

const dir = await Deno.makeTempDir({ prefix: "edgevirt-volbench-" });
// libvirtd runs as nobody when this runs as root: its pool and files must be reachable.
await Deno.chmod(dir, 0o777);
const gw = await spawnGateway({
  unix: values.unix,
  env: { EDGEVIRT_QEMU_STATE_DIR: `${dir}/state` },
});
try {
  await withOracleDaemon(values.oracle, async (daemon) => {
    const libvirtdPid = Number(daemon.PID);
    const uri = values.unix
      ? `qemu+unix:///session?socket=${gw.socket}`
      : `qemu+http://127.0.0.1:${gw.port}/session`;
    const conn = await connect(uri, { token: gw.token });
    const ePool = await conn.createStoragePoolXML(
      `<pool type='dir'><name>ev</name><target><path>${dir}/ev</path></target></pool>`,
      VIR.STORAGE_POOL_CREATE_WITH_BUILD,
    );
    await Deno.mkdir(`${dir}/lv`, { mode: 0o777 });
    await Deno.chmod(`${dir}/lv`, 0o777);
    await virsh(daemon.URI_QEMU, "pool-create-as", "lv", "dir", "--target", `${dir}/lv`);

    const rows: string[] = [];
    const cases = [
      { name: `${values.mib} MiB`, size: SIZE, sparse: false, make: randomFile },
      { name: "1 GiB sparse", size: SPARSE_SIZE, sparse: true, make: sparseFile },
    ];
    for (const c of cases) {
      const src = `${dir}/src.img`;
      await c.make(src, c.size);
      await Deno.chmod(src, 0o644);
      const volXml = `<volume><name>v.img</name><capacity>${c.size}</capacity>` +
        `<allocation>0</allocation><target><format type='raw'/></target></volume>`;
      const eVol = await ePool.createVolumeXML(volXml, 0);
      await Deno.writeTextFile(`${dir}/vol.xml`, volXml);
      await virsh(daemon.URI_QEMU, "vol-create", "lv", `${dir}/vol.xml`);
      const flag = c.sparse ? ["--sparse"] : [];
      const up = { e: [] as Sample[], l: [] as Sample[] };
      const down = { e: [] as Sample[], l: [] as Sample[] };
      for (let run = 0; run < RUNS; run++) {
        up.e.push(await sampled(gw.child.pid, () => edgevirtUpload(conn, eVol, src, c.sparse)));
        up.l.push(
          await sampled(
            libvirtdPid,
            () => virsh(daemon.URI_QEMU, "vol-upload", "--pool", "lv", "v.img", src, ...flag),
          ),
        );
        await Deno.remove(`${dir}/e.out`).catch(() => {});
        await Deno.remove(`${dir}/l.out`).catch(() => {});
        down.e.push(
          await sampled(gw.child.pid, () => edgevirtDownload(conn, eVol, `${dir}/e.out`, c.sparse)),
        );
        down.l.push(
          await sampled(
            libvirtdPid,
            () =>
              virsh(
                daemon.URI_QEMU,
                "vol-download",
                "--pool",
                "lv",
                "v.img",
                `${dir}/l.out`,
                ...flag,
              ),
          ),
        );
      }
      for (const path of [`${dir}/ev/v.img`, `${dir}/lv/v.img`, `${dir}/e.out`, `${dir}/l.out`]) {
        if (!(await sameBytes(src, path))) throw new Error(`${path} differs from the source`);
      }
      for (const [what, s] of [["upload", up], ["download", down]] as const) {
        const e = best(s.e);
        const l = best(s.l);
        rows.push(
          `| ${what} ${c.name} | ${mbs(c.size, e).toFixed(0)} | ${mbs(c.size, l).toFixed(0)} | ` +
            `${(mbs(c.size, e) / mbs(c.size, l)).toFixed(2)}× | ` +
            `${cpuPerMiB(c.size, e)} | ${cpuPerMiB(c.size, l)} | ` +
            `${rss(s.e)} | ${rss(s.l)} |`,
        );
      }
      await eVol.delete(0);
      await virsh(daemon.URI_QEMU, "vol-delete", "--pool", "lv", "v.img");
      for (const f of ["src.img", "e.out", "l.out"]) await Deno.remove(`${dir}/${f}`);
    }
    await conn.close();
    const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
    const via = values.unix ? "the gateway's unix socket" : "TCP";
    console.log(`vol_stream_bench: best of ${RUNS} runs over ${via}; load average ${load}\n`);
    console.log(
      "| transfer | edgevirt MB/s | libvirt MB/s | ratio | edgevirt CPU ms/MiB | libvirt CPU ms/MiB | gateway peak RSS MiB (growth) | libvirtd peak RSS MiB (growth) |",
    );
    console.log("|---|---|---|---|---|---|---|---|");
    for (const r of rows) console.log(r);
  });
} finally {
  await gw.stop();
  await Deno.remove(dir, { recursive: true });
}
