/**
 * The host nwfilter driver on a temporary directory (`qemu:///embed?root=TMP`, privileged as
 * libvirt's system driver) and as a session: libvirt's built-in filters as libvirt 9.0 loads
 * them (tests/fixtures/nwfilter/builtin/: /etc/libvirt/nwfilter of the root libvirtd the corpus
 * was recorded with), define/lookup/list/dumpxml/undefine with libvirt's rules and errors
 * (nwfilter_driver.c, virnwfilterobj.c), files kept across a new driver state, bindings, and the
 * calls through a gateway.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES } from "../../paths.ts";
import {
  errorsOf,
  failure,
  withRoot,
  withSecondary,
  withSecondaryGateway,
} from "../secondary_helpers.ts";
import { VIR } from "../../../util/constants.ts";
import { nwfilterDriver } from "../../../drivers/nwfilter/mod.ts";
import type { SecondaryConnection } from "../../../util/contract/compose.ts";

const rejectsWith = errorsOf(VIR.FROM_NWFILTER);
const BUILTIN = join(FIXTURES, "nwfilter/builtin");
const UUID = "5c6d49af-b071-6127-b4ec-6f8ed4b55335";
const filterXML = (name: string, uuid = UUID, body = "") =>
  `<filter name='${name}' chain='ipv4'><uuid>${uuid}</uuid>${body}</filter>`;
const BINDING = (portdev: string) =>
  `<filterbinding><owner><name>web</name><uuid>${UUID}</uuid></owner>` +
  `<portdev name='${portdev}'/><mac address='52:54:00:aa:bb:cc'/>` +
  `<filterref filter='clean-traffic'><parameter name='IP' value='10.0.0.2'/></filterref>` +
  `</filterbinding>`;

/** libvirt's file without its warning comment. */
const withoutHeader = (text: string) => text.replace(/^<!--[\s\S]*?-->\n\n/, "");

Deno.test("the built-in filters load as libvirt 9.0 loads them, each saved with its new UUID", async () => {
  await withSecondary(nwfilterDriver, async (conn, root) => {
    const refs = await conn.connectListAllNWFilters!(0);
    const names = refs.map((r) => r.name).sort();
    const expected = [...Deno.readDirSync(BUILTIN)].map((e) => e.name.replace(/\.xml$/, ""))
      .sort();
    assert.deepEqual(names, expected);
    for (const ref of refs) {
      const libvirt = withoutHeader(await Deno.readTextFile(join(BUILTIN, `${ref.name}.xml`)));
      // The UUIDs are random in both: libvirt's own replaces edgevirt's.
      const uuid = /<uuid>([^<]+)<\/uuid>/.exec(libvirt)![1];
      const ours = await conn.nwfilterGetXMLDesc!(ref, 0);
      assert.equal(ours.replace(ref.uuid, uuid), libvirt, ref.name);
      const file = await Deno.readTextFile(`${root}/etc/nwfilter/${ref.name}.xml`);
      assert.equal(withoutHeader(file), ours);
      assert.match(file, new RegExp(`virsh nwfilter-edit ${ref.name}\n`));
    }
  });
});

