/**
 * libvirt 9.0's host-side disk checks and `startupPolicy`, replayed on a fake QEMU: every step of
 * `fixtures/disk_startup/expected.json` (recorded by `fixtures/disk_startup/record.sh` from
 * libvirt's QEMU driver on `qemu:///session`) gives libvirt's answer or error (code, domain,
 * message: a missing image, a missing backing file, in a missing folder; at a cold boot, a
 * restore, a hot-plug and a media change), the same disk-change events before the start's
 * lifecycle event (a cdrom or floppy emptied, a disk dropped), and the running and inactive
 * XML's disks as libvirt's show them.
 */
import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { storageDriver } from "../../../drivers/storage/mod.ts";
import { createRegistry } from "../../../util/registry.ts";
import type { DomainRef, DriverEvent } from "../../../util/driver.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import { blockLauncher } from "./fake_qmp/block_launcher.ts";
import { run as runCommand } from "./disk_fixtures.ts";

interface Step {
  op: string;
  text?: string;
  xml?: string;
  file?: string;
  backing?: string;
  flags?: number;
  ok?: unknown;
  error?: { code: number; domain: number; message: string };
  events?: unknown[][];
}

const recorded: { steps: Step[] } = JSON.parse(
  Deno.readTextFileSync(new URL("./fixtures/disk_startup/expected.json", import.meta.url)),
);

/** The `<disk>` elements of a domain XML. */
const disks = (xml: string) => xml.match(/ {4}<disk [\s\S]*?<\/disk>\n/g) ?? [];

/** The events compared: disk changes, and the start's own lifecycle event that follows them. */
const compared = (events: unknown[][]) =>
  events.filter((e) => e[0] === "disk-change" || (e[0] === "lifecycle" && e[1] === 2));

Deno.test("disk startup checks and startupPolicy: libvirt's answers, events and XML, replayed", async () => {
  assert.ok(recorded.steps.filter((s) => s.error).length >= 10);
  const dir = await Deno.makeTempDir({ prefix: "ev-dsu-" });
  const state = await Deno.makeTempDir({ prefix: "ev-dsu-state-" });
  const { launcher } = blockLauncher();
  // The host's storage driver beside it, for volume disks (of a pool that is not there).
  const conn = await createRegistry([qemuConnectDriver], [{
    ...storageDriver,
    open: (uri, options) => storageDriver.open(uri, { ...options, stateDir: state }),
  }]).find("qemu")!.open(new URL("qemu:///session"), { stateDir: state, launcher });
  const local = (text: string) => text.replaceAll("@DIR@", dir);
  const masked = (text: string) => text.replaceAll(dir, "@DIR@");
  const events: unknown[][] = [];
  conn.subscribe!((ev: DriverEvent) => {
    const d = ev.data;
    if (ev.eventId === VIR.DOMAIN_EVENT_ID_LIFECYCLE) events.push(["lifecycle", d.event, d.detail]);
    if (ev.eventId === VIR.DOMAIN_EVENT_ID_DISK_CHANGE) {
      const old = typeof d.oldSrcPath === "string" ? masked(d.oldSrcPath) : d.oldSrcPath;
      events.push(["disk-change", old, d.newSrcPath, d.devAlias, d.reason]);
    }
  });
  const ids = (text: string) =>
    text.replace("uid:@UID@, gid:@GID@", `uid:${Deno.uid()}, gid:${Deno.gid()}`);
  let dom: DomainRef | undefined;
  const run = async (step: Step): Promise<unknown> => {
    const f = step.flags ?? 0;
    switch (step.op) {
      case "define":
        dom = await conn.domainDefineXMLFlags!(local(step.xml!), 0);
        return dom.name;
      case "createXML":
        dom = await conn.domainCreateXML!(local(step.xml!), 0);
        return dom.name;
      case "undefine":
        return await conn.domainUndefineFlags!(dom!, 0).then(() => 0);
      case "start":
        return await conn.domainCreateWithFlags!(dom!, 0).then(() => 0);
      case "state":
        return await conn.domainGetState!(dom!, 0);
      case "xml":
        return masked(await conn.domainGetXMLDesc!(dom!, f));
      case "destroy":
        return await conn.domainDestroyFlags!(dom!, 0).then(() => 0);
      case "save":
        return await conn.domainSaveFlags!(dom!, local(step.file!), null, 0).then(() => 0);
      case "restore":
        return await conn.domainRestoreFlags!(local(step.file!), null, 0).then(() => 0);
      case "attach":
        return await conn.domainAttachDeviceFlags!(dom!, local(step.xml!), f).then(() => 0);
      case "update":
        return await conn.domainUpdateDeviceFlags!(dom!, local(step.xml!), f).then(() => 0);
      case "image":
        return await Deno.writeFile(local(step.file!), new Uint8Array(1 << 20)).then(() => 0);
      case "qcow2":
        await runCommand(
          "qemu-img",
          ...["create", "-q", "-f", "qcow2", "-F", "raw", "-b", local(step.backing!)],
          local(step.file!),
        );
        return 0;
      case "rm":
        return await Deno.remove(local(step.file!)).then(() => 0);
    }
    throw new Error(`unknown op ${step.op}`);
  };
  try {
    for (const [i, step] of recorded.steps.entries()) {
      if (step.op === "comment") continue;
      const label = `step ${i}: ${step.op} ${step.xml ?? step.file ?? ""}`;
      events.length = 0;
      const got: { ok?: unknown; error?: Step["error"] } = await run(step).then(
        (ok) => ({ ok }),
        (e) => {
          if (!(e instanceof VirError)) throw e;
          return { error: { code: e.code, domain: e.domain, message: masked(e.message) } };
        },
      );
      if (step.error) {
        assert.deepEqual(
          got,
          { error: { ...step.error, message: ids(step.error.message) } },
          label,
        );
      } else if (step.op === "xml") {
        assert.deepEqual(disks(got.ok as string), disks(step.ok as string), label);
      } else assert.deepEqual(got, { ok: step.ok ?? 0 }, label);
      assert.deepEqual(compared(events), compared(step.events ?? []), `${label}: events`);
    }
  } finally {
    await conn.connectClose();
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(state, { recursive: true });
  }
});
