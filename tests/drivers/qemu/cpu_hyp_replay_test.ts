// The QEMU driver's hypervisor CPU calls and the host-model CPU of its domain capabilities,
// replayed against libvirt 9.0's answers (fixtures/cpu_hyp/, recorded by
// tests/tools/record_cpu_hyp.py on qemu:///session with QEMU 7.2, TCG), on QEMU's recorded
// QMP answers (cpu_hyp_replay.ts). Calls go through the public
// API's checks (client/handle.ts callDriver), as python-libvirt's went through libvirt's.
import assert from "node:assert/strict";
import { callDriver } from "../../../client/handle.ts";
import { callInfo, checkCall } from "../../../util/contract/mod.ts";
import { VirError } from "../../../util/errors.ts";
import { VIR } from "../../../util/constants.ts";
import { answer, differing, type Recorded } from "../../conf/cpu/recorded.ts";
import { fixture, FIXTURES, RECORDED_QEMU, withReplay } from "./cpu_hyp_replay.ts";

type Sel = [string | null, string | null, string | null, string | null];

/** The recorded cases with the fake binary in place of the recorded one. */
function localized<T extends Recorded & { sel: Sel }>(file: string, qemu: string): T[] {
  return fixture<T[]>(file).map((c) => ({
    ...c,
    sel: c.sel.map((s) => s === RECORDED_QEMU ? qemu : s) as Sel,
    ...(c.error &&
      { error: { ...c.error, message: c.error.message.replaceAll(RECORDED_QEMU, qemu) } }),
  }));
}

const cpuMode = (xml: string, name: string) =>
  xml.match(new RegExp(`<mode name='${name}'[\\s\\S]*?</mode>`))?.[0];

Deno.test("domcapabilities: libvirt 9.0's host-model CPU and custom models from QEMU's answers", () =>
  withReplay(async (conn) => {
    const want = Deno.readTextFileSync(new URL("domcaps.xml", FIXTURES));
    const xml = await conn.connectGetDomainCapabilities!(null, null, null, "qemu", 0);
    for (const mode of ["host-passthrough", "maximum", "host-model", "custom"]) {
      assert.ok(cpuMode(want, mode), mode);
      assert.equal(cpuMode(xml, mode), cpuMode(want, mode), mode);
    }
  }));

Deno.test("compareHypervisorCPU: libvirt 9.0's answers to generated CPUs", () =>
  withReplay(async (conn, qemu) => {
    const cases = localized<Recorded & { sel: Sel; xml: string; flags: number }>(
      "compare.json",
      qemu,
    );
    assert.ok(cases.length > 400);
    const wrong = await differing(
      cases,
      (c) =>
        callDriver(
          { driver: conn, readonly: false },
          "connectCompareHypervisorCPU",
          ...c.sel,
          c.xml,
          c.flags,
        ),
    );
    assert.deepEqual(wrong, []);
  }));

Deno.test("baselineHypervisorCPU: libvirt 9.0's answers to generated CPU sets", () =>
  withReplay(async (conn, qemu) => {
    const cases = localized<Recorded & { sel: Sel; xmls: string[]; flags: number }>(
      "baseline.json",
      qemu,
    );
    assert.ok(cases.length > 150);
    const wrong = await differing(
      cases,
      (c) =>
        callDriver(
          { driver: conn, readonly: false },
          "connectBaselineHypervisorCPU",
          ...c.sel,
          // libvirtd receives an empty list as NULL (the gateway's wire check does the same).
          (c.xmls.length ? c.xmls : null) as string[],
          c.flags,
        ),
    );
    assert.deepEqual(wrong, []);
  }));

Deno.test("baselineHypervisorCPU: an empty CPU list crossing the wire fails as libvirtd's NULL check", () => {
  const want = fixture<(Recorded & { xmls: string[] })[]>("baseline.json")
    .find((c) => c.xmls.length === 0)!;
  const args = [null, null, null, null, [], 0];
  const info = callInfo("connectBaselineHypervisorCPU");
  // In process there is no wire: the driver's own check answers (see the replay above).
  checkCall(info, args, {});
  assert.throws(() => checkCall(info, args, { wire: true }), (e: unknown) => {
    assert.ok(e instanceof VirError);
    assert.deepEqual([e.code, e.domain, e.message], [
      want.error!.code,
      want.error!.domain,
      want.error!.message,
    ]);
    return true;
  });
});

Deno.test("host-model, maximum, host-passthrough domains start (or not) as libvirt 9.0's", () =>
  withReplay(async (conn, qemu, launcher) => {
    const cases = fixture<(Recorded & {
      mode: string;
      xml: string;
      liveCpu?: string;
      inactiveCpu?: string;
      cpuArg?: string;
    })[]>("cpu_mode_start.json");
    assert.equal(cases.length, 3);
    const cpuOf = (xml: string) => xml.match(/<cpu.*?(\/>|<\/cpu>)/s)?.[0];
    for (const c of cases) {
      const xml = c.xml.replace("<devices>", `<devices><emulator>${qemu}</emulator>`);
      const dom = await conn.domainDefineXMLFlags!(xml, 0);
      const started = await answer(() => conn.domainCreateWithFlags!(dom, 0));
      if (c.error) {
        assert.deepEqual(started, { error: c.error }, c.mode);
      } else {
        assert.equal(cpuOf(await conn.domainGetXMLDesc!(dom, 0)), c.liveCpu, c.mode);
        const argv = launcher.launches.at(-1)!;
        assert.equal(argv[argv.indexOf("-cpu") + 1], c.cpuArg, c.mode);
        const inactive = await conn.domainGetXMLDesc!(dom, VIR.DOMAIN_XML_INACTIVE);
        assert.equal(cpuOf(inactive), c.inactiveCpu, c.mode);
        await conn.domainDestroyFlags!(dom, 0);
      }
      await conn.domainUndefineFlags!(dom, 0);
    }
  }));
