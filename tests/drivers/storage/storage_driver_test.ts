/**
 * The host storage driver on a temporary directory, through `qemu:///embed?root=TMP` (the
 * QEMU driver composed with the shared storage driver, as a host program opens it) and by
 * opening the secondary directly: pool lifecycle and persistence, volumes made, probed,
 * cloned, resized, wiped and deleted, libvirt's errors, and path safety.
 */
import assert from "node:assert/strict";
import { connect } from "../../../host.ts";
import { errorsOf, failure, withRoot, withSecondary } from "../secondary_helpers.ts";
import { VIR } from "../../../util/constants.ts";
import { storageDriver } from "../../../drivers/storage/mod.ts";

const rejectsWith = errorsOf(VIR.FROM_STORAGE);
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

function poolXML(name: string, path: string): string {
  return `<pool type='dir'><name>${name}</name><target><path>${path}</path></target></pool>`;
}

function volXML(name: string, bytes: number, format = "raw", extra = ""): string {
  return `<volume><name>${name}</name><capacity unit='bytes'>${bytes}</capacity>` +
    `<allocation>0</allocation><target><format type='${format}'/></target>${extra}</volume>`;
}

Deno.test("embed connection: pool define/build/start, qcow2 and raw volumes, info and XML", async () => {
  await withRoot(async (root) => {
    const target = `${root}/images`;
    const conn = await connect(`qemu:///embed?root=${root}`);
    try {
      const pool = await conn.defineStoragePoolXML(poolXML("p", target));
      assert.deepEqual(await conn.listDefinedStoragePools(), ["p"]);
      assert.deepEqual(await pool.isActive(), false);
      await pool.build();
      assert.deepEqual((await Deno.stat(target)).mode! & 0o777, 0o711);
      await pool.create();
      assert.deepEqual(await conn.listStoragePools(), ["p"]);
      const info = await pool.getInfo();
      assert.deepEqual(info.state, VIR.STORAGE_POOL_RUNNING);
      assert.ok(info.capacity > 0 && info.capacity === info.allocation + info.available);

      const q = await pool.createVolumeXML(volXML("a.qcow2", 64 * MiB, "qcow2"));
      assert.deepEqual(q.key, `${target}/a.qcow2`);
      const qi = await q.getInfo();
      assert.deepEqual([qi.type, qi.capacity], [VIR.STORAGE_VOL_FILE, 64 * MiB]);
      assert.ok(qi.allocation < MiB, "a new qcow2 holds only metadata");
      const xml = await q.getXMLDesc();
      assert.match(xml, /<format type='qcow2'\/>/);
      assert.match(xml, /<capacity unit='bytes'>67108864<\/capacity>/);
      assert.match(xml, /<physical unit='bytes'>\d+<\/physical>/);
      assert.match(xml, new RegExp(`<path>${target}/a.qcow2</path>`));
      assert.doesNotMatch(xml, /<compat>/, "a refreshed volume's XML has no compat, as libvirt's");

      const r = await pool.createVolumeXML(volXML("b.img", 10 * MiB));
      assert.deepEqual((await Deno.stat(r.key)).size, 10 * MiB);
      assert.deepEqual((await r.getInfo()).allocation, 0, "raw volumes are sparse");

      const overlay = await pool.createVolumeXML(
        volXML(
          "o.qcow2",
          64 * MiB,
          "qcow2",
          `<backingStore><path>${q.key}</path><format type='qcow2'/></backingStore>`,
        ),
      );
      assert.match(
        await overlay.getXMLDesc(),
        new RegExp(`<backingStore>\\s*<path>${q.key}</path>\\s*<format type='qcow2'/>`),
      );

      assert.deepEqual((await conn.lookupStorageVolByPath(r.key)).name, "b.img");
      assert.deepEqual((await conn.lookupStorageVolByKey(q.key)).name, "a.qcow2");
      assert.deepEqual((await conn.lookupStoragePoolByVolume(q)).name, "p");
      assert.deepEqual(await pool.listVolumes(), ["a.qcow2", "b.img", "o.qcow2"]);
    } finally {
      await conn.close();
    }
  });
});

