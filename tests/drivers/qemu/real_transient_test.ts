// Real QEMU 7.2 (TCG): a domain with two <transient/> disks (a qcow2 and a raw image) runs on
// qcow2 overlays <image>.TRANSIENT-<name> that exist while it runs, take the guest's writes
// (written through QEMU's own block layer) and are gone after the destroy, while the images'
// bytes never change; so does a transient disk plugged in, and one sharing its backing image; the live disks are libvirt 9.0's for the same domain
// (tests/fixtures/oracle/transient_disks.json). Without QEMU this test is ignored on a
// developer machine but FAILS in CI.
import assert from "node:assert/strict";
import type { QemuMonitor } from "../../../drivers/qemu/monitor/qemu_monitor.ts";
import { realQemuTest, withRealDriver } from "./real_qemu.ts";

const recorded: { steps: { op: string; xml?: string; ok?: unknown }[] } = JSON.parse(
  await Deno.readTextFile(new URL("../../fixtures/oracle/transient_disks.json", import.meta.url)),
);

async function run(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `${cmd} ${args.join(" ")}: ${text}`);
  return text;
}

const sha256 = async (file: string) =>
  Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", await Deno.readFile(file))))
    .map((b) => b.toString(16).padStart(2, "0")).join("");

/** The guest's write of 64 KiB of 0xab at offset 0, through QEMU's own block layer. */
async function write(monitor: QemuMonitor, alias: string): Promise<void> {
  for (const command of ["write -P 0xab 0 64k", "flush"]) {
    const out = await monitor.run("human-monitor-command", {
      "command-line": `qemu-io -d /machine/peripheral/${alias}/virtio-backend "${command}"`,
    });
    assert.doesNotMatch(String(out), /error|not found/i);
  }
}

/** Checks with qemu-io that the qcow2 `file` holds that write. */
const holdsWrite = (file: string) =>
  run("qemu-io", ["-r", "-U", "-f", "qcow2", "-c", "read -P 0xab 0 64k", file]);

const exists = (file: string) => Deno.stat(file).then(() => true, () => false);

/** The `<disk>` elements of a domain XML. */
const disks = (xml: string) => xml.match(/ {4}<disk [\s\S]*?<\/disk>\n/g) ?? [];

realQemuTest({
  name: "real QEMU: transient disks run on overlays that keep the images unchanged",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-tr-", async ({ dir, launcher, conn }) => {
      await run("qemu-img", ["create", "-q", "-f", "qcow2", `${dir}/vda.qcow2`, "16M"]);
      await run("qemu-img", ["create", "-q", "-f", "raw", `${dir}/vdb.img`, "8M"]);
      await run("qemu-img", ["create", "-q", "-f", "raw", `${dir}/vdc.img`, "4M"]);
      const vdc = await sha256(`${dir}/vdc.img`);
      const images = [`${dir}/vda.qcow2`, `${dir}/vdb.img`];
      const before = await Promise.all(images.map(sha256));
      const define = recorded.steps.find((s) => s.op === "define" && s.ok === "tr")!;
      const dom = await conn.domainDefineXMLFlags!(define.xml!.replaceAll("@DIR@", dir), 0);
      await conn.domainCreateWithFlags!(dom, 0);
      const overlays = images.map((f) => `${f}.TRANSIENT-tr`);
      for (const [i, overlay] of overlays.entries()) {
        const info = JSON.parse(await run("qemu-img", ["info", "-U", "--output=json", overlay]));
        assert.equal(info.format, "qcow2");
        assert.equal(info["backing-filename"], images[i]);
      }
      const live = await conn.domainGetXMLDesc!(dom, 0);
      const libvirtLive = recorded.steps.find((s) => s.op === "xml")!.ok as string;
      assert.deepEqual(disks(live.replaceAll(dir, "@DIR@")), disks(libvirtLive));
      assert.equal(disks(live).length, 2);

      // The guest's writes, through QEMU's block layer (each disk's virtio backend by QOM path).
      const monitor = launcher.procs[0].monitor;
      for (const alias of ["virtio-disk0", "virtio-disk1"]) await write(monitor, alias);
      for (const overlay of overlays) await holdsWrite(overlay);
      assert.deepEqual(await Promise.all(images.map(sha256)), before);

      // A transient disk plugged in runs on its overlay too.
      const attach = recorded.steps.find((s) => s.op === "attach")!;
      await conn.domainAttachDeviceFlags!(dom, attach.xml!.replaceAll("@DIR@", dir), 1);
      await write(monitor, "virtio-disk2");
      await holdsWrite(`${dir}/vdc.img.TRANSIENT-tr`);
      assert.equal(await sha256(`${dir}/vdc.img`), vdc);

      await conn.domainDestroyFlags!(dom, 0);
      for (const overlay of [...overlays, `${dir}/vdc.img.TRANSIENT-tr`]) {
        assert.equal(await exists(overlay), false, overlay);
      }
      assert.deepEqual(await Promise.all(images.map(sha256)), before);
      // The next run starts from the unchanged images again, vdb now sharing its image: plugged
      // once QEMU runs, on its overlay.
      const shared = recorded.steps.findLast((s) => s.op === "define" && s.ok === "tr")!;
      await conn.domainUndefineFlags!(dom, 0);
      const again = await conn.domainDefineXMLFlags!(shared.xml!.replaceAll("@DIR@", dir), 0);
      await conn.domainCreateWithFlags!(again, 0);
      const cmdline = await Deno.readTextFile(`/proc/${launcher.procs[1].pid}/cmdline`);
      assert.match(cmdline, /vda\.qcow2/);
      assert.doesNotMatch(cmdline, /vdb\.img/);
      await write(launcher.procs[1].monitor, "virtio-disk1");
      await holdsWrite(overlays[1]);
      assert.deepEqual(await Promise.all(images.map(sha256)), before);
      await conn.domainDestroyFlags!(again, 0);
      for (const overlay of overlays) assert.equal(await exists(overlay), false, overlay);
    });
  },
});
