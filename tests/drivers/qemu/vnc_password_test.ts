// VNC passwords on the QEMU driver against libvirt 9.0 (the -vnc and -k of a password, keymap,
// sharing and power control are command_test.ts's, against fixtures/pc-vnc-password.argv):
// fixtures/vnc_password.expected.json (record_vnc_password.sh) its answers to the steps of
// record_vnc_password.py — the <graphics> of the live and inactive XML with and without
// VIR_DOMAIN_XML_SECURE, QEMU's VNC auth, updateDeviceFlags live and persistent, the refusals —
// which are replayed here on a fake QEMU. The QMP libvirt sends (set_password, then
// expire_password: qemuDomainChangeGraphicsPasswords) is checked against the fake's log; a real
// QEMU's VNC server asks for the password in real_vnc_password_test.ts.
import assert from "node:assert/strict";
import { FakeLauncher } from "../../../drivers/qemu/testing/mod.ts";
import { passwordExpiry } from "../../../drivers/qemu/graphics_password.ts";
import { VIR } from "../../../util/constants.ts";
import { element } from "../../../util/xml/mod.ts";
import { withQemuConn } from "./with_conn.ts";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { createRegistry } from "../../../util/registry.ts";
import { connect } from "../../../client/connect.ts";

const fixtures = new URL("./fixtures/", import.meta.url);
const read = (name: string) => Deno.readTextFile(new URL(name, fixtures));
const after = (argv: string[], flag: string) => argv[argv.indexOf(flag) + 1];

// The template of record_vnc_password.py.
const DOMAIN = (name: string, graphics: string) =>
  `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os>
<devices>${graphics}<memballoon model='none'/></devices></domain>`;
const PW = "<graphics type='vnc' autoport='yes' passwd='s3cret' " +
  "passwdValidTo='2031-02-03T04:05:06' keymap='de'><listen type='address' " +
  "address='127.0.0.1'/></graphics>";
const NOPW = "<graphics type='vnc' autoport='yes'><listen type='address' " +
  "address='127.0.0.1'/></graphics>";
const { AFFECT_LIVE: LIVE, AFFECT_CONFIG: CONFIG } = {
  AFFECT_LIVE: VIR.DOMAIN_AFFECT_LIVE,
  AFFECT_CONFIG: VIR.DOMAIN_AFFECT_CONFIG,
};
const SECURE = VIR.DOMAIN_XML_SECURE;
const INACTIVE = VIR.DOMAIN_XML_INACTIVE;

const graphics = (xml: string) => xml.match(/<graphics .*?<\/graphics>|<graphics [^>]*\/>/s)?.[0];

Deno.test("the expiry QEMU gets: never, the UTC second, or now once passed or empty", () => {
  const now = Date.UTC(2030, 0, 1);
  const g = (attrs: Record<string, string>) => element("graphics", { type: "vnc", ...attrs });
  assert.equal(passwordExpiry(g({ passwd: "x" }), now), "never");
  assert.equal(
    passwordExpiry(g({ passwd: "x", passwdValidTo: "2031-02-03T04:05:06" }), now),
    String(Date.UTC(2031, 1, 3, 4, 5, 6) / 1000),
  );
  assert.equal(
    passwordExpiry(g({ passwd: "x", passwdValidTo: "2016-07-11T00:17:00" }), now),
    "now",
  );
  assert.equal(passwordExpiry(g({ passwd: "" }), now), "now");
});

