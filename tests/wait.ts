// Waiting for a condition instead of sleeping a fixed time: on a loaded machine a fixed sleep
// tests the machine's load, not the code.

/**
 * Polls `cond` every `every` ms until it holds; rejects with "`what` not reached after N ms"
 * when `ms` have passed without it.
 */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  ms = 5000,
  every = 5,
  what = "condition",
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what} not reached after ${ms} ms`);
    await new Promise((r) => setTimeout(r, every));
  }
}
