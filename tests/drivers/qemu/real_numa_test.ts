// Real QEMU 7.2 (TCG) on qemu:///system with the host's cgroup hierarchies under a temporary
// root: the "memnode-restrictive" case of fixtures/numa_cases.json (two guest NUMA cells, the
// domain's memory interleaved on node 0, cell 1 restrictive on node 0) starts, a vCPU of cell 1
// and an IOThread are plugged. QEMU must hold the cells' backends with libvirt's bindings
// (query-memdev) and the vCPUs in their cells (query-hotpluggable-cpus); each thread must sit in
// its group, whose cpuset.mems the kernel reads back, with the machine group's memory_migrate on.
// A node the host lacks is refused with libvirt's error. Needs QEMU, root and the v1 cpuset
// controller: without them it is ignored on a developer machine but FAILS in CI.
import assert from "node:assert/strict";
import { hostCgroupMounts } from "../../../util/cgroup/mod.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import { haveQemu } from "./real_qemu.ts";
import { numaCases, numaDomainXml } from "./numa_cases.ts";
import { withSystemDriverInTempRoot } from "./temp_cgroup_root.ts";

const host = hostCgroupMounts();
const usable = Deno.uid() === 0 && !!host?.v1.cpuset;
const LIVE = VIR.DOMAIN_AFFECT_LIVE;
const CASE = numaCases.find((c) => c.name === "memnode-restrictive")!;

/** The group of thread `tid` of `pid` in the cpuset hierarchy, below `root`. */
async function cpusetGroupOf(pid: number, tid: number, root: string): Promise<string> {
  const text = await Deno.readTextFile(`/proc/${pid}/task/${tid}/cgroup`);
  const line = text.split("\n").find((l) => /^\d+:([^:]*,)?cpuset(,[^:]*)?:/.test(l))!;
  return line.replace(/^.*?:.*?:/, "").slice(root.length);
}

/** A node id past the host's last one. */
function missingNode(): number {
  const ids = [...Deno.readDirSync("/sys/devices/system/node")]
    .flatMap((e) => e.name.match(/^node(\d+)$/)?.[1] ?? []).map(Number);
  return Math.max(-1, ...ids) + 1;
}

Deno.test({
  name: "real QEMU on qemu:///system: guest NUMA cells, their bindings and cpuset.mems",
  // Ignored (never passed) without QEMU, root or the cpuset controller, except in CI.
  ignore: !(haveQemu && usable) && !Deno.env.get("CI"),
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    assert.ok(haveQemu && usable, "CI runs QEMU as root with the v1 cpuset controller");
    await withSystemDriverInTempRoot(host!, "ev-qemu-numa-", async ({ conn, launcher, root }) => {
      const dom = await conn.domainCreateXML!(numaDomainXml(CASE), 0);
      const proc = launcher.procs[0];
      const machine = `/machine/qemu-1-numa-${CASE.name}.libvirt-qemu`;
      const cpusetDir = `${host!.v1.cpuset}${root}${machine}`;
      const hostMems = (await Deno.readTextFile(`${host!.v1.cpuset}/cpuset.mems`)).trim();

      const memdevs = await proc.monitor.run<
        { id: string; size: number; policy: string; "host-nodes": number[] }[]
      >("query-memdev");
      assert.deepEqual(
        memdevs.map((m) => [m.id, m.size, m.policy, m["host-nodes"]]).sort(),
        [["ram-node0", 67108864, "interleave", [0]], ["ram-node1", 67108864, "default", []]],
      );
      const cpus = await proc.monitor.run<{ props: { "socket-id": number; "node-id": number } }[]>(
        "query-hotpluggable-cpus",
      );
      assert.deepEqual(
        cpus.map((c) => [c.props["socket-id"], c.props["node-id"]]).sort(),
        [[0, 0], [1, 1]],
      );

      await conn.domainSetVcpusFlags!(dom, 2, LIVE);
      await conn.domainAddIOThread!(dom, 2, LIVE);
      const vcpus = await proc.monitor.run<{ "cpu-index": number; "thread-id": number }[]>(
        "query-cpus-fast",
      );
      const iothreads = await proc.monitor.run<{ id: string; "thread-id": number }[]>(
        "query-iothreads",
      );
      const groups = Object.fromEntries(
        await Promise.all([
          ["emulator", proc.pid] as const,
          ...vcpus.map((v) => [`vcpu${v["cpu-index"]}`, v["thread-id"]] as const),
          ...iothreads.map((t) => [t.id, t["thread-id"]] as const),
        ].map(async ([name, tid]) => [name, await cpusetGroupOf(proc.pid, tid, root)])),
      );
      assert.deepEqual(groups, {
        emulator: `${machine}/emulator`,
        vcpu0: `${machine}/vcpu0`,
        vcpu1: `${machine}/vcpu1`,
        iothread1: `${machine}/iothread1`,
        iothread2: `${machine}/iothread2`,
      });
      // Only cell 1's vCPU is bound (to node 0): the others keep the nodes they inherited,
      // which on a one-node host read the same.
      const mems = async (g: string) =>
        (await Deno.readTextFile(`${cpusetDir}/${g}/cpuset.mems`)).trim();
      assert.equal(await mems("vcpu1"), "0");
      for (const g of ["emulator", "vcpu0", "iothread1", "iothread2"]) {
        assert.equal(await mems(g), hostMems, g);
      }
      assert.equal(
        (await Deno.readTextFile(`${cpusetDir}/cpuset.memory_migrate`)).trim(),
        "1",
      );
      await conn.domainDestroyFlags!(dom, 0);

      const node = missingNode();
      await assert.rejects(
        () =>
          conn.domainCreateXML!(
            numaDomainXml({
              name: "missing",
              numatune: `<numatune><memory mode='strict' nodeset='${node}'/></numatune>`,
            }),
            0,
          ),
        (e: unknown) =>
          e instanceof VirError && e.code === VIR.ERR_CONFIG_UNSUPPORTED && e.domain === 0 &&
          e.message === `unsupported configuration: NUMA node ${node} is unavailable`,
      );
      assert.equal(launcher.procs.length, 1, "no QEMU was started for the refused domain");
    });
  },
});
