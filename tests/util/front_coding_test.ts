// The front-coded constants decode to libvirt's values: names that share long prefixes, drops of
// more than 25 characters (`zc`), negative values and the last entry of a run.
import assert from "node:assert/strict";
import { decodeFrontCoded } from "../../util/front_coding.ts";
import { VIR } from "../../util/constants.ts";

Deno.test("front coding: drops add up, values keep their sign", () => {
  const text = "2aDOMAIN_AFFECT_CONFIG,0gCURRENT,1hLIVE,1eMY_LONG_NAME_OF_THIRTY_CHARS,-1zkX";
  assert.deepEqual(decodeFrontCoded(text), {
    DOMAIN_AFFECT_CONFIG: 2,
    DOMAIN_AFFECT_CURRENT: 0,
    DOMAIN_AFFECT_LIVE: 1,
    DOMAIN_AFFECT_MY_LONG_NAME_OF_THIRTY_CHARS: 1,
    DOMAIN_X: -1,
  });
});

Deno.test("front coding: VIR holds python-libvirt's values, in its sorted order", () => {
  // values as python3-libvirt 9.0 has them (libvirt.VIR_…)
  assert.equal(VIR.CONNECT_BASELINE_CPU_EXPAND_FEATURES, 1);
  assert.equal(VIR.CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS, 2147483648);
  assert.equal(VIR.VCPU_INFO_CPU_UNAVAILABLE, -2);
  assert.equal(VIR.WAR_NO_STORAGE, 48);
  const names = Object.keys(VIR);
  assert.equal(names.length, 959);
  assert.deepEqual(names, [...names].sort());
});
