/**
 * evsh commands whose behaviour the generated recordings reach only in part: the editors with
 * an editor that fails or breaks the XML, events that really arrive, key codes by name and
 * number, and statistics records. The expected texts are virsh 9.0's, taken from
 * `virsh -c test:///default` runs of the same command lines.
 */
import { connect } from "../../host.ts";
import { Shell } from "../../tools/evsh/mod.ts";
import type { EvshIO } from "../../tools/evsh/context.ts";
import { openEditSession } from "../../tools/evsh/host_io.ts";
import { keycodeFromName, keycodeKnown } from "../../util/keycodes.ts";
import { VIR } from "../../util/constants.ts";
import type { ConnectionEvent } from "../../client/connection.ts";
import { domainLine } from "../../tools/evsh/commands/events.ts";

function same(actual: unknown, expected: unknown): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`expected ${e}\n     got ${a}`);
}

/** A shell on a fresh test:///default whose output is collected; `editor` is a sh script. */
async function withShell(
  editor: string | undefined,
  body: (run: (line: string) => Promise<[string, string, boolean]>, shell: Shell) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "evsh-commands-" });
  const conn = await connect("test:///default");
  let out = "";
  let err = "";
  const env: Record<string, string | undefined> = { ...Deno.env.toObject(), VISUAL: undefined };
  if (editor !== undefined) {
    env.EDITOR = `${dir}/editor.sh`;
    await Deno.writeTextFile(env.EDITOR, `#!/bin/sh\n${editor}\n`, { mode: 0o755 });
  }
  env.TMPDIR = dir;
  const io: EvshIO = {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    readFile: (p) => Deno.readTextFile(p),
    openEditor: (doc) => openEditSession(doc, env),
  };
  const shell = new Shell(conn, io, { uri: "test:///default" });
  try {
    await body(async (line) => {
      out = err = "";
      const ok = await shell.runLine(line);
      return [out, err, ok];
    }, shell);
  } finally {
    await conn.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("edit: a changed document is redefined, an unchanged one is left alone", async () => {
  await withShell("sed -i 's|</name>|</name><title>T1</title>|' \"$1\"", async (run) => {
    same(await run("edit test"), ["Domain 'test' XML configuration edited.\n\n", "", true]);
    same(await run("desc test --title --config"), ["T1\n", "", true]);
    same(await run("net-edit default"), [
      "Network default XML configuration edited.\n\n",
      "",
      true,
    ]);
    same(await run("desc test --edit"), ["Domain description not changed\n\n", "", true]);
  });
});

Deno.test("edit: without a terminal a refused definition says Failed. and goes on", async () => {
  await withShell("sed -i 's|<name>|<nme>|' \"$1\"", async (run) => {
    same(await run("edit test"), [
      "Domain '(null)' XML configuration edited.\n\n",
      "error: Failed.\n",
      true,
    ]);
  });
});

Deno.test("edit: an editor that fails or cannot be found is libvirt's error", async () => {
  await withShell("exit 3", async (run) => {
    const [out, err, ok] = await run("pool-edit default-pool");
    same([out, ok], ["\n", false]);
    if (
      !/^error: internal error: Child process \(\S+ \S+virsh\w+\.xml\) unexpected exit status 3\n$/
        .test(err)
    ) {
      throw new Error(err);
    }
  });
});

Deno.test("event: a lifecycle event is printed and ends a one-shot wait", async () => {
  await withShell(undefined, async (run, shell) => {
    const waiting = run("event --event lifecycle --domain test --timeout 5");
    // Let the command register before the domain stops.
    await new Promise((r) => setTimeout(r, 50));
    await (await shell.conn.lookupDomainByName("test")).destroy();
    same(await waiting, [
      "event 'lifecycle' for domain 'test': Stopped Destroyed\nevents received: 1\n\n",
      "",
      true,
    ]);
    same((await run("net-event --list"))[0], "lifecycle\n\n");
  });
});

Deno.test("event: agent-lifecycle in virsh's words (virshEventAgentLifecyclePrint)", () => {
  const ev = (state: number, reason: number) =>
    ({
      family: "domain",
      eventId: VIR.DOMAIN_EVENT_ID_AGENT_LIFECYCLE,
      object: { name: "vm" },
      data: { state, reason },
    }) as unknown as ConnectionEvent;
  same(
    domainLine(ev(2, 1)),
    "event 'agent-lifecycle' for domain 'vm': state: 'disconnected' reason: 'domain started'\n",
  );
  same(
    domainLine(ev(1, 2)),
    "event 'agent-lifecycle' for domain 'vm': state: 'connected' reason: 'channel event'\n",
  );
  same(
    domainLine(ev(7, 0)),
    "event 'agent-lifecycle' for domain 'vm': state: 'unsupported value' reason: 'unknown'\n",
  );
});

Deno.test("event: disk-change in virsh's words (virshEventDiskChangePrint)", () => {
  const ev = (oldSrcPath: string | null, reason: number) =>
    ({
      family: "domain",
      eventId: VIR.DOMAIN_EVENT_ID_DISK_CHANGE,
      object: { name: "vm" },
      data: { oldSrcPath, newSrcPath: null, devAlias: "ide0-1-0", reason },
    }) as unknown as ConnectionEvent;
  same(
    domainLine(ev("/i/a.iso", VIR.DOMAIN_EVENT_DISK_CHANGE_MISSING_ON_START)),
    "event 'disk-change' for domain 'vm' disk ide0-1-0: /i/a.iso -> (null): changed\n",
  );
  same(
    domainLine(ev(null, VIR.DOMAIN_EVENT_DISK_DROP_MISSING_ON_START)),
    "event 'disk-change' for domain 'vm' disk ide0-1-0: (null) -> (null): dropped\n",
  );
});

Deno.test("send-key: numbers in any C base and names of the code set", async () => {
  same(keycodeFromName("linux", "KEY_A"), 30);
  same(keycodeFromName("os_x", "ANSI_A"), 0);
  same(keycodeFromName("xt", "KEY_A"), -1);
  same([keycodeKnown(0, 30), keycodeKnown(9, 0x1e), keycodeKnown(0, 65535)], [true, true, false]);
  await withShell(undefined, async (run) => {
    same(await run("send-key test KEY_A 0x1e 036"), ["\n", "", true]);
    same(await run("send-key test 65535"), [
      "\n",
      "error: internal error: invalid keycode 65535 of linux codeset\n",
      false,
    ]);
    same(await run("send-key test --codeset rfb KEY_A"), [
      "\n",
      "error: invalid keycode: 'KEY_A'\n",
      false,
    ]);
  });
});

Deno.test("domstats and attach-disk --print-xml", async () => {
  await withShell(undefined, async (run) => {
    same(await run("domstats --state test"), [
      "Domain: 'test'\n  state.state=1\n  state.reason=0\n\n",
      "",
      true,
    ]);
    same(await run("attach-disk test /tmp/x.img vdb --print-xml --address pci:0.0.5.0"), [
      "<disk type='file'>\n  <source file='/tmp/x.img'/>\n  <target dev='vdb'/>\n" +
      "  <address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/>\n</disk>\n\n",
      "",
      true,
    ]);
  });
});
