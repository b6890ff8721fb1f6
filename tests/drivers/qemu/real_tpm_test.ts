// Real QEMU 7.2 (TCG) with a real swtpm: an emulated TPM 2.0 reaches the guest (QEMU's
// query-tpm), swtpm ends with the domain and with a failed start, the state survives a restart
// and a save and restore without being manufactured again, and undefine --tpm removes it; a
// transient domain's state goes when it stops; an encrypted state takes its passphrase from the
// secret driver, and a missing secret fails the start with the secret driver's error.
// Without QEMU this test is ignored on a developer machine but FAILS in CI.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { secretDriver } from "../../../drivers/secret/mod.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import { KeepingLauncher, realQemuTest, withRealDriver } from "./real_qemu.ts";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";

/** The pids of the swtpm processes serving a socket under `dir`. */
function swtpmsUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    const pid = Number(e.name);
    if (!Number.isInteger(pid)) continue;
    try {
      const argv = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0");
      const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
      const zombie = stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
      if (!zombie && argv[0].endsWith("swtpm") && argv.some((a) => a.includes(`${dir}/`))) {
        pids.push(pid);
      }
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** Waits (generously: the machine is shared) until `check` holds. */
async function waitFor(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

const UUID = "6a1c2f3e-9b7d-4c1e-8f20-3d4b5c6d7e8f";

const domain = (name: string, tpm: string, extra = "") =>
  `<domain type='qemu'><name>${name}</name><uuid>${UUID}</uuid><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='q35'>hvm</type></os><devices>${tpm}${extra}
<memballoon model='none'/></devices></domain>`;

realQemuTest({
  name: "real QEMU + swtpm: TPM 2.0 CRB started, stopped with the domain, state kept, --tpm",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-tpm-", async ({ dir, conn, launcher }) => {
      const state = `${dir}/config/swtpm/${UUID}`;
      const log = `${dir}/cache/log/tp-swtpm.log`;
      const dom = await conn.domainDefineXMLFlags!(
        domain("tp", "<tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>"),
        0,
      );
      try {
        await conn.domainCreateWithFlags!(dom, 0);
        assert.equal(swtpmsUnder(dir).length, 1, "one swtpm runs");
        const [tpm] = await launcher.procs.at(-1)!.monitor.run<
          { id: string; model: string; options: { type: string } }[]
        >("query-tpm");
        assert.deepEqual([tpm.id, tpm.model, tpm.options.type], [
          "tpm-tpm0",
          "tpm-crb",
          "emulator",
        ]);
        assert.ok(await exists(`${state}/tpm2/tpm2-00.permall`), "manufactured state");
        const live = await conn.domainGetXMLDesc!(dom, 0);
        assert.match(live, /<tpm model='tpm-crb'>\s*<backend type='emulator' version='2.0'\/>/);
        assert.match(live, /<alias name='tpm0'\/>/);

        await conn.domainDestroyFlags!(dom, 0);
        await waitFor("swtpm to end with the domain", () => swtpmsUnder(dir).length === 0);
        assert.ok(await exists(`${state}/tpm2/tpm2-00.permall`), "state kept after a stop");

        // A second start uses the state as it is: swtpm_setup manufactures only once.
        await conn.domainCreateWithFlags!(dom, 0);
        assert.equal(swtpmsUnder(dir).length, 1);
        // Saved and restored: QEMU's stream carries the TPM's state to a new swtpm.
        await conn.domainSaveFlags!(dom, `${dir}/tp.save`, null, 0);
        await waitFor("swtpm to end with the save", () => swtpmsUnder(dir).length === 0);
        await conn.domainRestoreFlags!(`${dir}/tp.save`, null, 0);
        assert.equal(swtpmsUnder(dir).length, 1);
        const [restored] = await launcher.procs.at(-1)!.monitor.run<{ model: string }[]>(
          "query-tpm",
        );
        assert.equal(restored.model, "tpm-crb");
        await conn.domainDestroyFlags!(dom, 0);
        await waitFor("swtpm to end again", () => swtpmsUnder(dir).length === 0);
        const manufactured = (await Deno.readTextFile(log)).match(/Starting vTPM manufacturing/g);
        assert.equal(manufactured?.length, 1, "manufactured once");

        // A domain defined without persistent_state keeps its state with KEEP_TPM.
        await conn.domainUndefineFlags!(dom, VIR.DOMAIN_UNDEFINE_KEEP_TPM);
        assert.ok(await exists(state), "--keep-tpm keeps the state");
        const again = await conn.domainDefineXMLFlags!(
          domain(
            "tp",
            "<tpm model='tpm-crb'><backend type='emulator' version='2.0' " +
              "persistent_state='yes'/></tpm>",
          ),
          0,
        );
        await conn.domainUndefineFlags!(again, 0);
        assert.ok(await exists(state), "persistent_state='yes' keeps it without a flag");
        const last = await conn.domainDefineXMLFlags!(
          domain("tp", "<tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>"),
          0,
        );
        await conn.domainUndefineFlags!(last, VIR.DOMAIN_UNDEFINE_TPM);
        assert.ok(!(await exists(state)), "--tpm removes the state");
      } finally {
        for (const pid of swtpmsUnder(dir)) Deno.kill(pid, "SIGKILL");
      }
    });
  },
});