Deno.test("define, look up, list, describe and undefine a filter; files outlive the driver", async () => {
  await withRoot(async (root) => {
    const uri = new URL(`qemu:///embed?root=${root}`);
    let conn: SecondaryConnection = await nwfilterDriver.open(uri, {});
    const ref = await conn.nwfilterDefineXMLFlags!(
      filterXML(
        "web",
        UUID,
        "<filterref filter='clean-traffic'/><rule action='accept' direction='in'><tcp dstportstart='80'/></rule>",
      ),
      0,
    );
    assert.deepEqual(ref, { name: "web", uuid: UUID });
    assert.deepEqual(await conn.nwfilterLookupByName!("web"), ref);
    assert.deepEqual(await conn.nwfilterLookupByUUID!(UUID.toUpperCase()), ref);
    assert.equal(await conn.connectNumOfNWFilters!(), 25);
    assert.ok((await conn.connectListNWFilters!()).includes("web"));
    const xml = await conn.nwfilterGetXMLDesc!(ref, 0);
    assert.equal(
      xml,
      `<filter name='web' chain='ipv4' priority='-700'>\n  <uuid>${UUID}</uuid>\n` +
        "  <filterref filter='clean-traffic'/>\n" +
        "  <rule action='accept' direction='in' priority='500'>\n" +
        "    <tcp dstportstart='80'/>\n  </rule>\n</filter>\n",
    );
    // A new driver state reads the definition back.
    await conn.connectClose();
    conn = await nwfilterDriver.open(uri, {});
    assert.equal(await conn.nwfilterGetXMLDesc!(ref, 0), xml);
    // Redefining under the same UUID replaces it.
    await conn.nwfilterDefineXMLFlags!(filterXML("web", UUID), 0);
    assert.doesNotMatch(await conn.nwfilterGetXMLDesc!(ref, 0), /tcp/);
    await conn.nwfilterUndefine!(ref);
    await rejectsWith(
      conn.nwfilterLookupByName!("web"),
      VIR.ERR_NO_NWFILTER,
      "Network filter not found: no nwfilter with matching name 'web'",
    );
    await rejectsWith(
      conn.nwfilterGetXMLDesc!(ref, 0),
      VIR.ERR_NO_NWFILTER,
      `Network filter not found: no nwfilter with matching uuid '${UUID}'`,
    );
    await assert.rejects(Deno.stat(`${root}/etc/nwfilter/web.xml`), Deno.errors.NotFound);
    // An undefined built-in stays gone: only a new directory gets them.
    await conn.nwfilterUndefine!(await conn.nwfilterLookupByName!("allow-arp"));
    await conn.connectClose();
    conn = await nwfilterDriver.open(uri, {});
    assert.equal(await conn.connectNumOfNWFilters!(), 23);
    await conn.connectClose();
  });
});

Deno.test("define refuses clashing names and UUIDs, loops and bad flags as libvirt does", async () => {
  await withSecondary(nwfilterDriver, async (conn) => {
    const arp = await conn.nwfilterLookupByName!("allow-arp");
    await rejectsWith(
      conn.nwfilterDefineXMLFlags!(filterXML("other", arp.uuid), 0),
      VIR.ERR_OPERATION_FAILED,
      "operation failed: filter with same UUID but different name ('allow-arp') already exists",
    );
    await rejectsWith(
      conn.nwfilterDefineXMLFlags!("<filter name='allow-arp' chain='arp'/>", 0),
      VIR.ERR_OPERATION_FAILED,
      `operation failed: filter 'allow-arp' already exists with uuid ${arp.uuid}`,
    );
    await conn.nwfilterDefineXMLFlags!(filterXML("a", UUID, "<filterref filter='b'/>"), 0);
    await rejectsWith(
      conn.nwfilterDefineXMLFlags!(
        filterXML("b", "5c6d49af-b071-6127-b4ec-6f8ed4b55336", "<filterref filter='a'/>"),
        0,
      ),
      VIR.ERR_OPERATION_FAILED,
      "operation failed: filter would introduce a loop",
    );
    await rejectsWith(
      conn.nwfilterDefineXMLFlags!(
        filterXML("self", "5c6d49af-b071-6127-b4ec-6f8ed4b55337", "<filterref filter='self'/>"),
        0,
      ),
      VIR.ERR_OPERATION_FAILED,
      "operation failed: filter would introduce a loop",
    );
    await rejectsWith(
      conn.nwfilterDefineXMLFlags!(filterXML("x"), 2),
      VIR.ERR_INVALID_ARG,
      "unsupported flags (0x2) in function nwfilterDefineXMLFlags",
    );
    // VALIDATE checks the document against nwfilter.rng (its replay: tests/conf/nwfilter).
    const invalid = await failure(conn.nwfilterDefineXMLFlags!(
      "<filter name='v'><bogus/></filter>",
      VIR.NWFILTER_DEFINE_VALIDATE,
    ));
    assert.equal(invalid.code, VIR.ERR_XML_INVALID_SCHEMA);
    assert.equal(await conn.connectNumOfNWFilters!(), 25, "only 'a' was added");
  });
});

