// Real QEMU 7.2 (TCG): a write past a disk's threshold becomes libvirt's BLOCK_THRESHOLD event
// (`qemuProcessHandleBlockThreshold`): for the disk ("vda") and its image ("vda[1]") when the
// threshold was set by name, for the image alone when set by index, with the image's path, the
// threshold and by how much the write passed it; and the disk's typed statistics come in
// libvirt's order. The write is QEMU's own (`qemu-io` on the disk's backend), as the test guest
// writes nothing. Without QEMU this test is ignored on a developer machine but FAILS in CI.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import type { DriverEvent } from "../../../util/driver.ts";
import { waitFor } from "../../wait.ts";
import { qcow2Domain, realQemuTest, withRealDriver } from "./real_qemu.ts";

realQemuTest({
  name: "real QEMU: a write past a threshold is a BLOCK_THRESHOLD event, by name or by index",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-threshold-", async ({ dir, launcher, conn }) => {
      const { disk, xml } = await qcow2Domain(dir, "th");
      const events: Record<string, unknown>[] = [];
      conn.subscribe!((ev: DriverEvent) => {
        if (ev.eventId === VIR.DOMAIN_EVENT_ID_BLOCK_THRESHOLD) events.push(ev.data);
      });
      const dom = await conn.domainCreateXML!(xml, 0);
      const monitor = launcher.procs[0].monitor;
      const write = (offset: number, length: number) =>
        monitor.run("human-monitor-command", {
          "command-line":
            `qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend "write ${offset} ${length}"`,
        });

      // The threshold watches the image file's highest written offset, which qcow2's cluster
      // placement decides: the excess is whatever QEMU reports, above 0.
      await conn.domainSetBlockThreshold!(dom, "vda", 65536, 0);
      await write(0, 131072);
      await waitFor(() => events.length >= 2, 60_000, 20, "the threshold events");
      const first = { path: disk, threshold: 65536, excess: events[0].excess };
      assert.ok(Number(first.excess) > 0);
      // By name: the disk's event, and the image's (its source index is 1).
      assert.deepEqual(events, [{ dev: "vda", ...first }, { dev: "vda[1]", ...first }]);

      // QEMU clears a threshold once it fires; set again by index, only the image's event comes.
      const size = (await Deno.stat(disk)).size;
      await conn.domainSetBlockThreshold!(dom, "vda[1]", size, 0);
      await write(2097152, 131072);
      await waitFor(() => events.length > 2, 60_000, 20, "the indexed threshold event");
      assert.deepEqual(events.slice(2), [
        { dev: "vda[1]", path: disk, threshold: size, excess: events[2].excess },
      ]);
      assert.ok(Number(events[2].excess) > 0);
      // The typed statistics, in libvirt's order (its QEMU driver's answer in
      // tests/fixtures/oracle: wr_bytes first, flush_total_times last); QEMU accounts the guest's
      // I/O only, not qemu-io's, so the values are whatever the firmware read.
      const stats = await conn.domainBlockStatsFlags!(dom, "vda", 0);
      assert.deepEqual(Object.keys(stats), [
        "wr_bytes",
        "wr_operations",
        "rd_bytes",
        "rd_operations",
        "flush_operations",
        "wr_total_times",
        "rd_total_times",
        "flush_total_times",
      ]);
      assert.ok(Object.values(stats).every((v) => Number.isInteger(v) && Number(v) >= 0));
      await conn.domainDestroyFlags!(dom, 0);
    });
  },
});