realQemuTest({
  name: "real QEMU + swtpm: a failed start and a transient domain leave no swtpm and no state",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-tpm-fail-", async ({ dir, conn }) => {
      const state = `${dir}/config/swtpm/${UUID}`;
      // QEMU fails after swtpm runs: its VNC port is taken.
      const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const port = (taken.addr as Deno.NetAddr).port;
      try {
        const tpm = "<tpm model='tpm-tis'><backend type='emulator' version='2.0'/></tpm>";
        await assert.rejects(() =>
          conn.domainCreateXML!(
            domain(
              "tf",
              tpm,
              `<graphics type='vnc' port='${port}' autoport='no' listen='127.0.0.1'/>`,
            ),
            0,
          ), (e: Error) => {
          // QEMU's own refusal: it ran, so swtpm had been started before it.
          assert.match(
            e.message,
            /QEMU unexpectedly closed the monitor.*-vnc .*Address already in use/,
          );
          return true;
        });
        await waitFor("no swtpm after the failed start", () => swtpmsUnder(dir).length === 0);
        // The transient domain went with its failed start, and its TPM state with it.
        await waitFor(
          "the state of the failed transient domain gone",
          async () => !(await exists(state)),
        );

        const dom = await conn.domainCreateXML!(domain("tt", tpm), 0);
        assert.equal(swtpmsUnder(dir).length, 1);
        assert.ok(await exists(state));
        await conn.domainDestroyFlags!(dom, 0);
        await waitFor("swtpm gone", () => swtpmsUnder(dir).length === 0);
        await waitFor("the transient domain's state gone", async () => !(await exists(state)));
      } finally {
        taken.close();
        for (const pid of swtpmsUnder(dir)) Deno.kill(pid, "SIGKILL");
      }
    });
  },
});

realQemuTest({
  name: "real QEMU + swtpm: an encrypted TPM state, its passphrase from the secret driver",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    // One secret driver, shared by the test (which defines the secret) and the QEMU driver.
    let secrets: Promise<DriverConnection> | undefined;
    const secretsOf = (dir: string) =>
      secrets ??= secretDriver.open(new URL(`qemu:///embed?root=${dir}/secrets`), {}) as Promise<
        DriverConnection
      >;
    await withRealDriver("ev-qemu-tpm-enc-", async ({ dir, conn, launcher }) => {
      const secret = "8c9d0e1f-2a3b-4c5d-8e6f-7a8b9c0d1e2f";
      const tpm = "<tpm model='tpm-crb'><backend type='emulator' version='2.0'>" +
        `<encryption secret='${secret}'/></backend></tpm>`;
      try {
        await assert.rejects(
          () => conn.domainCreateXML!(domain("te", tpm), 0),
          { message: `Secret not found: no secret with matching uuid '${secret}'` },
        );
        assert.equal(swtpmsUnder(dir).length, 0);
        const sec = await secretsOf(dir);
        const ref = await sec.secretDefineXML!(
          `<secret ephemeral='no' private='yes'><uuid>${secret}</uuid>` +
            "<usage type='vtpm'><name>te</name></usage></secret>",
          0,
        );
        await sec.secretSetValue!(ref, [...new TextEncoder().encode("tpm passphrase")], 0);
        const dom = await conn.domainCreateXML!(domain("te", tpm), 0);
        const [info] = await launcher.procs.at(-1)!.monitor.run<{ model: string }[]>("query-tpm");
        assert.equal(info.model, "tpm-crb");
        // swtpm got the key and the migration key through descriptors: no key file is left.
        const argv = Deno.readTextFileSync(`/proc/${swtpmsUnder(dir)[0]}/cmdline`).split("\0");
        assert.ok(argv.includes("pwdfd=3,mode=aes-256-cbc"), argv.join(" "));
        assert.deepEqual(
          [...Deno.readDirSync(`${dir}/run/swtpm`)].filter((e) => e.name.endsWith(".key")),
          [],
        );
        await conn.domainDestroyFlags!(dom, 0);
        await waitFor("swtpm gone", () => swtpmsUnder(dir).length === 0);
      } finally {
        for (const pid of swtpmsUnder(dir)) Deno.kill(pid, "SIGKILL");
      }
    }, {
      secondaries: (dir) => (family) =>
        family === "secret" ? secretsOf(dir) : Promise.resolve(undefined),
    });
  },
});

realQemuTest({
  name: "real QEMU + swtpm: a restarted driver stops the swtpm of a domain it reconnected to",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "ev-qemu-tpm-re-" });
    const launcher = new KeepingLauncher();
    const open = () =>
      qemuConnectDriver.open(new URL("qemu:///session"), {
        stateDir: dir,
        launcher,
      }) as Promise<DriverConnection>;
    let conn: DriverConnection | undefined;
    try {
      conn = await open();
      const tpm = "<tpm model='tpm-tis'><backend type='emulator' version='2.0'/></tpm>";
      await conn.domainCreateXML!(domain("tr", tpm), 0);
      assert.equal(swtpmsUnder(dir).length, 1);
      // The driver goes (its VMs and their swtpm stay, as libvirt's outlive the daemon); a new
      // one on the same folders finds the domain running.
      await conn.connectClose();
      conn = undefined;
      assert.equal(swtpmsUnder(dir).length, 1);
      conn = await open();
      await conn.domainDestroyFlags!(await conn.domainLookupByName!("tr"), 0);
      await waitFor("swtpm gone", () => swtpmsUnder(dir).length === 0);
    } finally {
      for (const p of launcher.procs) if (p.alive()) p.kill("SIGKILL");
      await conn?.connectClose();
      for (const pid of swtpmsUnder(dir)) Deno.kill(pid, "SIGKILL");
      await Deno.remove(dir, { recursive: true });
    }
  },
});
