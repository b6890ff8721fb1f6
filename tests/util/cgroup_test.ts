// libvirt's cgroup layer on fake trees: partition naming and escaping, the machine group and
// its thread groups, values read and written through the v1 and v2 files with libvirt's range
// errors (vircgroupv1.c / vircgroupv2.c wording), and removal of the whole group.
import assert from "node:assert/strict";
import {
  blockDevString,
  Cgroup,
  cgroupBackends,
  parseCgroupMounts,
  partitionPath,
} from "../../util/cgroup/mod.ts";
import { VirError } from "../../util/errors.ts";
import { fakeV1Group, fakeV1Mounts } from "./fake_cgroup_tree.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ev-cgroup-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function libvirtError(code: number, domain: number, message: string) {
  return (e: unknown) => {
    assert.ok(e instanceof VirError);
    assert.deepEqual([e.code, e.domain, e.message], [code, domain, message]);
    return true;
  };
}

Deno.test("cgroup mounts: v1 controllers by mount option, co-mounted ones share a directory", () => {
  const m = parseCgroupMounts(
    "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,relatime,cpu,cpuacct 0 0\n" +
      "cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n" +
      "cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n" +
      "tmpfs /sys/fs/cgroup tmpfs rw 0 0\n",
  );
  assert.deepEqual(m, {
    v1: {
      cpu: "/sys/fs/cgroup/cpu,cpuacct",
      cpuacct: "/sys/fs/cgroup/cpu,cpuacct",
      memory: "/sys/fs/cgroup/memory",
    },
    v2: "/sys/fs/cgroup/unified",
  });
});

Deno.test("cgroup partitions: libvirt's .partition suffix and escaping", () => {
  assert.equal(partitionPath("/machine"), "/machine");
  assert.equal(partitionPath("/machine/web"), "/machine/web.partition");
  assert.equal(partitionPath("/cpu.x"), "/_cpu.x");
  assert.equal(partitionPath("/a/b.c"), "/a.partition/b.c");
});

Deno.test("cgroup v1: machine and thread groups, tasks, shares, bandwidth, cpuacct, removal", async () => {
  await withDir(async (base) => {
    const mounts = fakeV1Mounts(base);
    await fakeV1Group(base, "", { "cpuset.cpus": "0-1", "cpuset.mems": "0" });
    await fakeV1Group(base, "/machine/qemu-1-vm.libvirt-qemu", {
      "cpuacct.usage": "5000",
      "cpuacct.stat": "user 3\nsystem 1",
      "cpuacct.usage_percpu": "3000 2000 ",
    });
    await fakeV1Group(base, "/machine/qemu-1-vm.libvirt-qemu/vcpu0");
    const g = await Cgroup.newMachine(mounts, "/machine", "qemu", "qemu-1-vm", 4242);
    assert.equal(g.path, "/machine/qemu-1-vm.libvirt-qemu");
    for (const c of ["cpu", "cpuacct", "cpuset", "memory"]) {
      assert.equal(await Deno.readTextFile(`${base}/${c}${g.path}/cgroup.procs`), "4242");
    }

    const vcpu = await g.newThread("vcpu", 0, false);
    await vcpu.addThread(4250);
    assert.equal(await Deno.readTextFile(`${base}/cpu${g.path}/vcpu0/tasks`), "4250");
    assert.equal(vcpu.has("memory"), false, "thread groups hold cpu, cpuacct and cpuset only");
    // A thread group that does not exist is not made without `create`.
    await assert.rejects(
      g.newThread("vcpu", 1, false),
      libvirtError(
        38,
        54,
        "Failed to create v1 controller cpu for group: No such file or directory",
      ),
    );

    await g.setCpuShares(2048);
    assert.equal(await g.getCpuShares(), 2048);
    await assert.rejects(
      g.setCpuShares(1),
      libvirtError(8, 54, "invalid argument: shares '1' must be in range [2, 262144]"),
    );
    await g.setupCpuPeriodQuota(50000, 20000);
    assert.deepEqual(await g.getCpuPeriodQuota(), { period: 50000, quota: 20000 });
    await assert.rejects(
      g.setupCpuPeriodQuota(0, 10),
      libvirtError(
        8,
        54,
        "invalid argument: cfs_quota '10' must be in range (1000, 17592186044415)",
      ),
    );
    assert.equal(await g.cpuacctUsage(), 5000);
    assert.deepEqual(await g.cpuacctStat(), { user: 30000000, system: 10000000 });
    assert.equal(await g.cpuacctPercpuUsage(), "3000 2000 ");

    await g.setMemoryLimit("hard", 1024);
    assert.equal(
      await Deno.readTextFile(`${base}/memory${g.path}/memory.limit_in_bytes`),
      "1048576",
    );
    assert.equal(await g.getMemoryLimit("hard"), 1024);
    await g.setMemoryLimit("hard", 9007199254740991);
    await Deno.writeTextFile(
      `${base}/memory${g.path}/memory.limit_in_bytes`,
      "9223372036854771712",
    );
    assert.equal(await g.getMemoryLimit("hard"), 9007199254740991, "the root's limit is none");

    await g.remove();
    for (const c of ["cpu", "cpuacct", "cpuset", "memory"]) {
      await assert.rejects(Deno.stat(`${base}/${c}${g.path}`), Deno.errors.NotFound);
      await Deno.stat(`${base}/${c}/machine`);
    }
  });
});

