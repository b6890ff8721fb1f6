/**
 * evsh `console` for real: `deno run tools/evsh/main.ts` on a pseudo-terminal
 * (`console/pty_session.py`) against a real QEMU running the echo guest of
 * `tests/drivers/qemu/echo_guest.ts`. Through a gateway (`qemu+http://…/embed?root=…`) the
 * terminal must show what virsh 9.0's did against libvirtd (`console/recorded.json`, recorded by
 * `tests/tools/record_virsh_console.py`), leaving by Ctrl-] and by the domain's destruction,
 * with status 0 and the terminal's attributes restored; in-process (`qemu:///embed`) and on
 * the user's session daemon (`qemu:///session`), `create --console` runs the console too.
 * Without QEMU these tests are ignored on a developer machine but FAIL in CI.
 */
import assert from "node:assert/strict";
import { createGateway } from "../../gateway/app.ts";
import { connect } from "../../mod.ts";
import { connect as hostConnect } from "../../host.ts";
import { qemuConnectDriver } from "../../drivers/qemu/mod.ts";
import { createRegistry } from "../../util/registry.ts";
import { VIR } from "../../util/constants.ts";
import { echoGuestDisk, reachEchoLoop } from "../drivers/qemu/echo_guest.ts";
import { realQemuTest } from "../drivers/qemu/real_qemu.ts";
import { privateHome } from "../gateway/process.ts";

const HERE = new URL("./", import.meta.url);
const EVSH = new URL("../../tools/evsh/main.ts", import.meta.url).pathname;
const DENO = Deno.execPath();

interface Session {
  terminal: string;
  status: number;
  restored: boolean;
}

const recorded: ({ case: string } & Session)[] = JSON.parse(
  Deno.readTextFileSync(new URL("console/recorded.json", HERE)),
);

function domainXml(disk: string): string {
  return `<domain type='qemu'><name>con</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${disk}'/>
<target dev='hda' bus='ide'/></disk>
<serial type='pty'/><console type='pty'/><memballoon model='none'/></devices></domain>`;
}

/**
 * Runs evsh with `args` on a pty, with `home` as its private HOME and XDG directories (the
 * prompt's history, a session daemon's socket and state); `onEchoed` runs once the guest echoed
 * (external mode), and the session's outcome is returned.
 */
