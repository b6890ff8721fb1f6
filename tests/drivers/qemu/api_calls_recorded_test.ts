// The QEMU driver's detach by alias, save/restore by parameters, SSH keys and dirty rate calls
// against libvirt 9.0's answers to the same calls on a domain of the same devices
// (tests/fixtures/qemu_api/calls.json, recorded by tests/tools/record_qemu_api_calls.sh on a
// private qemu:///session libvirtd): every refusal with libvirt's code, domain and message, and
// what the accepted calls leave. The fake QEMU, like the recorded one, has no guest to
// acknowledge an unplug.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import { setup, VDA } from "./fake_qmp/block_harness.ts";

const E = VIR;
const RECORDED = JSON.parse(
  await Deno.readTextFile(new URL("../../fixtures/qemu_api/calls.json", import.meta.url)),
) as { cases: { name: string; ok?: true; result?: unknown; error?: Record<string, unknown> }[] };

const XML = `<domain type='qemu'><name>api</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features><devices>
<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${VDA}'/>
<target dev='vdb' bus='virtio'/><alias name='ua-data'/></disk>
<memballoon model='none'/></devices></domain>`;

/** A call's outcome in the recording's shape. */
async function outcome(call: () => Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await call();
    return { ok: true };
  } catch (e) {
    if (!(e instanceof VirError)) throw e;
    return { error: { code: e.code, domain: e.domain, message: e.message } };
  }
}

Deno.test("detach by alias, save/restore params, SSH keys, dirty rate: libvirt 9.0's answers", async () => {
  const t = await setup({
    xml: XML,
    unplug: "hold",
    disks: [{ id: "ua-data", driver: "virtio-blk-pci" }],
  });
  try {
    const { conn, dom } = t;
    const file = `${t.dir}/x`;
    const xml = (flags = 0) => conn.domainGetXMLDesc!(dom, flags);
    const dirtyFields = async () => {
      for (;;) {
        const [rec] = await conn.connectGetAllDomainStats!(E.DOMAIN_STATS_DIRTYRATE, 0);
        if (rec.params["dirtyrate.calc_status"] === E.DOMAIN_DIRTYRATE_MEASURED) {
          return Object.keys(rec.params);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await conn.domainDestroyFlags!(dom, 0);
    // The recording's steps, in its order: a call's outcome or what a check found.
    const steps: [string, () => Promise<unknown>, "call" | "value"][] = [
      ["dirtyrate-inactive", () => conn.domainStartDirtyRateCalc!(dom, 1, 0), "call"],
      ["sshkeys-get-inactive", () => conn.domainAuthorizedSSHKeysGet!(dom, "root", 0), "call"],
      ["start", () => conn.domainCreateWithFlags!(dom, 0), "value"],
      ["alias-missing", () => conn.domainDetachDeviceAlias!(dom, "nope", 1), "call"],
      ["alias-flags", () => conn.domainDetachDeviceAlias!(dom, "ua-data", 8), "call"],
      ["restore-no-file", () => conn.domainRestoreParams!({}, 0), "call"],
      ["restore-dxml-only", () => conn.domainRestoreParams!({ dxml: XML }, 0), "call"],
      ["save-flags", () => conn.domainSaveParams!(dom, { file }, 0x100), "call"],
      ["sshkeys-get-flags", () => conn.domainAuthorizedSSHKeysGet!(dom, "root", 1), "call"],
      ["sshkeys-set-flags", () => conn.domainAuthorizedSSHKeysSet!(dom, "root", ["k"], 4), "call"],
      ["sshkeys-get-no-agent", () => conn.domainAuthorizedSSHKeysGet!(dom, "root", 0), "call"],
      ["dirtyrate-seconds-0", () => conn.domainStartDirtyRateCalc!(dom, 0, 0), "call"],
      ["dirtyrate-seconds-61", () => conn.domainStartDirtyRateCalc!(dom, 61, 0), "call"],
      ["dirtyrate-flags", () => conn.domainStartDirtyRateCalc!(dom, 1, 4), "call"],
      ["dirtyrate-ring", () => conn.domainStartDirtyRateCalc!(dom, 1, 2), "call"],
      ["dirtyrate-sampling", () => conn.domainStartDirtyRateCalc!(dom, 1, 0), "call"],
      ["dirtyrate-measured-fields", dirtyFields, "value"],
      ["alias-live", () => conn.domainDetachDeviceAlias!(dom, "ua-data", 1), "call"],
      ["alias-live-still-there", async () => (await xml()).includes("ua-data"), "value"],
      ["alias-config", () => conn.domainDetachDeviceAlias!(dom, "ua-data", 2), "call"],
      [
        "alias-config-gone",
        async () => !(await xml(E.DOMAIN_XML_INACTIVE)).includes("ua-data"),
        "value",
      ],
    ];
    const replayed: string[] = [];
    for (const [name, run, kind] of steps) {
      const want = RECORDED.cases.find((c) => c.name === name);
      if (kind === "call") {
        assert.deepEqual({ name, ...await outcome(run) }, want, name);
      } else if (want) assert.deepEqual(await run(), want.result, name);
      else await run();
      if (want) replayed.push(name);
    }
    assert.deepEqual(replayed, RECORDED.cases.map((c) => c.name));
  } finally {
    await t.close();
  }
});