Deno.test("VNC password steps answer as libvirt 9.0's, QEMU told with set_password and expire_password", async () => {
  const expected = JSON.parse(await read("vnc_password.expected.json")) as Record<
    string,
    unknown
  >[];
  const launcher = new FakeLauncher();
  await withQemuConn({ launcher }, async (conn) => {
    const out: Record<string, unknown>[] = [];
    const step = async (
      name: string,
      call: () => Promise<unknown>,
      readOut?: (r: unknown) => Record<string, unknown>,
    ) => {
      try {
        const r = await call();
        out.push({ step: name, ok: true, ...readOut?.(r) });
      } catch (e) {
        const v = e as { code: number; domain: number; message: string };
        out.push({ step: name, code: v.code, domain: v.domain, message: v.message });
      }
    };
    const xmlOf = (x: unknown) => ({ xml: graphics(String(x)) });
    const dom = await conn.domainDefineXMLFlags!(DOMAIN("vncpw", PW), 0);
    await conn.domainCreateWithFlags!(dom, 0);
    const fake = [...launcher.instances.values()].at(-1)!;
    const passwords = () =>
      fake.commands.filter((c) => c.execute.endsWith("password")).map((c) => [
        c.execute,
        c.arguments,
      ]);
    // qemuProcessInitPasswords: the password, then its expiry in seconds since the epoch.
    assert.deepEqual(passwords(), [
      ["set_password", { protocol: "vnc", password: "s3cret", connected: "keep" }],
      ["expire_password", { protocol: "vnc", time: String(Date.UTC(2031, 1, 3, 4, 5, 6) / 1000) }],
    ]);
    fake.commands.length = 0;
    await step("live xml", () => conn.domainGetXMLDesc!(dom, 0), xmlOf);
    await step("live xml secure", () => conn.domainGetXMLDesc!(dom, SECURE), xmlOf);
    // The auth QEMU's VNC server asks for follows from -vnc …,password=on.
    await step("query-vnc", () => Promise.resolve(), () => ({
      auth: /,password=on/.test(after(launcher.launches.at(-1)!, "-vnc")) ? "vnc" : "none",
    }));
    for (
      const [name, xml] of [
        ["update keymap", PW.replace("keymap='de'", "keymap='fr'")],
        ["update port", PW.replace("autoport='yes'", "port='5999' autoport='no'")],
        ["update listen", PW.replace("127.0.0.1", "0.0.0.0")],
        ["update listen count", PW.replace("</graphics>", "<listen type='none'/></graphics>")],
        ["update spice", "<graphics type='spice' autoport='yes'/>"],
        [
          "update password",
          PW.replace("s3cret", "n3w").replace(" passwdValidTo='2031-02-03T04:05:06'", ""),
        ],
      ]
    ) {
      await step(name, () => conn.domainUpdateDeviceFlags!(dom, xml, LIVE));
    }
    // Only the password change reached QEMU, its expiry now never.
    assert.deepEqual(passwords(), [
      ["set_password", { protocol: "vnc", password: "n3w", connected: "keep" }],
      ["expire_password", { protocol: "vnc", time: "never" }],
    ]);
    await step("live xml after update", () => conn.domainGetXMLDesc!(dom, SECURE), xmlOf);
    await step(
      "update password config",
      () => conn.domainUpdateDeviceFlags!(dom, PW.replace("s3cret", "c0nfig"), CONFIG),
    );
    await step("inactive xml secure", () => conn.domainGetXMLDesc!(dom, SECURE | INACTIVE), xmlOf);
    await step("inactive xml", () => conn.domainGetXMLDesc!(dom, INACTIVE), xmlOf);
    await conn.domainDestroyFlags!(dom, 0);
    await conn.domainUndefineFlags!(dom, 0);
    const plain = await conn.domainCreateXML!(DOMAIN("vncnopw", NOPW), 0);
    await step("query-vnc without password", () => Promise.resolve(), () => ({
      auth: /,password=on/.test(after(launcher.launches.at(-1)!, "-vnc")) ? "vnc" : "none",
    }));
    await step(
      "update password without password=on",
      () =>
        conn.domainUpdateDeviceFlags!(
          plain,
          NOPW.replace("autoport='yes'", "autoport='yes' passwd='x'"),
          LIVE,
        ),
    );
    // libvirt keeps the live password when QEMU refused it.
    assert.doesNotMatch(String(graphics(await conn.domainGetXMLDesc!(plain, SECURE))), /passwd/);
    await conn.domainDestroyFlags!(plain, 0);
    assert.deepEqual(out, expected);
  });
});

Deno.test("a read-only connection sees no VNC password and may not ask for it (secure flag)", async () => {
  const dir = await Deno.makeTempDir();
  const options = {
    embed: createRegistry([qemuConnectDriver]),
    launcher: new FakeLauncher(),
    log: () => {},
  };
  const uri = `qemu:///embed?root=${dir}`;
  const rw = await connect(uri, options);
  try {
    await rw.createXML(DOMAIN("vncpw", PW), 0);
    const ro = await connect(uri, { ...options, readonly: true });
    const dom = await ro.lookupDomainByName("vncpw");
    assert.doesNotMatch(await dom.getXMLDesc(0), /passwd=/);
    await assert.rejects(() => dom.getXMLDesc(SECURE), {
      code: VIR.ERR_OPERATION_DENIED,
      message: "operation forbidden: virDomainGetXMLDesc with secure flag",
    });
    await ro.close();
    await (await rw.lookupDomainByName("vncpw")).destroy();
  } finally {
    await rw.close();
    await Deno.remove(dir, { recursive: true });
  }
});
