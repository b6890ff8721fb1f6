/**
 * The differential test of evsh against virsh 9.0 on generated command sequences
 * (`tests/tools/gen_evsh_sequences.ts`, recorded by `bash tests/tools/record_virsh.sh
 * generated`): every case must be identical to virsh's answer, except those listed with their
 * reason in `generated/known_differences.json` — and those must still differ, so the list
 * shrinks as evsh catches up (`deno run -A tests/tools/evsh_generated_report.ts --write-known`
 * rewrites it and prints the identical share).
 */
import { loadKnown, loadRecorded, replay } from "./generated_replay.ts";

const known = loadKnown();
const cases = loadRecorded();

Deno.test("generated: the known differences are recorded cases", () => {
  const cmds = new Set(cases.map((c) => c.cmd));
  const stale = [...known.keys()].filter((k) => !cmds.has(k));
  if (stale.length) throw new Error(`not in recorded.json: ${stale.join("\n")}`);
});

cases.forEach((want, i) => {
  Deno.test(`generated ${i}: ${want.cmd}`, async () => {
    const r = await replay(want);
    const reason = known.get(want.cmd);
    if (reason !== undefined) {
      if (r.same) throw new Error(`now identical to virsh; remove it from known_differences.json`);
      return;
    }
    if (!r.same) {
      const k = r.differs!;
      throw new Error(
        `${k}:\n  virsh ${JSON.stringify(want[k])}\n  evsh  ${JSON.stringify(r.got[k])}`,
      );
    }
  });
});
