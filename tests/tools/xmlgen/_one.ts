import { readRecording } from "./recording.ts";
import { replay } from "./compare.ts";
const rows = await readRecording(Deno.args[0]);
const ids = Deno.args.slice(1);
const sel = ids.length ? rows.filter((r) => ids.includes(r.id)) : rows;
for (const r of sel) {
  try {
    for (const o of await replay([r])) {
      if (!o.same || ids.length) console.log(o.id, o.same ? "SAME" : o.first.slice(0, 400));
    }
  } catch (e) {
    console.log(r.id, "THROWS", String(e).slice(0, 200));
  }
}
