import assert from "node:assert/strict";
import { loadOrCreateTokens, readTokenFile } from "../../gateway/token_file.ts";
import { hashToken, TokenStore } from "../../gateway/tokens.ts";
import { createToken, parseExpires, parseRule, revokeToken } from "../../tools/token/mod.ts";
import { REPO_ROOT } from "../paths.ts";

async function tokenCli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${REPO_ROOT}/tools/token/main.ts`, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, out: text.decode(stdout), err: text.decode(stderr) };
}

Deno.test("token create prints the token alone on its last line; list never shows it", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/tokens.json`;
  const created = await tokenCli(
    "create",
    "--role",
    "read-only",
    "--rule",
    "read:domain:web-*",
    "--rule",
    "!*:secret:*",
    "--expires",
    "7d",
    "--name",
    "ci",
    "--token-file",
    file,
  );
  assert.deepEqual(created.code, 0, created.err);
  const token = created.out.trimEnd().split("\n").at(-1)!;
  assert.match(token, /^ev_[A-Za-z0-9_-]{43}$/);
  const [record] = (await readTokenFile(file)).tokens;
  assert.deepEqual(record.sha256, await hashToken(token));
  assert.deepEqual(record.rules, [
    { action: "read", family: "domain", match: "web-*" },
    { action: "*", family: "secret", match: "*", allow: false },
  ]);
  assert.deepEqual((Deno.statSync(file).mode ?? 0) & 0o777, 0o600);

  const listed = await tokenCli("list", "--token-file", file);
  assert.deepEqual(listed.code, 0, listed.err);
  assert.match(
    listed.out,
    /^ Id +Role +Rules +Created +Last used +Expires\n-+\n ci +read-only +read:domain:web-\*,!\*:secret:\* +\d{4}-\S+ +- +\d{4}-/,
  );
  assert.ok(!listed.out.includes(token) && !listed.out.includes(record.sha256));

  assert.deepEqual((await tokenCli("revoke", "ci", "--token-file", file)).code, 0);
  assert.deepEqual((await readTokenFile(file)).tokens, []);
  const again = await tokenCli("revoke", "ci", "--token-file", file);
  assert.deepEqual([again.code, again.err.split("\n")[0]], [
    2,
    `edgevirt token: no token 'ci' in ${file}`,
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("token create refuses a bad role, rule or expiry in one line and exit 2", async () => {
  for (
    const [args, message] of [
      [["create", "--role", "admin"], "--role must be full or read-only, got 'admin'"],
      [["create", "--role", "full", "--rule", "read:vm:*"], "--rule wants [!]ACTION:FAMILY:GLOB"],
      [["create", "--role", "full", "--expires", "soon"], "--expires wants a duration"],
      [["frobnicate"], "unknown command 'frobnicate'"],
    ] as const
  ) {
    const { code, err } = await tokenCli(...args, "--token-file", "/nonexistent/tokens.json");
    assert.deepEqual(code, 2);
    assert.ok(err.split("\n")[0].startsWith(`edgevirt token: ${message}`), err);
  }
});

Deno.test("a token file written by the gateway's first run keeps loading, and gains tokens", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/tokens.json`;
  const { createdClientToken } = await loadOrCreateTokens(file);
  const admin = (await Deno.readTextFile(createdClientToken!)).trim();
  const before = await Deno.readTextFile(file);
  // Today's format: name, sha256, role and nothing else.
  assert.deepEqual(Object.keys(JSON.parse(before).tokens[0]).sort(), ["name", "role", "sha256"]);
  const { token } = await createToken(file, { role: "read-only" }, new Date());
  const after = await readTokenFile(file);
  assert.deepEqual(after.tokens[0], JSON.parse(before).tokens[0]);
  const { store } = await loadOrCreateTokens(file);
  assert.deepEqual((await store.authenticate(admin))?.role, "full");
  assert.deepEqual((await store.authenticate(token))?.role, "read-only");
  await revokeToken(file, after.tokens[1].name);
  assert.deepEqual((await readTokenFile(file)).tokens, [JSON.parse(before).tokens[0]]);
  await assert.rejects(
    () => createToken(file, { role: "full", name: "admin" }, new Date()),
    /a token 'admin' exists already/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("TokenStore refuses expired tokens and swaps its set on replace", async () => {
  const now = Date.now();
  const record = (name: string, expires?: number) => ({
    name,
    sha256: "",
    role: "full" as const,
    expires: expires === undefined ? undefined : new Date(expires).toISOString(),
  });
  const a = { ...record("a", now + 60_000), sha256: await hashToken("a") };
  const b = { ...record("b", now - 1), sha256: await hashToken("b") };
  const store = new TokenStore([a, b]);
  assert.deepEqual((await store.authenticate("a"))?.name, "a");
  assert.deepEqual(await store.authenticate("b"), undefined);
  store.replace([]);
  assert.deepEqual(await store.authenticate("a"), undefined);
  assert.throws(() => store.replace([{ ...a, expires: "never" }]), {
    message: /bad expires 'never'/,
  });
  assert.throws(() => store.replace([{ ...a, role: "root" as "full" }]), {
    message: /role must be/,
  });
});

Deno.test("parseExpires and parseRule", () => {
  const now = new Date("2026-01-01T00:00:00Z");
  assert.deepEqual(parseExpires("90s", now), "2026-01-01T00:01:30.000Z");
  assert.deepEqual(parseExpires("2027-01-01T00:00:00Z", now), "2027-01-01T00:00:00.000Z");
  assert.throws(() => parseExpires("2025-01-01", now), { message: /already past/ });
  assert.deepEqual(parseRule("write:storage_vol:pool/*"), {
    action: "write",
    family: "storage_vol",
    match: "pool/*",
  });
  assert.throws(() => parseRule("read:domain"), { message: /--rule wants/ });
});
