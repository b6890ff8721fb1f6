// conf/objects: virDomainObjListAdd's duplicate rules and virDomainObjAssignDef, the
// modification-impact helpers, running and stopping through setDefTransient/RemoveTransientDef,
// rename and the list filters, as both drivers rely on them.
import assert from "node:assert/strict";
import { parseDomainXML } from "../../conf/domain/mod.ts";
import {
  checkActive,
  DomainObjList,
  getDefs,
  getOneDef,
  modificationImpact,
  newDomainObj,
  removeTransientDef,
  setDefTransient,
} from "../../conf/objects/mod.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";

const UUID_A = "c7a5fdbd-edaf-9455-926a-d65c16db1809";
const UUID_B = "c7a5fdbd-edaf-9455-926a-d65c16db180a";
const def = (name: string, uuid: string, memory = 1024) =>
  parseDomainXML(
    `<domain type='test'><name>${name}</name><uuid>${uuid}</uuid><memory>${memory}</memory>` +
      `<os><type>hvm</type></os></domain>`,
  );
const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as VirError).message;
  }
  return "no error";
};
const CONFIG = { live: false, checkLive: false };
const LIVE = { live: true, checkLive: true };

Deno.test("domain list: duplicate names and UUIDs are refused with libvirt's texts", () => {
  const list = new DomainObjList(newDomainObj);
  const { obj, oldDef } = list.add(def("a", UUID_A), CONFIG);
  assert.equal(oldDef, undefined);
  assert.equal(list.findByUUID(UUID_A.toUpperCase().replaceAll("-", "")), obj);
  assert.equal(
    message(() => list.add(def("a", UUID_B), CONFIG)),
    `operation failed: domain 'a' already exists with uuid ${UUID_A}`,
  );
  assert.equal(
    message(() => list.add(def("b", UUID_A), CONFIG)),
    `operation failed: domain 'a' is already defined with uuid ${UUID_A}`,
  );
  assert.equal(
    message(() => list.add(def("a", UUID_A), LIVE)),
    "Requested operation is not valid: domain 'a' is already being started",
  );
  obj.persistent = true;
  list.setId(obj, 7);
  assert.equal(
    message(() => list.add(def("a", UUID_A), LIVE)),
    "Requested operation is not valid: domain 'a' is already active",
  );
});

Deno.test("domain list: a definition replaces the config, or waits as newDef while running", () => {
  const list = new DomainObjList(newDomainObj);
  const { obj } = list.add(def("a", UUID_A, 1), CONFIG);
  obj.persistent = true;
  const first = obj.def;
  assert.equal(list.add(def("a", UUID_A, 2), CONFIG).oldDef, first);
  assert.equal(obj.def.memory.total, 2);

  // A live definition (createXML) runs while the configuration waits aside.
  list.add(def("a", UUID_A, 3), LIVE);
  assert.deepEqual([obj.def.memory.total, obj.newDef?.memory.total], [3, 2]);
  setDefTransient(obj);
  list.setId(obj, 4);
  assert.equal(list.findByID(4), obj);
  // Defined while running: the new configuration replaces the one kept aside.
  assert.equal(list.add(def("a", UUID_A, 5), CONFIG).oldDef?.memory.total, 2);
  assert.deepEqual([obj.def.memory.total, obj.newDef?.memory.total], [3, 5]);
  removeTransientDef(obj);
  list.setId(obj, -1);
  assert.deepEqual([obj.def.memory.total, obj.def.id, list.findByID(4)], [5, -1, undefined]);

  // A running transient domain that gets a configuration reports none replaced (ADDED).
  const t = list.add(def("t", UUID_B, 1), LIVE).obj;
  list.setId(t, 5);
  assert.equal(list.add(def("t", UUID_B, 2), CONFIG).oldDef, undefined);
  assert.deepEqual([t.def.memory.total, t.newDef?.memory.total], [1, 2]);
});

Deno.test("modification impact: CURRENT follows the state; LIVE needs a run, CONFIG a config", () => {
  const obj = newDomainObj(def("a", UUID_A));
  const { LIVE: L, CONFIG: C } = { LIVE: VIR.DOMAIN_AFFECT_LIVE, CONFIG: VIR.DOMAIN_AFFECT_CONFIG };
  assert.equal(
    message(() => checkActive(obj)),
    "Requested operation is not valid: domain is not running",
  );
  assert.equal(
    message(() => modificationImpact(obj, 0)),
    "Requested operation is not valid: transient domains do not have any persistent config",
  );
  obj.persistent = true;
  assert.equal(modificationImpact(obj, 0), C);
  assert.equal(
    message(() => getDefs(obj, L)),
    "Requested operation is not valid: domain is not running",
  );
  setDefTransient(obj);
  obj.def.id = 1;
  const { live, config, flags } = getDefs(obj, L | C);
  assert.deepEqual([live === obj.def, config === obj.newDef, flags], [true, true, L | C]);
  assert.deepEqual(getOneDef(obj, 0), { def: obj.def, live: true });
  assert.equal(getOneDef(obj, C).def, obj.newDef);
  assert.equal(
    message(() => getOneDef(obj, L | C)),
    "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive",
  );
});

Deno.test("domain list: rename refuses its own and taken names; filters pair up", () => {
  const list = new DomainObjList(newDomainObj);
  const a = list.add(def("a", UUID_A), CONFIG).obj;
  const b = list.add(def("b", UUID_B), CONFIG).obj;
  a.persistent = true;
  list.setId(b, 3);
  assert.equal(
    message(() => list.rename(a, "a", () => {})),
    "Requested operation is not valid: Can't rename domain to itself",
  );
  assert.equal(
    message(() => list.rename(a, "b", () => {})),
    "Requested operation is not valid: domain with name 'b' already exists",
  );
  list.rename(a, "c", () => a.def.name = "c");
  assert.deepEqual([list.findByName("c"), list.findByName("a")], [a, undefined]);
  const names = (flags: number) => list.export(flags).map((o) => o.def.name);
  const E = VIR;
  assert.deepEqual(names(E.CONNECT_LIST_DOMAINS_ACTIVE | E.CONNECT_LIST_DOMAINS_INACTIVE), [
    "c",
    "b",
  ]);
  assert.deepEqual(names(E.CONNECT_LIST_DOMAINS_ACTIVE), ["b"]);
  assert.deepEqual(names(E.CONNECT_LIST_DOMAINS_PERSISTENT), ["c"]);
  assert.deepEqual(names(E.CONNECT_LIST_DOMAINS_OTHER), []);
  assert.deepEqual([list.activeIDs(), list.inactiveNames()], [[3], ["c"]]);
});
