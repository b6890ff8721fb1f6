/**
 * Run by live_test.ts inside the network namespace it made (`ip netns exec`, which mounts that
 * namespace's /sys): opens the node-device and interface drivers on the live system and
 * prints, as JSON, every device's XML and parent, every interface's XML, and the lifecycle
 * events seen while a veth pair is added and removed.
 *
 * @module
 */
import { nodeDeviceDriver } from "../../../drivers/node_device/mod.ts";
import { interfaceDriver } from "../../../drivers/interface/mod.ts";
import type { DriverEvent, NodeDeviceRef } from "../../../util/contract/types.ts";

const uri = new URL("qemu:///system");
const nodedev = await nodeDeviceDriver.open(uri, {});
const iface = await interfaceDriver.open(uri, {});

const devices: Record<string, { xml: string; parent: string | null }> = {};
for (const name of await nodedev.nodeListDevices!(null, 0)) {
  devices[name] = {
    xml: await nodedev.nodeDeviceGetXMLDesc!({ name }, 0),
    parent: await nodedev.nodeDeviceGetParent!({ name }),
  };
}
const ifaces: Record<string, string> = {};
for (const i of await iface.connectListAllInterfaces!(0)) {
  ifaces[i.name] = await iface.interfaceGetXMLDesc!(i, 0);
}

const events: string[] = [];
const off = nodedev.subscribe!((ev: DriverEvent) =>
  events.push(`${(ev.ref as NodeDeviceRef).name} ${ev.data.event}`)
);
const waitFor = async (line: string) => {
  for (let i = 0; i < 100 && !events.includes(line); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
};
const ip = (...args: string[]) => new Deno.Command("ip", { args }).output();
await ip(
  "link",
  "add",
  "evr2",
  "address",
  "52:54:00:0e:00:21",
  "type",
  "veth",
  "peer",
  "name",
  "evr3",
);
await waitFor("net_evr2_52_54_00_0e_00_21 0");
await ip("link", "del", "evr2");
await waitFor("net_evr2_52_54_00_0e_00_21 1");
off();

await nodedev.connectClose();
await iface.connectClose();
console.log(JSON.stringify({ devices, ifaces, events }));
