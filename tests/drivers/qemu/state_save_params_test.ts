// virDomainSaveParams / virDomainRestoreParams of the QEMU driver against a fake QEMU, as
// libvirt 9.0's qemuDomainSaveParams and qemuDomainRestoreParams: VIR_DOMAIN_SAVE_PARAM_FILE
// and _DXML onto the save and restore by path, a save without a file is the managed save, a
// restore without one is refused ("missing path to restore from"), other parameters are
// virTypedParamsValidate's errors (python-libvirt cannot send those; libvirt's other refusals are
// replayed from its recording in api_calls_recorded_test.ts).
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { error, setup } from "./fake_qmp/block_harness.ts";

const E = VIR;

/** The live XML of the domain with a description, the replacement definition of a save. */
async function described(t: Awaited<ReturnType<typeof setup>>, text: string): Promise<string> {
  const xml = await t.conn.domainGetXMLDesc!(t.dom, E.DOMAIN_XML_SECURE);
  return xml.replace("</name>", `</name>\n  <description>${text}</description>`);
}

Deno.test("save by parameters: file and dxml as saveFlags; restore by parameters runs it", async () => {
  const t = await setup();
  try {
    const file = `${t.dir}/params.save`;
    const dxml = await described(t, "saved by params");
    await t.conn.domainSaveParams!(t.dom, { file, dxml }, E.DOMAIN_SAVE_PAUSED);
    assert.deepEqual(await t.conn.domainGetState!(t.dom, 0), [
      E.DOMAIN_SHUTOFF,
      E.DOMAIN_SHUTOFF_SAVED,
    ]);
    assert.match(
      await t.conn.domainSaveImageGetXMLDesc!(file, 0),
      /<description>saved by params<\/description>/,
    );
    await t.conn.domainRestoreParams!({ file }, E.DOMAIN_SAVE_RUNNING);
    assert.deepEqual(await t.conn.domainGetState!(t.dom, 0), [
      E.DOMAIN_RUNNING,
      E.DOMAIN_RUNNING_RESTORED,
    ]);
    assert.equal(t.migration.loaded, t.migration.state);
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, 0),
      /<description>saved by params<\/description>/,
    );
  } finally {
    await t.close();
  }
});

Deno.test("save by parameters without a file is the managed save, with its dxml", async () => {
  const t = await setup();
  try {
    const dxml = await described(t, "managed by params");
    await t.conn.domainSaveParams!(t.dom, { dxml }, 0);
    assert.equal(await t.conn.domainHasManagedSaveImage!(t.dom, 0), true);
    assert.match(
      await t.conn.domainManagedSaveGetXMLDesc!(t.dom, 0),
      /<description>managed by params<\/description>/,
    );
    await t.conn.domainCreateWithFlags!(t.dom, 0);
    assert.deepEqual(await t.conn.domainGetState!(t.dom, 0), [
      E.DOMAIN_RUNNING,
      E.DOMAIN_RUNNING_RESTORED,
    ]);
  } finally {
    await t.close();
  }
});

Deno.test("save/restore by parameters: virTypedParamsValidate's refusals, the domain still runs", async () => {
  const t = await setup();
  try {
    const file = `${t.dir}/never.save`;
    // Thunks: each call starts only when its turn comes, one at a time as a client makes them.
    const cases: [() => Promise<unknown>, number, string][] = [
      [
        () => t.conn.domainSaveParams!(t.dom, { file, bogus: "x" }, 0),
        E.ERR_ARGUMENT_UNSUPPORTED,
        "argument unsupported: parameter 'bogus' not supported",
      ],
      [
        () => t.conn.domainRestoreParams!({ file: 7 }, 0),
        E.ERR_INVALID_ARG,
        "invalid argument: invalid type 'uint' for parameter 'file', expected 'string'",
      ],
    ];
    for (const [call, code, message] of cases) {
      const e = await error(call());
      assert.deepEqual([e.code, e.message], [code, message]);
    }
    assert.equal(await Deno.stat(file).then(() => true, () => false), false);
    assert.equal((await t.conn.domainGetState!(t.dom, 0))[0], E.DOMAIN_RUNNING);
  } finally {
    await t.close();
  }
});
