/**
 * `fs` pools on a loop device (root only: needs `losetup` and `mount`; ignored, not passed,
 * elsewhere): build with mkfs, the NO_OVERWRITE refusal, start mounts, volumes live on the
 * mounted file system, destroy unmounts, a new driver state sees the pool still running.
 */
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { storageDriver } from "../../../drivers/storage/mod.ts";
import { errorsOf, withRoot } from "../secondary_helpers.ts";

const rejectsWith = errorsOf(VIR.FROM_STORAGE);

async function run(cmd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout).trim();
}

async function canLoop(): Promise<boolean> {
  if (Deno.uid() !== 0) return false;
  try {
    await run("losetup", "-f");
    return true;
  } catch {
    return false;
  }
}

async function mounted(target: string): Promise<boolean> {
  return (await Deno.readTextFile("/proc/mounts")).split("\n").some((l) =>
    l.split(" ")[1] === target
  );
}

Deno.test({
  name: "fs pool on a loop device: mkfs, mount on start, unmount on destroy",
  ignore: !await canLoop(),
  fn: () =>
    withRoot(async (root) => {
      const image = `${root}/disk.img`;
      await Deno.writeFile(image, new Uint8Array());
      await Deno.truncate(image, 64 * 1024 * 1024);
      const device = await run("losetup", "-f", "--show", image);
      const target = `${root}/mnt`;
      const uri = new URL(`qemu:///embed?root=${root}`);
      const conn = await storageDriver.open(uri, {});
      try {
        const pool = await conn.storagePoolDefineXML!(
          `<pool type='fs'><name>f</name><source><device path='${device}'/>` +
            `<format type='ext4'/></source><target><path>${target}</path></target></pool>`,
          0,
        );
        await conn.storagePoolBuild!(pool, VIR.STORAGE_POOL_BUILD_OVERWRITE);
        await rejectsWith(
          conn.storagePoolBuild!(pool, VIR.STORAGE_POOL_BUILD_NO_OVERWRITE),
          VIR.ERR_STORAGE_POOL_BUILT,
          `Storage pool already built: Device '${device}' already formatted using 'ext4'`,
        );
        await conn.storagePoolCreate!(pool, 0);
        assert.ok(await mounted(target));
        const info = await conn.storagePoolGetInfo!(pool);
        assert.ok(info.capacity < 64 * 1024 * 1024, "sizes are the mounted file system's");
        const vol = await conn.storageVolCreateXML!(
          pool,
          "<volume><name>v.img</name><capacity unit='M'>4</capacity><allocation>0</allocation></volume>",
          0,
        );
        assert.equal(vol.key, `${target}/v.img`);
        await conn.connectClose();

        const again = await storageDriver.open(uri, {});
        try {
          assert.deepEqual(await again.connectListStoragePools!(), ["f"], "still mounted: running");
          // mkfs made lost+found: a directory, so a volume as libvirt (as root) lists it.
          assert.deepEqual(await again.storagePoolListVolumes!(pool), ["lost+found", "v.img"]);
          await again.storagePoolDestroy!(pool);
          assert.ok(!await mounted(target));
          assert.deepEqual([...Deno.readDirSync(target)], [], "the volume is on the unmounted fs");
          await again.storagePoolCreate!(pool, 0);
          assert.deepEqual(await again.storagePoolListVolumes!(pool), ["lost+found", "v.img"]);
          await again.storagePoolDestroy!(pool);
        } finally {
          await again.connectClose();
        }
      } finally {
        if (await mounted(target)) await run("umount", target);
        await run("losetup", "-d", device);
      }
    }),
});
