// Every start-up failure is one line, `edgevirt gateway: <what>`, and exit status 2.
import assert from "node:assert/strict";
import { REPO_ROOT } from "../paths.ts";
import { privateHome } from "./process.ts";

async function start(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stderr: string }> {
  const home = await Deno.makeTempDir({ prefix: "edgevirt-home-" });
  try {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${REPO_ROOT}/gateway/main.ts`, ...args],
      stdout: "null",
      stderr: "piped",
      env: { ...privateHome(home), ...env },
    }).output();
    return { code, stderr: new TextDecoder().decode(stderr) };
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

function assertOneLine(result: { code: number; stderr: string }, line: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
  assert.match(result.stderr, line);
}

Deno.test("start-up failures are one line and exit 2", async (t) => {
  const dir = await Deno.makeTempDir();
  const tokens = `${dir}/tokens.json`;
  await Deno.writeTextFile(tokens, JSON.stringify({ version: 1, tokens: [] }));
  await t.step("a corrupt token file", async () => {
    await Deno.writeTextFile(`${dir}/bad.json`, '{"version": 1, "tokens": [');
    assertOneLine(
      await start(["--listen", "127.0.0.1:0", "--token-file", `${dir}/bad.json`]),
      /^edgevirt gateway: cannot load the tokens: .*bad\.json: not JSON: /,
    );
    await Deno.writeTextFile(`${dir}/bad.json`, '{"version": 1, "tokens": [{"name": "x"}]}');
    assertOneLine(
      await start(["--listen", "127.0.0.1:0", "--token-file", `${dir}/bad.json`]),
      /^edgevirt gateway: cannot load the tokens: .*bad\.json: token 'x': bad sha256\n$/,
    );
  });
  await t.step("a port in use", async () => {
    const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const { port } = taken.addr as Deno.NetAddr;
      assertOneLine(
        await start(["--listen", `127.0.0.1:${port}`, "--token-file", tokens]),
        new RegExp(`^edgevirt gateway: cannot listen on 127\\.0\\.0\\.1:${port}: Address .*in use`),
      );
    } finally {
      taken.close();
    }
  });
  await t.step("an unreadable TLS key", async () => {
    await Deno.writeTextFile(`${dir}/cert.pem`, "not a certificate");
    assertOneLine(
      await start([
        "--listen",
        "127.0.0.1:0",
        "--token-file",
        tokens,
        "--tls-cert",
        `${dir}/cert.pem`,
        "--tls-key",
        `${dir}/missing.pem`,
      ]),
      /^edgevirt gateway: cannot read --tls-key .*missing\.pem: No such file/,
    );
  });
  await t.step("an unknown flag", async () => {
    assertOneLine(
      await start(["--lisen", "127.0.0.1:0"]),
      /^edgevirt gateway: Unknown option '--lisen'.* \(see --help\)\n$/,
    );
  });
  await t.step("a missing or bad config file", async () => {
    assertOneLine(
      await start(["--config", `${dir}/missing.json`]),
      /^edgevirt gateway: cannot read config .*missing\.json: No such file or directory /,
    );
    await Deno.writeTextFile(`${dir}/gateway.json`, '{"listen": "127.0.0.1:0", "port": 1}');
    assertOneLine(
      await start(["--config", `${dir}/gateway.json`]),
      /^edgevirt gateway: config .*gateway\.json: unknown key 'port' \(known: listen, /,
    );
  });
  await Deno.remove(dir, { recursive: true });
});
