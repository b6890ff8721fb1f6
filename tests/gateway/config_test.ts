// The gateway's config file: the same keys as its flags (one table), the command line winning,
// `--config F` or the default `$XDG_CONFIG_HOME/edgevirt/gateway.json`; and the old session
// definitions moved once to the config directory.
import assert from "node:assert/strict";
import { gatewaySettings, SETTINGS, usage } from "../../gateway/flags.ts";
import { legacyQemuConfigDirs, migrateDefinitions } from "../../gateway/state_migration.ts";
import { REPO_ROOT } from "../paths.ts";
import { privateHome } from "./process.ts";
import { hashToken } from "../../gateway/tokens.ts";

Deno.test("config keys are the flags: every one is accepted in the file and listed in --help", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const all: Record<string, unknown> = {};
    for (const [name, s] of Object.entries(SETTINGS)) {
      all[name] = s.type === "boolean" ? true : "multiple" in s ? ["https://a.example"] : "v";
      assert.match(usage(), new RegExp(`^  --${name}\\b`, "m"));
    }
    await Deno.writeTextFile(`${dir}/all.json`, JSON.stringify(all));
    const settings = await gatewaySettings(["--config", `${dir}/all.json`], () => undefined);
    for (const name of Object.keys(SETTINGS)) {
      assert.deepEqual(settings[name as keyof typeof settings], all[name], name);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the command line wins over the file, which wins over the defaults", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const env = (name: string) => (name === "XDG_CONFIG_HOME" ? dir : undefined);
    await Deno.mkdir(`${dir}/edgevirt`);
    await Deno.writeTextFile(
      `${dir}/edgevirt/gateway.json`,
      JSON.stringify({ listen: "127.0.0.1:1", "log-level": "warn", timeout: 30 }),
    );
    const s = await gatewaySettings(["--listen", "127.0.0.1:2"], env);
    assert.deepEqual([s.listen, s["log-level"], s.timeout, s.auth], [
      "127.0.0.1:2",
      "warn",
      "30",
      "token",
    ]);
    assert.equal(s.config, `${dir}/edgevirt/gateway.json`);
    // Without the default file: defaults only, and no file named.
    const none = await gatewaySettings([], () => undefined);
    assert.deepEqual([none.listen, none.config, none["log-level"]], [undefined, undefined, "off"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a bad config file is one line naming the file and the key", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cases: [unknown, RegExp][] = [
      [{ port: 1 }, /bad\.json: unknown key 'port' \(known: listen, unix, /],
      [{ listen: true }, /bad\.json: 'listen' must be a string$/],
      [{ "cors-origin": "x" }, /bad\.json: 'cors-origin' must be a string array$/],
      [{ daemon: "yes" }, /bad\.json: 'daemon' must be a boolean$/],
      [[1], /bad\.json: not a JSON object$/],
    ];
    for (const [content, message] of cases) {
      await Deno.writeTextFile(`${dir}/bad.json`, JSON.stringify(content));
      const e = await gatewaySettings(["--config", `${dir}/bad.json`], () => undefined)
        .catch((e) => e);
      assert.match(e.message, message);
    }
    await Deno.writeTextFile(`${dir}/bad.json`, "{");
    const e = await gatewaySettings(["--config", `${dir}/bad.json`], () => undefined)
      .catch((e) => e);
    assert.match(e.message, /^config .*bad\.json: not JSON: /);
    const missing = await gatewaySettings(["--config", `${dir}/none.json`], () => undefined)
      .catch((e) => e);
    assert.match(missing.message, /^cannot read config .*none\.json: No such file or directory$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the gateway starts from its default config file alone", async () => {
  const home = await Deno.makeTempDir({ prefix: "edgevirt-home-" });
  const env = privateHome(home);
  const config = `${env.XDG_CONFIG_HOME}/edgevirt/gateway.json`;
  await Deno.mkdir(`${env.XDG_CONFIG_HOME}/edgevirt`, { recursive: true });
  const tokens = `${home}/tokens.json`;
  const token = "config-test-token";
  await Deno.writeTextFile(
    tokens,
    JSON.stringify({
      version: 1,
      tokens: [{ name: "a", sha256: await hashToken(token), role: "full" }],
    }),
  );
  await Deno.writeTextFile(
    config,
    JSON.stringify({ listen: "127.0.0.1:0", "token-file": tokens, "log-level": "info" }),
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${REPO_ROOT}/gateway/main.ts`],
    env,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let stderr = "";
  try {
    while (!/serving /.test(stderr)) {
      const { done, value } = await reader.read();
      if (done) break;
      stderr += value;
    }
    assert.match(stderr, new RegExp(`settings from ${config}`));
    const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr)?.[1]);
    const res = await fetch(`http://127.0.0.1:${port}/v1/test/default/domains`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    // log-level info from the file: the request was logged.
    while (!/"status":200/.test(stderr)) {
      const { done, value } = await reader.read();
      if (done) break;
      stderr += value;
    }
    assert.match(stderr, /"route":"\/v1\/{driver}\/{path}\/domains"/);
  } finally {
    child.kill("SIGTERM");
    await reader.cancel();
    await child.status;
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("old session definitions move once to the config directory, logged", async () => {
  const home = await Deno.makeTempDir({ prefix: "edgevirt-home-" });
  try {
    const env = (name: string) => ({ HOME: home, XDG_RUNTIME_DIR: `${home}/run` })[name];
    const [runtimeOld, cacheOld] = legacyQemuConfigDirs(env);
    assert.deepEqual([runtimeOld, cacheOld], [
      `${home}/run/edgevirt/qemu/config`,
      `${home}/.cache/edgevirt/qemu/config`,
    ]);
    await Deno.mkdir(`${cacheOld}/autostart`, { recursive: true });
    await Deno.writeTextFile(`${cacheOld}/a.xml`, "<domain>a</domain>");
    await Deno.writeTextFile(`${cacheOld}/autostart/a`, "uuid-a");
    await Deno.writeTextFile(`${cacheOld}/b.xml`, "<domain>old b</domain>");
    const to = `${home}/.config/edgevirt/qemu`;
    await Deno.mkdir(to, { recursive: true });
    await Deno.writeTextFile(`${to}/b.xml`, "<domain>new b</domain>");
    const lines: string[] = [];
    assert.equal(await migrateDefinitions([runtimeOld, cacheOld], to, (l) => lines.push(l)), 2);
    assert.equal(await Deno.readTextFile(`${to}/a.xml`), "<domain>a</domain>");
    assert.equal(await Deno.readTextFile(`${to}/autostart/a`), "uuid-a");
    assert.equal(await Deno.readTextFile(`${to}/b.xml`), "<domain>new b</domain>");
    assert.deepEqual(lines, [
      `moved 2 file(s) of domain definitions ${cacheOld} → ${to}; kept the newer b.xml in ${to}`,
    ]);
    // The one left behind stays; the emptied autostart directory is gone.
    assert.deepEqual([...Deno.readDirSync(cacheOld)].map((e) => e.name), ["b.xml"]);
    await Deno.remove(`${cacheOld}/b.xml`);
    assert.equal(await migrateDefinitions([runtimeOld, cacheOld], to, (l) => lines.push(l)), 0);
    assert.equal(lines.length, 1);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
