// Real QEMU 7.2 (TCG) on qemu:///system with the host's cgroup controllers under a temporary
// root: QEMU's emulator and vCPU threads (ids from query-cpus-fast) land in libvirt's
// machine/qemu-ID-NAME.libvirt-qemu/{emulator,vcpuN} groups, a hotplugged vCPU gets its group,
// getCPUStats reads cpuacct, schedinfo changes cpu.shares live, and destroy removes every group.
// Needs QEMU, root and the v1 cpu, cpuacct and memory controllers: without them it is ignored
// on a developer machine but FAILS in CI.
import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { removeTree } from "../../../util/cgroup/backend.ts";
import { type CgroupMounts, hostCgroupMounts } from "../../../util/cgroup/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import { cpuList, readHostFile } from "../../../util/host_info.ts";
import { haveQemu, KeepingLauncher } from "./real_qemu.ts";

const XML = `<domain type='qemu'><name>rcg</name>
<memory unit='MiB'>128</memory><vcpu placement='static' current='2'>3</vcpu>
<vcpus><vcpu id='0' enabled='yes' hotpluggable='no'/><vcpu id='1' enabled='yes' hotpluggable='yes'/>
<vcpu id='2' enabled='no' hotpluggable='yes'/></vcpus>
<cputune><shares>512</shares></cputune>
<memtune><hard_limit unit='MiB'>512</hard_limit></memtune>
<os><type arch='x86_64' machine='q35'>hvm</type></os>
<cpu mode='custom' match='exact'><model fallback='allow'>qemu64</model>
<topology sockets='3' dies='1' cores='1' threads='1'/></cpu>
<devices><memballoon model='none'/></devices></domain>`;

const host = hostCgroupMounts();
const usable = Deno.uid() === 0 && !!host?.v1.cpu && !!host.v1.cpuacct && !!host.v1.memory;

/** The group of thread `tid` of `pid` in the `cpu` hierarchy (from /proc). */
async function cpuGroupOf(pid: number, tid: number): Promise<string> {
  const text = await Deno.readTextFile(`/proc/${pid}/task/${tid}/cgroup`);
  return text.split("\n").find((l) => /^\d+:([^:]*,)?cpu(,[^:]*)?:/.test(l))!.replace(/^.*:/, "");
}

/** The v1 hierarchies' directories (co-mounted controllers share one). */
const hierarchies = (m: CgroupMounts) => [...new Set(Object.values(m.v1))];

/** A temporary root in every hierarchy, its cpuset taking the host's CPUs and nodes. */
async function makeRoot(m: CgroupMounts, root: string): Promise<void> {
  for (const dir of hierarchies(m)) await Deno.mkdir(`${dir}${root}`);
  const cpuset = m.v1.cpuset;
  if (!cpuset) return;
  for (const f of ["cpuset.cpus", "cpuset.mems"]) {
    await Deno.writeTextFile(`${cpuset}${root}/${f}`, await Deno.readTextFile(`${cpuset}/${f}`));
  }
}

