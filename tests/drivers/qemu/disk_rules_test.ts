/**
 * The disk rules a definition meets before QEMU is involved, against libvirt 9.0's QEMU driver
 * on the same disks (`fixtures/record_disk_rules.py` → `fixtures/disk_rules.expected.json`):
 * SCSI passthrough (`device='lun'`: sources, format, bus, `sgio`, `rawio`), copy-on-read (not
 * read-only, not removable, not a LUN) and TFTP; each refusal with libvirt's code, domain and
 * message, and what libvirt defines is defined. Hot-plugged (`fixtures/disk_rules.hotplug.json`),
 * the same disks get libvirt's answers on real QEMU.
 */
import assert from "node:assert/strict";
import { FakeLauncher } from "../../../drivers/qemu/testing/mod.ts";
import { VirError } from "../../../util/errors.ts";
import { withQemuConn } from "./with_conn.ts";
import { realQemuTest, withRealDriver } from "./real_qemu.ts";
import { VIR } from "../../../util/constants.ts";
import type { DomainRef } from "../../../util/contract/types.ts";

const here = new URL("./fixtures/", import.meta.url);
const cases: { name: string; disk: string; machine?: string }[] = JSON.parse(
  await Deno.readTextFile(new URL("disk_rules.json", here)),
);
const expected: Record<string, unknown>[] = JSON.parse(
  await Deno.readTextFile(new URL("disk_rules.expected.json", here)),
);

Deno.test("disk rules: every case is refused or defined as by libvirt 9.0's QEMU driver", async () => {
  assert.equal(expected.length, cases.length);
  await withQemuConn({ launcher: new FakeLauncher() }, async (conn) => {
    const ours = [];
    for (const c of cases) {
      const xml = "<domain type='qemu'><name>rule1</name><memory unit='MiB'>64</memory>" +
        `<os><type arch='x86_64' machine='${c.machine ?? "pc"}'>hvm</type></os>` +
        `<devices>${c.disk}<memballoon model='none'/></devices></domain>`;
      try {
        const dom = await conn.domainDefineXMLFlags!(xml, 0);
        await conn.domainUndefineFlags!(dom, 0);
        ours.push({ name: c.name, defined: true });
      } catch (e) {
        if (!(e instanceof VirError)) throw e;
        ours.push({ name: c.name, code: e.code, domain: e.domain, message: e.message });
      }
    }
    assert.deepEqual(ours, expected);
  });
});

realQemuTest({
  name: "real QEMU: the same disks hot-plugged get libvirt 9.0's answers",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    // fixtures/disk_rules.hotplug.json: each case plugged into a paused domain of its machine.
    const hotplug: Record<string, unknown>[] = JSON.parse(
      await Deno.readTextFile(new URL("disk_rules.hotplug.json", here)),
    );
    assert.equal(hotplug.length, cases.length);
    await withRealDriver("ev-qemu-rules-", async ({ conn }) => {
      const running = new Map<string, DomainRef>();
      const ours: Record<string, unknown>[] = [];
      for (const c of cases) {
        const machine = c.machine ?? "pc";
        if (!running.has(machine)) {
          running.set(
            machine,
            await conn.domainCreateXML!(
              `<domain type='qemu'><name>rule-${machine}</name><memory unit='MiB'>64</memory>` +
                `<os><type arch='x86_64' machine='${machine}'>hvm</type></os>` +
                "<features><acpi/></features><devices><memballoon model='none'/></devices>" +
                "</domain>",
              VIR.DOMAIN_START_PAUSED,
            ),
          );
        }
        const dom = running.get(machine)!;
        await conn.domainAttachDeviceFlags!(dom, c.disk, VIR.DOMAIN_AFFECT_LIVE).then(
          () => ours.push({ name: c.name, attached: true }),
          (e: VirError) =>
            ours.push({ name: c.name, code: e.code, domain: e.domain, message: e.message }),
        );
      }
      for (const dom of running.values()) await conn.domainDestroyFlags!(dom, 0);
      assert.deepEqual(ours, hotplug);
    });
  },
});