Deno.test("a session has no filters and defines none, as libvirt's unprivileged driver", async () => {
  await withRoot(async (root) => {
    const conn = await nwfilterDriver.open(new URL("qemu:///session"), { stateDir: root });
    try {
      assert.deepEqual(await conn.connectListAllNWFilters!(0), []);
      assert.deepEqual(await conn.connectListAllNWFilterBindings!(0), []);
      await rejectsWith(
        conn.nwfilterDefineXMLFlags!(filterXML("x"), 0),
        VIR.ERR_OPERATION_INVALID,
        "Requested operation is not valid: Can't define NWFilters in session mode",
      );
      await rejectsWith(
        conn.nwfilterLookupByName!("clean-traffic"),
        VIR.ERR_NO_NWFILTER,
        "Network filter not found: no nwfilter with matching name 'clean-traffic'",
      );
      await rejectsWith(
        conn.nwfilterBindingCreateXML!(BINDING("vnet0"), 0),
        VIR.ERR_OPERATION_INVALID,
        "Requested operation is not valid: Can't define NWFilter bindings in session mode",
      );
      assert.deepEqual([...Deno.readDirSync(root)], [], "nothing written");
    } finally {
      await conn.connectClose();
    }
  });
});

Deno.test("bindings: a missing device's is kept as libvirt keeps it, with nothing instantiated", async () => {
  await withRoot(async (root) => {
    // A missing device's binding puts no rule anywhere, and its delete has none to remove.
    const commands: string[][] = [];
    const conn = await nwfilterDriver.open(new URL(`qemu:///embed?root=${root}`), {
      nwfilterHost: {
        linkExists: () => Promise.resolve(false),
        run: (argv: string[]) => {
          commands.push([...argv]);
          return Promise.resolve({ code: 1, stdout: "", stderr: "no such chain" });
        },
      },
    });
    try {
      assert.deepEqual(await conn.connectListAllNWFilterBindings!(0), []);
      const ref = await conn.nwfilterBindingCreateXML!(BINDING("vnet9"), 0);
      assert.deepEqual(ref, { portdev: "vnet9", filtername: "clean-traffic" });
      assert.deepEqual(await conn.nwfilterBindingLookupByPortDev!("vnet9"), ref);
      assert.deepEqual(await conn.connectListAllNWFilterBindings!(0), [ref]);
      assert.equal(
        await conn.nwfilterBindingGetXMLDesc!(ref, 0),
        `<filterbinding>\n  <owner>\n    <name>web</name>\n    <uuid>${UUID}</uuid>\n  </owner>\n` +
          "  <portdev name='vnet9'/>\n  <mac address='52:54:00:aa:bb:cc'/>\n" +
          "  <filterref filter='clean-traffic'>\n    <parameter name='IP' value='10.0.0.2'/>\n" +
          "  </filterref>\n</filterbinding>\n",
      );
      await rejectsWith(
        conn.nwfilterBindingCreateXML!(BINDING("vnet9"), 0),
        VIR.ERR_OPERATION_FAILED,
        "operation failed: binding 'vnet9' already exists",
      );
      assert.equal(commands.length, 0, "nothing instantiated on a missing device");
      await conn.nwfilterBindingDelete!(ref);
      assert.equal(commands.length, 0, "nothing to tear down");
      await rejectsWith(
        conn.nwfilterBindingLookupByPortDev!("vnet9"),
        VIR.ERR_NO_NWFILTER_BINDING,
        "Network filter binding not found: no nwfilter binding for port dev 'vnet9'",
      );
      await rejectsWith(
        conn.nwfilterBindingCreateXML!("<filterbinding><portdev name='v'/></filterbinding>", 0),
        VIR.ERR_INTERNAL_ERROR,
        "internal error: filter binding has no owner name",
      );
    } finally {
      await conn.connectClose();
    }
  });
});

Deno.test("the nwfilter calls reach the driver through a gateway, public-API checks first", async () => {
  await withSecondaryGateway([nwfilterDriver], async (call) => {
    const list = await call("connectListAllNWFilters", 0) as { result: unknown[] };
    assert.equal(list.result.length, 24);
    const bad = await call("nwfilterLookupByName", null) as { code: number };
    assert.equal(bad.code, VIR.ERR_INVALID_ARG);
    const ref = await call("nwfilterDefineXMLFlags", filterXML("gw"), 0) as { result: unknown };
    assert.deepEqual(ref.result, { name: "gw", uuid: UUID });
  });
});
