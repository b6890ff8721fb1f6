// `deno task canon` against the oracle's recorded canon.sh runs (tests/fixtures/oracle/canon):
// same stdout, stderr and exit status for every example (the nwfilter document is refused by the
// session's nwfilter driver, as canon.sh's session libvirtd refuses it).
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES, REPO_ROOT } from "../paths.ts";

const EXAMPLES = join(FIXTURES, "oracle");

const names = [...Deno.readDirSync(join(EXAMPLES, "canon"))]
  .filter((e) => e.name.endsWith(".xml"))
  .map((e) => e.name.replace(/\.xml$/, ""))
  .sort();

Deno.test("canon CLI reproduces canon.sh's recorded output and exit codes", async (t) => {
  assert.ok(names.length >= 15, `only ${names.length} examples found in ${EXAMPLES}`);
  for (const name of names) {
    await t.step(name, async () => {
      const expected = (ext: string) =>
        Deno.readTextFileSync(join(EXAMPLES, "canon/expected", `${name}.${ext}`));
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          join(REPO_ROOT, "tests/tools/canon.ts"),
          "--stable",
          `canon/${name}.xml`,
        ],
        cwd: EXAMPLES,
      }).output();
      const dec = new TextDecoder();
      assert.equal(String(out.code), expected("rc").trim());
      assert.equal(dec.decode(out.stdout), expected("out"));
      assert.equal(dec.decode(out.stderr), expected("err"));
    });
  }
});

Deno.test("canon CLI: usage errors and unreadable files exit 2 and print nothing", async () => {
  for (const args of [[], ["/nonexistent/file.xml"]]) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(REPO_ROOT, "tests/tools/canon.ts"), ...args],
    }).output();
    assert.equal(out.code, 2);
    assert.equal(out.stdout.length, 0);
  }
});
