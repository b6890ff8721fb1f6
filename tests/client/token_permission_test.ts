// The token file and Deno's permissions: a Deno program run without --allow-read cannot read
// ~/.config/edgevirt/token, nor without --allow-env find it (HOME unread), and the gateway's
// refusal must say so (Deno's NotCapable, and the flag to add) rather than read as if no token
// existed. A child Deno process connects through the portable client to a gateway this test
// serves, without and with each permission, HOME holding a valid token; and a file named by
// EDGEVIRT_TOKEN_FILE that cannot be read is an error of its own (libvirt's "Failed to open
// file").
import assert from "node:assert/strict";
import { join } from "node:path";
import { denoAdapter } from "../../client/transport/deno.ts";
import { nodeAdapter } from "../../client/transport/node.ts";
import { REPO_ROOT } from "../paths.ts";
import { serveGateway, startGateway, TOKENS } from "../gateway/helpers.ts";

const CHILD = `
import { connect } from ${JSON.stringify(join(REPO_ROOT, "mod.ts"))};
try {
  const conn = await connect(Deno.args[0]);
  console.log(JSON.stringify({ uri: await conn.getURI() }));
  await conn.close();
} catch (e) {
  console.log(JSON.stringify({ codeName: e.codeName, message: e.message }));
}
`;

async function child(
  permissions: string[],
  home: string,
  uri: string,
  env: Record<string, string> = {},
) {
  const script = join(home, "child.ts");
  await Deno.writeTextFile(script, CHILD);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--no-config", ...permissions, script, uri],
    env: { HOME: home, XDG_CONFIG_HOME: join(home, ".config"), NO_COLOR: "1", ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, text + new TextDecoder().decode(out.stderr));
  return JSON.parse(text.trim().split("\n").at(-1)!);
}

/**
 * A gateway served on a port, and a HOME whose ~/.config/edgevirt/token holds a valid token:
 * `run(permissions)` runs the child there with network access to the gateway.
 */
async function withTokenHome(
  body: (file: string, run: (permissions: string[]) => ReturnType<typeof child>) => Promise<void>,
) {
  const home = await Deno.makeTempDir({ prefix: "edgevirt-token-perm-" });
  const gw = await startGateway();
  const served = await serveGateway(gw);
  try {
    const file = join(home, ".config/edgevirt/token");
    await Deno.mkdir(join(home, ".config/edgevirt"), { recursive: true });
    await Deno.writeTextFile(file, TOKENS.full + "\n");
    const uri = `test+http://127.0.0.1:${served.port}/default`;
    const net = `--allow-net=127.0.0.1:${served.port}`;
    await body(file, (permissions) => child([net, ...permissions], home, uri));
  } finally {
    await served.close();
    await gw.close();
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("without --allow-read the refusal names the unread token file and NotCapable", async () => {
  await withTokenHome(async (file, run) => {
    const denied = await run(["--allow-env"]);
    assert.equal(denied.codeName, "VIR_ERR_AUTH_FAILED", JSON.stringify(denied));
    assert.equal(
      denied.message,
      "authentication failed: a bearer token is required; the token file was not read: " +
        `Failed to open file '${file}': NotCapable: Requires read access to "${file}", ` +
        "run again with the --allow-read flag",
    );
    // The same program allowed to read that file finds the token and connects.
    assert.deepEqual(await run(["--allow-env", `--allow-read=${file}`]), {
      uri: "test:///default",
    });
  });
});

Deno.test("without --allow-env the refusal names the unread environment and NotCapable", async () => {
  await withTokenHome(async (file, run) => {
    // HOME unread, so ~/.config/edgevirt/token is never looked for, though it could be read.
    const denied = await run([`--allow-read=${file}`]);
    assert.equal(denied.codeName, "VIR_ERR_AUTH_FAILED", JSON.stringify(denied));
    assert.equal(
      denied.message,
      "authentication failed: a bearer token is required; the environment was not read " +
        "(EDGEVIRT_TOKEN, EDGEVIRT_TOKEN_FILE, XDG_CONFIG_HOME, HOME): NotCapable: Requires env " +
        'access to "EDGEVIRT_TOKEN", run again with the --allow-env flag',
    );
    // Allowed the variables that lead to the file (Deno's permission is per variable), it
    // connects: the refused EDGEVIRT_TOKEN* do not stop the search.
    const allowed = await run([`--allow-read=${file}`, "--allow-env=HOME,XDG_CONFIG_HOME"]);
    assert.deepEqual(allowed, { uri: "test:///default" });
  });
});

Deno.test("a token file named by EDGEVIRT_TOKEN_FILE and not readable is an error", async () => {
  const home = await Deno.makeTempDir({ prefix: "edgevirt-token-perm-" });
  try {
    const file = join(home, "token");
    await Deno.writeTextFile(file, TOKENS.full + "\n");
    // No gateway is needed: the client stops before connecting.
    const uri = "test+http://127.0.0.1:9/default";
    const failed = await child(["--allow-env"], home, uri, { EDGEVIRT_TOKEN_FILE: file });
    assert.deepEqual(failed, {
      codeName: "VIR_ERR_SYSTEM_ERROR",
      message: `Failed to open file '${file}': NotCapable: Requires read access to "${file}", ` +
        "run again with the --allow-read flag",
    });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("the Deno and Node adapters take only a missing file for 'no file'", async () => {
  const dir = await Deno.makeTempDir({ prefix: "edgevirt-token-perm-" });
  try {
    for (const adapter of [denoAdapter, nodeAdapter]) {
      assert.equal(await adapter.readTextFile(join(dir, "none")), undefined, adapter.name);
      // A directory stands in for any other failure (root reads a mode-000 file anyway).
      await assert.rejects(adapter.readTextFile(dir), adapter.name);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