async function ptySession(
  mode: "escape" | "external" | "interactive",
  args: string[],
  home: string,
  onEchoed?: () => Promise<void>,
): Promise<Session> {
  const child = new Deno.Command("/usr/bin/python3", {
    env: {
      ...privateHome(home),
      XDG_CACHE_HOME: `${home}/.cache`,
      XDG_RUNTIME_DIR: home,
      EDGEVIRT_DAEMON_TIMEOUT: "5",
    },
    args: [
      new URL("console/pty_session.py", HERE).pathname,
      mode,
      DENO,
      "run",
      "-A",
      EVSH,
      ...args,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    text += decoder.decode(chunk, { stream: true });
    if (text.includes("ECHOED\n") && onEchoed) {
      text = text.replace("ECHOED\n", "");
      await onEchoed();
      onEchoed = undefined;
    }
  }
  const { code } = await child.status;
  const session: Session = JSON.parse(text.trim().split("\n").at(-1)!);
  assert.equal(code, 0, `the pty session did not go as planned: ${JSON.stringify(session)}`);
  return session;
}

/** The recorded virsh session's terminal for `name`, the guest's boot prompt removed. */
function virsh(name: string): Session {
  const { case: _, ...session } = recorded.find((r) => r.case === name)!;
  return session;
}

/**
 * Runs `body` with a fresh embed root holding the echo guest's disk; whatever `body` leaves
 * running there is destroyed (the embedded driver adopts it), so a failure leaks no QEMU.
 */
async function withGuest(body: (root: string, disk: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "evsh-pty-" });
  const disk = `${root}/boot.img`;
  await Deno.writeFile(disk, echoGuestDisk());
  try {
    await body(root, disk);
  } finally {
    const conn = await hostConnect(`qemu:///embed?root=${root}`);
    for (const d of await conn.listAllDomains(VIR.CONNECT_LIST_DOMAINS_ACTIVE)) {
      await d.destroy().catch(() => {});
    }
    await conn.close();
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
}

realQemuTest({
  name:
    "real pty: evsh console through a gateway is virsh's, by Ctrl-] and by destroy; at the prompt",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withGuest(async (root, disk) => {
      const local = `qemu:///embed?root=${root}`;
      const gw = await createGateway({
        drivers: [local],
        registry: createRegistry([qemuConnectDriver]),
        auth: "none",
      });
      const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, gw.fetch);
      const uri = `qemu+http://127.0.0.1:${server.addr.port}/embed?root=${root}`;
      const conn = await connect(uri, { token: "unused" });
      try {
        for (const leave of ["escape", "destroy"] as const) {
          const dom = await conn.createXML(domainXml(disk), 0);
          // Someone else's session first (it waits for the guest's echo loop): evsh's comes
          // after it, as a console is left and taken again.
          const st = conn.newStream(0);
          await dom.openConsole(null, st, 0);
          await reachEchoLoop(
            () => st.recv().then((bytes) => bytes.length ? bytes : null),
            (bytes) => st.send(bytes),
          );
          await st.finish();
          const session = await ptySession(
            leave === "escape" ? "escape" : "external",
            ["-c", uri, "console con"],
            root,
            () => dom.destroy(),
          );
          // The guest's boot prompt shows only when the console was attached in time: the
          // recorder removed it too.
          session.terminal = session.terminal.replace(">", "");
          assert.deepEqual(session, virsh(leave));
          if (leave === "escape") await dom.destroy();
        }
        // At the interactive prompt: the console, then the prompt reads the next command.
        const dom = await conn.createXML(domainXml(disk), 0);
        const session = await ptySession("interactive", ["-c", uri], root);
        assert.deepEqual([session.status, session.restored], [0, true]);
        assert.match(
          session.terminal,
          new RegExp(
            "console con\x1b\\[K\r\r\nConnected to domain 'con'\r\n" +
              "Escape character is \\^] \\(Ctrl \\+ ]\\)\r\n>?hello\r\nevsh # [^]*?list\x1b\\[K\r\r\n" +
              " Id +Name +State\r\n-+\r\n +\\d+ +con +running\r\n",
          ),
        );
        await dom.destroy();
      } finally {
        await conn.close();
        await server.shutdown();
        await gw.close();
      }
    }),
});

/**
 * `create FILE --console; destroy con` on `uri` at a pty: the console runs right after the
 * create, Ctrl-] leaves it, the next command runs, the terminal is as it was.
 */
async function createWithConsole(uri: string, root: string, disk: string): Promise<void> {
  await Deno.writeTextFile(`${root}/con.xml`, domainXml(disk));
  const session = await ptySession(
    "escape",
    ["-c", uri, `create ${root}/con.xml --console; destroy con`],
    root,
  );
  const banner = `Domain 'con' created from ${root}/con.xml\r\n` +
    "Connected to domain 'con'\r\nEscape character is ^] (Ctrl + ])\r\n";
  // The QEMU driver's warnings on stderr (no cgroups here) may come first.
  const shown = session.terminal.replace(/^(edgevirt qemu driver: .*\r\n)*/, "");
  assert.ok(shown.startsWith(banner), session.terminal);
  const guest = shown.slice(banner.length);
  assert.match(guest, /^>?hello\r\nDomain 'con' destroyed\r\n\r\n$/);
  assert.deepEqual([session.status, session.restored], [0, true]);
}

realQemuTest({
  name: "real pty: evsh create --console on qemu:///embed, then Ctrl-] and the next command",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => withGuest((root, disk) => createWithConsole(`qemu:///embed?root=${root}`, root, disk)),
});

realQemuTest({
  name: "real pty: evsh create --console on qemu:///session (QEMU in the user's session daemon)",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withGuest(async (root, disk) => {
      const daemon = `${root}/edgevirt/edgevirt.pid`;
      try {
        await createWithConsole("qemu:///session", root, disk);
      } finally {
        // The daemon this evsh started (its runtime dir is `root`), stopped rather than left to
        // its idle timeout.
        const pid = await Deno.readTextFile(daemon).catch(() => "");
        if (pid) Deno.kill(Number(pid), "SIGTERM");
      }
    }),
});
