// The files in deploy/ work with this checkout: the systemd units (system and user) run the
// gateway's entry point with flags it has, and pass `systemd-analyze verify` where systemd is
// installed; the Containerfile copies files that exist, runs the entry point with flags it has,
// on the project's Deno version, and publishes the port it listens on.
import assert from "node:assert/strict";
import { gatewaySettings } from "../../gateway/flags.ts";
import { REPO_ROOT } from "../paths.ts";

const DEPLOY = `${REPO_ROOT}/deploy`;
const UNITS = ["edgevirt-gateway.service", "edgevirt-gateway.user.service"];

/** A unit file's sections as key → values (a key may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      sections.set(header[1], current = new Map());
      continue;
    }
    const eq = line.indexOf("=");
    assert.ok(current && eq > 0, `not a unit line: ${line}`);
    const key = line.slice(0, eq);
    current.set(key, [...current.get(key) ?? [], line.slice(eq + 1)]);
  }
  return sections;
}

/** The repository file a deployed path names (`/opt/edgevirt/x`, `%h/edgevirt/x`). */
function inRepo(path: string): string {
  return `${REPO_ROOT}/${path.replace(/^(\/opt\/edgevirt|%h\/edgevirt)\//, "")}`;
}

/** Checks a command line that runs the gateway: the entry point exists, its flags parse. */
async function checkGatewayCommand(argv: string[], root: (p: string) => string): Promise<void> {
  const main = argv.findIndex((a) => a.endsWith("gateway/main.ts"));
  assert.ok(main > 0, `no gateway/main.ts in ${argv.join(" ")}`);
  assert.ok((await Deno.stat(root(argv[main]))).isFile, argv[main]);
  assert.deepEqual(argv.slice(argv.indexOf("run"), main), ["run", "-A", "--frozen"]);
  const flags = argv.slice(main + 1);
  const settings = await gatewaySettings(flags, () => undefined);
  assert.ok(settings.listen, "the command names the address it listens on");
}

const systemdAnalyze = await new Deno.Command("systemd-analyze", { args: ["--version"] })
  .output().then((o) => o.success, () => false);

for (const name of UNITS) {
  Deno.test(`deploy/${name}: runs the gateway with its own flags, reloads with SIGHUP`, async () => {
    const unit = parseUnit(await Deno.readTextFile(`${DEPLOY}/${name}`));
    assert.deepEqual([...unit.keys()], ["Unit", "Service", "Install"]);
    const service = unit.get("Service")!;
    const [exec] = service.get("ExecStart")!;
    const argv = exec.split(/\s+/);
    assert.deepEqual(argv.slice(0, 2), ["/usr/bin/env", "deno"]);
    await checkGatewayCommand(argv, inRepo);
    assert.deepEqual(service.get("ExecReload"), ["/bin/kill -HUP $MAINPID"]);
    // Exit status 2 is a start-up failure (gateway/main.ts): a restart would fail the same way.
    assert.deepEqual(service.get("RestartPreventExitStatus"), ["2"]);
    const user = name.includes(".user.");
    assert.deepEqual(unit.get("Install")!.get("WantedBy"), [
      user ? "default.target" : "multi-user.target",
    ]);
  });
}

Deno.test({
  name: "deploy/*.service pass systemd-analyze verify",
  // `.ci/run` installs systemd; a developer machine without it still runs the parse above.
  ignore: !systemdAnalyze && !Deno.env.get("CI"),
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      for (const name of UNITS) {
        const user = name.includes(".user.");
        // systemd names a unit by its file: the user variant installs as edgevirt-gateway.service.
        const path = `${dir}/${user ? "user" : "system"}/edgevirt-gateway.service`;
        await Deno.mkdir(`${dir}/${user ? "user" : "system"}`);
        await Deno.copyFile(`${DEPLOY}/${name}`, path);
        const out = await new Deno.Command("systemd-analyze", {
          args: [...(user ? ["--user"] : []), "verify", path],
          env: { XDG_RUNTIME_DIR: dir },
          stdout: "piped",
          stderr: "piped",
        }).output();
        const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
        assert.equal(out.code, 0, `${name}: ${text}`);
        assert.doesNotMatch(text, /edgevirt-gateway/, `${name}: ${text}`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("deploy/Containerfile: copies existing files, runs the gateway with its flags", async () => {
  const text = await Deno.readTextFile(`${DEPLOY}/Containerfile`);
  const instructions = text.replace(/\\\n/g, " ").split("\n")
    .map((l) => l.trim()).filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const sp = l.indexOf(" ");
      return { op: l.slice(0, sp), arg: l.slice(sp + 1).trim() };
    });
  const ops = (op: string) => instructions.filter((i) => i.op === op).map((i) => i.arg);
  // The Deno the project pins (`.ci/run`, README) is the image's.
  const pinned = /deno@(\d+\.\d+\.\d+)/.exec(await Deno.readTextFile(`${REPO_ROOT}/.ci/run`))![1];
  assert.deepEqual(ops("FROM"), [`docker.io/denoland/deno:debian-${pinned}`]);
  const workdir = ops("WORKDIR")[0];
  assert.equal(workdir, "/opt/edgevirt");
  for (const copy of ops("COPY")) {
    const parts = copy.split(/\s+/);
    for (const source of parts.slice(0, -1)) {
      assert.ok(await Deno.stat(`${REPO_ROOT}/${source}`).then(() => true, () => false), source);
    }
  }
  // Every file the image runs was copied in before.
  const copied = ops("COPY").flatMap((c) => c.split(/\s+/).slice(0, -1));
  const isCopied = (file: string) => copied.some((c) => c === file || file.startsWith(c));
  for (const run of ops("RUN")) {
    for (const file of run.match(/[\w/]+\.(?:ts|json)\b/g) ?? []) {
      assert.ok(isCopied(file), `RUN uses ${file}, which is not copied`);
    }
  }
  const cmd = JSON.parse(ops("CMD")[0]) as string[];
  assert.equal(cmd[0], "deno");
  assert.ok(isCopied(cmd.find((a) => a.endsWith(".ts"))!));
  await checkGatewayCommand(cmd, (p) => `${REPO_ROOT}/${p}`);
  const settings = await gatewaySettings(
    cmd.slice(cmd.indexOf("gateway/main.ts") + 1),
    () => undefined,
  );
  const port = settings.listen!.split(":").pop();
  assert.deepEqual(ops("EXPOSE"), [port]);
  const health = JSON.parse(ops("HEALTHCHECK")[0].replace(/^CMD\s+/, "")) as string[];
  assert.match(health.join(" "), new RegExp(`127\\.0\\.0\\.1:${port}/healthz`));
});
