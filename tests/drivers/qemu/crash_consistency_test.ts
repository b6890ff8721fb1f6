/**
 * Issue 14's faults of the QEMU driver's state, reproduced against the fake QEMU: a driver
 * killed in the middle of a start (#7), damaged status and config files (#8), autostart at
 * every reopening (#9), a define whose file cannot be written (#10), and listing every domain.
 * A driver "killed" here is one that is never closed and never runs another line.
 */
import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { QemuDriverState } from "../../../drivers/qemu/driver_state.ts";
import type { QemuProcess } from "../../../drivers/qemu/process/launcher.ts";
import { qemuPaths } from "../../../drivers/qemu/process/paths.ts";
import { FakeLauncher } from "../../../drivers/qemu/testing/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import type { VirError } from "../../../util/errors.ts";
import { spawnGateway } from "../../gateway/process.ts";
import { realQemuTest } from "./real_qemu.ts";

const xml = (name: string, uuid = "33333333-2222-3333-4444-555555555555") =>
  `<domain type='qemu'><name>${name}</name><uuid>${uuid}</uuid>
<memory unit='MiB'>128</memory><vcpu placement='static'>1</vcpu>
<os><type arch='x86_64' machine='q35'>hvm</type></os>
<devices><memballoon model='none'/></devices></domain>`;

/** A fake launcher whose driver can be made to die right after QEMU was spawned. */
class KillableLauncher extends FakeLauncher {
  /** While set, a launch never returns to the driver: it was killed at that instant. */
  dieAfterSpawn = false;

  override async launch(emulator: string, argv: string[], monitorPath: string) {
    const proc = await super.launch(emulator, argv, monitorPath);
    return this.dieAfterSpawn ? new Promise<QemuProcess>(() => {}) : proc;
  }
}

async function openState(dir: string, launcher: FakeLauncher, logs: string[] = []) {
  return await QemuDriverState.open({
    paths: qemuPaths(false, dir),
    launcher,
    log: (m) => logs.push(m),
    unplugTimeoutMs: 50,
  });
}

const byName = (s: QemuDriverState, name: string) => s.domains.findByName(name)!;

/** Domain q1 in `state`: persistent (its config saved) or transient. */
async function addQ1(state: QemuDriverState, persistent: boolean) {
  const { obj } = state.domains.add(state.parse(xml("q1")), {
    live: !persistent,
    checkLive: !persistent,
  });
  obj.persistent = persistent;
  await state.saveConfig(obj);
  return obj;
}

/** A fresh state directory with q1 running under a first state (which is left as it is). */
async function runningQ1(persistent: boolean) {
  const dir = await Deno.makeTempDir();
  const launcher = new FakeLauncher();
  const first = await openState(dir, launcher);
  const obj = await addQ1(first, persistent);
  await first.start(obj, 0);
  return { dir, launcher, first, obj };
}

