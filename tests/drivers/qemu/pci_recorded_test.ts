// libvirt 9.0's answers to virNodeDeviceDettach/DetachFlags/ReAttach/Reset, recorded through
// python-libvirt by tests/tools/nodedev_pci/record.sh (tests/fixtures/nodedev/pci_calls.json),
// replayed: the test driver's (none of these calls: "not supported") against the simulator, and
// the QEMU driver's refusals against the QEMU driver. The QEMU side runs on a fake sysfs tree
// shaped as the recording machine (its first PCI device, no IOMMU group, no /dev/vfio/vfio), so
// no real device is ever within reach, whatever machine runs the test.
import assert from "node:assert/strict";
import { join } from "node:path";
import { connect } from "../../../host.ts";
import { connect as connectWith } from "../../../mod.ts";
import type { Connection } from "../../../client/connection.ts";
import type { NodeDevice } from "../../../client/objects.ts";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { FakeLauncher, FakeTapHost } from "../../../drivers/qemu/testing/mod.ts";
import { nodeDeviceDriver } from "../../../drivers/node_device/mod.ts";
import { createRegistry } from "../../../util/registry.ts";
import { parsePciName } from "../../../util/pci/address.ts";
import type { VirError } from "../../../util/errors.ts";
import { FIXTURES } from "../../paths.ts";
import { FakePciTree } from "../../util/fake_pci_sysfs.ts";

type Answer = "ok" | { code: number; domain: number; message: string };
interface Call {
  device: string;
  call: string;
  answer: Answer;
}
const RECORDED: { test: Call[]; qemu: Call[] } = JSON.parse(
  await Deno.readTextFile(join(FIXTURES, "nodedev/pci_calls.json")),
);

/** The recorded call on a handle (`detachFlags(vfio, 1)` → `dev.detachFlags("vfio", 1)`). */
function invoke(dev: NodeDevice, call: string): Promise<void> {
  const m = /^detachFlags\((\w+), (\d+)\)$/.exec(call);
  if (m) return dev.detachFlags(m[1] === "null" ? null : m[1], Number(m[2]));
  const plain: Record<string, () => Promise<void>> = {
    dettach: () => dev.dettach(),
    reAttach: () => dev.reAttach(),
    reset: () => dev.reset(),
  };
  return plain[call]();
}

async function answer(conn: Connection, c: Call): Promise<Answer> {
  try {
    const dev = await conn.lookupNodeDeviceByName(c.device);
    if (c.call !== "lookup") await invoke(dev, c.call);
    return "ok";
  } catch (e) {
    const v = e as VirError;
    return { code: v.code, domain: v.domain, message: v.message };
  }
}

Deno.test(`the simulator answers libvirt's test driver's ${RECORDED.test.length} recorded calls`, async () => {
  const conn = await connect("test:///default");
  try {
    for (const c of RECORDED.test) {
      assert.deepEqual(await answer(conn, c), c.answer, `${c.device} ${c.call}`);
    }
  } finally {
    await conn.close();
  }
});

Deno.test(`the QEMU driver refuses the ${RECORDED.qemu.length} recorded calls as libvirt's did, writing nothing`, async () => {
  const pci = RECORDED.qemu.map((c) => c.device).find((d) => d.startsWith("pci_"))!;
  const [domain, bus, slot, fn] = pci.split("_").slice(1);
  const name = `${domain}:${bus}:${slot}.${fn}`;
  assert.ok(parsePciName(name), name);
  await using tree = await FakePciTree.create([{ name, driver: "host_bridge" }], [
    "host_bridge",
    "vfio-pci",
  ]);
  await Deno.remove(join(tree.dev, "vfio/vfio"));
  const conn = await connectWith(`qemu:///embed?root=${tree.root}/root`, {
    embed: createRegistry([qemuConnectDriver], [nodeDeviceDriver]),
    launcher: new FakeLauncher(),
    taps: new FakeTapHost([]),
    log: () => {},
    sysfsRoot: tree.sys,
    udevDataDir: join(tree.root, "udev"),
    devRoot: tree.dev,
  });
  try {
    for (const c of RECORDED.qemu) {
      assert.deepEqual(await answer(conn, c), c.answer, `${c.device} ${c.call}`);
    }
  } finally {
    await conn.close();
  }
  assert.equal(tree.deviceFile(name, "driver_override"), "(null)\n");
  assert.equal(tree.read("bus/pci/drivers_probe"), "");
});
