import { readRecording } from "./recording.ts";
const rows = await readRecording(Deno.args[0]);
for (const id of Deno.args.slice(1)) {
  const r = rows.find((x) => x.id === id)!;
  console.log(`=== ${id} mutation=${r.mutation} ok=${r.ok}`);
  console.log(r.input);
  console.log("--- libvirt:", r.ok ? r.xml : JSON.stringify(r.error));
}
