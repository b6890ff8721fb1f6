/**
 * NIC hotplug on a real QEMU and a real NAT network, inside a network namespace of the test's
 * own: evsh on `qemu:///embed` starts a domain without a NIC, attaches a network NIC (its tap
 * becomes a port of the network's bridge, `domiflist` and the live XML show it), sets its link
 * down and reads it back; then `real_nic_unplug_child.ts` detaches it, playing the guest's ACPI
 * eject (no OS runs here), so QEMU lets the device go (DEVICE_DELETED) and the tap goes with it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { withRoot } from "../../secondary_helpers.ts";
import { evshInNs, inNs, withNetns } from "../../network/netns_helpers.ts";
import { realQemuTest } from "../real_qemu.ts";

const MAC = "52:54:00:68:6f:74";
const NETWORK = `<network><name>evthot</name><forward mode='nat'/>
  <ip address='192.168.152.1' netmask='255.255.255.0'>
    <dhcp><range start='192.168.152.10' end='192.168.152.20'/></dhcp>
  </ip></network>`;
const DOMAIN = `<domain type='qemu'><name>hotnic</name><memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features>
  <devices><memballoon model='none'/></devices></domain>`;
const NIC = `<interface type='network'><source network='evthot'/><mac address='${MAC}'/>
  <model type='virtio'/></interface>`;

realQemuTest({
  name: "real QEMU: attach a network NIC to a running domain, set its link, detach it",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withNetns(async (ns) => {
      await withRoot(async (root) => {
        for (const [name, xml] of [["net", NETWORK], ["dom", DOMAIN], ["nic", NIC]]) {
          await Deno.writeTextFile(join(root, `${name}.xml`), xml);
        }
        const evsh = (cmds: string) => evshInNs(ns, root, cmds);
        const bridgePorts = async () =>
          JSON.parse(await inNs(ns, "ip", "-j", "link", "show", "master", "virbr0"))
            .map((l: { ifname: string }) => l.ifname);
        try {
          const up = await evsh(
            `net-define ${root}/net.xml; net-start evthot; define ${root}/dom.xml; ` +
              `start hotnic; attach-device hotnic ${root}/nic.xml --live; domiflist hotnic; ` +
              `dumpxml hotnic`,
          );
          assert.match(up, /Device attached successfully/);
          assert.match(up, new RegExp(`^ vnet0 +network +evthot +virtio +${MAC}$`, "m"));
          assert.match(
            up,
            new RegExp(
              `<interface type='network'>\\s*<mac address='${MAC}'/>\\s*` +
                `<source network='evthot' portid='[0-9a-f-]+' bridge='virbr0'/>\\s*` +
                `<target dev='vnet0'/>\\s*<model type='virtio'/>\\s*<alias name='net0'/>`,
            ),
          );
          assert.deepEqual(await bridgePorts(), ["vnet0"]);

          const link = await evsh(
            `domif-setlink hotnic vnet0 down; domif-getlink hotnic ${MAC}`,
          );
          assert.match(link, /Device updated successfully/);
          assert.match(link, new RegExp(`${MAC} down`));

          const slot = up.match(
            /<alias name='net0'\/>\s*<address type='pci' domain='0x0000' bus='0x00' slot='(0x[0-9a-f]+)'/,
          )?.[1];
          assert.ok(slot, "the NIC's PCI slot");
          const child = new URL("./real_nic_unplug_child.ts", import.meta.url).pathname;
          const out = await inNs(
            ns,
            Deno.execPath(),
            "run",
            "-A",
            "--quiet",
            child,
            root,
            "hotnic",
            MAC,
            String(Number(slot)),
          );
          const report = JSON.parse(out.trim().split("\n").pop()!);
          assert.equal(report.error, undefined, report.error);
          assert.ok(
            report.waitedMs < 4000,
            `the detach ended with DEVICE_DELETED: ${report.waitedMs}`,
          );
          assert.doesNotMatch(report.live, /<interface/);
          assert.deepEqual(await bridgePorts(), [], "the tap is gone");
          const links = JSON.parse(await inNs(ns, "ip", "-j", "link", "show"));
          assert.ok(!links.some((l: { ifname: string }) => l.ifname === "vnet0"));
          assert.doesNotMatch(await evsh("domiflist hotnic"), /vnet0/);
        } finally {
          await evsh(
            "destroy hotnic; undefine hotnic; net-destroy evthot; net-undefine evthot",
          ).catch(() => {});
        }
        const links = JSON.parse(await inNs(ns, "ip", "-j", "link", "show"));
        assert.deepEqual(links.map((l: { ifname: string }) => l.ifname), ["lo"]);
      });
    }),
});
