// qemu:///system with a fake QEMU and a fake cgroup v1 tree: the vCPU threads' ids land in
// their groups' tasks, getCPUStats sums the files as virCgroupGetPercpuStats does, schedinfo
// writes cpu.shares and <cputune> with libvirt's errors, and destroy removes the machine group;
// qemu:///session refuses CPU, memory and block I/O tuning as libvirt's session daemon does.
import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { FakeLauncher } from "../../../drivers/qemu/testing/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import { cpuList, readHostFile } from "../../../util/host_info.ts";
import { fakeV1Group, fakeV1Mounts } from "../../util/fake_cgroup_tree.ts";
import { rejectsWith } from "./rejects_with.ts";
import { withQemuConn } from "./with_conn.ts";

const XML = `<domain type='qemu'><name>vm</name><memory unit='MiB'>64</memory>
<vcpu placement='static'>2</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os></domain>`;
const MACHINE = "/machine/qemu-1-vm.libvirt-qemu";
const HOST_CPUS = Math.max(...cpuList(readHostFile("/sys/devices/system/cpu/present"))) + 1;

Deno.test({
  name: "qemu:///system on a fake cgroup tree: placement, cpu stats, schedinfo, removal",
  ignore: Deno.uid() !== 0,
  fn: async () => {
    const base = await Deno.makeTempDir({ prefix: "ev-cg-tree-" });
    const dir = await Deno.makeTempDir({ prefix: "ev-qemu-cg-" });
    const percpu = (n: number) =>
      Array.from({ length: HOST_CPUS }, (_, i) => n * (i + 1)).join(" ");
    await fakeV1Group(base, "");
    await fakeV1Group(base, MACHINE, {
      "cpuacct.usage": "9000",
      "cpuacct.stat": "user 2\nsystem 1",
      "cpuacct.usage_percpu": percpu(100),
    });
    for (const g of ["emulator", "vcpu0", "vcpu1"]) {
      await fakeV1Group(base, `${MACHINE}/${g}`, { "cpuacct.usage_percpu": percpu(10) });
    }
    const launcher = new FakeLauncher();
    const conn = await qemuConnectDriver.open(new URL("qemu:///system"), {
      stateDir: dir,
      launcher,
      cgroups: fakeV1Mounts(base),
    }) as DriverConnection;
    try {
      const dom = await conn.domainCreateXML!(XML, 0);
      const [pid] = launcher.instances.keys();
      const tasks = (g: string) => Deno.readTextFile(`${base}/cpu${MACHINE}/${g}/tasks`);
      assert.equal(await tasks("emulator"), String(pid));
      const tids = [await tasks("vcpu0"), await tasks("vcpu1")];
      assert.ok(tids.every((t) => Number(t) > 0 && t !== String(pid)), `vCPU tids ${tids}`);

      assert.deepEqual(await conn.domainGetCPUStats!(dom, -1, 1, 0), [
        { cpu_time: 9000, user_time: 20000000, system_time: 10000000 },
      ]);
      const per = await conn.domainGetCPUStats!(dom, 0, HOST_CPUS, 0);
      assert.deepEqual(
        per,
        Array.from({ length: HOST_CPUS }, (_, i) => ({
          cpu_time: 100 * (i + 1),
          vcpu_time: 2 * 10 * (i + 1),
        })),
      );
      // domstats reads the same cgroup (qemuDomainGetStatsCpuCgroup).
      const [rec] = await conn.connectGetAllDomainStats!(VIR.DOMAIN_STATS_CPU_TOTAL, 0);
      assert.deepEqual(
        [rec.params["cpu.time"], rec.params["cpu.user"], rec.params["cpu.system"]],
        [9000, 20000000, 10000000],
      );
      await rejectsWith(
        () => conn.domainGetCPUStats!(dom, HOST_CPUS, 1, 0),
        "VIR_ERR_INVALID_ARG",
        `invalid argument: start_cpu ${HOST_CPUS} larger than maximum of ${HOST_CPUS - 1}`,
      );

      await conn.domainSetSchedulerParametersFlags!(dom, { cpu_shares: 300 }, 0);
      assert.equal(await Deno.readTextFile(`${base}/cpu${MACHINE}/cpu.shares`), "300");
      assert.match(await conn.domainGetXMLDesc!(dom, 0), /<cputune>\s*<shares>300<\/shares>/);
      await rejectsWith(
        () => conn.domainSetSchedulerParametersFlags!(dom, { cpu_shares: 1 }, 0),
        "VIR_ERR_INVALID_ARG",
        "invalid argument: shares '1' must be in range [2, 262144]",
      );
      await rejectsWith(
        () => conn.domainSetSchedulerParametersFlags!(dom, { vcpu_period: 10 }, 0),
        "VIR_ERR_INVALID_ARG",
        "invalid argument: value of 'vcpu_period' is out of range [1000, 1000000]",
      );
      await rejectsWith(
        () => conn.domainSetSchedulerParametersFlags!(dom, { weight: 10 }, 0),
        "VIR_ERR_ARGUMENT_UNSUPPORTED",
        "argument unsupported: parameter 'weight' not supported",
      );
      await conn.domainSetSchedulerParametersFlags!(dom, { emulator_quota: 20000 }, 0);
      assert.equal(
        await Deno.readTextFile(`${base}/cpu${MACHINE}/emulator/cpu.cfs_quota_us`),
        "20000",
      );
      const sched = await conn.domainGetSchedulerParametersFlags!(dom, 0);
      assert.equal(sched.cpu_shares, 300);
      assert.equal(sched.emulator_quota, 20000);
      assert.equal(sched.vcpu_period, 100000);

      await conn.domainDestroyFlags!(dom, 0);
      await assert.rejects(Deno.stat(`${base}/cpu${MACHINE}`), Deno.errors.NotFound);
      await Deno.stat(`${base}/cpu/machine`);
    } finally {
      await conn.connectClose();
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(base, { recursive: true });
    }
  },
});