Deno.test({
  name: "real QEMU on qemu:///system: machine, emulator and vCPU cgroups, cpu stats, live shares",
  // Ignored (never passed) without QEMU, root or v1 cpu/cpuacct/memory, except in CI.
  ignore: !(haveQemu && usable) && !Deno.env.get("CI"),
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    assert.ok(haveQemu && usable, "CI runs QEMU as root with v1 cpu, cpuacct and memory");
    const root = `/edgevirt-test-${crypto.randomUUID().slice(0, 8)}`;
    const mounts: CgroupMounts = { ...host!, root };
    const dir = await Deno.makeTempDir({ prefix: "ev-qemu-cg-" });
    const launcher = new KeepingLauncher();
    await makeRoot(mounts, root);
    let conn: DriverConnection | undefined;
    try {
      conn = await qemuConnectDriver.open(new URL("qemu:///system"), {
        stateDir: dir,
        launcher,
        cgroups: mounts,
      }) as DriverConnection;
      const dom = await conn.domainCreateXML!(XML, 0);
      const proc = launcher.procs[0];
      const machine = `${root}/machine/qemu-1-rcg.libvirt-qemu`;
      const cpuDir = `${host!.v1.cpu}${machine}`;
      assert.equal((await Deno.readTextFile(`${cpuDir}/cpu.shares`)).trim(), "512");
      assert.equal(await cpuGroupOf(proc.pid, proc.pid), `${machine}/emulator`);
      const cpus = await proc.monitor.run<{ "cpu-index": number; "thread-id": number }[]>(
        "query-cpus-fast",
      );
      assert.equal(cpus.length, 2);
      for (const c of cpus) {
        assert.equal(
          await cpuGroupOf(proc.pid, c["thread-id"]),
          `${machine}/vcpu${c["cpu-index"]}`,
        );
      }
      assert.match(await conn.domainGetXMLDesc!(dom, 0), /<partition>\/machine<\/partition>/);

      const [total] = await conn.domainGetCPUStats!(dom, -1, 1, 0);
      assert.deepEqual(Object.keys(total), ["cpu_time", "user_time", "system_time"]);
      assert.ok((total.cpu_time as number) > 0, "QEMU used CPU time");
      const perCpu = await conn.domainGetCPUStats!(dom, 0, 64, 0);
      assert.equal(
        perCpu.length,
        Math.max(...cpuList(readHostFile("/sys/devices/system/cpu/present"))) + 1,
      );
      for (const p of perCpu) assert.deepEqual(Object.keys(p), ["cpu_time", "vcpu_time"]);
      const usage = Number(await Deno.readTextFile(`${host!.v1.cpuacct}${machine}/cpuacct.usage`));
      const sum = perCpu.reduce((n, p) => n + (p.cpu_time as number), 0);
      assert.ok(sum <= usage, "per-CPU times read before the total was");

      assert.deepEqual(await conn.domainGetSchedulerType!(dom), ["posix", 9]);
      await conn.domainSetSchedulerParametersFlags!(
        dom,
        { cpu_shares: 2048 },
        VIR.DOMAIN_AFFECT_LIVE,
      );
      assert.equal((await Deno.readTextFile(`${cpuDir}/cpu.shares`)).trim(), "2048");
      const sched = await conn.domainGetSchedulerParametersFlags!(dom, 0);
      assert.equal(sched.cpu_shares, 2048);
      assert.equal(sched.vcpu_period, 100000);
      assert.equal(sched.vcpu_quota, -1);
      assert.match(await conn.domainGetXMLDesc!(dom, 0), /<shares>2048<\/shares>/);
      await conn.domainSetSchedulerParametersFlags!(
        dom,
        { vcpu_quota: 50000 },
        VIR.DOMAIN_AFFECT_LIVE,
      );
      for (const v of [0, 1]) {
        const q = await Deno.readTextFile(`${cpuDir}/vcpu${v}/cpu.cfs_quota_us`);
        assert.equal(q.trim(), "50000");
      }

      // <memtune> went into the memory group at start; a live change follows.
      const memDir = `${host!.v1.memory}${machine}`;
      assert.equal(
        (await Deno.readTextFile(`${memDir}/memory.limit_in_bytes`)).trim(),
        "536870912",
      );
      assert.deepEqual(await conn.domainGetMemoryParameters!(dom, 0), {
        hard_limit: 524288,
        soft_limit: 9007199254740991,
        swap_hard_limit: 9007199254740991,
      });
      await conn.domainSetMemoryParameters!(dom, { soft_limit: 262144 }, VIR.DOMAIN_AFFECT_LIVE);
      assert.equal(
        (await Deno.readTextFile(`${memDir}/memory.soft_limit_in_bytes`)).trim(),
        "268435456",
      );
      assert.match(await conn.domainGetXMLDesc!(dom, 0), /<soft_limit unit='KiB'>262144</);

      // A hotplugged vCPU gets its group before the call returns.
      await conn.domainSetVcpusFlags!(dom, 3, VIR.DOMAIN_AFFECT_LIVE);
      const after = await proc.monitor.run<{ "cpu-index": number; "thread-id": number }[]>(
        "query-cpus-fast",
      );
      const added = after.find((c) => c["cpu-index"] === 2)!;
      assert.equal(await cpuGroupOf(proc.pid, added["thread-id"]), `${machine}/vcpu2`);

      await conn.domainDestroyFlags!(dom, 0);
      for (const h of hierarchies(mounts)) {
        await assert.rejects(Deno.stat(`${h}${machine}`), Deno.errors.NotFound);
      }
    } finally {
      for (const p of launcher.procs) if (p.alive()) p.kill("SIGKILL");
      await conn?.connectClose();
      for (const h of hierarchies(mounts)) await removeTree(`${h}${root}`);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
