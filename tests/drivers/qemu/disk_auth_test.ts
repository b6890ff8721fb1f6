/**
 * Network disks with credentials against libvirt 9.0's QEMU driver on the same disks and
 * secrets (`fixtures/record_disk_auth.py` → `fixtures/disk_auth.expected.json`): the password
 * is read from the host's secret driver by uuid or usage, of the usage type the protocol needs
 * (iscsi, or ceph for rbd), and reaches QEMU as a secret object its storage node names with the
 * user, every property as libvirt's node (QEMU quotes it when it cannot reach the server, none
 * running here; the RBD disk's Ceph configuration gives up after a second); a missing secret or one of the wrong type is libvirt's error, before QEMU runs. The
 * same disks hot-plugged get libvirt's answers, and QEMU keeps none of a refused disk's secret
 * objects, as with libvirt.
 */
import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { FakeTapHost } from "../../../drivers/qemu/testing/mod.ts";
import { secretDriver } from "../../../drivers/secret/mod.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import { VirError } from "../../../util/errors.ts";
import { createRegistry } from "../../../util/registry.ts";
import { KeepingLauncher, realQemuTest } from "./real_qemu.ts";
import { VIR } from "../../../util/constants.ts";

const here = new URL("./fixtures/", import.meta.url);
const spec: {
  cephConf: { path: string; text: string };
  secrets: { uuid: string; usage: string; value: string }[];
  cases: { name: string; disk: string }[];
} = JSON.parse(await Deno.readTextFile(new URL("disk_auth.json", here)));
const expected: { name: string; code: number; domain: number; message: string }[] = JSON.parse(
  await Deno.readTextFile(new URL("disk_auth.expected.json", here)),
);

const hotplug: Record<string, unknown>[] = JSON.parse(
  await Deno.readTextFile(new URL("disk_auth.hotplug.json", here)),
);

/** The storage node QEMU quotes in its refusal: `-blockdev {...}: …`. */
const refusedNode = (message: string) => message.match(/-blockdev (\{.*\}): /);

realQemuTest({
  name: "network disk credentials: libvirt's secret lookups, errors and storage node properties",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    assert.equal(expected.length, spec.cases.length);
    // The RBD case's Ceph configuration, as the recording wrote it (no monitor runs here).
    await Deno.writeTextFile(spec.cephConf.path, spec.cephConf.text);
    const dir = await Deno.makeTempDir();
    const launcher = new KeepingLauncher();
    const conn: DriverConnection = await createRegistry([qemuConnectDriver], [secretDriver])
      .find("qemu")!.open(new URL(`qemu:///embed?root=${dir}`), {
        launcher,
        taps: new FakeTapHost([]),
        log: () => {},
      });
    try {
      for (const s of spec.secrets) {
        const ref = await conn.secretDefineXML!(
          `<secret ephemeral='no' private='yes'><uuid>${s.uuid}</uuid>${s.usage}</secret>`,
          0,
        );
        await conn.secretSetValue!(ref, [...new TextEncoder().encode(s.value)], 0);
      }
      for (const [i, c] of spec.cases.entries()) {
        const xml = "<domain type='qemu'><name>auth1</name><memory unit='MiB'>64</memory>" +
          "<os><type arch='x86_64' machine='pc'>hvm</type></os>" +
          `<devices>${c.disk}<memballoon model='none'/></devices></domain>`;
        const err = await conn.domainCreateXML!(xml, 0).then(() => undefined, (e) => e);
        const want = expected[i];
        assert.ok(err instanceof VirError, `${c.name}: ${err}`);
        const node = refusedNode(want.message);
        if (node) {
          // QEMU's refusal: the node libvirt built, to the byte, in our start's refusal too.
          assert.equal(err.code, want.code, c.name);
          assert.equal(err.domain, want.domain, c.name);
          assert.match(err.message, /^internal error: /);
          assert.equal(refusedNode(err.message)?.[1], node[1], c.name);
        } else {
          assert.deepEqual(
            { name: c.name, code: err.code, domain: err.domain, message: err.message },
            want,
          );
        }
      }
      // The same disks hot-plugged (fixtures/disk_auth.hotplug.json): libvirt's answer, and
      // the secret objects QEMU holds after it (none: a refused disk's go again).
      const dom = await conn.domainCreateXML!(
        "<domain type='qemu'><name>auth2</name><memory unit='MiB'>64</memory>" +
          "<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features>" +
          "<devices><memballoon model='none'/></devices></domain>",
        0,
      );
      const mon = launcher.procs.at(-1)!.monitor;
      const ours = [];
      for (const c of spec.cases) {
        const answer: Record<string, unknown> = { name: c.name };
        await conn.domainAttachDeviceFlags!(dom, c.disk, VIR.DOMAIN_AFFECT_LIVE).then(
          () => answer.attached = true,
          (e: VirError) =>
            Object.assign(answer, { code: e.code, domain: e.domain, message: e.message }),
        );
        const objects = await mon.run<{ name: string }[]>("qom-list", { path: "/objects" });
        answer.secrets = objects.map((o) => o.name).filter((n) => n.startsWith("libvirt-")).sort();
        ours.push(answer);
      }
      assert.deepEqual(ours, hotplug);
      await conn.domainDestroyFlags!(dom, 0);
      // No password is left behind in the run directory.
      const left: string[] = [];
      for await (const e of Deno.readDir(dir)) if (e.name.endsWith(".secret")) left.push(e.name);
      assert.deepEqual(left, []);
    } finally {
      await conn.connectClose();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
