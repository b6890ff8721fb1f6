/**
 * Replays the generated virsh recordings through evsh and reports: the identical share, the
 * commands virsh's recordings exercise and evsh answers identically, and the differences by
 * first command that differs. `--write-known` rewrites `tests/evsh/generated/known_differences.json`
 * with every differing case and its reason (the first differing part and evsh's first error).
 *
 * Usage: deno run -A tests/tools/evsh_generated_report.ts [--write-known] [RECORDING]
 * (RECORDING: a fresh seed's, recorded elsewhere; the committed one by default)
 * @module
 */
import { loadRecorded, replay } from "../evsh/generated_replay.ts";

const file = Deno.args.find((a) => !a.startsWith("--"));
if (file && Deno.args.includes("--write-known")) {
  console.error("--write-known rewrites the committed recording's list: give no RECORDING");
  Deno.exit(2);
}
const cases = loadRecorded(file);
const known: { cmd: string; reason: string }[] = [];
const byCommand = new Map<string, number>();
let same = 0;
for (const c of cases) {
  const r = await replay(c);
  if (r.same) {
    same++;
    continue;
  }
  const err = /error: (.*)/.exec(r.got.stderr)?.[1] ?? "";
  const first = c.cmd.split(";").map((s) => s.trim().split(/\s+/)[0]);
  const cmd = first.find((w) => /is not implemented/.test(err) && err.includes(`'${w}'`)) ??
    first.join(",");
  byCommand.set(cmd, (byCommand.get(cmd) ?? 0) + 1);
  known.push({ cmd: c.cmd, reason: `${r.differs} differs${err ? `; evsh: ${err}` : ""}` });
}
console.log(
  `identical: ${same}/${cases.length} (${(100 * same / cases.length).toFixed(1)} %)`,
);
const top = [...byCommand].sort((a, b) => b[1] - a[1]).slice(0, 40);
for (const [cmd, n] of top) console.log(`  ${n}\t${cmd}`);
if (Deno.args.includes("--write-known")) {
  await Deno.writeTextFile(
    new URL("../evsh/generated/known_differences.json", import.meta.url),
    JSON.stringify(known, null, 2) + "\n",
  );
  console.log(`known_differences.json: ${known.length} cases`);
}
