// Real QEMU 7.2 (TCG): a guest started with a DIMM and a virtio-mem, a DIMM plugged live and
// the virtio-mem's requested size changed; what QEMU reports (query-memory-devices, qom-get)
// is what the live XML shows. The guest runs no OS, so nothing plugs virtio-mem memory and no
// DIMM unplug is acknowledged: the test checks what QEMU and libvirt report in that case.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import type { DriverEvent } from "../../../util/driver.ts";
import { realQemuTest, withRealDriver } from "./real_qemu.ts";

interface MemoryDeviceInfo {
  type: string;
  data: { id: string; slot?: number; addr?: number; size: number; "requested-size"?: number };
}

const DOMAIN = `<domain type='qemu'><name>md</name>
<maxMemory slots='4' unit='MiB'>1024</maxMemory><memory unit='MiB'>384</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='q35'>hvm</type></os><features><acpi/></features>
<cpu><numa><cell id='0' cpus='0' memory='64' unit='MiB'/></numa></cpu><devices>
<memory model='dimm'><target><size unit='MiB'>64</size><node>0</node></target></memory>
<memory model='virtio-mem'><target><size unit='MiB'>256</size><node>0</node>
<block unit='MiB'>2</block><requested unit='MiB'>0</requested></target></memory>
<memballoon model='none'/></devices></domain>`;

const DIMM = "<memory model='dimm'><target><size unit='MiB'>32</size><node>0</node></target>" +
  "</memory>";

realQemuTest({
  name: "real QEMU: DIMM and virtio-mem started, a DIMM plugged, virtio-mem resized",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-mem-", async ({ launcher, conn }) => {
      const dom = await conn.domainCreateXML!(DOMAIN, 0);
      const mon = launcher.procs[0].monitor;
      const devices = () => mon.run<MemoryDeviceInfo[]>("query-memory-devices");
      const started = await devices();
      assert.deepEqual(started.map((d) => [d.type, d.data.id]), [
        ["dimm", "dimm0"],
        ["virtio-mem", "virtiomem0"],
      ]);
      const dimm0 = started[0].data;
      let live = await conn.domainGetXMLDesc!(dom, 0);
      // QEMU's slot and base address of the DIMM, and the virtio-mem's plugged size (none).
      assert.match(
        live,
        new RegExp(
          `<address type='dimm' slot='${dimm0.slot}' base='0x${dimm0.addr!.toString(16)}'/>`,
        ),
      );
      assert.match(live, /<requested unit='KiB'>0<\/requested>\s*<current unit='KiB'>0<\/current>/);
      assert.match(live, /<memory unit='KiB'>393216<\/memory>/);

      const events: DriverEvent[] = [];
      conn.subscribe!((ev) => events.push(ev));
      await conn.domainAttachDeviceFlags!(dom, DIMM, VIR.DOMAIN_AFFECT_LIVE);
      const plugged = (await devices()).find((d) => d.data.id === "dimm1");
      assert.equal(plugged?.data.size, 32 * 1024 * 1024);
      live = await conn.domainGetXMLDesc!(dom, 0);
      assert.match(live, /<alias name='dimm1'\/>\s*<address type='dimm' slot='1' base='0x/);
      assert.match(live, /<memory unit='KiB'>425984<\/memory>/);

      // The new requested size reaches QEMU; with no driver in the guest nothing is plugged.
      const resized = live.match(/<memory model='virtio-mem'>[\s\S]*?<\/memory>/)![0]
        .replace("<requested unit='KiB'>0</requested>", "<requested unit='KiB'>65536</requested>");
      await conn.domainUpdateDeviceFlags!(dom, resized, VIR.DOMAIN_AFFECT_LIVE);
      assert.equal(
        await mon.run("qom-get", { path: "virtiomem0", property: "requested-size" }),
        64 * 1024 * 1024,
      );
      const virtioMem = (await devices()).find((d) => d.data.id === "virtiomem0");
      assert.equal(virtioMem?.data.size, 0);
      live = await conn.domainGetXMLDesc!(dom, 0);
      assert.match(
        live,
        /<requested unit='KiB'>65536<\/requested>\s*<current unit='KiB'>0<\/current>/,
      );
      // No OS answers QEMU's ACPI eject: the detach returns after libvirt's unplug timeout and
      // the DIMM stays, in QEMU and in the live XML.
      await conn.domainDetachDeviceFlags!(dom, DIMM, VIR.DOMAIN_AFFECT_LIVE);
      assert.ok((await devices()).some((d) => d.data.id === "dimm1"));
      assert.match(await conn.domainGetXMLDesc!(dom, 0), /<alias name='dimm1'\/>/);
      await conn.domainDestroyFlags!(dom, 0);
      // libvirt announces the backend's alias (qemuDomainAttachMemory).
      const added = events.filter((e) => e.eventId === VIR.DOMAIN_EVENT_ID_DEVICE_ADDED);
      assert.deepEqual(added.map((e) => e.data), [{ devAlias: "memdimm1" }]);
    });
  },
});
