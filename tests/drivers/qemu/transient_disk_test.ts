// Transient disks on a fake QEMU beyond the recording: a driver restarted while the domain runs
// still deletes the overlays when it stops (libvirt's reconnect counts them as made), a disk
// sharing its backing image is left off the command line and plugged on its overlay, and a core dump
// with the device state is refused as libvirt's qemuMigrationSrcIsAllowed refuses it.
import assert from "node:assert/strict";
import { join } from "node:path";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import { VirError } from "../../../util/errors.ts";
import type { FakeLauncher } from "../../../drivers/qemu/testing/mod.ts";
import { blockLauncher } from "./fake_qmp/block_launcher.ts";

const xml = (dir: string, transient = "<transient/>") =>
  `<domain type='qemu'><name>tr</name><memory unit='MiB'>128</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${dir}/vda.img'/>
<target dev='vda' bus='virtio'/>${transient}</disk><memballoon model='none'/></devices></domain>`;

const exists = (file: string) => Deno.stat(file).then(() => true, () => false);

async function withDriver(
  fn: (
    dir: string,
    open: () => Promise<DriverConnection>,
    launcher: FakeLauncher,
  ) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ev-transient-" });
  await Deno.writeFile(join(dir, "vda.img"), new Uint8Array(1024));
  const { launcher } = blockLauncher();
  const conns: DriverConnection[] = [];
  const open = async () => {
    const conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
      stateDir: join(dir, "state"),
      launcher,
    }) as DriverConnection;
    conns.push(conn);
    return conn;
  };
  try {
    await fn(dir, open, launcher);
  } finally {
    for (const c of conns) await c.connectClose().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a restarted driver deletes the overlay of a domain started before it", async () => {
  await withDriver(async (dir, open) => {
    const first = await open();
    const dom = await first.domainCreateXML!(xml(dir), 0);
    const overlay = `${dir}/vda.img.TRANSIENT-tr`;
    assert.equal(await exists(overlay), true);
    await first.connectClose();
    const second = await open();
    assert.match(await second.domainGetXMLDesc!(dom, 0), /vda\.img\.TRANSIENT-tr' index='2'/);
    assert.equal(await exists(overlay), true);
    await second.domainDestroyFlags!(dom, 0);
    assert.equal(await exists(overlay), false);
  });
});

Deno.test("a transient disk sharing its backing image is plugged, never on the command line", async () => {
  await withDriver(async (dir, open, launcher) => {
    const conn = await open();
    const dom = await conn.domainCreateXML!(xml(dir, "<transient shareBacking='yes'/>"), 0);
    assert.doesNotMatch(launcher.launches.at(-1)!.join(" "), /vda\.img/);
    const sent = [...launcher.instances.values()].at(-1)!.commands.map((c) => c.execute);
    assert.deepEqual(
      sent.filter((c) => ["device_add", "system_reset", "cont"].includes(c)),
      ["device_add", "system_reset", "cont"],
    );
    assert.match(await conn.domainGetXMLDesc!(dom, 0), /<transient shareBacking='yes'\/>/);
    assert.equal(await exists(`${dir}/vda.img.TRANSIENT-tr`), true);
    await conn.domainDestroyFlags!(dom, 0);
    assert.equal(await exists(`${dir}/vda.img.TRANSIENT-tr`), false);
  });
});

Deno.test("a core dump with the device state is refused with a transient disk", async () => {
  await withDriver(async (dir, open) => {
    const conn = await open();
    const dom = await conn.domainCreateXML!(xml(dir), 0);
    const err = await conn.domainCoreDumpWithFormat!(dom, `${dir}/core`, 0, 0).then(
      () => undefined,
      (e) => e,
    );
    assert.ok(err instanceof VirError);
    assert.equal(
      err.message,
      "Requested operation is not valid: migration with transient disk is not supported",
    );
    assert.equal(await exists(`${dir}/core`), false);
    await conn.domainDestroyFlags!(dom, 0);
  });
});
