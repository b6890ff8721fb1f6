import { readRecording } from "/work/wt-xmlgen/tests/tools/xmlgen/recording.ts";
import { Canon } from "/work/wt-xmlgen/tests/tools/canon.ts";
const rows = await readRecording("/work/wt-xmlgen/tests/fixtures/xmlgen/recorded.jsonl.gz");
for (const id of Deno.args) {
  const r = rows.find((x) => x.id === id)!;
  const forced = ["nodedev","snapshot","checkpoint"].includes(r.kind);
  const c = await Canon.open(forced ? { kind: r.kind } : { stable: true });
  const got = await c.run(r.input);
  await c.close();
  console.log("=== INPUT", id, r.mutation ?? ""); console.log(r.input);
  console.log("=== LIBVIRT"); console.log(r.xml ?? JSON.stringify(r.error));
  console.log("=== EDGEVIRT"); console.log(got.xml ?? `${got.error?.code}/${got.error?.domain} ${got.error?.message}`);
}
