// libvirt 9.0's QEMU driver with <transient/> disks, replayed on a fake QEMU: every step of
// tests/fixtures/oracle/transient_disks.json (recorded by tests/tools/transient/record.sh) gives
// libvirt's answer or error (code, domain, message); the start makes the same overlays with the
// same QMP (blockdev-add, blockdev-create, job-dismiss, one transaction of blockdev-snapshots,
// before `cont`), a plugged transient disk gets its overlay the same way (its image added
// read-only), the live and inactive XML show the disks as libvirt's do, and the overlay files
// exist exactly when libvirt's did (gone after a destroy, with the plugged disk's, and after a
// crash); a disk sharing its backing image is plugged on its overlay after the start, before a
// system_reset.
import assert from "node:assert/strict";
import { join } from "node:path";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { blockLauncher } from "./fake_qmp/block_launcher.ts";
import type { DomainRef, DriverConnection } from "../../../util/driver.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import { FIXTURES } from "../../paths.ts";
import { waitFor } from "../../wait.ts";

interface Step {
  op: string;
  xml?: string;
  name?: string;
  flags?: number;
  file?: string;
  ok?: unknown;
  error?: { code: number; domain: number; message: string };
  qmp: { execute: string; arguments?: Record<string, unknown> }[];
  overlays: string[];
}

const recorded: { steps: Step[] } = JSON.parse(
  Deno.readTextFileSync(join(FIXTURES, "oracle", "transient_disks.json")),
);

/**
 * The QMP a step is compared by: what builds, switches and plugs overlays, the unplug, and the
 * vCPUs' start.
 */
const COMPARED = new Set([
  "blockdev-add",
  "blockdev-create",
  "job-dismiss",
  "transaction",
  "blockdev-del",
  "cont",
  "device_add",
  "device_del",
  "system_reset",
]);

function compared(qmp: Step["qmp"]): Step["qmp"] {
  return qmp.filter((c) => COMPARED.has(c.execute)).map((c) => {
    if (c.execute !== "blockdev-create") return { execute: c.execute, arguments: c.arguments };
    // Sizes are the fake's images'.
    const { size: _s, ...options } = c.arguments!.options as Record<
      string,
      unknown
    >;
    return { execute: c.execute, arguments: { ...c.arguments, options } };
  });
}

/** The `<disk>` elements of a domain XML. */
const disks = (xml: string) => xml.match(/ {4}<disk [\s\S]*?<\/disk>\n/g) ?? [];

Deno.test("transient disks: libvirt's refusals, overlays, QMP and XML, replayed", async () => {
  assert.ok(recorded.steps.length > 20);
  const dir = await Deno.makeTempDir({ prefix: "ev-transient-" });
  const state = await Deno.makeTempDir({ prefix: "ev-transient-state-" });
  for (const [f, size] of [["vda.qcow2", 16], ["vdb.img", 8], ["vdc.img", 4]] as const) {
    await Deno.writeFile(join(dir, f), new Uint8Array(size));
  }
  const { launcher } = blockLauncher();
  const conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
    stateDir: state,
    launcher,
    unplugTimeoutMs: 50,
  }) as DriverConnection;
  const local = (text: string) => text.replaceAll("@DIR@", dir);
  const masked = (text: string) => text.replaceAll(dir, "@DIR@");
  let dom: DomainRef | undefined;
  const run = async (step: Step): Promise<unknown> => {
    const f = step.flags ?? 0;
    switch (step.op) {
      case "define":
        dom = await conn.domainDefineXMLFlags!(local(step.xml!), 0);
        return dom.name;
      case "undefine":
        return await conn.domainUndefineFlags!(await conn.domainLookupByName!(step.name!), 0)
          .then(() => 0);
      case "start":
        return await conn.domainCreateWithFlags!(dom!, 0).then(() => 0);
      case "xml":
        return await conn.domainGetXMLDesc!(dom!, f);
      case "snapshot":
        return await conn.domainSnapshotCreateXML!(dom!, local(step.xml!), f);
      case "checkpoint":
        return await conn.domainCheckpointCreateXML!(dom!, step.xml!, 0);
      case "commit":
        return await conn.domainBlockCommit!(dom!, "vda", null, null, 0, f).then(() => 0);
      case "save":
        return await conn.domainSaveFlags!(dom!, join(dir, "tr.save"), null, 0).then(() => 0);
      case "managedsave":
        return await conn.domainManagedSave!(dom!, 0).then(() => 0);
      case "migrate":
        return await conn.domainMigrateBegin3Params!(dom!, {}, VIR.MIGRATE_LIVE);
      case "attach":
        return await conn.domainAttachDeviceFlags!(dom!, local(step.xml!), f).then(() => 0);
      case "detach":
        return await conn.domainDetachDeviceFlags!(dom!, local(step.xml!), f).then(() => 0);
      case "destroy":
        return await conn.domainDestroyFlags!(dom!, 0).then(() => 0);
      case "touch":
        return await Deno.writeFile(local(step.file!), new Uint8Array()).then(() => 0);
      case "rm":
        return await Deno.remove(local(step.file!)).then(() => 0);
      case "crash": {
        [...launcher.instances.values()].at(-1)!.crash();
        await waitFor(
          async () => (await conn.domainGetState!(dom!, 0))[0] === VIR.DOMAIN_SHUTOFF,
          5000,
          5,
          "crash seen",
        );
        return await conn.domainGetState!(dom!, 0);
      }
    }
    throw new Error(`unknown op ${step.op}`);
  };
  const overlays = async () => {
    const out: string[] = [];
    for await (const e of Deno.readDir(dir)) if (e.name.includes(".TRANSIENT-")) out.push(e.name);
    return out.sort();
  };
  try {
    for (const [i, step] of recorded.steps.entries()) {
      const label = `step ${i}: ${step.op} ${step.xml ?? step.file ?? ""}`;
      const fake = [...launcher.instances.values()].at(-1);
      if (fake) fake.commands.length = 0;
      const got: { ok?: unknown; error?: Step["error"] } = await run(step).then(
        (ok) => ({ ok: typeof ok === "string" ? masked(ok) : ok }),
        (e) => {
          if (!(e instanceof VirError)) throw e;
          return { error: { code: e.code, domain: e.domain, message: masked(e.message) } };
        },
      );
      if (step.error) assert.deepEqual(got, { error: step.error }, label);
      else if (step.op === "xml") {
        assert.deepEqual(disks(got.ok as string), disks(step.ok as string), label);
        assert.ok(disks(got.ok as string).length >= 2, label);
      } else if (step.op !== "migrate") assert.deepEqual(got, { ok: step.ok ?? 0 }, label);
      assert.deepEqual(await overlays(), step.overlays, `${label}: overlays`);
      if (["start", "attach", "detach"].includes(step.op)) {
        const sent = [...launcher.instances.values()].at(-1)!.commands;
        assert.deepEqual(
          compared(JSON.parse(masked(JSON.stringify(sent)))),
          compared(step.qmp),
          `${label}: QMP`,
        );
      }
    }
  } finally {
    await conn.connectClose();
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(state, { recursive: true });
  }
});