Deno.test("#7: a driver killed right after spawning QEMU: the restart kills it, the next start runs one QEMU", async () => {
  const dir = await Deno.makeTempDir();
  const launcher = new KillableLauncher();
  const first = await openState(dir, launcher);
  await addQ1(first, true);
  launcher.dieAfterSpawn = true;
  void first.start(byName(first, "q1"), 0);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(launcher.alive().length, 1);
  // The status came first: QEMU's socket is on disk before QEMU ran.
  const status = JSON.parse(await Deno.readTextFile(`${dir}/run/q1.status.json`));
  assert.equal(status.reason, VIR.DOMAIN_PAUSED_STARTING_UP);

  launcher.dieAfterSpawn = false;
  const logs: string[] = [];
  const second = await openState(dir, launcher, logs);
  assert.deepEqual(launcher.alive(), [], "the half-started QEMU is killed, not orphaned");
  assert.ok(logs.some((l) => l.includes("wasn't fully started yet, killing it")), logs.join());
  const obj = byName(second, "q1");
  assert.equal(obj.state, VIR.DOMAIN_SHUTOFF);
  await second.start(obj, 0);
  assert.equal(launcher.alive().length, 1, "one QEMU for the domain");
  await second.destroy(obj);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("#7: a driver killed after a finished start: the restart adopts QEMU, a start is refused", async () => {
  const { dir, launcher, obj } = await runningQ1(false);
  // Killed: never closed. The restart must neither lose nor duplicate the QEMU.
  const second = await openState(dir, launcher);
  const again = byName(second, "q1");
  assert.equal(again.state, VIR.DOMAIN_RUNNING);
  assert.equal(again.proc?.pid, obj.proc?.pid);
  const err = await second.start(again, 0).catch((e) => e) as VirError;
  assert.equal(err.message, "Requested operation is not valid: domain is already running");
  assert.equal(launcher.alive().length, 1);
  await second.destroy(again);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("#7: a QEMU in the run directory that no status names is killed", async () => {
  const { dir, launcher, first } = await runningQ1(false);
  await first.close();
  await Deno.remove(`${dir}/run/q1.status.json`);
  const logs: string[] = [];
  const second = await openState(dir, launcher, logs);
  assert.deepEqual(launcher.alive(), []);
  assert.equal(second.domains.findByName("q1"), undefined);
  assert.match(logs.join("\n"), /killing QEMU 70000 \(monitor .*q1\.qmp\): no domain/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("#7: a QEMU whose monitor does not answer query-name with the domain's name is not adopted", async () => {
  const dir = await Deno.makeTempDir();
  const launcher = new FakeLauncher({
    onCommand: (execute) => execute === "query-name" ? { return: { name: "other" } } : undefined,
  });
  const first = await openState(dir, launcher);
  await first.start(await addQ1(first, true), 0);
  await first.close();
  const logs: string[] = [];
  const second = await openState(dir, launcher, logs);
  assert.equal(byName(second, "q1").state, VIR.DOMAIN_SHUTOFF);
  assert.deepEqual(launcher.alive(), []);
  assert.match(logs.join("\n"), /the QEMU of 'q1' \(pid 70000\) answers query-name with 'other'/);
  await Deno.remove(dir, { recursive: true });
});

/** A persistent q1 running under a closed state, its status then damaged by `damage`. */
async function damagedRunning(damage: (status: Record<string, unknown>) => string) {
  const { dir, launcher, first } = await runningQ1(true);
  await first.close();
  const path = `${dir}/run/q1.status.json`;
  await Deno.writeTextFile(path, damage(JSON.parse(await Deno.readTextFile(path))));
  const logs: string[] = [];
  const second = await openState(dir, launcher, logs);
  return { dir, launcher, second, logs };
}

for (
  const [what, damage] of [
    ["without vcpus", (s: Record<string, unknown>) => JSON.stringify({ ...s, vcpus: undefined })],
    [
      "with a cut liveXml",
      (s: Record<string, unknown>) =>
        JSON.stringify({ ...s, liveXml: (s.liveXml as string).slice(0, 120) }),
    ],
    ["of invalid JSON", (s: Record<string, unknown>) => JSON.stringify(s).slice(0, 50)],
  ] as const
) {
  Deno.test(`#8: a status file ${what}: reported, kept aside, QEMU killed, domain shut off`, async () => {
    const { dir, launcher, second, logs } = await damagedRunning(damage);
    const q1 = byName(second, "q1");
    assert.equal(q1.state, VIR.DOMAIN_SHUTOFF);
    assert.equal(q1.persistent, true);
    assert.deepEqual(launcher.alive(), [], "no QEMU left running behind a shut-off domain");
    const files = [...Deno.readDirSync(`${dir}/run`)].map((e) => e.name);
    assert.ok(files.some((f) => /^q1\.status\.json\.damaged-\d{8}T\d{9}Z$/.test(f)), files.join());
    assert.ok(!files.includes("q1.status.json"));
    assert.match(logs.join("\n"), /damaged file '.*q1\.status\.json'/);
    // Usable again: it starts with one QEMU.
    await second.start(q1, 0);
    assert.equal(launcher.alive().length, 1);
    await second.destroy(q1);
    await Deno.remove(dir, { recursive: true });
  });
}

Deno.test("#8: a truncated config is reported and kept aside; the other domains load", async () => {
  const dir = await Deno.makeTempDir();
  const launcher = new FakeLauncher();
  const first = await openState(dir, launcher);
  for (const [name, uuid] of [["q1", undefined], ["q2", "44444444-2222-3333-4444-555555555555"]]) {
    const { obj } = first.domains.add(first.parse(xml(name!, uuid)), {
      live: false,
      checkLive: false,
    });
    obj.persistent = true;
    await first.saveConfig(obj);
  }
  await first.close();
  const cut = (await Deno.readTextFile(`${dir}/config/q1.xml`)).slice(0, 100);
  await Deno.writeTextFile(`${dir}/config/q1.xml`, cut);
  const logs: string[] = [];
  const second = await openState(dir, launcher, logs);
  assert.equal(second.domains.findByName("q1"), undefined);
  assert.ok(second.domains.findByName("q2"));
  const aside = [...Deno.readDirSync(`${dir}/config`)].map((e) => e.name)
    .find((f) => f.startsWith("q1.xml.damaged-"));
  assert.ok(aside);
  assert.equal(await Deno.readTextFile(`${dir}/config/${aside}`), cut);
  assert.match(logs.join("\n"), /damaged file '.*q1\.xml' \(Failed to load config: /);
  await Deno.remove(dir, { recursive: true });
});

async function connect(dir: string, launcher: FakeLauncher): Promise<DriverConnection> {
  return await qemuConnectDriver.open(new URL("qemu:///session"), {
    stateDir: dir,
    launcher,
    log: () => {},
  }) as DriverConnection;
}

/** A test on one connection to a fresh state directory (fake QEMU), closed and removed after. */
function connTest(name: string, body: (conn: DriverConnection, dir: string) => Promise<void>) {
  Deno.test(name, async () => {
    const dir = await Deno.makeTempDir();
    const conn = await connect(dir, new FakeLauncher());
    try {
      await body(conn, dir);
    } finally {
      await conn.connectClose();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("#9: an autostart domain starts at the first open after a boot; destroyed, it stays shut off when a new client reopens the state", async () => {
  const dir = await Deno.makeTempDir();
  const launcher = new FakeLauncher();
  const setup = await connect(dir, launcher);
  await setup.domainSetAutostart!(await setup.domainDefineXMLFlags!(xml("q1"), 0), true);
  await setup.connectClose();
  await Deno.remove(`${dir}/run/autostarted`); // a host boot: the daemon's first start
  const daemon = await connect(dir, launcher);
  const dom = await daemon.domainLookupByName!("q1");
  assert.equal(await daemon.domainIsActive!(dom), true, "autostarted at the daemon's start");
  assert.equal(await daemon.domainGetAutostart!(dom), true);
  await daemon.domainDestroyFlags!(dom, 0);
  await daemon.connectClose(); // the last client goes: the state is dropped
  const client = await connect(dir, launcher);
  assert.equal(await client.domainIsActive!(await client.domainLookupByName!("q1")), false);
  assert.equal(launcher.launches.length, 1);
  await client.connectClose();
  await Deno.remove(dir, { recursive: true });
});

connTest(
  "#10: a define whose config cannot be written leaves no domain behind",
  async (conn, dir) => {
    const name = "n".repeat(300);
    const err = await conn.domainDefineXMLFlags!(xml(name), 0).catch((e) => e) as VirError;
    assert.equal(err.codeName, "VIR_ERR_SYSTEM_ERROR");
    assert.equal(
      err.message,
      `Failed to create file '${dir}/config/${name}.xml.new': File name too long`,
    );
    const lookup = await conn.domainLookupByName!(name).catch((e) => e) as VirError;
    assert.equal(lookup.codeName, "VIR_ERR_NO_DOMAIN");
    assert.deepEqual(await conn.connectListAllDomains!(0), []);
  },
);

connTest(
  "#10: a redefine whose config cannot be written keeps the old definition",
  async (conn, dir) => {
    const dom = await conn.domainDefineXMLFlags!(xml("q1"), 0);
    const before = await Deno.readTextFile(`${dir}/config/q1.xml`);
    await Deno.mkdir(`${dir}/config/q1.xml.new`); // the temp file cannot be created
    const bigger = xml("q1").replace("128", "256");
    const err = await conn.domainDefineXMLFlags!(bigger, 0).catch((e) => e) as VirError;
    assert.match(err.message, /^Failed to create file '.*q1\.xml\.new': /);
    assert.match(await conn.domainGetXMLDesc!(dom, 0), /<memory unit='KiB'>131072</);
    assert.equal(await Deno.readTextFile(`${dir}/config/q1.xml`), before);
  },
);

connTest(
  "an undefine whose config cannot be removed fails and keeps the domain",
  async (conn, dir) => {
    const dom = await conn.domainDefineXMLFlags!(xml("q1"), 0);
    await Deno.remove(`${dir}/config/q1.xml`);
    await Deno.mkdir(`${dir}/config/q1.xml/x`, { recursive: true }); // cannot be unlinked
    const err = await conn.domainUndefineFlags!(dom, 0).catch((e) => e) as VirError;
    assert.equal(err.codeName, "VIR_ERR_SYSTEM_ERROR");
    assert.match(err.message, new RegExp(`^cannot remove config ${dir}/config/q1\\.xml: `));
    assert.equal(await conn.domainIsPersistent!(await conn.domainLookupByName!("q1")), true);
  },
);

connTest("connectListAllDomains with ACTIVE|INACTIVE lists every domain", async (conn) => {
  await conn.domainDefineXMLFlags!(xml("off"), 0);
  const on = await conn.domainDefineXMLFlags!(xml("on", "44444444-2222-3333-4444-555555555555"), 0);
  await conn.domainCreateWithFlags!(on, 0);
  const transient = await conn.domainCreateXML!(
    xml("tr", "55555555-2222-3333-4444-555555555555"),
    0,
  );
  const flags = VIR.CONNECT_LIST_DOMAINS_ACTIVE | VIR.CONNECT_LIST_DOMAINS_INACTIVE;
  const names = (await conn.connectListAllDomains!(flags)).map((d) => d.name).sort();
  assert.deepEqual(names, ["off", "on", "tr"]);
  await conn.domainDestroyFlags!(on, 0);
  await conn.domainDestroyFlags!(transient, 0);
});

realQemuTest({
  name: "#8: the gateway process comes up with damaged QEMU state files and serves test:///default",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    await Deno.mkdir(`${dir}/run`, { recursive: true });
    await Deno.mkdir(`${dir}/config`, { recursive: true });
    const status = {
      name: "q1",
      uuid: "33333333-2222-3333-4444-555555555555",
      id: 1,
      pid: 1,
      monitorPath: `${dir}/run/q1.qmp`,
      state: 1,
      reason: 1,
      liveXml: xml("q1"),
    }; // no vcpus
    await Deno.writeTextFile(`${dir}/run/q1.status.json`, JSON.stringify(status));
    await Deno.writeTextFile(`${dir}/run/q2.status.json`, '{"name":"q2","liveXml":"<dom');
    await Deno.writeTextFile(`${dir}/config/q3.xml`, xml("q3").slice(0, 90));
    const gw = await spawnGateway({ env: { EDGEVIRT_QEMU_STATE_DIR: dir } });
    try {
      assert.match(gw.stderr(), /serving test:\/\/\/default, qemu:\/\/\/session/);
      for (const file of ["run/q1.status.json", "run/q2.status.json", "config/q3.xml"]) {
        assert.match(gw.stderr(), new RegExp(`damaged file '${dir}/${file}'`));
        assert.ok(
          [...Deno.readDirSync(`${dir}/${file.split("/")[0]}`)].some((e) =>
            e.name.startsWith(`${file.split("/")[1]}.damaged-`)
          ),
        );
      }
    } finally {
      await gw.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
