import { deepEqual as assertEquals } from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { VirError } from "../../util/errors.ts";
import { FIXTURES } from "../paths.ts";

/** Where libvirt's XML corpus lives. */
export const CORPUS_DIR: string = join(FIXTURES, "libvirt-xml");

/** Names of the known differences: test steps for them check that the difference persists. */
export type KnownDifferences = Record<string, string>;

/**
 * Registers one Deno.test for a corpus kind, with one step per input: the output of
 * `canonical(input)` must equal `<name>.expected.xml`, or it must throw the VirError of
 * `<name>.expected-error.json` (code, domain and message).
 */
export function corpusTest(kind: string, canonical: (xml: string) => string): void {
  const dir = join(CORPUS_DIR, kind);
  const names = readdirSync(dir)
    .filter((f) => f.endsWith(".xml") && !f.endsWith(".expected.xml"))
    .map((f) => f.slice(0, -4))
    .sort();
  Deno.test(`libvirt ${kind} corpus (${names.length} files)`, async (t) => {
    for (const name of names) {
      await t.step(name, () => {
        const input = readFileSync(join(dir, `${name}.xml`), "utf8");
        const errorFile = join(dir, `${name}.expected-error.json`);
        if (existsSync(errorFile)) {
          const want = JSON.parse(readFileSync(errorFile, "utf8"));
          let got: unknown;
          try {
            canonical(input);
          } catch (e) {
            got = e;
          }
          if (!(got instanceof VirError)) throw new Error(`expected VirError, got ${got}`);
          assertEquals(
            { code: got.code, domain: got.domain, message: got.message },
            { code: want.code, domain: want.domain, message: want.message },
          );
        } else {
          const want = readFileSync(join(dir, `${name}.expected.xml`), "utf8");
          assertEquals(canonical(input), want);
        }
      });
    }
  });
}
