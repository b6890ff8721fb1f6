// The live XML shows what QEMU gave the domain: the pty of each serial (and the console's tty=)
// from query-chardev, the VNC port from query-vnc; the inactive XML keeps the definition's.
import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { FakeLauncher } from "../../../drivers/qemu/testing/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { DriverConnection } from "../../../util/driver.ts";

const XML = `<domain type='qemu'><name>lx</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<serial type='pty'/><serial type='pty'/><console type='pty'/>
<graphics type='vnc' autoport='yes'/><memballoon model='none'/></devices></domain>`;

Deno.test("live XML: pty paths from query-chardev, VNC port from query-vnc", async () => {
  const launcher = new FakeLauncher();
  const conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
    stateDir: await Deno.makeTempDir({ prefix: "ev-livexml-" }),
    launcher,
  }) as DriverConnection;
  const dom = await conn.domainDefineXMLFlags!(XML, 0);
  await conn.domainCreateWithFlags!(dom, 0);
  const fake = [...launcher.instances.values()][0];
  assert.deepEqual(
    fake.commands.map((c) => c.execute).filter((c) => c === "query-chardev" || c === "query-vnc"),
    ["query-chardev", "query-vnc"],
  );
  const live = await conn.domainGetXMLDesc!(dom, 0);
  const serials = [...live.matchAll(/<serial type='pty'>\s*<source path='([^']+)'\/>/g)];
  assert.deepEqual(serials.map((m) => m[1]), ["/dev/pts/100", "/dev/pts/101"]);
  assert.match(
    live,
    /<console type='pty' tty='\/dev\/pts\/100'>\s*<source path='\/dev\/pts\/100'\/>\s*<target type='serial' port='0'\/>/,
  );
  assert.match(
    live,
    /<graphics type='vnc' port='5900' autoport='yes' listen='127.0.0.1'>\s*<listen type='address' address='127.0.0.1'\/>/,
  );
  // Only the running domain has them: they are QEMU's, not the definition's.
  const inactive = await conn.domainGetXMLDesc!(dom, VIR.DOMAIN_XML_INACTIVE);
  assert.doesNotMatch(inactive, /\/dev\/pts|port='5900'/);
  await conn.connectClose();
});