Deno.test("cgroup: a partition other than /machine must exist; one must be absolute", async () => {
  await withDir(async (base) => {
    await fakeV1Group(base, "");
    await assert.rejects(
      Cgroup.newMachine(fakeV1Mounts(base), "/web", "qemu", "qemu-1-vm", 1),
      libvirtError(
        38,
        54,
        "Failed to create v1 controller cpu for group: No such file or directory",
      ),
    );
    await assert.rejects(
      Cgroup.newPartition(fakeV1Mounts(base), "web"),
      libvirtError(1, 54, "internal error: Partition path 'web' must start with '/'"),
    );
  });
});

Deno.test("cgroup v2: cpu.weight, cpu.max (libvirt 9.0's period message), cpu.stat, no per-CPU usage", async () => {
  await withDir(async (base) => {
    const group = `${base}/machine/qemu-1-vm.libvirt-qemu`;
    await Deno.mkdir(group, { recursive: true });
    await Deno.writeTextFile(`${base}/cgroup.controllers`, "cpuset cpu io memory pids");
    await Deno.writeTextFile(`${base}/machine/cgroup.subtree_control`, "");
    const files: Record<string, string> = {
      "cpu.weight": "100",
      "cpu.max": "max 100000",
      "cpu.stat": "usage_usec 7\nuser_usec 5\nsystem_usec 2\n",
      "cgroup.procs": "",
      "cgroup.subtree_control": "",
    };
    for (const [n, v] of Object.entries(files)) await Deno.writeTextFile(`${group}/${n}`, v);
    const g = await Cgroup.newMachine({ v1: {}, v2: base }, "/machine", "qemu", "qemu-1-vm", 9);
    assert.equal(await Deno.readTextFile(`${group}/cgroup.procs`), "9");
    assert.ok(g.has("cpuacct"), "v2 accounts CPU time with the cpu controller");
    assert.equal(g.has("freezer"), false);
    await g.setCpuShares(300);
    assert.equal(await Deno.readTextFile(`${group}/cpu.weight`), "300");
    assert.deepEqual(await g.getCpuPeriodQuota(), { period: 100000, quota: 17592186044415 });
    await g.setupCpuPeriodQuota(20000, 0);
    assert.equal(await Deno.readTextFile(`${group}/cpu.max`), "max 20000");
    await assert.rejects(
      g.setupCpuPeriodQuota(10, 0),
      libvirtError(8, 54, "invalid argument: cfs_period '1000' must be in range (1000000, 10)"),
    );
    assert.equal(await g.cpuacctUsage(), 7000);
    assert.deepEqual(await g.cpuacctStat(), { user: 5000, system: 2000 });
    await assert.rejects(
      g.cpuacctPercpuUsage(),
      libvirtError(
        84,
        54,
        "Operation not supported: operation 'getCpuacctPercpuUsage' not supported for backend 'cgroup V2'",
      ),
    );
    await g.remove();
    await assert.rejects(Deno.stat(group), Deno.errors.NotFound);
  });
});

