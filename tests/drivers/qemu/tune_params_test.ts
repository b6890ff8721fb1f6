// Perf events and NUMA parameters of the QEMU driver against a fake QEMU, as libvirt 9.0's
// qemuDomainGet/SetPerfEvents and qemuDomainGet/SetNumaParameters answer them: the
// definitions' <perf> and <numatune>, the live refusals (no perf_event_open here; NUMA tuning
// not in session mode) with libvirt's errors.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { error, setup } from "./fake_qmp/block_harness.ts";

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
