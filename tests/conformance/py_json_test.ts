/**
 * The runner's JSON formatting against Python's: every line of pyjson_cases.txt (unicode,
 * escapes, nested containers, ints beyond 2^53, float reprs, NaN/Infinity, key order) is
 * parsed and printed by py_json.ts and must equal golden/pyjson.jsonl, which
 * tests/tools/record_goldens.sh records with Python's json.loads + json.dumps.
 * @module
 */
import { strictEqual } from "node:assert";
import { pyDumps, PyFloat, pyLoads } from "../tools/scenario/py_json.ts";

const here = new URL(".", import.meta.url);
const cases = (await Deno.readTextFile(new URL("pyjson_cases.txt", here)))
  .split("\n").filter((l) => l.trim());
const expected = (await Deno.readTextFile(new URL("golden/pyjson.jsonl", here)))
  .split("\n").slice(0, -1);

Deno.test("pyDumps(pyLoads(x)) equals Python's json.dumps(json.loads(x))", async (t) => {
  strictEqual(cases.length, expected.length, "one golden line per case");
  for (const [i, text] of cases.entries()) {
    await t.step(`case ${i + 1}`, () => strictEqual(pyDumps(pyLoads(text)), expected[i]));
  }
});

Deno.test("pyDumps prints runner values like Python prints the same values", () => {
  // what the runner builds itself: plain objects, JS integers, PyFloat, null for None
  const value = { i: -1, ok: true, r: [0, 2 ** 53, new PyFloat(1), null], s: "\u00e9\ud83d\ude00" };
  strictEqual(
    pyDumps(value),
    '{"i": -1, "ok": true, "r": [0, 9007199254740992, 1.0, null], "s": "\\u00e9\\ud83d\\ude00"}',
  );
});

Deno.test("pyLoads rejects what Python's json.loads rejects", () => {
  for (const bad of ["[1,]", "{'a': 1}", '"\t"', "[1] x", "", "01"]) {
    let threw = false;
    try {
      pyLoads(bad);
    } catch (e) {
      threw = e instanceof SyntaxError;
    }
    strictEqual(threw, true, `should reject ${JSON.stringify(bad)}`);
  }
});