Deno.test("qemu:///session: no cgroups, so tuning and CPU stats are refused as libvirt's", async () => {
  await withQemuConn({ launcher: new FakeLauncher() }, async (conn) => {
    const dom = await conn.domainCreateXML!(XML, 0);
    await rejectsWith(
      () => conn.domainGetSchedulerType!(dom),
      "VIR_ERR_OPERATION_UNSUPPORTED",
      "Operation not supported: CPU tuning is not available in session mode",
    );
    await rejectsWith(
      () => conn.domainGetSchedulerParametersFlags!(dom, 0),
      "VIR_ERR_CONFIG_UNSUPPORTED",
      "unsupported configuration: CPU tuning is not available in session mode",
    );
    await rejectsWith(
      () =>
        conn.domainSetSchedulerParametersFlags!(dom, { cpu_shares: 10 }, VIR.DOMAIN_AFFECT_LIVE),
      "VIR_ERR_CONFIG_UNSUPPORTED",
      "unsupported configuration: CPU tuning is not available in session mode",
    );
    await rejectsWith(
      () => conn.domainGetMemoryParameters!(dom, 0),
      "VIR_ERR_OPERATION_UNSUPPORTED",
      "Operation not supported: Memory tuning is not available in session mode",
    );
    await rejectsWith(
      () => conn.domainSetBlkioParameters!(dom, { weight: 100 }, 0),
      "VIR_ERR_CONFIG_UNSUPPORTED",
      "unsupported configuration: Block I/O tuning is not available in session mode",
    );
    await rejectsWith(
      () => conn.domainGetCPUStats!(dom, 0, 1, 0),
      "VIR_ERR_OPERATION_INVALID",
      "Requested operation is not valid: cgroup CPUACCT controller is not mounted",
    );
  });
});
