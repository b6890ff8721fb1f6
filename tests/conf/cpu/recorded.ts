// The recordings of tests/tools/record_cpu_map.py (fixtures/) and how an answer is compared
// with them.
import { VirError } from "../../../util/errors.ts";

/** A recorded answer: a result, or libvirt's error. */
export interface Recorded {
  result?: unknown;
  error?: { code: number; domain: number; message: string };
}

/** A fixture file's content. */
export function fixture<T>(file: string): T {
  return JSON.parse(Deno.readTextFileSync(new URL(`fixtures/${file}`, import.meta.url)));
}

/** What an answer is: the result, or the error's code, domain and message. */
export async function answer(run: () => unknown): Promise<Recorded> {
  try {
    return { result: await run() };
  } catch (e) {
    if (!(e instanceof VirError)) throw e;
    return { error: { code: e.code, domain: e.domain, message: e.message } };
  }
}

/** The cases whose answer differs from the recording, each with what came instead. */
export async function differing<T extends Recorded>(
  all: T[],
  run: (c: T) => unknown,
): Promise<(T & { got: Recorded })[]> {
  const wrong: (T & { got: Recorded })[] = [];
  for (const c of all) {
    const got = await answer(() => run(c));
    const want = c.error ? { error: c.error } : { result: c.result };
    if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push({ ...c, got });
  }
  return wrong;
}
