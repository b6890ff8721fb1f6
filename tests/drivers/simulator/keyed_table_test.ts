// The test driver's object lists: index lookups after add, delete and key changes, shared keys,
// and lookups through the driver by UUID in any spelling and by id after start and stop.
import { assertEquals } from "./assert.ts";
import { KeyedTable } from "../../../conf/objects/keyed_table.ts";
import { connect } from "../../../host.ts";

type Item = { name: string; id?: number };
const table = () => new KeyedTable({ name: (i: Item) => i.name, id: (i: Item) => i.id });

Deno.test("keyed table: lookups follow add, delete and reindex; order is insertion order", () => {
  const t = table();
  const a = t.add({ name: "a" }), b = t.add({ name: "b", id: 2 });
  assertEquals([t.get("name", "a") === a, t.get("id", 2) === b, t.get("id", undefined)], [
    true,
    true,
    undefined,
  ]);
  a.name = "c";
  assertEquals(t.get("name", "c"), undefined);
  t.reindex(a);
  assertEquals([t.get("name", "c") === a, t.get("name", "a")], [true, undefined]);
  assertEquals([t.delete(b), t.delete(b), t.get("id", 2), t.size], [true, false, undefined, 1]);
  t.add({ name: "d" });
  assertEquals([...t].map((i) => i.name), ["c", "d"]);
  t.clear();
  assertEquals([t.size, t.get("name", "d")], [0, undefined]);
});

Deno.test("keyed table: a shared key finds the oldest object, then the next once it goes", () => {
  const t = table();
  const first = t.add({ name: "x" }), second = t.add({ name: "x" });
  assertEquals([t.get("name", "x") === first, t.all("name", "x").length], [true, 2]);
  t.delete(first);
  assertEquals([t.get("name", "x") === second, t.all("name", "x").length], [true, 1]);
});

Deno.test("test driver: UUID lookups in any spelling, id lookups only while running", async () => {
  const conn = await connect("test:///default");
  try {
    const upper = await conn.lookupDomainByUUID("6695EB01F6A4830479AA97F2502E193F");
    assertEquals(upper.name, "test");
    const dom = await conn.lookupDomainByName("test");
    await dom.destroy();
    const missing = await conn.lookupDomainByID(1).then(() => "found", (e) => e.code);
    await dom.create();
    assertEquals([missing, (await conn.lookupDomainByID(dom.id)).name], [42, "test"]);
  } finally {
    await conn.close();
  }
});
