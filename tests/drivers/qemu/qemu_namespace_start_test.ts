// The QEMU XML namespace at a start (libvirt 9.0's qemuBuildCommandLine,
// qemuBuildCompatDeprecatedCommandLine, qemuBuildDeviceCommandlineHandleOverrides,
// qemuProcessStartUpdateCustomCaps, qemuDomainObjCheckTaint): `-compat` right after `-name`, the
// overrides on libvirt's own `-device`s, the arguments last, the variables in QEMU's environment,
// the taints; capabilities refused. On a fake QEMU, then on real QEMU 7.2 (TCG), where QMP and
// /proc show what QEMU really got.
import assert from "node:assert/strict";
import { startArgv as argvOf } from "./argv_of.ts";
import { VIR } from "../../../util/constants.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { error, setup, XML } from "./fake_qmp/block_harness.ts";
import { qcow2Domain, realQemuTest, withRealDriver } from "./real_qemu.ts";

const NS = "xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'";

/** `xml` (a whole domain) with the namespace declared and `tail` last in `<domain>`. */
const withNs = (xml: string, tail: string) =>
  xml.replace("<domain type='qemu'>", `<domain type='qemu' ${NS}>`)
    .replace("</domain>", `${tail}</domain>`);

const SMALL = "<domain type='qemu'><name>vm</name><memory unit='MiB'>64</memory>" +
  "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>" +
  "<memballoon model='virtio'/></devices></domain>";
const devices = (argv: string[]) => argv.filter((_, i) => argv[i - 1] === "-device");

Deno.test("qemu namespace argv: overrides on libvirt's devices only, by alias, in order", () => {
  const prop = (attrs: string) => `<qemu:property ${attrs}/>`;
  const argv = argvOf(withNs(
    SMALL,
    "<qemu:commandline><qemu:arg value='-device'/><qemu:arg value='virtio-rng-pci,id=balloon0'/>" +
      "</qemu:commandline><qemu:override><qemu:device alias='balloon0'><qemu:frontend>" +
      prop("name='bus' type='remove'") + prop("name='addr' type='string' value='0x5'") +
      prop("name='s' type='string' value='a,b'") + prop("name='n' type='signed' value=' -07'") +
      prop("name='u' type='unsigned' value='18446744073709551615'") +
      prop("name='b' type='bool' value='true'") + prop("name='gone' type='remove'") +
      "</qemu:frontend></qemu:device><qemu:device alias='balloon0'><qemu:frontend>" +
      prop("name='driver' type='string' value='virtio-balloon-pci-non-transitional'") +
      "</qemu:frontend></qemu:device><qemu:device alias='usb'/></qemu:override>",
  ));
  assert.deepEqual(devices(argv), [
    "piix3-usb-uhci,id=usb,bus=pci.0,addr=0x1.0x2",
    "id=balloon0,addr=0x5,s=a,,b,n=-7,u=18446744073709551615,b=on," +
    "driver=virtio-balloon-pci-non-transitional",
    // <qemu:arg>s are QEMU's as written: no override reaches them.
    "virtio-rng-pci,id=balloon0",
  ]);
  assert.deepEqual(argv.slice(-2), ["-device", "virtio-rng-pci,id=balloon0"]);
  assert.ok(!argv.includes("-compat"));
});

Deno.test("qemu namespace argv: -compat per deprecation behaviour, right after -name", () => {
  const compat = (behavior: string) => {
    const argv = argvOf(withNs(SMALL, `<qemu:deprecation behavior='${behavior}'/>`));
    return argv[2] === "-compat" ? argv[3] : argv.includes("-compat") ? "misplaced" : undefined;
  };
  assert.equal(compat("omit"), '{"deprecated-output":"hide"}');
  assert.equal(compat("reject"), '{"deprecated-output":"hide","deprecated-input":"reject"}');
  assert.equal(compat("crash"), '{"deprecated-output":"hide","deprecated-input":"crash"}');
  // "none", and a behaviour libvirt does not know (it warns in its log), add nothing.
  assert.equal(compat("none"), undefined);
  assert.equal(compat("toString"), undefined);
});

const FULL_NS = "<qemu:commandline><qemu:arg value='-global'/>" +
  "<qemu:arg value='virtio-blk-pci.serial=x'/><qemu:env name='EV_A' value='a b'/>" +
  "<qemu:env name='EV_EMPTY'/></qemu:commandline><qemu:override>" +
  "<qemu:device alias='virtio-disk0'><qemu:frontend>" +
  "<qemu:property name='serial' type='string' value='over'/></qemu:frontend></qemu:device>" +
  "</qemu:override><qemu:deprecation behavior='omit'/>";

