/**
 * The host secret driver on a temporary directory, through `qemu:///embed?root=TMP` and by
 * opening the secondary directly: define/lookup/list/undefine, values set and read back,
 * private values refused, ephemeral secrets never on disk, persistent values encrypted at rest
 * and readable by a new driver state, events.
 */
import assert from "node:assert/strict";
import { connect } from "../../../host.ts";
import { errorsOf, failure, withRoot, withSecondary } from "../secondary_helpers.ts";
import { VIR } from "../../../util/constants.ts";
import { secretDriver } from "../../../drivers/secret/mod.ts";

const rejectsWith = errorsOf(VIR.FROM_SECRET);
const UUID = "f52a81b2-424e-490c-823d-6bd4235bc572";

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) out.push(e.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out.sort();
}

Deno.test("embed connection: define, set/get value, lookup by usage, list, undefine", async () => {
  await withRoot(async (root) => {
    const conn = await connect(`qemu:///embed?root=${root}`);
    try {
      const s = await conn.defineSecretXML(
        `<secret ephemeral='no' private='no'><uuid>${UUID}</uuid>` +
          `<usage type='ceph'><name>client.admin</name></usage></secret>`,
      );
      assert.equal(s.uuid, UUID);
      await s.setValue(new TextEncoder().encode("s3cret"));
      assert.equal(new TextDecoder().decode(await s.getValue()), "s3cret");
      assert.equal((await conn.listAllSecrets()).length, 1);
      assert.match(await s.getXMLDesc(), /<usage type='ceph'>\s*<name>client.admin<\/name>/);
      await s.undefine();
      assert.equal((await conn.listAllSecrets()).length, 0);
      assert.deepEqual(await filesUnder(`${root}/etc/secrets`), ["secrets-encryption-key"]);
    } finally {
      await conn.close();
    }
  });
});

Deno.test("values at rest: encrypted, 0600, readable by a new state; ephemeral never on disk", async () => {
  await withRoot(async (root) => {
    const uri = new URL(`qemu:///embed?root=${root}`);
    const dir = `${root}/etc/secrets`;
    const first = await secretDriver.open(uri, {});
    const events: [number, unknown][] = [];
    const off = first.subscribe!((ev) => events.push([ev.eventId, ev.data.event]));
    const p = await first.secretDefineXML!(
      `<secret><uuid>${UUID}</uuid><usage type='volume'><volume>/v/a.img</volume></usage></secret>`,
      0,
    );
    await first.secretSetValue!(p, [...new TextEncoder().encode("plaintext-value")], 0);
    const eph = await first.secretDefineXML!(
      `<secret ephemeral='yes'><usage type='tls'><name>t</name></usage></secret>`,
      0,
    );
    await first.secretSetValue!(eph, [1, 2, 3], 0);
    off();
    assert.deepEqual(events, [
      [VIR.SECRET_EVENT_ID_LIFECYCLE, VIR.SECRET_EVENT_DEFINED],
      [VIR.SECRET_EVENT_ID_VALUE_CHANGED, undefined],
      [VIR.SECRET_EVENT_ID_LIFECYCLE, VIR.SECRET_EVENT_DEFINED],
      [VIR.SECRET_EVENT_ID_VALUE_CHANGED, undefined],
    ]);
    assert.deepEqual(await filesUnder(dir), [
      `${UUID}.value`,
      `${UUID}.xml`,
      "secrets-encryption-key",
    ]);
    for (const f of await filesUnder(dir)) {
      assert.equal((await Deno.stat(`${dir}/${f}`)).mode! & 0o777, 0o600, f);
      const bytes = new TextDecoder("latin1").decode(await Deno.readFile(`${dir}/${f}`));
      assert.ok(!bytes.includes("plaintext-value"), `${f} holds the value in clear`);
    }
    await first.connectClose();

    const second = await secretDriver.open(uri, {});
    assert.deepEqual(await second.connectListSecrets!(), [UUID], "the ephemeral secret is gone");
    const again = await second.secretLookupByUsage!(VIR.SECRET_USAGE_TYPE_VOLUME, "/v/a.img");
    assert.equal(
      new TextDecoder().decode(new Uint8Array(await second.secretGetValue!(again, 0))),
      "plaintext-value",
    );
    await second.connectClose();

    // A tampered value file does not decrypt (AES-GCM authenticates it).
    const raw = await Deno.readFile(`${dir}/${UUID}.value`);
    raw[raw.length - 1] ^= 1;
    await Deno.writeFile(`${dir}/${UUID}.value`, raw);
    const e = await failure(secretDriver.open(uri, {}));
    assert.equal(e.code, VIR.ERR_INTERNAL_ERROR);
  });
});

Deno.test("libvirt's errors: private values, no value, duplicates, unknown uuid/usage", async () => {
  await withSecondary(secretDriver, async (conn) => {
    const priv = await conn.secretDefineXML!(
      `<secret private='yes'><uuid>${UUID}</uuid><usage type='ceph'><name>c</name></usage></secret>`,
      0,
    );
    const open = await conn.secretDefineXML!(
      `<secret><usage type='iscsi'><target>t</target></usage></secret>`,
      0,
    );
    await rejectsWith(
      conn.secretGetValue!(open, 0),
      VIR.ERR_NO_SECRET,
      `Secret not found: secret '${open.uuid}' does not have a value`,
    );
    await conn.secretSetValue!(priv, [7], 0);
    await rejectsWith(
      conn.secretGetValue!(priv, 0),
      VIR.ERR_INVALID_SECRET,
      "Invalid secret: secret is private",
    );
    await rejectsWith(
      conn.secretDefineXML!(
        `<secret private='no'><uuid>${UUID}</uuid><usage type='ceph'><name>c</name></usage></secret>`,
        0,
      ),
      VIR.ERR_INTERNAL_ERROR,
      "internal error: cannot change private flag on existing secret",
    );
    await rejectsWith(
      conn.secretDefineXML!(`<secret><usage type='ceph'><name>c</name></usage></secret>`, 0),
      VIR.ERR_INTERNAL_ERROR,
      `internal error: a secret with UUID ${UUID} already defined for use with c`,
    );
    await rejectsWith(
      conn.secretDefineXML!(
        `<secret private='yes'><uuid>${UUID}</uuid><usage type='ceph'><name>d</name></usage></secret>`,
        0,
      ),
      VIR.ERR_INTERNAL_ERROR,
      `internal error: a secret with UUID ${UUID} is already defined for use with c`,
    );
    const other = "0a81f5b2-12fa-4c5b-8f0e-6bd4235bc572";
    await rejectsWith(
      conn.secretLookupByUUID!(other),
      VIR.ERR_NO_SECRET,
      `Secret not found: no secret with matching uuid '${other}'`,
    );
    await rejectsWith(
      conn.secretLookupByUsage!(VIR.SECRET_USAGE_TYPE_CEPH, "zz"),
      VIR.ERR_NO_SECRET,
      "Secret not found: no secret with matching usage 'zz'",
    );
    assert.equal(
      (await conn.connectListAllSecrets!(VIR.CONNECT_LIST_SECRETS_NO_PRIVATE)).length,
      1,
    );
  });
});
