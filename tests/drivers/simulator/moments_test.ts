// Expected values below were recorded from libvirt 9.0's test driver through python3-libvirt
// (/usr/bin/python3, test:///default); the conformance scenarios snapshots, checkpoints and
// host-cpu-files cover the rest call by call.
import { assertEquals, assertRejects } from "./assert.ts";
import { connect } from "../../../host.ts";
import { VIR, VirError } from "../../../mod.ts";
import { MOMENT_LIST, MomentList } from "../../../conf/objects/moment_list.ts";
import { deleteMoment } from "../../../conf/objects/moment_delete.ts";

const snap = (name: string) => `<domainsnapshot><name>${name}</name></domainsnapshot>`;

Deno.test("moment tree: children newest first, topological walk, delete moves children up", () => {
  const list = new MomentList<{ name: string; parent?: string }>();
  for (const [name, parent] of [["a"], ["b", "a"], ["c", "a"], ["d", "c"]]) {
    const m = list.assign({ name, parent });
    list.linkParent(m);
  }
  list.current = list.find("d");
  assertEquals(list.names(undefined, MOMENT_LIST.TOPOLOGICAL, () => true), ["a", "c", "d", "b"]);
  deleteMoment(list, list.find("c")!, { children: false, childrenOnly: false });
  assertEquals(list.find("d")!.def.parent, "a");
  assertEquals(list.names(list.find("a"), 0, () => true), ["d", "b"]);
  deleteMoment(list, list.find("d")!, { children: false, childrenOnly: false });
  assertEquals(list.current?.def.name, "a");
  deleteMoment(list, list.find("a")!, { children: false, childrenOnly: true });
  assertEquals([list.size, list.current?.def.name], [1, "a"]);
});

Deno.test("snapshot of the running default domain: state, parent chain, unnamed one named by time", async () => {
  const conn = await connect("test:///default");
  try {
    const dom = await conn.lookupDomainByName("test");
    const s1 = await dom.snapshotCreateXML(snap("s1"));
    const xml = await s1.getXMLDesc();
    assertEquals(xml.includes("<state>running</state>\n"), true);
    assertEquals(xml.includes("<disk name='vda' snapshot='internal'/>"), true);
    const before = Math.floor(Date.now() / 1000);
    const s2 = await dom.snapshotCreateXML("<domainsnapshot/>");
    assertEquals(Math.abs(Number(s2.name) - before) <= 1, true);
    assertEquals((await s2.getParent()).name, "s1");
    assertEquals(
      await dom.checkpointCreateXML("<domaincheckpoint/>").catch((e) => e.message),
      "Operation not supported: cannot create checkpoint while snapshot exists",
    );
    await dom.revertToSnapshot(s1, VIR.DOMAIN_SNAPSHOT_REVERT_PAUSED);
    assertEquals(await dom.getState(), [VIR.DOMAIN_PAUSED, VIR.DOMAIN_PAUSED_FROM_SNAPSHOT]);
    await s1.delete(VIR.DOMAIN_SNAPSHOT_DELETE_CHILDREN);
    assertEquals(await dom.snapshotNum(), 0);
  } finally {
    await conn.close();
  }
});

Deno.test("read-only connections refuse snapshot changes but list them", async () => {
  const rw = await connect("test:///default");
  const ro = await connect("test:///default", { readonly: true });
  try {
    await (await rw.lookupDomainByName("test")).snapshotCreateXML(snap("r"));
    const dom = await ro.lookupDomainByName("test");
    const e = await assertRejects(() => dom.snapshotCreateXML(snap("x")), VirError);
    assertEquals([e.code, e.domain, e.message], [
      VIR.ERR_OPERATION_DENIED,
      VIR.FROM_DOMAIN_SNAPSHOT,
      "operation forbidden: read only access prevents virDomainSnapshotCreateXML",
    ]);
    const s = await dom.snapshotLookupByName("r");
    const secure = await assertRejects(
      () => s.getXMLDesc(VIR.DOMAIN_SNAPSHOT_XML_SECURE),
      VirError,
    );
    assertEquals(
      secure.message,
      "operation forbidden: virDomainSnapshotGetXMLDesc with secure flag",
    );
    assertEquals(await dom.snapshotListNames(), ["r"]);
  } finally {
    await ro.close();
    await rw.close();
  }
});
