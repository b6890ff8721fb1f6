// Perf events and NUMA parameters of the QEMU driver against a fake QEMU, as libvirt 9.0's
// qemuDomainGet/SetPerfEvents and qemuDomainGet/SetNumaParameters answer them: the
// definitions' <perf> and <numatune>, the live refusals (no perf_event_open here; NUMA tuning
// not in session mode) with libvirt's errors.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { error, setup } from "./fake_qmp/block_harness.ts";
import { FakeLauncher } from "../../../drivers/qemu/testing/mod.ts";
import { fakeV1Group, fakeV1Mounts } from "../../util/fake_cgroup_tree.ts";
import { withQemuConn } from "./with_conn.ts";

const E = VIR;
const LIVE = E.DOMAIN_AFFECT_LIVE;
const CONFIG = E.DOMAIN_AFFECT_CONFIG;

Deno.test("perf: config marks saved and read back; live counts nothing and refuses to start", async () => {
  const t = await setup();
  try {
    await t.conn.domainSetPerfEvents!(t.dom, { cpu_cycles: true, cmt: false }, CONFIG);
    assert.match(
      Deno.readTextFileSync(`${t.dir}/config/hp.xml`),
      /<perf>\s*<event name='cmt' enabled='no'\/>\s*<event name='cpu_cycles' enabled='yes'\/>/,
    );
    const config = await t.conn.domainGetPerfEvents!(t.dom, CONFIG);
    assert.equal(config.cpu_cycles, true);
    assert.equal(Object.keys(config).length, 22);
    const live = await t.conn.domainGetPerfEvents!(t.dom, 0);
    assert.equal(Object.values(live).some(Boolean), false);
    const on = await error(t.conn.domainSetPerfEvents!(t.dom, { cpu_cycles: true }, LIVE));
    assert.deepEqual([on.code, on.domain, on.message], [
      E.ERR_SYSTEM_ERROR,
      E.FROM_PERF,
      "Perf not supported on this platform: No such device or address",
    ]);
    await t.conn.domainSetPerfEvents!(t.dom, { cpu_cycles: false }, LIVE);
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, 0),
      /<event name='cpu_cycles' enabled='no'\/>/,
    );
    const bad = await error(t.conn.domainSetPerfEvents!(t.dom, { nope: true }, CONFIG));
    assert.equal(bad.code, E.ERR_ARGUMENT_UNSUPPORTED);
    const flags = await error(t.conn.domainGetPerfEvents!(t.dom, 8));
    assert.equal(flags.message, "unsupported flags (0x8) in function qemuDomainGetPerfEvents");
  } finally {
    await t.close();
  }
});

Deno.test("numatune on qemu:///session: config written and read back; live refused as libvirt", async () => {
  const t = await setup();
  try {
    assert.deepEqual(await t.conn.domainGetNumaParameters!(t.dom, 0), {
      numa_mode: 0,
      numa_nodeset: "",
    });
    await t.conn.domainSetNumaParameters!(t.dom, { numa_mode: 3, numa_nodeset: "0" }, CONFIG);
    assert.match(
      Deno.readTextFileSync(`${t.dir}/config/hp.xml`),
      /<numatune>\s*<memory mode='restrictive' nodeset='0'\/>/,
    );
    assert.deepEqual(await t.conn.domainGetNumaParameters!(t.dom, CONFIG), {
      numa_mode: 3,
      numa_nodeset: "0",
    });
    const live = await error(t.conn.domainSetNumaParameters!(t.dom, { numa_nodeset: "0" }, LIVE));
    assert.deepEqual([live.code, live.message], [
      E.ERR_OPERATION_UNSUPPORTED,
      "Operation not supported: NUMA tuning is not available in session mode",
    ]);
    const mode = await error(t.conn.domainSetNumaParameters!(t.dom, { numa_mode: 9 }, CONFIG));
    assert.deepEqual([mode.code, mode.message], [
      E.ERR_INVALID_ARG,
      "invalid argument: unsupported numatune mode: '9'",
    ]);
    const flags = await error(t.conn.domainGetNumaParameters!(t.dom, 8));
    assert.equal(flags.message, "unsupported flags (0x8) in function qemuDomainGetNumaParameters");
  } finally {
    await t.close();
  }
});

Deno.test({
  name: "numatune on qemu:///system: a restrictive domain's nodes move in cpuset.mems",
  ignore: Deno.uid() !== 0,
  fn: async () => {
    const base = await Deno.makeTempDir({ prefix: "ev-numa-tree-" });
    const machine = "/machine/qemu-1-vm.libvirt-qemu";
    // The groups of the two domains the test starts (ids 1 and 2), as the kernel makes them.
    const groups = [1, 2].flatMap((id) => {
      const m = `/machine/qemu-${id}-vm.libvirt-qemu`;
      return [m, `${m}/emulator`, `${m}/vcpu0`, `${m}/iothread1`];
    });
    for (const g of ["", "/machine", ...groups]) {
      await fakeV1Group(base, g, { "cpuset.mems": "0", "cpuset.cpus": "0" });
    }
    await withQemuConn(
      { launcher: new FakeLauncher(), cgroups: fakeV1Mounts(base), uri: "qemu:///system" },
      async (conn) => {
        const xml = (mode: string) =>
          `<domain type='qemu'><name>vm</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
<iothreads>1</iothreads><numatune><memory mode='${mode}' nodeset='0'/></numatune>
<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>`;
        const dom = await conn.domainCreateXML!(xml("restrictive"), 0);
        const mems = (g: string) => Deno.readTextFile(`${base}/cpuset${machine}/${g}/cpuset.mems`);
        const threads = ["emulator", "vcpu0", "iothread1"];
        for (const g of threads) {
          await Deno.writeTextFile(`${base}/cpuset${machine}/${g}/cpuset.mems`, "");
        }
        await conn.domainSetNumaParameters!(dom, { numa_nodeset: "0" }, LIVE);
        assert.deepEqual(await Promise.all(threads.map(mems)), ["0", "0", "0"]);
        const gone = await error(
          conn.domainSetNumaParameters!(dom, { numa_nodeset: "4095" }, LIVE),
        );
        assert.deepEqual([gone.code, gone.message], [
          E.ERR_CONFIG_UNSUPPORTED,
          "unsupported configuration: NUMA node 4095 is unavailable",
        ]);
        const modeChange = await error(conn.domainSetNumaParameters!(dom, { numa_mode: 0 }, LIVE));
        assert.equal(
          modeChange.message,
          "Requested operation is not valid: can't change numatune mode for running domain",
        );
        await conn.domainDestroyFlags!(dom, 0);
        const strict = await conn.domainCreateXML!(xml("strict"), 0);
        const moved = await error(
          conn.domainSetNumaParameters!(strict, { numa_nodeset: "0" }, LIVE),
        );
        assert.equal(
          moved.message,
          "Requested operation is not valid: change of nodeset for running domain requires " +
            "restrictive numa mode",
        );
        await conn.domainDestroyFlags!(strict, 0);
      },
    );
    await Deno.remove(base, { recursive: true });
  },
});
