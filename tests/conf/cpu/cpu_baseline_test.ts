// libvirt 9.0's baselineCPU replayed: test:///default (testConnectBaselineCPU) on generated host
// CPUs, recorded with tests/tools/record_cpu_map.py into fixtures/baseline.json.
import assert from "node:assert/strict";
import { connect } from "../../../host.ts";
import { VirError } from "../../../util/errors.ts";

interface Case {
  xmls: string[];
  flags: number;
  result?: string;
  error?: { code: number; domain: number; message: string };
}

/** What an answer is: the XML, or the error's code, domain and message. */
export async function answer(run: () => Promise<unknown>): Promise<unknown> {
  try {
    return { result: await run() };
  } catch (e) {
    if (!(e instanceof VirError)) throw e;
    return { error: { code: e.code, domain: e.domain, message: e.message } };
  }
}

/** The recorded cases of a fixture file. */
export function cases<T>(file: string): T[] {
  return JSON.parse(Deno.readTextFileSync(new URL(`fixtures/${file}`, import.meta.url)));
}

Deno.test("test:///default baselineCPU answers every recorded case as libvirt 9.0", async () => {
  const conn = await connect("test:///default");
  const all = cases<Case>("baseline.json");
  const wrong: unknown[] = [];
  for (const c of all) {
    const got = await answer(() => conn.call("connectBaselineCPU", c.xmls, c.flags));
    const want = c.error ? { error: c.error } : { result: c.result };
    try {
      assert.deepEqual(got, want);
    } catch {
      wrong.push({ xmls: c.xmls, flags: c.flags, want, got });
    }
  }
  await conn.close();
  assert.ok(all.filter((c) => c.result).length > 50, "the fixture holds successful baselines");
  assert.deepEqual(wrong.slice(0, 3), [], `${wrong.length} of ${all.length} differ`);
});
