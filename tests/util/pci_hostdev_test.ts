// The host device manager's PCI calls (util/pci, libvirt's virhostdev.c + virpci.c) against a
// fake sysfs tree built in a temp dir: the driver_override/unbind/drivers_probe writes of a
// detach and a reattach, the inactive list kept across managers, the refusals of a device a
// domain uses, and virPCIDeviceReset's order (vfio-pci skip, FLR, PM reset, bus reset) with its
// errors. Never the host's /sys.
import assert from "node:assert/strict";
import { HostdevManager, type PciUser } from "../../util/pci/hostdev_manager.ts";
import { parsePciName } from "../../util/pci/address.ts";
import { Sysfs } from "../../util/sysfs.ts";
import type { VirError } from "../../util/errors.ts";
import { fakeConfig, type FakePci, FakePciTree } from "./fake_pci_sysfs.ts";

const DEVICES: FakePci[] = [
  { name: "0000:00:1c.0", driver: "pcieport", bridgeBus: 3 },
  { name: "0000:03:00.0", parent: "0000:00:1c.0", driver: "e1000e", pm: { noSoftReset: true } },
  { name: "0000:03:00.1", parent: "0000:00:1c.0", driver: "e1000e", pm: { noSoftReset: true } },
  { name: "0000:00:02.0", driver: "i915", flr: true },
  { name: "0000:00:1f.3", driver: "snd_hda_intel", pm: { noSoftReset: false } },
  { name: "0000:00:1f.4", driver: "i801_smbus" },
];
const DRIVERS = ["pcieport", "e1000e", "i915", "snd_hda_intel", "i801_smbus", "vfio-pci"];

const addr = (name: string) => parsePciName(name)!;
const fail = async (p: Promise<unknown>) => (await p.then(() => undefined, (e) => e)) as VirError;

async function world(active: Map<string, PciUser> = new Map(), drivers = DRIVERS) {
  const tree = await FakePciTree.create(DEVICES, drivers);
  const stateFile = `${tree.root}/state/hostdevmgr/pci_inactive.json`;
  const manager = () =>
    new HostdevManager(new Sysfs({ root: tree.sys }), { active: () => active, stateFile });
  return { tree, mgr: manager(), manager, stateFile };
}

Deno.test("detach binds to vfio-pci through driver_override, unbind and drivers_probe, and keeps the device in the inactive list", async () => {
  const { tree, mgr, manager, stateFile } = await world();
  await using _ = tree;
  await mgr.detach(addr("0000:03:00.0"), "vfio-pci");
  assert.equal(tree.deviceFile("0000:03:00.0", "driver_override"), "vfio-pci");
  assert.equal(tree.read("bus/pci/drivers/e1000e/unbind"), "0000:03:00.0");
  assert.equal(tree.read("bus/pci/drivers_probe"), "0000:03:00.0");
  // libvirt 9.0 binds through driver_override only: no new_id/remove_id, no direct bind.
  for (const f of ["bind", "new_id", "remove_id"]) {
    assert.equal(tree.read(`bus/pci/drivers/vfio-pci/${f}`), "", f);
  }
  tree.probe();
  assert.equal(tree.driverOf("0000:03:00.0"), "vfio-pci");
  assert.equal(tree.driverOf("0000:03:00.1"), "e1000e", "the other function is not touched");
  assert.deepEqual(JSON.parse(await Deno.readTextFile(stateFile)), ["0000:03:00.0"]);
  // A new manager (a restarted driver) knows what was detached.
  assert.deepEqual(manager().inactive(), ["0000:03:00.0"]);

  // Already on the stub: nothing is written again (virPCIDeviceBindToStub's early return).
  await Deno.writeTextFile(`${tree.sys}/${tree.devicePath("0000:03:00.0")}/driver_override`, "x");
  await mgr.detach(addr("0000:03:00.0"), "vfio-pci");
  assert.equal(tree.deviceFile("0000:03:00.0", "driver_override"), "x");
});

Deno.test("reattach lifts the override, unbinds from the stub and probes, so the kernel gives the device back to its own driver", async () => {
  const { tree, mgr, manager } = await world();
  await using _ = tree;
  await mgr.detach(addr("0000:03:00.0"), "vfio-pci");
  tree.probe();
  await mgr.reattach(addr("0000:03:00.0"));
  assert.equal(tree.deviceFile("0000:03:00.0", "driver_override"), "\n");
  assert.equal(tree.read("bus/pci/drivers/vfio-pci/unbind"), "0000:03:00.0");
  assert.equal(tree.read("bus/pci/drivers_probe"), "0000:03:00.0");
  tree.probe();
  assert.equal(tree.driverOf("0000:03:00.0"), "e1000e");
  assert.deepEqual(manager().inactive(), []);
});

