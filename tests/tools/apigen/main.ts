/**
 * `deno run -A tests/tools/apigen/main.ts write DIR [FILES] [OPS]`: writes the generated
 * scenario files (DIR/gen-NNN.json) that tests/tools/apigen/record.sh runs through libvirt;
 * `main.ts pack DIR OUT`: packs each DIR/gen-NNN.json with libvirt's DIR/gen-NNN.jsonl and the
 * line numbers of DIR/gen-NNN.unstable into the recording OUT (gzipped JSON lines,
 * tests/tools/apigen/recording.ts). `APIGEN_SEED=S` in the environment generates another seed's
 * files (a fresh corpus no fix was made against) instead of the recorded corpus' {@link SEED}.
 *
 * @example
 * ```sh
 * deno run -A tests/tools/apigen/main.ts write /tmp/apigen 40 50
 * ```
 * @module
 */
import { writeGenerated } from "./recording.ts";
import { fileName, FILES, generateFile, OPS_PER_FILE, SEED } from "./generate.ts";

/** Runs the command line; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, dir, files, ops] = argv;
  if (cmd === "pack" && dir && files) {
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".json"))
      .map((n) => n.slice(0, -".json".length)).sort();
    const rows = await Promise.all(names.map(async (name) => ({
      name,
      scenario: await Deno.readTextFile(`${dir}/${name}.json`),
      lines: (await Deno.readTextFile(`${dir}/${name}.jsonl`)).split("\n").slice(0, -1),
      unstable: (await Deno.readTextFile(`${dir}/${name}.unstable`)).split("\n")
        .filter((l) => l).map(Number),
    })));
    await writeGenerated(files, rows);
    return 0;
  }
  if (cmd !== "write" || !dir) {
    console.error("usage: main.ts write DIR [FILES] [OPS] | main.ts pack DIR OUT");
    return 2;
  }
  await Deno.mkdir(dir, { recursive: true });
  const nFiles = Number(files ?? FILES);
  const seed = Deno.env.get("APIGEN_SEED") || SEED;
  for (let i = 0; i < nFiles; i++) {
    const text = JSON.stringify(generateFile(seed, i, Number(ops ?? OPS_PER_FILE)), null, 1);
    await Deno.writeTextFile(`${dir}/${fileName(i)}.json`, text + "\n");
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
