// README's TLS how-to, run as written: its openssl commands make a test CA and a certificate,
// the gateway serves HTTPS with the flags the README gives, a Deno client trusting the CA through
// DENO_CERT (and Node through NODE_EXTRA_CA_CERTS) connects, and a client that does not trust it
// gets libvirt's certificate error.
import assert from "node:assert/strict";
import { REPO_ROOT } from "../paths.ts";
import { privateHome } from "./process.ts";
import { hashToken } from "../../gateway/tokens.ts";

/** The `sh` blocks of README's `### TLS` section. */
async function howTo(): Promise<string[]> {
  const readme = await Deno.readTextFile(`${REPO_ROOT}/README.md`);
  const section = readme.slice(readme.indexOf("### TLS"));
  const body = section.slice(0, section.indexOf("\n## "));
  return [...body.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
}

async function run(cmd: string[], opts: { cwd: string; env?: Record<string, string> }) {
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd: opts.cwd,
    env: opts.env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("README's TLS how-to: gateway on HTTPS with a test CA, trusted and untrusted clients", async () => {
  const [makeCerts, serve] = await howTo();
  assert.ok(makeCerts && serve, "README: ### TLS has two sh blocks");
  const dir = await Deno.makeTempDir({ prefix: "edgevirt-tls-" });
  let child: Deno.ChildProcess | undefined;
  try {
    const made = await run(["bash", "-euc", makeCerts], { cwd: dir });
    assert.equal(made.code, 0, made.stderr);

    // The gateway line as the README gives it, on a free port.
    const lines = serve.trim().split("\n");
    const start = lines.find((l) => l.includes("task start"))!;
    const flags = start.slice(start.indexOf("task start") + "task start".length).trim()
      .split(/\s+/);
    const listen = flags.indexOf("--listen");
    assert.equal(flags[listen + 1], "127.0.0.1:16514");
    flags[listen + 1] = "127.0.0.1:0";
    const token = "tls-test-token";
    await Deno.writeTextFile(
      `${dir}/tokens.json`,
      JSON.stringify({
        version: 1,
        tokens: [{ name: "a", sha256: await hashToken(token), role: "full" }],
      }),
    );
    child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${REPO_ROOT}/gateway/main.ts`, ...flags, "--token-file", "tokens.json"],
      cwd: dir,
      env: privateHome(dir),
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let stderr = "";
    while (!/serving /.test(stderr)) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`gateway exited:\n${stderr}`);
      stderr += value;
    }
    reader.releaseLock();
    child.stderr.cancel().catch(() => {});
    const port = /listening on https:\/\/127\.0\.0\.1:(\d+)/.exec(stderr)?.[1];
    assert.ok(port, stderr);
    const uri = `test+https://localhost:${port}/default`;

    // Deno, with the variable the README names, through the portable client.
    const denoVar = /^(\w+)=ca\.pem deno /m.exec(serve)?.[1];
    assert.equal(denoVar, "DENO_CERT");
    const app = `
      import { connect } from "${REPO_ROOT}/mod.ts";
      try {
        const conn = await connect(${JSON.stringify(uri)}, { token: "${token}" });
        console.log((await conn.listAllDomains()).map((d) => d.name).join(","));
        await conn.close();
      } catch (e) {
        console.log(e.code, e.domain, e.message);
      }`;
    await Deno.writeTextFile(`${dir}/app.ts`, app);
    const denoRun = (env: Record<string, string>) =>
      run([Deno.execPath(), "run", "-A", "--quiet", "app.ts"], {
        cwd: dir,
        env: { ...privateHome(dir), ...env },
      });
    const trusted = await denoRun({ [denoVar]: `${dir}/ca.pem` });
    assert.equal(trusted.stdout, "test\n", trusted.stderr);
    const untrusted = await denoRun({});
    assert.equal(
      untrusted.stdout,
      "38 7 Certificate failed validation: The certificate hasn't got a known issuer.\n",
      untrusted.stderr,
    );

    // Node, with its variable: the certificate is trusted.
    const nodeVar = /^(\w+)=ca\.pem node /m.exec(serve)?.[1];
    assert.equal(nodeVar, "NODE_EXTRA_CA_CERTS");
    const probe = `const r = await fetch("https://localhost:${port}/healthz");` +
      "console.log(r.status);";
    const node = await run(["node", "--input-type=module", "-e", probe], {
      cwd: dir,
      env: { [nodeVar]: `${dir}/ca.pem`, PATH: Deno.env.get("PATH") ?? "" },
    });
    assert.equal(node.stdout, "200\n", node.stderr);
    const nodeUntrusted = await run(["node", "--input-type=module", "-e", probe], {
      cwd: dir,
      env: { PATH: Deno.env.get("PATH") ?? "" },
    });
    assert.match(nodeUntrusted.stderr, /UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
  } finally {
    child?.kill("SIGTERM");
    await child?.status;
    await Deno.remove(dir, { recursive: true });
  }
});
