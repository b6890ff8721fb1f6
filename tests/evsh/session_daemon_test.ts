// evsh as separate processes on qemu:///session, as a user runs it: the first clients start the
// user's session daemon (two at once start one), later runs go through it, and the daemon
// exits once idle. Each test has its own XDG_RUNTIME_DIR, so its daemon, socket and QEMU state
// are private; the idle timeout is shortened through EDGEVIRT_DAEMON_TIMEOUT.
import assert from "node:assert/strict";
import { REPO_ROOT } from "../paths.ts";
import { privateHome } from "../gateway/process.ts";

const EVSH = `${REPO_ROOT}/tools/evsh/main.ts`;
const XML = `<domain type='qemu'><name>sd1</name><memory unit='MiB'>64</memory>
<vcpu placement='static'>1</vcpu><os><type arch='x86_64' machine='q35'>hvm</type></os></domain>`;

async function evsh(env: Record<string, string>, line: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", EVSH, "-c", "qemu:///session", line],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

async function waitGone(path: string, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (!(await exists(path))) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

Deno.test("evsh -c qemu:///session: two clients at once start one daemon; it exits when idle", async () => {
  const runtime = await Deno.makeTempDir({ prefix: "ev-rt-" });
  const dir = `${runtime}/edgevirt`;
  // Long enough that a loaded machine's slow evsh starts still find the first daemon up.
  const env = { ...privateHome(runtime), XDG_RUNTIME_DIR: runtime, EDGEVIRT_DAEMON_TIMEOUT: "8" };
  try {
    const both = await Promise.all([evsh(env, "uri"), evsh(env, "uri")]);
    for (const r of both) {
      assert.deepEqual(r, { code: 0, stdout: "qemu:///session\n\n", stderr: "" });
    }
    const log = await Deno.readTextFile(`${dir}/edgevirt.log`);
    assert.equal(log.match(/listening on /g)?.length, 1, log);
    assert.doesNotMatch(log, /cannot start/);
    assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
    assert.equal((await Deno.stat(`${dir}/edgevirt-sock`)).mode! & 0o777, 0o600);

    // Later runs reach the same daemon, which keeps the definitions under the config dir.
    await Deno.writeTextFile(`${runtime}/sd1.xml`, XML);
    const defined = await evsh(env, `define ${runtime}/sd1.xml; list --inactive --name`);
    assert.equal(defined.stdout, `Domain 'sd1' defined from ${runtime}/sd1.xml\n\nsd1\n\n`);
    assert.ok(await exists(`${runtime}/.config/edgevirt/qemu/sd1.xml`));
    const undefined_ = await evsh(env, "undefine sd1");
    assert.equal(undefined_.stdout, "Domain 'sd1' has been undefined\n\n");
    assert.equal(
      (await Deno.readTextFile(`${dir}/edgevirt.log`)).match(/listening on /g)?.length,
      1,
    );

    assert.ok(await waitGone(`${dir}/edgevirt.pid`, 20000), "the idle daemon exited");
    assert.ok(!(await exists(`${dir}/edgevirt-sock`)));
  } finally {
    const pid = await Deno.readTextFile(`${dir}/edgevirt.pid`).catch(() => "");
    if (pid) Deno.kill(Number(pid), "SIGTERM");
    await waitGone(`${dir}/edgevirt.pid`, 2000);
    await Deno.remove(runtime, { recursive: true });
  }
});

Deno.test("without a daemon and with LIBVIRT_AUTOSTART=0, evsh reports libvirt's socket error", async () => {
  const runtime = await Deno.makeTempDir({ prefix: "ev-rt-" });
  try {
    const r = await evsh({ XDG_RUNTIME_DIR: runtime, LIBVIRT_AUTOSTART: "0" }, "uri");
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      "error: failed to connect to the hypervisor\nerror: Failed to connect socket to " +
        `'${runtime}/edgevirt/edgevirt-sock': No such file or directory\n`,
    );
  } finally {
    await Deno.remove(runtime, { recursive: true });
  }
});
