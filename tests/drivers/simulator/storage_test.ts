// Expected values below were recorded from libvirt 9.0's test driver through python3-libvirt
// (/usr/bin/python3, test:///default).
import { assertEquals } from "./assert.ts";
import { expectError, withDefault } from "./helpers.ts";
import { VIR } from "../../../mod.ts";
import type { StorageVolRef } from "../../../util/driver.ts";

const POOL = { name: "default-pool", uuid: "dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566" };

Deno.test("storage: volumes use up the default pool and need it active", () =>
  withDefault(async (d) => {
    const a = await d.storageVolCreateXML(
      POOL,
      "<volume><name>a</name><capacity>10</capacity></volume>",
      0,
    );
    assertEquals(a, { pool: "default-pool", name: "a", key: "/default-pool/a" });
    assertEquals(await d.storageVolGetInfo(a), { type: 0, capacity: 10, allocation: 10 });
    const b = await d.storageVolCreateXMLFrom(
      POOL,
      "<volume><name>b</name><capacity>20</capacity><allocation>5</allocation></volume>",
      a,
      0,
    );
    assertEquals(
      await d.storageVolGetXMLDesc(b, 0),
      "<volume type='file'>\n  <name>b</name>\n  <key>/default-pool/b</key>\n" +
        "  <capacity unit='bytes'>20</capacity>\n  <allocation unit='bytes'>5</allocation>\n" +
        "  <target>\n    <path>/default-pool/b</path>\n    <format type='raw'/>\n  </target>\n" +
        "</volume>\n",
    );
    assertEquals(await d.storagePoolGetInfo(POOL), {
      state: 2,
      capacity: 107374182400,
      allocation: 15,
      available: 107374182385,
    });
    await expectError(
      d.storageVolDelete(a, 1),
      8,
      12,
      "unsupported flags (0x1) in function testStorageVolDelete",
    );
    await d.storagePoolDestroy(POOL);
    await expectError(
      d.storagePoolListAllVolumes(POOL, 0),
      55,
      12,
      "Requested operation is not valid: storage pool is not active",
    );
    await expectError(
      d.storageVolLookupByPath("/default-pool/a"),
      50,
      12,
      "Storage volume not found: no storage vol with matching path '/default-pool/a'",
    );
    await expectError(
      d.storageVolGetInfo(a as StorageVolRef),
      55,
      12,
      "Requested operation is not valid: storage pool 'default-pool' is not active",
    );
    await d.storagePoolBuild(POOL, 0);
    await d.storagePoolDelete(POOL, 0);
    await d.storagePoolCreate(POOL, 0);
    assertEquals(await d.storagePoolListVolumes(POOL), ["a", "b"]);
  }));

Deno.test("storage: duplicate sources and names are refused by the storage layer", () =>
  withDefault(async (d) => {
    await expectError(
      d.storagePoolDefineXML(
        "<pool type='dir'><name>zz</name><uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>" +
          "<target><path>/default-pool</path></target></pool>",
        0,
      ),
      9,
      18,
      "operation failed: Storage source conflict with pool: 'default-pool'",
    );
    await expectError(
      d.storagePoolDefineXML(
        "<pool type='dir'><name>default-pool</name><uuid>11111111-28fb-8dd0-c4b2-64eb3f0f4566" +
          "</uuid><target><path>/default-pool</path></target></pool>",
        0,
      ),
      9,
      18,
      "operation failed: pool 'default-pool' already exists with uuid " + POOL.uuid,
    );
    await d.storagePoolDefineXML(
      "<pool type='fs'><name>f1</name><source><device path='/dev/sda1'/></source>" +
        "<target><path>/f1</path></target></pool>",
      0,
    );
    await expectError(
      d.storagePoolDefineXML(
        "<pool type='logical'><name>l1</name><source><device path='/dev/sda1'/></source>" +
          "<target><path>/l1</path></target></pool>",
        0,
      ),
      9,
      18,
      "operation failed: Storage source conflict with pool: 'f1'",
    );
  }));

Deno.test("storage: transient pools, autostart and source discovery", () =>
  withDefault(async (d) => {
    const t2 = await d.storagePoolCreateXML(
      "<pool type='dir'><name>t2</name><target><path>/t2</path></target></pool>",
      0,
    );
    assertEquals(await d.storagePoolGetAutostart(t2), false);
    await expectError(
      d.storagePoolSetAutostart(t2, true),
      8,
      12,
      "invalid argument: pool has no config file",
    );
    assertEquals(await d.storagePoolIsPersistent(t2), false);
    assertEquals(
      await d.connectFindStoragePoolSources("netfs", "<source><host name='h1'/></source>", 0),
      "<sources>\n  <source>\n    <host name='h1'/>\n    <dir path='/testshare'/>\n" +
        "    <format type='nfs'/>\n  </source>\n</sources>\n",
    );
    await expectError(
      d.connectFindStoragePoolSources("dir", null, 0),
      1,
      12,
      "internal error: unknown storage pool type dir",
    );
    await expectError(
      d.connectFindStoragePoolSources("bogus", null, 0),
      3,
      12,
      "this function is not supported by the connection driver: " +
        "pool type 'bogus' does not support source discovery",
    );
    assertEquals(
      (await d.connectListAllStoragePools(VIR.CONNECT_LIST_STORAGE_POOLS_TRANSIENT)).map((p) =>
        p.name
      ),
      ["t2"],
    );
  }));
