// Real QEMU 7.2 (TCG) on qemu:///system with the host's cgroup hierarchies under a temporary
// root, against root libvirtd 9.0's answers for the same domain on this kind of host
// (fixtures/cgroup_libvirt.json, recorded by fixtures/record_cgroup.sh): the hierarchies the
// machine group goes into, QEMU's emulator and vCPU threads (ids from query-cpus-fast) in
// machine/qemu-ID-NAME.libvirt-qemu/{emulator,vcpuN}, schedinfo and memtune values, cpu-stats,
// libvirt's errors for refused values, the answers after a live change and a vCPU hotplug, and
// every group gone after destroy.
// Needs QEMU, root, the v1 cpu, memory and blkio controllers and /dev/loop0: without them it is
// ignored on a developer machine but FAILS in CI.
import assert from "node:assert/strict";
import { type CgroupMounts, hostCgroupMounts } from "../../../util/cgroup/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { DomainRef } from "../../../util/driver.ts";
import { VirError } from "../../../util/errors.ts";
import { haveQemu } from "./real_qemu.ts";
import { hierarchies, withSystemDriverInTempRoot } from "./temp_cgroup_root.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url);
const XML = await Deno.readTextFile(new URL("cgroup_libvirt.xml", FIXTURES));
const LIBVIRT = JSON.parse(await Deno.readTextFile(new URL("cgroup_libvirt.json", FIXTURES)));

const host = hostCgroupMounts();
// The recording's host: v1 cpu, memory and blkio, and a loop device to limit.
const loop0 = (() => {
  try {
    return Deno.statSync("/dev/loop0").isBlockDevice;
  } catch {
    return false;
  }
})();
const usable = Deno.uid() === 0 && !!host?.v1.cpu && !!host.v1.memory && !!host.v1.blkio && loop0;
const LIVE = VIR.DOMAIN_AFFECT_LIVE;

/** The hierarchies holding group `path`, by directory name, as the recording lists them. */
function holding(m: CgroupMounts, path: string): string[] {
  return hierarchies(m).filter((h) => {
    try {
      return Deno.statSync(`${h}${path}`).isDirectory;
    } catch {
      return false;
    }
  }).map((h) => h.slice(h.lastIndexOf("/") + 1)).sort();
}

/** The group of thread `tid` of `pid` in the `cpu` hierarchy, below `root`. */
async function cpuGroupOf(pid: number, tid: number, root: string): Promise<string> {
  const text = await Deno.readTextFile(`/proc/${pid}/task/${tid}/cgroup`);
  const line = text.split("\n").find((l) => /^\d+:([^:]*,)?cpu(,[^:]*)?:/.test(l))!;
  return line.replace(/^.*?:.*?:/, "").slice(root.length);
}

/** The host CPUs thread `tid` may run on, as /proc lists them. */
function affinityOf(pid: number, tid: number): string | undefined {
  const status = Deno.readTextFileSync(`/proc/${pid}/task/${tid}/status`);
  return status.match(/^Cpus_allowed_list:\s*(\S+)/m)?.[1];
}

/** libvirt's error of a call as the recorder writes it, or null. */
async function errorOf(call: () => Promise<unknown>) {
  try {
    await call();
    return null;
  } catch (e) {
    if (!(e instanceof VirError)) throw e;
    return { code: e.code, domain: e.domain, message: e.message };
  }
}

