// The session daemon in-process, over its unix socket, with the QEMU driver on fake QEMUs: it
// owns the driver's state (a late DEVICE_DELETED is handled with no client connected), exits
// once idle with no client and no running domain (a running one keeps it), a second daemon on
// the same directory is refused, and embedded roots belong to one process at a time.
import assert from "node:assert/strict";
import { waitFor } from "../wait.ts";
import { connect, type Connection, VIR, VirError } from "../../mod.ts";
import { connect as hostConnect } from "../../host.ts";
import { qemuConnectDriver } from "../../drivers/qemu/mod.ts";
import { FakeLauncher } from "../../drivers/qemu/testing/mod.ts";
import { startDaemon } from "../../gateway/daemon.ts";
import { createRegistry } from "../../util/registry.ts";
import type { ConnectDriver } from "../../util/driver.ts";

const XML = `<domain type='qemu'><name>q1</name><memory unit='MiB'>128</memory>
<vcpu placement='static' current='1'>4</vcpu><os><type arch='x86_64' machine='q35'>hvm</type></os>
<cpu mode='custom' match='exact'><model fallback='allow'>qemu64</model>
<topology sockets='4' dies='1' cores='1' threads='1'/></cpu>
<devices><memballoon model='none'/></devices></domain>`;

/** A daemon whose QEMU driver runs fake QEMUs under a fresh directory. */
async function fakeDaemon(timeoutSec: number, launcher = new FakeLauncher()) {
  const dir = await Deno.makeTempDir({ prefix: "ev-daemon-" });
  const qemu: ConnectDriver = {
    name: "qemu",
    schemes: ["qemu"],
    open: (uri, options) =>
      qemuConnectDriver.open(uri, {
        ...options,
        stateDir: `${dir}/qemu`,
        launcher,
        unplugTimeoutMs: 50,
      }),
  };
  const daemon = await startDaemon({
    session: true,
    registry: createRegistry([qemu]),
    served: ["qemu:///session"],
    held: ["qemu:///session"],
    timeoutSec,
    env: () => undefined,
    dir,
  });
  const client = () => connect(`qemu+unix:///session?socket=${daemon.socket}`);
  const cleanup = async () => {
    await daemon.stop();
    await Deno.remove(dir, { recursive: true });
  };
  return { daemon, dir, launcher, client, cleanup };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startQ1(conn: Connection) {
  const dom = await conn.defineXML(XML);
  await dom.create();
  return dom;
}

Deno.test("a late DEVICE_DELETED is handled by the daemon while no client is connected", async () => {
  const d = await fakeDaemon(0, new FakeLauncher({ unplug: "hold" }));
  try {
    const c1 = await d.client();
    const dom = await startQ1(c1);
    await dom.setVcpusFlags(4, VIR.DOMAIN_AFFECT_LIVE);
    const timeout = await dom.setVcpu("3", false, VIR.DOMAIN_AFFECT_LIVE).catch((e) => e);
    assert.equal((timeout as VirError).codeName, "VIR_ERR_OPERATION_TIMEOUT");
    await c1.close();
    assert.equal(d.daemon.gateway.sessions.size, 0);

    // QEMU finishes the unplug now: only the daemon holds the monitor to hear it and refresh.
    const fake = [...d.launcher.instances.values()][0];
    const seen = fake.commands.length;
    fake.releaseUnplug("vcpu3");
    // The daemon refreshes the vCPUs after DEVICE_DELETED.
    await waitFor(() => fake.commands.slice(seen).some((c) => c.execute === "query-cpus-fast"));
    const c2 = await d.client();
    const again = await c2.lookupDomainByName("q1");
    assert.equal(await again.getVcpusFlags(VIR.DOMAIN_AFFECT_LIVE), 3);
    await again.destroy();
    await c2.close();
  } finally {
    await d.cleanup();
  }
});

Deno.test("the daemon exits when idle with no client and no running domain", async () => {
  const d = await fakeDaemon(1);
  try {
    let stopped = false;
    d.daemon.stopped.then(() => (stopped = true));
    const conn = await d.client();
    const dom = await startQ1(conn);
    await conn.close();
    // A running domain inhibits the shutdown, as libvirt's QEMU driver does.
    await sleep(1600);
    assert.equal(stopped, false);
    const again = await d.client();
    await (await again.lookupDomainByName(dom.name)).destroy();
    await again.close();
    await waitFor(() => stopped); // the daemon stops once idle
    assert.equal(await Deno.stat(d.daemon.socket).catch(() => null), null);
    assert.equal(await Deno.stat(`${d.dir}/edgevirt.pid`).catch(() => null), null);
  } finally {
    await d.cleanup();
  }
});

Deno.test("a second daemon on the same directory is refused by its pid file", async () => {
  const d = await fakeDaemon(0);
  try {
    const second = await startDaemon({
      session: true,
      registry: createRegistry([]),
      served: [],
      held: [],
      timeoutSec: 0,
      env: () => undefined,
      dir: d.dir,
    }).catch((e) => e);
    assert.ok(second instanceof VirError);
    assert.equal(
      second.message,
      `Failed to acquire pid file '${d.dir}/edgevirt.pid': Resource temporarily unavailable`,
    );
  } finally {
    await d.cleanup();
  }
});

Deno.test("qemu:///embed?root=DIR: state under DIR, roots apart, one process per root", async () => {
  const a = await Deno.makeTempDir({ prefix: "ev-embed-a-" });
  const b = await Deno.makeTempDir({ prefix: "ev-embed-b-" });
  const launcher = new FakeLauncher();
  const open = (root: string) =>
    qemuConnectDriver.open(new URL(`qemu:///embed?root=${root}`), { launcher });
  try {
    const ca = await open(a);
    const cb = await open(b);
    assert.equal(await ca.connectGetURI!(), `qemu:///embed?root=${a}`);
    await ca.domainDefineXMLFlags!(XML, 0);
    assert.deepEqual((await ca.connectListAllDomains!(0)).map((d) => d.name), ["q1"]);
    assert.deepEqual(await cb.connectListAllDomains!(0), []);
    assert.ok((await Deno.readTextFile(`${a}/etc/qemu/q1.xml`)).includes("<name>q1</name>"));
    assert.equal(await Deno.readTextFile(`${a}/run/qemu/driver.pid`), String(Deno.pid));

    // Another process may not drive root A's monitors while this one holds it.
    const probe = `import { qemuConnectDriver } from "${new URL(
      "../../drivers/qemu/mod.ts",
      import.meta.url,
    )}";
      await qemuConnectDriver.open(new URL("qemu:///embed?root=${a}"), {})
        .then(() => console.log("opened"), (e) => console.log(e.codeName, e.message));
      Deno.exit(0);`;
    const out = await new Deno.Command(Deno.execPath(), { args: ["eval", probe] }).output();
    assert.equal(
      new TextDecoder().decode(out.stdout).trim(),
      `VIR_ERR_SYSTEM_ERROR Failed to acquire pid file '${a}/run/qemu/driver.pid': ` +
        "Resource temporarily unavailable",
    );
    await ca.connectClose();
    await cb.connectClose();
    assert.equal(await Deno.stat(`${a}/run/qemu/driver.pid`).catch(() => null), null);

    const e1 = await hostConnect("qemu:///embed").catch((e) => e);
    assert.deepEqual([e1.codeName, e1.message], [
      "VIR_ERR_INVALID_ARG",
      "invalid argument: Missing URI parameter 'root'",
    ]);
    const e2 = await hostConnect("qemu:///embed?root=rel").catch((e) => e);
    assert.deepEqual([e2.codeName, e2.message], [
      "VIR_ERR_CONFIG_UNSUPPORTED",
      "unsupported configuration: root path must be absolute",
    ]);
  } finally {
    await Deno.remove(a, { recursive: true });
    await Deno.remove(b, { recursive: true });
  }
});
