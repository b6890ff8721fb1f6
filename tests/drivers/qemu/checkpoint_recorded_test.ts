// libvirt 9.0's QEMU driver's checkpoint answers and QMP, replayed on a fake QEMU: every step of
// tests/fixtures/oracle/checkpoints.json (recorded by tests/tools/checkpoints/record.sh on the
// same domain, vda qcow2) gives the same result or error (code, domain, message) and sends
// the same QMP commands with the same arguments, bitmaps across an external snapshot's layers
// and through block jobs (commits into the base, a pull, a copy; the pivots' write bitmap)
// included.
import assert from "node:assert/strict";
import { join } from "node:path";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import { FIXTURES } from "../../paths.ts";
import { type Setup, setup, VDA, XML } from "./fake_qmp/block_harness.ts";
import { waitFor } from "../../wait.ts";

interface Step {
  op: string;
  name?: string;
  xml?: string;
  flags?: number;
  top?: string;
  base?: string;
  ok?: unknown;
  error?: { code: number; domain: number; message: string };
  qmp: { execute: string; arguments?: unknown }[];
}

const recorded: { steps: Step[] } = JSON.parse(
  Deno.readTextFileSync(join(FIXTURES, "oracle", "checkpoints.json")),
);
const QCOW2 = XML.replace("<driver name='qemu' type='raw'/>", "<driver name='qemu' type='qcow2'/>");

/** A recorded path (or text naming paths) on the harness: its base image, its directory. */
const local = (t: Setup, text: string) =>
  text.replaceAll("@DIR@/vda.qcow2", VDA).replaceAll("@DIR@", t.dir);

/**
 * A commit to its end, as the recorder waited on the live XML: a below-top one until its top
 * left the chain, an active one until ready, then pivoted.
 */
async function commit(t: Setup, step: Step): Promise<number> {
  const path = (p?: string) => p === undefined ? null : local(t, p);
  await t.conn.domainBlockCommit!(t.dom, "vda", path(step.base), path(step.top), 0, step.flags!);
  if (step.flags! & VIR.DOMAIN_BLOCK_COMMIT_ACTIVE) return await pivot(t);
  await waitFor(async () => !(await xml(t)).includes(path(step.top)!), 5000, 5, "commit end");
  return 0;
}

/** The live XML, which asks QEMU nothing. */
const xml = (t: Setup) => t.conn.domainGetXMLDesc!(t.dom, 0);

/** The disk's job, once ready, pivoted. */
async function pivot(t: Setup): Promise<number> {
  await waitFor(async () => (await xml(t)).includes("ready='yes'"), 5000, 5, "job ready");
  await t.conn.domainBlockJobAbort!(t.dom, "vda", VIR.DOMAIN_BLOCK_JOB_ABORT_PIVOT);
  return 0;
}

/** The step on the driver, answered as python-libvirt does (null for none). */
async function run(t: Setup, step: Step): Promise<unknown> {
  const c = t.conn;
  const f = step.flags ?? 0;
  switch (step.op) {
    case "create":
      return await c.domainCheckpointCreateXML!(t.dom, step.xml!, f);
    case "list":
      return await c.domainListAllCheckpoints!(t.dom, f);
    case "snapshot":
      return await c.domainSnapshotCreateXML!(t.dom, step.xml!.replaceAll("@DIR@", t.dir), f);
    case "commit":
      return await commit(t, step);
    case "pull":
      await c.domainBlockPull!(t.dom, "vda", 0, f);
      await waitFor(async () => !(await xml(t)).includes(local(t, step.base!)), 5000, 5, "pull");
      return 0;
    case "copy":
      await c.domainBlockCopy!(t.dom, "vda", local(t, step.xml!), {}, f);
      return await pivot(t);
    case "destroy":
      return await c.domainDestroyFlags!(t.dom, 0).then(() => 0);
    case "undefine":
      return await c.domainUndefineFlags!(t.dom, f).then(() => 0);
  }
  const name = await c.domainCheckpointLookupByName!(t.dom, step.name!, 0);
  switch (step.op) {
    case "lookup":
      return name;
    case "children":
      return await c.domainCheckpointListAllChildren!(t.dom, name, f);
    case "parent":
      return await c.domainCheckpointGetParent!(t.dom, name, 0);
    case "xml":
      return (await c.domainCheckpointGetXMLDesc!(t.dom, name, f))
        .replace(/<creationTime>\d+<\/creationTime>/, "<creationTime>@T@</creationTime>");
    case "delete":
      return await c.domainCheckpointDelete!(t.dom, name, f).then(() => 0);
  }
  throw new Error(`unknown op ${step.op}`);
}

/** The QMP command each block job starts with. */
const JOB_START: Record<string, string> = {
  commit: "block-commit",
  pull: "block-stream",
  copy: "blockdev-mirror",
};

/**
 * The QMP a step is compared by. A snapshot's image creation is the block job tests' (its sizes
 * are the fake's): only its transaction, where the checkpoints' bitmaps go to the overlay,
 * counts. A block job counts from the command starting it on (how the driver finds the nodes
 * and makes a copy's image before is the block job tests', too).
 */
function compared(step: Step, qmp: Step["qmp"]): Step["qmp"] {
  const start = JOB_START[step.op];
  const from = start ? qmp.findIndex((c) => c.execute === start) : 0;
  return qmp.slice(from)
    .filter((c) => step.op !== "snapshot" || c.execute === "transaction")
    .map((c) => ({ execute: c.execute, arguments: c.arguments }));
}

/** libvirt lists a whole tree in its hash table's order, which is unspecified. */
const unordered = (step: Step) =>
  step.op === "list" &&
  !(step.flags! & (VIR.DOMAIN_CHECKPOINT_LIST_ROOTS | VIR.DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL));

Deno.test("every recorded checkpoint step: libvirt's answer and QMP", async () => {
  assert.ok(recorded.steps.length > 40);
  const t = await setup({ xml: QCOW2 });
  try {
    const fake = [...t.launcher.instances.values()].at(-1)!;
    for (const [i, step] of recorded.steps.entries()) {
      const label = `step ${i}: ${step.op} ${step.name ?? step.xml ?? ""} ${step.flags ?? ""}`;
      fake.commands.length = 0;
      const got: { ok?: unknown; error?: Step["error"] } = await run(t, step).then(
        (ok) => ({ ok }),
        (e) => {
          if (!(e instanceof VirError)) throw e;
          return { error: { code: e.code, domain: e.domain, message: e.message } };
        },
      );
      if (step.error) assert.deepEqual(got, { error: step.error }, label);
      else if (unordered(step)) {
        assert.deepEqual(
          [...(got.ok as string[])].sort(),
          [...(step.ok as string[])].sort(),
          label,
        );
      } else assert.deepEqual(got, { ok: step.ok ?? 0 }, label);
      assert.deepEqual(
        compared(step, fake.commands),
        compared(step, JSON.parse(local(t, JSON.stringify(step.qmp)))),
        `${label}: QMP`,
      );
    }
  } finally {
    await t.close();
  }
});
