// The gateway's count of driver calls under way (the `/metrics` gauge
// edgevirt_driver_calls_in_progress): a call counts until the driver ends it, even after its
// deadline answered the caller, since what it does until then (its events) is still to come.
import assert from "node:assert/strict";
import { CallGate } from "../../gateway/limits.ts";

Deno.test("CallGate.active counts a call until the driver ends it, past its deadline too", async () => {
  const gate = new CallGate(4, 4, 20);
  const driver = Promise.withResolvers<string>();
  const call = gate.run(() => driver.promise);
  assert.equal(gate.active, 1);
  await assert.rejects(call, /no result within 20 ms/);
  assert.equal(gate.active, 1, "the driver still runs the call its caller stopped waiting for");
  driver.resolve("done");
  await driver.promise;
  await Promise.resolve();
  assert.equal(gate.active, 0);
  assert.equal(await gate.run(() => Promise.resolve(7)), 7);
  assert.equal(gate.active, 0);
});