Deno.test("qemu namespace start: argv, environment, taints; kept in live, inactive and redefined XML", async () => {
  const t = await setup({ xml: withNs(XML, FULL_NS) });
  try {
    const argv = t.launcher.launches.at(-1)!;
    assert.deepEqual(argv.slice(0, 4), [
      "-name",
      "guest=hp,debug-threads=on",
      "-compat",
      '{"deprecated-output":"hide"}',
    ]);
    assert.deepEqual(argv.slice(-2), ["-global", "virtio-blk-pci.serial=x"]);
    assert.match(devices(argv).find((d) => d.includes("id=virtio-disk0"))!, /,serial=over$/);
    assert.deepEqual(t.launcher.envs.at(-1), { EV_A: "a b", EV_EMPTY: "" });
    const taints = [
      "tainted: custom configuration parameters specified",
      "tainted: custom device configuration",
    ];
    assert.deepEqual(await t.conn.domainGetMessages!(t.dom, VIR.DOMAIN_MESSAGE_TAINTING), taints);
    const tail = "  <qemu:commandline>\n    <qemu:arg value='-global'/>\n" +
      "    <qemu:arg value='virtio-blk-pci.serial=x'/>\n    <qemu:env name='EV_A' value='a b'/>\n" +
      "    <qemu:env name='EV_EMPTY'/>\n  </qemu:commandline>\n  <qemu:override>\n" +
      "    <qemu:device alias='virtio-disk0'>\n      <qemu:frontend>\n" +
      "        <qemu:property name='serial' type='string' value='over'/>\n" +
      "      </qemu:frontend>\n    </qemu:device>\n  </qemu:override>\n" +
      "  <qemu:deprecation behavior='omit'/>\n</domain>\n";
    const live = await t.conn.domainGetXMLDesc!(t.dom, 0);
    assert.match(live, new RegExp(`^<domain type='qemu' id='\\d+' ${NS}>`));
    assert.ok(live.endsWith(tail), live);
    const inactive = await t.conn.domainGetXMLDesc!(t.dom, VIR.DOMAIN_XML_INACTIVE);
    assert.ok(inactive.startsWith(`<domain type='qemu' ${NS}>`) && inactive.endsWith(tail));
    // A restarted driver reads the namespace (and the taints) back from the domain's status.
    await t.conn.connectClose();
    t.conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
      stateDir: t.dir,
      launcher: t.launcher,
    }) as DriverConnection;
    assert.equal(await t.conn.domainGetXMLDesc!(t.dom, 0), live);
    assert.deepEqual(await t.conn.domainGetMessages!(t.dom, 0), taints);
    // dumpxml --inactive → define: the same definition again.
    await t.conn.domainDefineXMLFlags!(inactive, 0);
    assert.equal(await t.conn.domainGetXMLDesc!(t.dom, VIR.DOMAIN_XML_INACTIVE), inactive);
    // A restore's -incoming comes before the <qemu:arg>s, as libvirt writes them.
    await t.conn.domainSaveFlags!(t.dom, `${t.dir}/ns.save`, null, 0);
    await t.conn.domainRestoreFlags!(`${t.dir}/ns.save`, null, 0);
    assert.deepEqual(t.launcher.launches.at(-1)!.slice(-4), [
      "-incoming",
      "defer",
      "-global",
      "virtio-blk-pci.serial=x",
    ]);
    // Once QEMU is gone its taints are too; the definition keeps the namespace.
    await t.conn.domainDestroyFlags!(t.dom, 0);
    assert.deepEqual(await t.conn.domainGetMessages!(t.dom, 0), []);
    assert.equal(await t.conn.domainGetXMLDesc!(t.dom, 0), inactive);
  } finally {
    await t.close();
  }
});

Deno.test("qemu namespace start: capabilities refused, an unknown one with libvirt's error first", async () => {
  const t = await setup();
  try {
    const launches = t.launcher.launches.length;
    const start = async (name: string, caps: string) => {
      const dom = await t.conn.domainDefineXMLFlags!(
        withNs(
          SMALL.replace("<name>vm", `<name>${name}`),
          `<qemu:capabilities>${caps}</qemu:capabilities>`,
        ),
        0,
      );
      const e = await error(t.conn.domainCreateWithFlags!(dom, 0));
      return [e.code, e.domain, e.message];
    };
    assert.deepEqual(
      await start("a", "<qemu:add capability='vnc-colon'/><qemu:del capability='no-such'/>"),
      [
        VIR.ERR_INTERNAL_ERROR,
        VIR.FROM_QEMU,
        "internal error: invalid qemu namespace capability 'no-such'",
      ],
    );
    assert.deepEqual(await start("b", "<qemu:del capability='device.json'/>"), [
      VIR.ERR_CONFIG_UNSUPPORTED,
      VIR.FROM_QEMU,
      "unsupported configuration: adding or removing QEMU capabilities " +
      "(qemu:capabilities 'device.json') is not supported",
    ]);
    assert.equal(t.launcher.launches.length, launches, "no QEMU ran");
  } finally {
    await t.close();
  }
});

realQemuTest({
  name:
    "real QEMU: <qemu:arg>s on its command line, <qemu:env> in its environment, overrides applied",
  fn: () =>
    withRealDriver("ev-qns-", async ({ dir, conn, launcher }) => {
      const { xml } = await qcow2Domain(dir, "qns");
      const dom = await conn.domainDefineXMLFlags!(withNs(xml, FULL_NS), 0);
      await conn.domainCreateWithFlags!(dom, 0);
      const proc = launcher.procs.at(-1)!;
      const cmdline = (await Deno.readTextFile(`/proc/${proc.pid}/cmdline`)).split("\0");
      assert.deepEqual(cmdline.slice(-3, -1), ["-global", "virtio-blk-pci.serial=x"]);
      assert.equal(cmdline[cmdline.indexOf("-compat") + 1], '{"deprecated-output":"hide"}');
      const environ = (await Deno.readTextFile(`/proc/${proc.pid}/environ`)).split("\0");
      assert.ok(environ.includes("EV_A=a b") && environ.includes("EV_EMPTY="), "environment");
      // The override wins over the -global default: QEMU's device has the serial given.
      const serial = await proc.monitor.run<string>("qom-get", {
        path: "/machine/peripheral/virtio-disk0",
        property: "serial",
      });
      assert.equal(serial, "over");
      await conn.domainDestroyFlags!(dom, 0);
    }),
});