Deno.test("volumes: clone, resize (shrink refused), wipe, delete; refresh finds files by header", async () => {
  await withSecondary(storageDriver, async (conn, root) => {
    const target = `${root}/p`;
    const pool = await conn.storagePoolCreateXML!(
      poolXML("p", target),
      VIR.STORAGE_POOL_CREATE_WITH_BUILD,
    );
    assert.deepEqual(await conn.storagePoolIsPersistent!(pool), false);
    const src = await conn.storageVolCreateXML!(pool, volXML("src.img", 4 * MiB), 0);
    await Deno.writeFile(src.key, new TextEncoder().encode("hello"), {
      append: false,
      create: false,
    });
    await Deno.truncate(src.key, 4 * MiB);
    const copy = await conn.storageVolCreateXMLFrom!(
      pool,
      volXML("copy.qcow2", 0, "qcow2"),
      src,
      0,
    );
    const ci = await conn.storageVolGetInfo!(copy);
    assert.deepEqual(ci.capacity, 4 * MiB, "a clone takes the source's capacity");
    assert.match(await conn.storageVolGetXMLDesc!(copy, 0), /<format type='qcow2'\/>/);

    await conn.storageVolResize!(src, 8 * MiB, 0);
    assert.deepEqual((await Deno.stat(src.key)).size, 8 * MiB);
    await rejectsWith(
      conn.storageVolResize!(src, MiB, 0),
      VIR.ERR_INVALID_ARG,
      "invalid argument: Can't shrink capacity below current capacity unless shrink flag explicitly specified",
    );
    await conn.storageVolResize!(copy, GiB, 0);
    assert.deepEqual((await conn.storageVolGetInfo!(copy)).capacity, GiB);

    await conn.storageVolWipe!(src, 0);
    const head = (await Deno.readFile(src.key)).subarray(0, 5);
    assert.deepEqual([...head], [0, 0, 0, 0, 0]);
    assert.deepEqual((await Deno.stat(src.key)).size, 8 * MiB);

    // A file made behind the driver's back: a qcow2 named .img is probed as qcow2.
    const cmd = new Deno.Command("qemu-img", {
      args: ["create", "-q", "-f", "qcow2", `${target}/sneaky.img`, "1M"],
    });
    assert.ok((await cmd.output()).success);
    await conn.storagePoolRefresh!(pool, 0);
    assert.deepEqual(await conn.storagePoolListVolumes!(pool), [
      "copy.qcow2",
      "sneaky.img",
      "src.img",
    ]);
    const sneaky = await conn.storageVolLookupByName!(pool, "sneaky.img");
    assert.match(await conn.storageVolGetXMLDesc!(sneaky, 0), /<format type='qcow2'\/>/);

    await conn.storageVolDelete!(copy, 0);
    await assert.rejects(Deno.stat(copy.key), Deno.errors.NotFound);
    await rejectsWith(
      conn.storageVolLookupByName!(pool, "copy.qcow2"),
      VIR.ERR_NO_STORAGE_VOL,
      "Storage volume not found: no storage vol with matching name 'copy.qcow2'",
    );
    await rejectsWith(
      conn.storageVolLookupByKey!("/nope"),
      VIR.ERR_NO_STORAGE_VOL,
      "Storage volume not found: no storage vol with matching key /nope",
    );
    await conn.storagePoolDestroy!(pool);
    assert.deepEqual(
      await conn.connectNumOfStoragePools!(),
      0,
      "a transient pool goes when stopped",
    );
  });
});

Deno.test("path safety: names with '/' or '..', relative targets, existing files", async () => {
  await withSecondary(storageDriver, async (conn, root) => {
    const target = `${root}/p`;
    await Deno.writeTextFile(`${root}/outside`, "keep");
    const pool = await conn.storagePoolCreateXML!(
      poolXML("p", target),
      VIR.STORAGE_POOL_CREATE_WITH_BUILD,
    );
    await rejectsWith(
      conn.storageVolCreateXML!(pool, volXML("../outside", MiB), 0),
      VIR.ERR_OPERATION_INVALID,
      "Requested operation is not valid: volume name '../outside' cannot contain '/'",
    );
    await failure(conn.storageVolCreateXML!(pool, volXML("..", MiB), 0));
    await failure(conn.storageVolCreateXML!(pool, volXML(".", MiB), 0));
    assert.deepEqual(await Deno.readTextFile(`${root}/outside`), "keep");
    await conn.storageVolCreateXML!(pool, volXML("a", MiB), 0);
    await rejectsWith(
      conn.storageVolCreateXML!(pool, volXML("a", MiB), 0),
      VIR.ERR_STORAGE_VOL_EXIST,
      "storage volume 'a' exists already",
    );
    await Deno.symlink(`${root}/outside`, `${target}/link`);
    await rejectsWith(
      conn.storageVolCreateXML!(pool, volXML("link", MiB), 0),
      VIR.ERR_OPERATION_INVALID,
      `Requested operation is not valid: volume target path '${target}/link' already exists`,
    );
    assert.deepEqual(await Deno.readTextFile(`${root}/outside`), "keep");
    await rejectsWith(
      conn.storagePoolDefineXML!(poolXML("rel", "relative/dir"), 0),
      VIR.ERR_INVALID_ARG,
      "invalid argument: path 'relative/dir' is not absolute",
    );
  });
});

