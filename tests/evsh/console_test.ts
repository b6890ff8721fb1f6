/**
 * evsh `console` with an injected terminal (fast; `console_pty_test.ts` runs the real one): a
 * driver whose console echoes, in-process and through a gateway; the escape character, the end
 * of the console (the domain going away), the end of standard input, virsh's refusals, `-e`,
 * `start --console` and `create --console`. Every way out leaves the terminal as it found it.
 */
import assert from "node:assert/strict";
import { connect } from "../../mod.ts";
import { connect as hostConnect } from "../../host.ts";
import { createGateway } from "../../gateway/app.ts";
import type { Connection } from "../../client/connection.ts";
import { createRegistry } from "../../util/registry.ts";
import type { ConnectDriver, DomainRef, DriverStream } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { Shell } from "../../tools/evsh/mod.ts";
import type { EvshTerminal } from "../../tools/evsh/context.ts";
import { SharedReader } from "../../tools/evsh/host_terminal.ts";
import { escapeByte } from "../../tools/evsh/console_session.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A terminal whose keyboard the test types on and whose screen it reads. */
class FakeTerminal implements EvshTerminal {
  /** Each `setRaw` call, in order. */
  modes: boolean[] = [];
  screen = "";
  /** Signal catching: how many are held now, and the most ever held. */
  held = 0;
  failRaw?: string;
  #keys!: ReadableStreamDefaultController<Uint8Array>;
  readonly input = new SharedReader(
    new ReadableStream<Uint8Array>({ start: (c) => void (this.#keys = c) }),
  );
  #watchers: { want: string; resolve: () => void }[] = [];

  type(text: string): void {
    this.#keys.enqueue(enc.encode(text));
  }
  endInput(): void {
    this.#keys.close();
  }
  /** Resolves once the screen shows `want`. */
  shows(want: string): Promise<void> {
    if (this.screen.includes(want)) return Promise.resolve();
    return new Promise((resolve) => this.#watchers.push({ want, resolve }));
  }
  get raw(): boolean {
    return this.modes.at(-1) ?? false;
  }

  setRaw(raw: boolean): Promise<void> {
    if (raw && this.failRaw) return Promise.reject(new Error(this.failRaw));
    this.modes.push(raw);
    return Promise.resolve();
  }
  read(signal: AbortSignal) {
    return this.input.read(signal);
  }
  write(bytes: Uint8Array): Promise<void> {
    this.screen += dec.decode(bytes);
    this.#watchers = this.#watchers.filter((w) => {
      if (!this.screen.includes(w.want)) return true;
      w.resolve();
      return false;
    });
    return Promise.resolve();
  }
  holdSignals(): () => void {
    this.held++;
    return () => void this.held--;
  }
}

const DOMS: Record<string, DomainRef> = {
  d: { name: "d", uuid: "6695eb01-f6a4-8304-79aa-97f2502e193f", id: 1 },
  // Its console says goodbye and ends, as a pty does when its QEMU goes away.
  leaving: { name: "leaving", uuid: "6695eb01-f6a4-8304-79aa-97f2502e1940", id: 2 },
  off: { name: "off", uuid: "6695eb01-f6a4-8304-79aa-97f2502e1941", id: -1 },
};

/** What the echo driver saw: each console's device and flags, and whether it was finished. */
const opened: { dev: string | null; flags: number; finished: boolean }[] = [];

const echo: ConnectDriver = {
  name: "echo",
  schemes: ["echo"],
  open: () =>
    Promise.resolve({
      type: "ECHO",
      connectClose: () => Promise.resolve(),
      connectGetURI: () => Promise.resolve("echo:///default"),
      domainLookupByName: (name: string) =>
        DOMS[name]
          ? Promise.resolve(DOMS[name])
          : Promise.reject(new Error(`no domain ${name} in this fake`)),
      domainGetState: (dom: DomainRef) =>
        Promise.resolve(
          dom.id === -1 ? [VIR.DOMAIN_SHUTOFF, 0] as [number, number] : [VIR.DOMAIN_RUNNING, 1],
        ),
      domainOpenConsole: (dom: DomainRef, dev: string | null, flags: number) => {
        const seen = { dev, flags, finished: false };
        opened.push(seen);
        if (dom.name === "leaving") {
          return Promise.resolve<DriverStream>({
            readable: new Blob(["bye\r\n"]).stream(),
            writable: new WritableStream(),
          });
        }
        const echoed = new TransformStream<Uint8Array, Uint8Array>();
        const writer = echoed.writable.getWriter();
        return Promise.resolve<DriverStream>({
          readable: echoed.readable,
          writable: new WritableStream<Uint8Array>({
            write: (chunk) => writer.write(chunk),
            close: () => {
              seen.finished = true;
              return writer.close();
            },
            abort: () => writer.close(),
          }),
        });
      },
    }),
};

const registry = createRegistry([echo]);

interface Run {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** Runs `line` in a shell on `conn` with `term`, while `drive` types. */
async function run(
  conn: Connection,
  term: FakeTerminal | undefined,
  line: string,
  drive: (term: FakeTerminal) => Promise<void> = () => Promise.resolve(),
  escape?: string,
): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const shell = new Shell(conn, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    readFile: (p) => Deno.readTextFile(p),
    terminal: term,
  }, { escape });
  const [ok] = await Promise.all([shell.runLine(line), term ? drive(term) : undefined]);
  return { ok, stdout, stderr };
}

const BANNER = "Connected to domain 'd'\nEscape character is ^] (Ctrl + ])\n";

/** Types a line, sees it echoed, leaves with Ctrl-]. */
async function echoSession(term: FakeTerminal) {
  term.type("hello\r");
  await term.shows("hello\r");
  term.type("\x1d");
}

for (const via of ["in-process", "gateway"] as const) {
  Deno.test(`console (${via}): typed bytes come back through the guest; Ctrl-] leaves`, async () => {
    const gw = via === "gateway"
      ? await createGateway({ drivers: ["echo:///default"], registry, auth: "none" })
      : undefined;
    const conn = gw
      ? await connect("echo+http://gw.invalid/default", {
        fetch: (input, init) => gw.fetch(new Request(input, init)),
      })
      : await connect("echo:///default", { drivers: registry });
    try {
      opened.length = 0;
      const term = new FakeTerminal();
      const r = await run(conn, term, "console d", echoSession);
      assert.deepEqual(r, { ok: true, stdout: BANNER + "\n", stderr: "" });
      assert.equal(term.screen, "hello\r");
      assert.deepEqual(term.modes, [true, false]);
      assert.equal(term.held, 0);
      assert.deepEqual(opened, [{ dev: null, flags: 0, finished: true }]);
      // The console's end (the guest went away) ends the command well there too.
      const ending = new FakeTerminal();
      const left = await run(conn, ending, "console leaving");
      assert.deepEqual([left.ok, left.stderr, ending.screen], [true, "", "bye\r\n"]);
      assert.deepEqual(ending.modes, [true, false]);
    } finally {
      await conn.close();
      await gw?.close();
    }
  });
}

Deno.test("console: what follows the escape in the same read is dropped, as virsh drops it", async () => {
  const conn = await connect("echo:///default", { drivers: registry });
  try {
    const term = new FakeTerminal();
    const r = await run(conn, term, "console d", async (t) => {
      t.type("a");
      await t.shows("a");
      t.type("\x1dnot sent");
    });
    assert.equal(r.ok, true);
    assert.equal(term.screen, "a");
    // Bytes typed after the escape's read are the next reader's.
    term.type("next");
    assert.equal(dec.decode((await term.read(new AbortController().signal))!), "next");
  } finally {
    await conn.close();
  }
});

Deno.test("console: the console ending (the guest went away) ends the command well, and a read given up keeps its bytes", async () => {
  const conn = await connect("echo:///default", { drivers: registry });
  try {
    const term = new FakeTerminal();
    const r = await run(conn, term, "console leaving");
    assert.deepEqual(r, {
      ok: true,
      stdout: "Connected to domain 'leaving'\nEscape character is ^] (Ctrl + ])\n\n",
      stderr: "",
    });
    assert.equal(term.screen, "bye\r\n");
    assert.deepEqual(term.modes, [true, false]);
    // The read the console was waiting in goes on: its bytes reach the next reader (the prompt).
    term.type("list\r");
    assert.equal(dec.decode((await term.read(new AbortController().signal))!), "list\r");
  } finally {
    await conn.close();
  }
});

Deno.test("console: the end of standard input is virsh's error, the terminal restored", async () => {
  const conn = await connect("echo:///default", { drivers: registry });
  try {
    const term = new FakeTerminal();
    const r = await run(conn, term, "console d", (t) => Promise.resolve(t.endInput()));
    assert.deepEqual(r, {
      ok: false,
      stdout: BANNER + "\n",
      stderr: "error: internal error: EOF on stdin\n",
    });
    assert.deepEqual(term.modes, [true, false]);
    assert.equal(term.held, 0);
  } finally {
    await conn.close();
  }
});

Deno.test("console: --devname, --force and --safe reach the driver", async () => {
  const conn = await connect("echo:///default", { drivers: registry });
  try {
    opened.length = 0;
    const term = new FakeTerminal();
    const r = await run(
      conn,
      term,
      "console --domain d --devname serial0 --force --safe",
      (t) => Promise.resolve(t.type("\x1d")),
    );
    assert.equal(r.ok, true);
    assert.deepEqual(opened, [{
      dev: "serial0",
      flags: VIR.DOMAIN_CONSOLE_FORCE | VIR.DOMAIN_CONSOLE_SAFE,
      finished: true,
    }]);
  } finally {
    await conn.close();
  }
});

Deno.test("console: -e sets the escape character and how it is announced", async () => {
  assert.deepEqual([escapeByte("^]"), escapeByte("^a"), escapeByte("~")], [0x1d, 0x01, 0x7e]);
  const conn = await connect("echo:///default", { drivers: registry });
  try {
    const term = new FakeTerminal();
    const r = await run(conn, term, "console d", async (t) => {
      t.type("\x1d");
      await t.shows("\x1d");
      t.type("\x01");
    }, "^a");
    assert.deepEqual(r, {
      ok: true,
      stdout: "Connected to domain 'd'\nEscape character is ^a (Ctrl + a)\n\n",
      stderr: "",
    });
    const plain = await run(conn, new FakeTerminal(), "console d", (t) => {
      t.type("~");
      return Promise.resolve();
    }, "~");
    assert.equal(plain.stdout, "Connected to domain 'd'\nEscape character is ~\n\n");
  } finally {
    await conn.close();
  }
});

Deno.test("console: refusals before the terminal is touched, and a terminal that cannot go raw", async () => {
  const conn = await connect("echo:///default", { drivers: registry });
  try {
    const term = new FakeTerminal();
    assert.deepEqual(await run(conn, term, "console off"), {
      ok: false,
      stdout: "\n",
      stderr: "error: The domain is not running\n",
    });
    assert.deepEqual(await run(conn, undefined, "console d"), {
      ok: false,
      stdout: "\n",
      stderr: "error: Cannot run interactive console without a controlling TTY\n",
    });
    assert.deepEqual(term.modes, []);
    term.failRaw = "Inappropriate ioctl for device";
    assert.deepEqual(await run(conn, term, "console d"), {
      ok: false,
      stdout: BANNER + "\n",
      stderr: "error: unable to set tty attributes: Inappropriate ioctl for device\n",
    });
    assert.equal(term.held, 0);
  } finally {
    await conn.close();
  }
});

Deno.test("console on test:///default: libvirt's test driver has no console; start/create --console", async () => {
  const conn = await hostConnect("test:///default");
  try {
    const term = new FakeTerminal();
    const unsupported =
      "error: this function is not supported by the connection driver: virDomainOpenConsole\n";
    assert.deepEqual(await run(conn, term, "console test"), {
      ok: false,
      stdout: "Connected to domain 'test'\nEscape character is ^] (Ctrl + ])\n\n",
      stderr: unsupported,
    });
    assert.deepEqual(term.modes, [true, false]);
    // start --console: the console's failure is the command's; create --console: it is not.
    const started = await run(conn, term, "destroy test; start test --console");
    assert.deepEqual(started, {
      ok: false,
      stdout: "Domain 'test' destroyed\n\nDomain 'test' started\n" +
        "Connected to domain 'test'\nEscape character is ^] (Ctrl + ])\n\n",
      stderr: unsupported,
    });
    const xml = await Deno.makeTempFile({ suffix: ".xml" });
    try {
      await Deno.writeTextFile(
        xml,
        "<domain type='test'><name>c</name><memory>8192</memory><os><type>hvm</type></os></domain>",
      );
      const created = await run(conn, term, `create ${xml} --console`);
      assert.deepEqual(created, {
        ok: true,
        stdout: `Domain 'c' created from ${xml}\n` +
          "Connected to domain 'c'\nEscape character is ^] (Ctrl + ])\n\n",
        stderr: "",
      });
    } finally {
      await Deno.remove(xml);
    }
    assert.deepEqual(term.modes, [true, false, true, false, true, false]);
  } finally {
    await conn.close();
  }
});
