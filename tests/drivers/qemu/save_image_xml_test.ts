// The XML inside save images, read and replaced in place (qemuDomainSaveImageDefineXML,
// qemuDomainManagedSaveGetXMLDesc / DefineXML of libvirt 9.0): header and stream untouched but
// for was_running, the same-domain rule, the 64 KiB room, libvirt's errors.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { error, setup } from "./fake_qmp/block_harness.ts";

const E = VIR;
const wasRunning = (image: Uint8Array) => new DataView(image.buffer).getUint32(24, true);

Deno.test("save-image-define: new XML and running mark in place, QEMU's stream kept", async () => {
  const t = await setup();
  try {
    const path = `${t.dir}/hp.save`;
    await t.conn.domainSaveFlags!(t.dom, path, null, 0);
    const before = await Deno.readFile(path);
    const dataLen = new DataView(before.buffer).getUint32(20, true);
    const xml = await t.conn.domainSaveImageGetXMLDesc!(path, 0);
    const edited = xml.replace(
      "<name>hp</name>",
      "<name>hp</name><description>edited</description>",
    );
    await t.conn.domainSaveImageDefineXML!(path, edited, E.DOMAIN_SAVE_PAUSED);
    const after = await Deno.readFile(path);
    assert.equal(after.length, before.length);
    assert.deepEqual(after.subarray(92 + dataLen), before.subarray(92 + dataLen));
    assert.equal(wasRunning(after), 0);
    assert.match(await t.conn.domainSaveImageGetXMLDesc!(path, 0), /<description>edited</);
    await t.conn.domainSaveImageDefineXML!(path, edited, E.DOMAIN_SAVE_RUNNING);
    assert.equal(wasRunning(await Deno.readFile(path)), 1);

    const renamed = await error(
      t.conn.domainSaveImageDefineXML!(path, xml.replace("<name>hp<", "<name>other<"), 0),
    );
    assert.deepEqual([renamed.code, renamed.message], [
      E.ERR_OPERATION_INVALID,
      "Requested operation is not valid: cannot change domain name from 'hp' to 'other'",
    ]);
    const big = xml.replace(
      "</domain>",
      `<description>${"x".repeat(70000)}</description></domain>`,
    );
    const tooLarge = await error(t.conn.domainSaveImageDefineXML!(path, big, 0));
    assert.deepEqual([tooLarge.code, tooLarge.message], [
      E.ERR_OPERATION_FAILED,
      "operation failed: new xml too large to fit in file",
    ]);
    const flags = await error(t.conn.domainSaveImageDefineXML!(path, xml, 8));
    assert.equal(flags.message, "unsupported flags (0x8) in function qemuDomainSaveImageDefineXML");
    // The image still restores, with the edited definition.
    await t.conn.domainRestoreFlags!(path, null, 0);
    assert.match(await t.conn.domainGetXMLDesc!(t.dom, 0), /<description>edited</);
  } finally {
    await t.close();
  }
});

Deno.test("managedsave-dumpxml / -define on the driver's own image; none is libvirt's error", async () => {
  const t = await setup();
  try {
    const none = await error(t.conn.domainManagedSaveGetXMLDesc!(t.dom, 0));
    assert.deepEqual([none.code, none.message], [
      E.ERR_OPERATION_INVALID,
      "Requested operation is not valid: domain does not have managed save image",
    ]);
    const noDefine = await error(t.conn.domainManagedSaveDefineXML!(t.dom, "<domain/>", 0));
    assert.equal(noDefine.message, none.message);
    await t.conn.domainManagedSave!(t.dom, 0);
    const xml = await t.conn.domainManagedSaveGetXMLDesc!(t.dom, 0);
    assert.match(xml, /^<domain type='qemu'>\s*<name>hp<\/name>/);
    await t.conn.domainManagedSaveDefineXML!(
      t.dom,
      xml.replace("<name>hp</name>", "<name>hp</name><title>from image</title>"),
      E.DOMAIN_SAVE_PAUSED,
    );
    assert.match(await t.conn.domainManagedSaveGetXMLDesc!(t.dom, 0), /<title>from image</);
    // The next start restores the edited image, paused as the define asked.
    await t.conn.domainCreateWithFlags!(t.dom, 0);
    assert.deepEqual(await t.conn.domainGetState!(t.dom, 0), [
      E.DOMAIN_PAUSED,
      E.DOMAIN_PAUSED_MIGRATION,
    ]);
    assert.match(await t.conn.domainGetXMLDesc!(t.dom, 0), /<title>from image</);
  } finally {
    await t.close();
  }
});