Deno.test("a device a domain uses is neither detached nor reattached nor reset, and nothing is written", async () => {
  const active = new Map([["0000:03:00.0", { driver: "QEMU", domain: "web" }]]);
  const { tree, mgr } = await world(active);
  await using _ = tree;
  const inUse =
    "Requested operation is not valid: PCI device 0000:03:00.0 is in use by driver QEMU, domain web";
  for (
    const call of [
      () => mgr.detach(addr("0000:03:00.0"), "vfio-pci"),
      () => mgr.reattach(addr("0000:03:00.0")),
    ]
  ) {
    const e = await fail(call());
    assert.deepEqual([e.codeName, e.domainName, e.message], [
      "VIR_ERR_OPERATION_INVALID",
      "VIR_FROM_NONE",
      inUse,
    ]);
  }
  const e = await fail(mgr.reset(addr("0000:03:00.0")));
  assert.equal(e.message, "internal error: Not resetting active device 0000:03:00.0");
  assert.equal(tree.deviceFile("0000:03:00.0", "driver_override"), "(null)\n");
  assert.equal(tree.read("bus/pci/drivers_probe"), "");
  assert.equal(tree.driverOf("0000:03:00.0"), "e1000e");
});

Deno.test("without the stub's driver directory (no vfio-pci module in a fake tree) detach is refused before any write", async () => {
  const { tree, mgr } = await world(new Map(), DRIVERS.filter((d) => d !== "vfio-pci"));
  await using _ = tree;
  const e = await fail(mgr.detach(addr("0000:03:00.0"), "vfio-pci"));
  assert.equal(e.message, "internal error: Failed to load PCI stub module vfio-pci");
  assert.equal(tree.deviceFile("0000:03:00.0", "driver_override"), "(null)\n");
  assert.deepEqual(mgr.inactive(), []);
});

Deno.test("a device without a config space is libvirt's 'not found' system error", async () => {
  const { tree, mgr } = await world();
  await using _ = tree;
  const e = await fail(mgr.detach(addr("0000:09:00.0"), "vfio-pci"));
  assert.deepEqual([e.codeName, e.message], [
    "VIR_ERR_SYSTEM_ERROR",
    "Device 0000:09:00.0 not found: could not access /sys/bus/pci/devices/0000:09:00.0/config: No such file or directory",
  ]);
});

Deno.test("reset follows virPCIDeviceReset: endpoints only, vfio-pci and FLR devices left alone, PM reset, then a bus reset only when the bus is free", async () => {
  const { tree, mgr } = await world();
  await using _ = tree;
  const config = (name: string) => Deno.readFileSync(`${tree.sys}/${tree.devicePath(name)}/config`);

  let e = await fail(mgr.reset(addr("0000:00:1c.0")));
  assert.equal(
    e.message,
    "internal error: Invalid attempt to reset PCI device 0000:00:1c.0. Only PCI endpoint devices can be reset",
  );

  // FLR: KVM resets it; nothing is written.
  await mgr.reset(addr("0000:00:02.0"));
  assert.deepEqual(config("0000:00:02.0"), fakeConfig(DEVICES[3]));

  // PM reset: D3hot then D0, the config space put back as it was.
  await mgr.reset(addr("0000:00:1f.3"));
  assert.deepEqual(config("0000:00:1f.3"), fakeConfig(DEVICES[4]));

  // No FLR, no PM reset, and the root bus cannot be reset.
  e = await fail(mgr.reset(addr("0000:00:1f.4")));
  assert.deepEqual([e.codeName, e.domainName, e.message], [
    "VIR_ERR_INTERNAL_ERROR",
    "VIR_FROM_NONE",
    "internal error: Unable to reset PCI device 0000:00:1f.4: no FLR, PM reset or bus reset available",
  ]);

  // A bus reset would hit the other function, which the host still uses.
  e = await fail(mgr.reset(addr("0000:03:00.0")));
  assert.equal(
    e.message,
    "internal error: Unable to reset PCI device 0000:03:00.0: internal error: Active 0000:03:00.1 devices on bus with 0000:03:00.0, not doing bus reset",
  );

  // Once the other function is detached for a domain, the bus reset needs the parent bridge.
  await mgr.detach(addr("0000:03:00.1"), "vfio-pci");
  tree.probe();
  const klass = `${tree.sys}/${tree.devicePath("0000:00:1c.0")}/class`;
  await Deno.writeTextFile(klass, "0x020000\n");
  e = await fail(mgr.reset(addr("0000:03:00.0")));
  assert.equal(
    e.message,
    "internal error: Unable to reset PCI device 0000:03:00.0: internal error: Failed to find parent device for 0000:03:00.0",
  );
  await Deno.writeTextFile(klass, "0x060400\n");
  await mgr.reset(addr("0000:03:00.0"));
  assert.deepEqual(config("0000:03:00.0"), fakeConfig(DEVICES[1]));
  assert.deepEqual(
    config("0000:00:1c.0"),
    fakeConfig(DEVICES[0]),
    "the bridge control is restored",
  );

  // Bound to vfio-pci: VFIO resets it, libvirt skips (no error even without FLR or PM).
  await mgr.detach(addr("0000:00:1f.4"), "vfio-pci");
  tree.probe();
  await mgr.reset(addr("0000:00:1f.4"));
});
