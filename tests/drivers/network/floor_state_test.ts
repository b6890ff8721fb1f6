/**
 * The floor state of a network's status file (floor_state.ts) beyond the recorded steps
 * (network_floor_test.ts compares its head with libvirt's after each one): what
 * `virNetworkLoadState` accepts and refuses, and the class IDs libvirt's bitmap hands out.
 */
import assert from "node:assert/strict";
import {
  formatNetworkStatus,
  newFloorState,
  nextClassId,
  parseNetworkStatus,
} from "../../../drivers/network/floor_state.ts";
import { VirError } from "../../../util/errors.ts";

const NETWORK =
  "<network>\n  <name>n</name>\n  <portgroup name='web'>\n  </portgroup>\n</network>\n";

Deno.test("a status file gives back its floor state and the network's text as written", () => {
  const qos = { classIds: new Set([0, 1, 2, 3, 5]), floorSum: 700 };
  const text = formatNetworkStatus(qos, NETWORK);
  assert.equal(
    text.split("\n").slice(0, 4).join("\n"),
    "<networkstatus>\n  <class_id bitmap='0-3,5'/>\n  <floor sum='700'/>\n  <network>",
  );
  const back = parseNetworkStatus(text);
  assert.equal(back.networkXml, NETWORK);
  assert.deepEqual(back.qos, qos);
  // The lowest free ID goes first, then past the end.
  assert.equal(nextClassId(back.qos), 4);
  assert.equal(nextClassId(back.qos), 6);
});

Deno.test("a bare <network> status file (older versions) loads with a new network's state", () => {
  const back = parseNetworkStatus(NETWORK);
  assert.equal(back.networkXml, NETWORK);
  assert.deepEqual(back.qos, newFloorState());
});

Deno.test("a status file libvirt would not load is refused with its words", () => {
  const refused = (text: string) => {
    try {
      parseNetworkStatus(text);
    } catch (e) {
      if (e instanceof VirError) return [e.codeName, e.message];
      throw e;
    }
    assert.fail("accepted");
  };
  assert.deepEqual(
    refused("<networkstatus><floor sum='12x'/>" + NETWORK + "</networkstatus>"),
    ["VIR_ERR_INTERNAL_ERROR", "internal error: Malformed 'floor_sum' attribute: 12x"],
  );
  assert.deepEqual(refused("<networkstatus><class_id bitmap='0-2'/></networkstatus>"), [
    "VIR_ERR_INTERNAL_ERROR",
    "internal error: Could not find any 'network' element in status file",
  ]);
});
