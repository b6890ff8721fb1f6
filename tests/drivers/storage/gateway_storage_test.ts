/**
 * The host storage and secret drivers behind the gateway: a hypervisor that shares secondaries
 * (as QEMU's) gets them at `/v1/{driver}/{path}`, and pool, volume and secret calls go over
 * HTTP with libvirt's results and errors.
 */
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { storageDriver } from "../../../drivers/storage/mod.ts";
import { secretDriver } from "../../../drivers/secret/mod.ts";
import { withSecondaryGateway } from "../secondary_helpers.ts";

Deno.test("pools, volumes and secrets over the gateway", async () => {
  await withSecondaryGateway([storageDriver, secretDriver], async (call, _gw, root) => {
    const { result: pool } = await call(
      "storagePoolCreateXML",
      `<pool type='dir'><name>p</name><target><path>${root}/p</path></target></pool>`,
      VIR.STORAGE_POOL_CREATE_WITH_BUILD,
    );
    assert.equal(pool.name, "p");
    const { result: vol } = await call(
      "storageVolCreateXML",
      pool,
      "<volume><name>a.qcow2</name><capacity unit='M'>64</capacity>" +
        "<target><format type='qcow2'/></target></volume>",
      0,
    );
    assert.deepEqual(vol, { pool: "p", name: "a.qcow2", key: `${root}/p/a.qcow2` });
    const { result: info } = await call("storageVolGetInfo", vol);
    assert.deepEqual([info.type, info.capacity], [VIR.STORAGE_VOL_FILE, 64 * 1024 * 1024]);
    const missing = await call("storageVolLookupByName", pool, "nope");
    assert.deepEqual(
      [missing.code, missing.domain, missing.message],
      [
        VIR.ERR_NO_STORAGE_VOL,
        VIR.FROM_STORAGE,
        "Storage volume not found: no storage vol with matching name 'nope'",
      ],
    );
    const { result: secret } = await call(
      "secretDefineXML",
      "<secret><usage type='tls'><name>t</name></usage></secret>",
      0,
    );
    await call("secretSetValue", secret, [104, 105], 0);
    assert.deepEqual((await call("secretGetValue", secret, 0)).result, [104, 105]);
  });
});