Deno.test("persistence: configs, autostart links and running pools survive a new driver state", async () => {
  await withRoot(async (root) => {
    const uri = new URL(`qemu:///embed?root=${root}`);
    const first = await storageDriver.open(uri, {});
    const events: number[] = [];
    const off = first.subscribe!((ev) => events.push(ev.data.event as number));
    const a = await first.storagePoolDefineXML!(poolXML("a", `${root}/a`), 0);
    const b = await first.storagePoolDefineXML!(poolXML("b", `${root}/b`), 0);
    await first.storagePoolCreate!(a, VIR.STORAGE_POOL_CREATE_WITH_BUILD);
    await first.storagePoolBuild!(b, 0);
    await first.storagePoolSetAutostart!(b, true);
    await rejectsWith(
      first.storagePoolUndefine!(a),
      VIR.ERR_OPERATION_INVALID,
      "Requested operation is not valid: storage pool 'a' is still active",
    );
    off();
    assert.deepEqual(events, [
      VIR.STORAGE_POOL_EVENT_DEFINED,
      VIR.STORAGE_POOL_EVENT_DEFINED,
      VIR.STORAGE_POOL_EVENT_STARTED,
      VIR.STORAGE_POOL_EVENT_CREATED,
    ]);
    assert.ok((await Deno.lstat(`${root}/etc/storage/autostart/b.xml`)).isSymlink);
    await first.connectClose();

    const second = await storageDriver.open(uri, {});
    assert.deepEqual(
      await second.connectListStoragePools!(),
      ["a", "b"],
      "a was running, b autostarts",
    );
    assert.deepEqual(await second.storagePoolGetAutostart!(b), true);
    await second.storagePoolDestroy!(a);
    await second.storagePoolDelete!(a, 0);
    await assert.rejects(Deno.stat(`${root}/a`), Deno.errors.NotFound);
    await second.storagePoolUndefine!(a);
    await assert.rejects(Deno.stat(`${root}/etc/storage/a.xml`), Deno.errors.NotFound);
    assert.deepEqual(await second.connectListDefinedStoragePools!(), []);
    await rejectsWith(
      second.storagePoolLookupByName!("a"),
      VIR.ERR_NO_STORAGE_POOL,
      "Storage pool not found: no storage pool with matching name 'a'",
    );
    await second.connectClose();
  });
});

Deno.test("concurrent calls: two creates of one name make one volume, the other gets libvirt's error", async () => {
  await withSecondary(storageDriver, async (conn, root) => {
    const pool = await conn.storagePoolCreateXML!(
      poolXML("p", `${root}/p`),
      VIR.STORAGE_POOL_CREATE_WITH_BUILD,
    );
    const results = await Promise.allSettled(
      [0, 1].map(() => conn.storageVolCreateXML!(pool, volXML("same.img", MiB), 0)),
    );
    assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected"]);
    await rejectsWith(
      Promise.reject((results[1] as PromiseRejectedResult).reason),
      VIR.ERR_STORAGE_VOL_EXIST,
      "storage volume 'same.img' exists already",
    );
    assert.deepEqual(await conn.storagePoolListVolumes!(pool), ["same.img"]);
  });
});

Deno.test("pool capabilities: libvirt 9.0's, each pool type supported only where this driver has its backend", async () => {
  // fixtures/pool_capabilities.xml: libvirt's answer (record_pool_capabilities.sh), whose
  // storage driver was built with more backends than this one has (dir and fs).
  const libvirt = await Deno.readTextFile(
    new URL("./fixtures/pool_capabilities.xml", import.meta.url),
  );
  const supported = (xml: string) =>
    Object.fromEntries(
      [...xml.matchAll(/<pool type='([^']+)' supported='(yes|no)'>/g)].map((m) => [m[1], m[2]]),
    );
  await withRoot(async (root) => {
    const conn = await connect(`qemu:///embed?root=${root}`);
    try {
      const ours = await conn.getStoragePoolCapabilities();
      const theirs = supported(libvirt);
      assert.equal(Object.keys(theirs).length, 14);
      assert.deepEqual(
        supported(ours),
        Object.fromEntries(
          Object.keys(theirs).map((t) => [t, ["dir", "fs"].includes(t) ? "yes" : "no"]),
        ),
      );
      // Everything else (the formats each pool type and its volumes take) is libvirt's.
      const unmarked = (xml: string) => xml.replace(/ supported='(yes|no)'/g, "");
      assert.equal(unmarked(ours), unmarked(libvirt));
      await rejectsWith(
        conn.getStoragePoolCapabilities(1),
        VIR.ERR_INVALID_ARG,
        "unsupported flags (0x1) in function storageConnectGetStoragePoolCapabilities",
      );
    } finally {
      await conn.close();
    }
  });
});
