// virDomainGetMessages of the QEMU driver (libvirt 9.0's qemuDomainGetMessages,
// virDomainObjGetMessages, qemuDomainObjCheckTaint): the taints and deprecation warnings a
// start records, as QEMU's own deprecated flags say (the fake QEMU's pc-i440fx-1.4 is
// deprecated, as in QEMU 7.2), the flags that choose between them, and their end with QEMU.
// Then the rules of qemuDomainObjCheckCPUTaint on capabilities given as data.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { error, setup, XML } from "./fake_qmp/block_harness.ts";
import { checkStartTaints, domainMessages, type Taints } from "../../../drivers/qemu/taint.ts";
import type { EmulatorCaps } from "../../../drivers/qemu/api/host_caps_cache.ts";
import type { DomainDef } from "../../../conf/domain/def.ts";
import { parse } from "../../../util/xml/mod.ts";

const E = VIR;

Deno.test("messages: a deprecated machine taints the running domain; flags choose; gone with QEMU", async () => {
  const t = await setup({ xml: XML.replace("machine='pc'", "machine='pc-i440fx-1.4'") });
  try {
    assert.deepEqual(await t.conn.domainGetMessages!(t.dom, 0), [
      "tainted: use of deprecated configuration settings",
      "deprecated configuration: machine type 'pc-i440fx-1.4'",
    ]);
    assert.deepEqual(await t.conn.domainGetMessages!(t.dom, E.DOMAIN_MESSAGE_TAINTING), [
      "tainted: use of deprecated configuration settings",
    ]);
    assert.deepEqual(await t.conn.domainGetMessages!(t.dom, E.DOMAIN_MESSAGE_DEPRECATION), [
      "deprecated configuration: machine type 'pc-i440fx-1.4'",
    ]);
    const e = await error(t.conn.domainGetMessages!(t.dom, 4));
    assert.deepEqual([e.code, e.message], [
      E.ERR_INVALID_ARG,
      "unsupported flags (0x4) in function qemuDomainGetMessages",
    ]);
    // qemuProcessStop clears them; a new start records them afresh, once.
    await t.conn.domainDestroyFlags!(t.dom, 0);
    assert.deepEqual(await t.conn.domainGetMessages!(t.dom, 0), []);
    await t.conn.domainCreateWithFlags!(t.dom, 0);
    assert.equal((await t.conn.domainGetMessages!(t.dom, 0)).length, 2);
  } finally {
    await t.close();
  }
});

Deno.test("messages: a current machine type has none", async () => {
  const t = await setup();
  try {
    assert.deepEqual(await t.conn.domainGetMessages!(t.dom, 0), []);
  } finally {
    await t.close();
  }
});

/** A definition with just what the checks read. */
function def(type: string, machine: string, cpu?: string): DomainDef {
  const cpuDef = cpu ? parse(cpu) : undefined;
  return {
    type,
    os: { type: "hvm", machine, extra: [] },
    cpu: cpuDef && {
      mode: cpuDef.attributes.mode,
      extra: cpuDef.children.filter((c) => c.type === "element"),
    },
  } as unknown as DomainDef;
}

const CAPS = {
  machines: [{ name: "pc-i440fx-7.2" }, { name: "pc-i440fx-1.4", deprecated: true }],
  cpus: {
    tcg: [{ name: "Old", deprecated: true }, { name: "qemu64", deprecated: false }],
    kvm: [{ name: "Old", deprecated: false }],
  },
} as unknown as EmulatorCaps;

Deno.test("start taints: deprecated CPU models per accelerator, host CPU only when incoming, root QEMU", () => {
  const taintsOf = (d: DomainDef, incoming = false, rootQemu = false) => {
    const t: Taints = { taint: 0, deprecations: [] };
    checkStartTaints(t, d, { rootQemu, caps: CAPS, incoming });
    return domainMessages(t, 0);
  };
  assert.deepEqual(taintsOf(def("qemu", "pc-i440fx-7.2", "<cpu><model>Old</model></cpu>")), [
    "tainted: use of deprecated configuration settings",
    "deprecated configuration: CPU model 'Old'",
  ]);
  // The same model is not deprecated under KVM: the accelerator's own answer counts.
  assert.deepEqual(taintsOf(def("kvm", "pc-i440fx-7.2", "<cpu><model>Old</model></cpu>")), []);
  assert.deepEqual(
    taintsOf(def("qemu", "pc-i440fx-1.4", "<cpu mode='custom'><model>Old</model></cpu>")),
    [
      "tainted: use of deprecated configuration settings",
      "deprecated configuration: machine type 'pc-i440fx-1.4'",
      "deprecated configuration: CPU model 'Old'",
    ],
  );
  const passthrough = def("qemu", "pc-i440fx-7.2", "<cpu mode='host-passthrough'/>");
  assert.deepEqual(taintsOf(passthrough), []);
  assert.deepEqual(taintsOf(passthrough, true), [
    "tainted: potentially unsafe use of host CPU passthrough",
  ]);
  assert.deepEqual(taintsOf(def("qemu", "pc-i440fx-7.2", "<cpu mode='maximum'/>"), true), [
    "tainted: potentially unsafe use of host CPU passthrough",
  ]);
  // Taints come in libvirt's order, whatever order they were recorded in.
  assert.deepEqual(taintsOf(passthrough, true, true), [
    "tainted: running with undesirable elevated privileges",
    "tainted: potentially unsafe use of host CPU passthrough",
  ]);
});