Deno.test("cgroup hybrid host: the unified hierarchy counts CPU time, v1 holds the rest (as libvirt)", async () => {
  await withDir(async (base) => {
    await fakeV1Group(base, "");
    await Deno.mkdir(`${base}/unified`);
    // A unified hierarchy offering only hugetlb, as on this machine: libvirt still takes it.
    await Deno.writeTextFile(`${base}/unified/cgroup.controllers`, "hugetlb\n");
    const mounts = { ...fakeV1Mounts(base), v2: `${base}/unified` };
    const [v2, v1] = cgroupBackends(mounts);
    assert.equal(v2.type, "cgroup V2");
    assert.deepEqual([...v2.controllers], ["cpuacct", "devices"]);
    assert.deepEqual([...v1.controllers], ["cpu", "cpuset", "memory"]);
    // An empty unified hierarchy (systemd's process tracking) is no backend.
    await Deno.writeTextFile(`${base}/unified/cgroup.controllers`, "");
    assert.deepEqual(cgroupBackends(mounts).map((b) => b.type), ["cgroup V1"]);
  });
});

const loop0 = (() => {
  try {
    return Deno.statSync("/dev/loop0").isBlockDevice;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "cgroup blkio: per-device limits by major:minor in v1 throttle files and v2 io.max",
  ignore: !loop0,
  fn: async () => {
    await withDir(async (base) => {
      const dev = blockDevString("/dev/loop0");
      assert.match(dev, /^7:\d+ $/);
      assert.throws(
        () => blockDevString(base),
        libvirtError(38, 54, `Path '${base}' must be a block device: Invalid argument`),
      );
      // v1: the throttle file takes "major:minor value"; no weight file without CFQ.
      const v1 = `${base}/blkio/machine/vm.libvirt-qemu`;
      await Deno.mkdir(v1, { recursive: true });
      await Deno.writeTextFile(`${base}/blkio/cgroup.procs`, "");
      for (const f of ["cgroup.procs", "blkio.throttle.read_iops_device"]) {
        await Deno.writeTextFile(`${v1}/${f}`, "");
      }
      const g1 = await Cgroup.newMachine(
        { v1: { blkio: `${base}/blkio` } },
        "/machine",
        "qemu",
        "vm",
        1,
      );
      assert.equal(await g1.setupBlkioDevice("read_iops_sec", "/dev/loop0", 100), 100);
      assert.equal(await Deno.readTextFile(`${v1}/blkio.throttle.read_iops_device`), `${dev}100`);
      await assert.rejects(
        g1.setupBlkioDevice("weight", "/dev/loop0", 100),
        libvirtError(
          55,
          54,
          "Requested operation is not valid: blkio device weight is valid only for cfq scheduler",
        ),
      );
      await assert.rejects(
        g1.getBlkioWeight(),
        libvirtError(
          55,
          54,
          "Requested operation is not valid: blkio device weight is valid only for bfq or cfq scheduler",
        ),
      );

      // v2: io.max lines carry every limit, "max" for none.
      const v2 = `${base}/unified/machine/vm.libvirt-qemu`;
      await Deno.mkdir(v2, { recursive: true });
      await Deno.writeTextFile(`${base}/unified/cgroup.controllers`, "io");
      await Deno.writeTextFile(`${base}/unified/machine/cgroup.subtree_control`, "");
      for (const f of ["cgroup.procs", "io.max", "cgroup.subtree_control"]) {
        await Deno.writeTextFile(`${v2}/${f}`, "");
      }
      const g2 = await Cgroup.newMachine(
        { v1: {}, v2: `${base}/unified` },
        "/machine",
        "qemu",
        "vm",
        1,
      );
      await g2.setupBlkioDevice("write_bytes_sec", "/dev/loop0", 0);
      assert.equal(await Deno.readTextFile(`${v2}/io.max`), `${dev}wbps=max`);
      await Deno.writeTextFile(`${v2}/io.max`, `${dev}rbps=max wbps=4096 riops=max wiops=max\n`);
      assert.equal(await g2.setupBlkioDevice("write_bytes_sec", "/dev/loop0", 4096), 4096);
      await Deno.writeTextFile(`${v2}/io.max`, `${dev}rbps=max wbps=max riops=max wiops=max\n`);
      assert.equal(await g2.setupBlkioDevice("read_iops_sec", "/dev/loop0", 0), 0);
    });
  },
});
