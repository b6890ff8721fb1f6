// The gateway as a real process: the client over a loopback TCP port and over a unix socket
// (mode 0660), `deno task scenario --uri test+http://…`, and a clean exit on SIGTERM.
import assert from "node:assert/strict";
import { connect, VIR, VirError } from "../../mod.ts";
import { REPO_ROOT } from "../paths.ts";
import { scenarioLines } from "../tools/scenario/runner.ts";
import { spawnGateway } from "./process.ts";

Deno.test("gateway process: TCP and unix socket clients, the scenario CLI, clean SIGTERM", async () => {
  const gw = await spawnGateway({ unix: true });
  try {
    const cli = await new Deno.Command(Deno.execPath(), {
      args: [
        "task",
        "-q",
        "scenario",
        "--uri",
        `test+http://127.0.0.1:${gw.port}/default`,
        "tests/conformance/scenarios/vcpus.json",
      ],
      cwd: REPO_ROOT,
      env: { EDGEVIRT_TOKEN: gw.token },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const lines = new TextDecoder().decode(cli.stdout).trim().split("\n");
    assert.equal(cli.code, 0, new TextDecoder().decode(cli.stderr));
    const scenario = await Deno.readTextFile(
      new URL(`../conformance/scenarios/vcpus.json`, import.meta.url),
    );
    const local = await scenarioLines(scenario, { uri: "test:///default" });
    assert.deepEqual(lines.slice(1), local.slice(1));

    const info = await Deno.stat(gw.socket!);
    assert.equal(info.mode! & 0o777, 0o660);

    const tcp = await connect(`test+http://127.0.0.1:${gw.port}/default`, { token: gw.token });
    const unix = await connect(`test+unix:///default?socket=${gw.socket}`, { token: gw.token });
    const seen: string[] = [];
    unix.domainEventRegisterAny(null, VIR.DOMAIN_EVENT_ID_LIFECYCLE, (ev) => {
      seen.push(`${(ev.object as { name: string }).name}:${ev.data.event}`);
    });
    const dom = await tcp.lookupDomainByName("test");
    await dom.suspend();
    assert.equal((await (await unix.lookupDomainByName("test")).getState())[0], 3);
    await dom.resume();
    for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(seen, [
      `test:${VIR.DOMAIN_EVENT_SUSPENDED}`,
      `test:${VIR.DOMAIN_EVENT_RESUMED}`,
    ]);
    const err = await unix.lookupDomainByName("nope").catch((e) => e);
    assert.ok(err instanceof VirError);
    assert.equal(err.code, VIR.ERR_NO_DOMAIN);
    const denied = await connect(`test+unix:///default?socket=${gw.socket}`, { token: "bad" })
      .catch((e) => e);
    assert.equal(denied.codeName, "VIR_ERR_AUTH_FAILED");
    await tcp.close();
    await unix.close();
  } finally {
    const { code, stderr } = await gw.stop();
    assert.equal(code, 0, stderr);
    assert.match(stderr, /stopped/);
    assert.equal(await Deno.stat(gw.socket!).catch(() => null), null);
  }
});
