/**
 * The QEMU driver and the host network driver together, for real, inside a network namespace
 * of the test's own (issue 10's acceptance): evsh on `qemu:///embed` defines and starts a NAT
 * network, then a domain with `<interface type='network'>`; its tap is a port of the network's
 * bridge and `domiflist` names it. The guest is QEMU's own network-boot firmware (iPXE, from
 * Debian's ipxe-qemu), which asks dnsmasq for a lease: `net-dhcp-leases` and `domifaddr
 * --source lease` show it. Tearing down leaves the namespace with nothing but `lo`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { withRoot } from "../../secondary_helpers.ts";
import { evshInNs, inNs, withNetns } from "../../network/netns_helpers.ts";
import { realQemuTest } from "../real_qemu.ts";

const MAC = "52:54:00:6e:65:74";
const NETWORK = `<network><name>evtnat</name><forward mode='nat'/>
  <ip address='192.168.151.1' netmask='255.255.255.0'>
    <dhcp><range start='192.168.151.10' end='192.168.151.20'/></dhcp>
  </ip></network>`;
const DOMAIN = `<domain type='qemu'><name>netboot</name><memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os>
  <devices><interface type='network'><source network='evtnat'/><mac address='${MAC}'/>
  <model type='virtio'/></interface><memballoon model='none'/></devices></domain>`;

realQemuTest({
  name: "real QEMU on a real NAT network: tap on the bridge, a DHCP lease from the guest",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withNetns(async (ns) => {
      await withRoot(async (root) => {
        await Deno.writeTextFile(join(root, "net.xml"), NETWORK);
        await Deno.writeTextFile(join(root, "dom.xml"), DOMAIN);
        const evsh = (cmds: string) => evshInNs(ns, root, cmds);
        const up = await evsh(
          `net-define ${root}/net.xml; net-start evtnat; define ${root}/dom.xml; start netboot; ` +
            `domiflist netboot`,
        );
        assert.match(up, /Domain 'netboot' started/);
        assert.match(up, new RegExp(`^ vnet0 +network +evtnat +virtio +${MAC}$`, "m"));
        const ports = JSON.parse(await inNs(ns, "ip", "-j", "link", "show", "master", "virbr0"));
        assert.deepEqual(ports.map((l: { ifname: string }) => l.ifname), ["vnet0"]);

        // iPXE asks for an address as soon as SeaBIOS hands it the boot (TCG: seconds).
        let leases = "";
        for (const end = Date.now() + 90_000; Date.now() < end;) {
          leases = await evsh("net-dhcp-leases evtnat");
          if (leases.includes(MAC)) break;
          await new Promise((r) => setTimeout(r, 2000));
        }
        assert.match(leases, new RegExp(`${MAC} +ipv4 +192\\.168\\.151\\.(1\\d|20)/24`), leases);
        const addr = await evsh("domifaddr netboot --source lease");
        assert.match(addr, new RegExp(`vnet0 +${MAC} +ipv4 +192\\.168\\.151\\.(1\\d|20)/24`), addr);

        await evsh("destroy netboot; undefine netboot; net-destroy evtnat; net-undefine evtnat");
        const links = JSON.parse(await inNs(ns, "ip", "-j", "link", "show"));
        assert.deepEqual(links.map((l: { ifname: string }) => l.ifname), ["lo"]);
      });
    }),
});