Deno.test({
  name: "real QEMU on qemu:///system: cgroups as root libvirtd 9.0 makes and reports them",
  // Ignored (never passed) without QEMU, root or the controllers, except in CI.
  ignore: !(haveQemu && usable) && !Deno.env.get("CI"),
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    assert.ok(
      haveQemu && usable,
      "CI runs QEMU as root with v1 cpu, memory, blkio and a loop device",
    );
    await withSystemDriverInTempRoot(
      host!,
      "ev-qemu-cg-",
      async ({ conn, launcher, mounts, root, reopen }) => {
        const c = conn;
        const dom: DomainRef = await c.domainCreateXML!(XML, 0);
        const proc = launcher.procs[0];
        const machine = "/machine/qemu-1-cg.libvirt-qemu";
        const vcpuThreads = async () =>
          Object.fromEntries(
            (await proc.monitor.run<{ "cpu-index": number; "thread-id": number }[]>(
              "query-cpus-fast",
            )).map((x) => [x["cpu-index"], x["thread-id"]]),
          );
        const vcpuGroups = async () => {
          const cpus = await proc.monitor.run<{ "cpu-index": number; "thread-id": number }[]>(
            "query-cpus-fast",
          );
          return Object.fromEntries(
            await Promise.all(
              cpus.map(async (x) => [
                String(x["cpu-index"]),
                await cpuGroupOf(proc.pid, x["thread-id"], root),
              ]),
            ),
          );
        };
        assert.deepEqual(holding(mounts, `${root}${machine}`), LIBVIRT.machine_hierarchies);
        assert.deepEqual(
          holding(mounts, `${root}${machine}/emulator`),
          LIBVIRT.emulator_hierarchies,
        );
        assert.equal(await cpuGroupOf(proc.pid, proc.pid, root), LIBVIRT.emulator_group);
        assert.deepEqual(await vcpuGroups(), LIBVIRT.vcpu_groups);
        assert.match(
          (await c.domainGetXMLDesc!(dom, 0)).replace(/\n/g, ""),
          new RegExp(LIBVIRT.resource[0]),
        );

        assert.deepEqual(await c.domainGetSchedulerType!(dom), LIBVIRT.scheduler_type);
        assert.deepEqual(
          await c.domainGetSchedulerParametersFlags!(dom, LIVE),
          LIBVIRT.scheduler_live,
        );
        assert.deepEqual(await c.domainGetMemoryParameters!(dom, LIVE), LIBVIRT.memory_live);
        const total = await c.domainGetCPUStats!(dom, -1, 1, 0);
        assert.deepEqual(total.map((t) => Object.keys(t).sort()), LIBVIRT.cpu_stats_total);
        assert.ok((total[0].cpu_time as number) > 0, "QEMU used CPU time");
        const perCpu = LIBVIRT.cpu_stats_per_cpu;
        if (perCpu.error) {
          assert.deepEqual(await errorOf(() => c.domainGetCPUStats!(dom, 0, 64, 0)), perCpu.error);
        } else {
          const got = await c.domainGetCPUStats!(dom, 0, 64, 0);
          assert.deepEqual(got.map((t) => Object.keys(t).sort()), perCpu);
        }

        const errors = {
          shares_1: () => c.domainSetSchedulerParametersFlags!(dom, { cpu_shares: 1 }, LIVE),
          vcpu_period_10: () =>
            c.domainSetSchedulerParametersFlags!(dom, { vcpu_period: 10 }, LIVE),
          vcpu_quota_10: () => c.domainSetSchedulerParametersFlags!(dom, { vcpu_quota: 10 }, LIVE),
          emulator_quota_too_big: () =>
            c.domainSetSchedulerParametersFlags!(dom, { emulator_quota: 17592186044416 }, LIVE),
          hard_above_swap: () =>
            c.domainSetMemoryParameters!(
              dom,
              { hard_limit: 2097152, swap_hard_limit: 1048576 },
              LIVE,
            ),
        };
        for (const [name, call] of Object.entries(errors)) {
          assert.deepEqual(await errorOf(call), LIBVIRT.errors[name], name);
        }

        await c.domainSetSchedulerParametersFlags!(
          dom,
          { cpu_shares: 2048, vcpu_quota: 50000 },
          LIVE,
        );
        await c.domainSetMemoryParameters!(dom, { soft_limit: 262144 }, LIVE);
        await c.domainSetVcpusFlags!(dom, 3, LIVE);
        const xml = (await c.domainGetXMLDesc!(dom, 0)).replace(/\n/g, "");
        assert.deepEqual(
          {
            scheduler_live: await c.domainGetSchedulerParametersFlags!(dom, LIVE),
            memory_live: await c.domainGetMemoryParameters!(dom, LIVE),
            vcpu_groups: await vcpuGroups(),
            cputune: xml.match(/<cputune>.*?<\/cputune>/g),
            memtune: xml.match(/<memtune>.*?<\/memtune>/g),
          },
          LIBVIRT.after_set,
        );
        assert.equal(
          (await Deno.readTextFile(`${host!.v1.cpu}${root}${machine}/cpu.shares`)).trim(),
          "2048",
        );

        // Per-device block I/O limits through the blkio group (libvirt's messages; virsh's
        // recording has no codes).
        const blk = LIBVIRT.blkio;
        const message = async (call: () => Promise<unknown>) =>
          (await errorOf(call))?.message ?? "";
        const setBlkio = (params: Record<string, string>) => () =>
          c.domainSetBlkioParameters!(dom, params, LIVE);
        assert.equal(await message(setBlkio({ device_read_iops_sec: "/dev/loop0,100" })), blk.set);
        assert.equal(
          await message(setBlkio({ device_read_iops_sec: "/tmp,5" })),
          blk.set_not_block,
        );
        assert.equal(
          await message(setBlkio({ device_weight: "/dev/loop0,100" })),
          blk.set_device_weight,
        );
        const blkioGet = () => c.domainGetBlkioParameters!(dom, LIVE);
        if (blk.get.error) assert.deepEqual(await errorOf(blkioGet), blk.get.error);
        else assert.deepEqual(await blkioGet(), blk.get);
        assert.equal(
          await Deno.readTextFile(
            `${host!.v1.blkio}${root}${machine}/blkio.throttle.read_iops_device`,
          ),
          blk.read_iops_file,
        );
        assert.deepEqual(
          (await c.domainGetXMLDesc!(dom, 0)).replace(/\n/g, "").match(
            /<blkiotune>.*?<\/blkiotune>/g,
          ),
          blk.blkiotune,
        );

        // Live pins: the cpuset groups and the threads' affinity.
        const ncpus = navigator.hardwareConcurrency;
        await c.domainPinVcpuFlags!(dom, 0, [...Array(ncpus)].map((_, i) => i === ncpus - 1), LIVE);
        await c.domainPinEmulator!(dom, [...Array(ncpus)].map((_, i) => i === 0), LIVE);
        const cpuset = (g: string) =>
          Deno.readTextFile(`${host!.v1.cpuset}${root}${machine}/${g}/cpuset.cpus`);
        const vcpu0 = (await vcpuThreads())[0];
        assert.deepEqual({
          vcpu0_cpuset: (await cpuset("vcpu0")).trim(),
          vcpu0_affinity: affinityOf(proc.pid, vcpu0),
          emulator_cpuset: (await cpuset("emulator")).trim(),
          emulator_affinity: affinityOf(proc.pid, proc.pid),
          cputune: (await c.domainGetXMLDesc!(dom, 0)).replace(/\n/g, "").match(
            /<cputune>.*?<\/cputune>/g,
          ),
        }, LIBVIRT.pins);

        // A new driver (a restarted daemon) finds the machine group again.
        const again = await reopen();
        assert.deepEqual(
          await again.domainGetSchedulerParametersFlags!(dom, LIVE),
          LIBVIRT.after_set.scheduler_live,
        );
        assert.ok(((await again.domainGetCPUStats!(dom, -1, 1, 0))[0].cpu_time as number) > 0);

        await again.domainDestroyFlags!(dom, 0);
        assert.deepEqual(
          holding(mounts, `${root}${machine}`),
          LIBVIRT.machine_hierarchies_after_destroy,
        );
      },
    );
  },
});
