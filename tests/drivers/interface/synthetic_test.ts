/**
 * Bond and VLAN interfaces (this machine's kernel has neither module, so libvirt could not be
 * recorded with them): built as the sysfs and /proc/net/vlan the kernel gives them, and read
 * as libvirt's udev backend reads them (`udevGetIfaceDefBond`, `udevGetIfaceDefVlan`): mode
 * number + 1, MII monitor with libvirt's carrier, slaves nested, VLAN tag and device.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { interfaceDriver } from "../../../drivers/interface/mod.ts";
import { VIR } from "../../../util/constants.ts";
import { failure } from "../secondary_helpers.ts";

function netdev(name: string, attrs: Record<string, string>): Record<string, string> {
  const dir = `sys/devices/virtual/net/${name}`;
  const base: Record<string, string> = {
    address: "52:54:00:aa:00:01\n",
    operstate: "up\n",
    speed: "1000\n",
    mtu: "1500\n",
    uevent: `INTERFACE=${name}\nIFINDEX=9\n`,
    ...attrs,
  };
  return Object.fromEntries(Object.entries(base).map(([k, v]) => [`${dir}/${k}`, v]));
}

const FILES: Record<string, string> = {
  ...netdev("bond0", {
    uevent: "DEVTYPE=bond\nINTERFACE=bond0\n",
    "bonding/mode": "active-backup 1\n",
    "bonding/miimon": "100\n",
    "bonding/updelay": "200\n",
    "bonding/downdelay": "0\n",
    "bonding/arp_interval": "0\n",
    "bonding/arp_validate": "none 0\n",
    "bonding/use_carrier": "1\n",
    "bonding/arp_ip_target": "\n",
  }),
  ...netdev("eth1", { address: "52:54:00:aa:00:02\n" }),
  ...netdev("eth1.42", { uevent: "DEVTYPE=vlan\nINTERFACE=eth1.42\n", operstate: "down\n" }),
  "proc/net/vlan/eth1.42": "eth1.42  VID: 42\t REORDER_HDR: 1  dev->priv_flags: 1001\n" +
    "         total frames received            0\n\nDevice: eth1\nINGRESS priority mappings: 0:0\n",
};
const LINKS: Record<string, string> = {
  "sys/class/net/bond0": "../../devices/virtual/net/bond0",
  "sys/class/net/eth1": "../../devices/virtual/net/eth1",
  "sys/class/net/eth1.42": "../../devices/virtual/net/eth1.42",
  "sys/devices/virtual/net/bond0/slave_eth1": "../eth1",
};

Deno.test("bond with its slave and a VLAN, as libvirt's udev backend reads them", async () => {
  const root = await Deno.makeTempDir({ prefix: "evt-iface-" });
  try {
    for (const [path, text] of Object.entries(FILES)) {
      Deno.mkdirSync(dirname(join(root, path)), { recursive: true });
      Deno.writeTextFileSync(join(root, path), text);
    }
    for (const [path, target] of Object.entries(LINKS)) {
      Deno.mkdirSync(dirname(join(root, path)), { recursive: true });
      Deno.symlinkSync(target, join(root, path));
    }
    const conn = await interfaceDriver.open(new URL("qemu:///system"), {
      sysfsRoot: join(root, "sys"),
      procRoot: join(root, "proc"),
    });
    const xml = (name: string) => conn.interfaceGetXMLDesc!({ name, mac: "" }, 0);
    assert.equal(
      await xml("bond0"),
      `<interface type='bond' name='bond0'>
  <mtu size='1500'/>
  <link speed='1000' state='up'/>
  <bond mode='active-backup'>
    <miimon freq='100' updelay='200' carrier='netif'/>
    <interface type='ethernet' name='eth1'>
      <link speed='1000' state='up'/>
      <mac address='52:54:00:aa:00:02'/>
    </interface>
  </bond>
</interface>
`,
    );
    assert.equal(
      await xml("eth1.42"),
      `<interface type='vlan' name='eth1.42'>
  <mtu size='1500'/>
  <link state='down'/>
  <vlan tag='42'>
    <interface name='eth1'/>
  </vlan>
</interface>
`,
    );
    assert.deepEqual(await conn.connectListDefinedInterfaces!(), ["eth1.42"]);
    // A bond's slave is listed too (only bridge ports are left out).
    assert.deepEqual((await conn.connectListAllInterfaces!(0)).map((i) => i.name), [
      "bond0",
      "eth1",
      "eth1.42",
    ]);
    Deno.removeSync(join(root, "proc/net/vlan/eth1.42"));
    const e = await failure(xml("eth1.42"));
    assert.equal(e.code, VIR.ERR_SYSTEM_ERROR);
    assert.equal(
      e.message,
      `Failed to open file '${join(root, "proc")}/net/vlan/eth1.42': No such file or directory`,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
