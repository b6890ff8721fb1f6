/**
 * Issue 14's fault-injection run on real QEMU (TCG): the process holding the QEMU driver's
 * state is SIGKILLed at random points of random mutating calls (half of the kills land 0–60 ms
 * after a start or create begins, where #7 orphaned QEMUs), the state is reopened, and every
 * restart is checked: every acknowledged persistent config present and valid, no damaged file,
 * every QEMU adopted by its domain, none duplicated, none orphaned, no running domain without
 * its QEMU. EDGEVIRT_FAULT_KILLS (default 10) and EDGEVIRT_FAULT_SEED set the run.
 */
import assert from "node:assert/strict";
import { parseDomainXML } from "../../../conf/domain/mod.ts";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { SystemLauncher } from "../../../drivers/qemu/process/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import { FAULT_NAMES } from "./fault_child.ts";
import { realQemuTest } from "./real_qemu.ts";

const CHILD = new URL("./fault_child.ts", import.meta.url).pathname;

/**
 * The driver on `dir` (real QEMU, TCG), reopened as a restarted process would. A process
 * killed while it was spawning QEMU leaves its lock on `driver.pid` with the forked child until
 * that child's exec closes it: the open waits out that instant.
 */
/** How many reopenings had to wait for the lock. */
let lockWaits = 0;

async function openDir(dir: string, log: (m: string) => void = () => {}) {
  for (let tries = 0;; tries++) {
    try {
      return await qemuConnectDriver.open(new URL("qemu:///session"), {
        stateDir: dir,
        log,
      }) as DriverConnection;
    } catch (err) {
      if (tries === 50 || !/Failed to acquire pid file/.test(String(err))) throw err;
      if (tries === 0) lockWaits++;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Every QEMU alive whose monitor lies in `dir`'s run directory. */
const qemusIn = (dir: string) => [...new SystemLauncher().find(`${dir}/run`).values()].flat();

/** Starts the driver process on `dir` in `mode` (a seed, or `start`). */
function spawnChild(dir: string, mode: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", CHILD, dir, mode],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const kill = async () => {
    child.kill("SIGKILL");
    await child.status;
  };
  return { next: lineReader(child.stdout), kill };
}

/**
 * A real-QEMU test on a fresh state directory; whatever QEMU the body leaves is reported as a
 * failure and killed.
 */
function killTest(name: string, body: (dir: string) => Promise<void>): void {
  realQemuTest({
    name,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const dir = await Deno.makeTempDir({ prefix: "ev-fault-" });
      let left: number[] = [];
      try {
        await body(dir);
      } finally {
        left = qemusIn(dir);
        for (const pid of left) await new SystemLauncher().reap(pid);
        await Deno.remove(dir, { recursive: true });
      }
      assert.deepEqual(left, [], "no QEMU left after the run");
    },
  });
}

/** The lines a child prints, with a wait for the next one that matches. */
function lineReader(stream: ReadableStream<Uint8Array>) {
  const lines: string[] = [];
  let wake = () => {};
  void (async () => {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      lines.push(...parts);
      wake();
    }
  })().catch(() => {});
  return async (match: (line: string) => boolean, ms: number): Promise<boolean> => {
    const end = Date.now() + ms;
    let seen = lines.length;
    while (Date.now() < end) {
      for (; seen < lines.length; seen++) if (match(lines[seen])) return true;
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 20);
      });
    }
    return false;
  };
}

/**
 * Which domains the journal says are defined, and which are uncertain: a define or undefine
 * was in flight when a kill came (it may or may not have happened), until a later one succeeds.
 */
function journalState(text: string) {
  const defined = new Set<string>();
  const uncertain = new Set<string>();
  const inFlight = new Map<string, string>();
  let ops = 0;
  for (const line of text.split("\n")) {
    const [step, op, name, result] = line.split(" ");
    if (step === "begin" && name) {
      // Calls run one at a time: an earlier call without its end was cut by a kill.
      for (const [cut, cutOp] of inFlight) if (/define/.test(cutOp)) uncertain.add(cut);
      inFlight.clear();
      inFlight.set(name, op);
      ops++;
    } else if (step === "end" && result) {
      inFlight.delete(name);
      if (result !== "ok") continue;
      if (op === "define") defined.add(name);
      if (op === "undefine") defined.delete(name);
      if (/define/.test(op)) uncertain.delete(name);
    }
  }
  for (const [cut, cutOp] of inFlight) if (/define/.test(cutOp)) uncertain.add(cut);
  return { defined, uncertain, inFlight, ops };
}

interface Tally {
  kills: number;
  killsInStart: number;
  ops: number;
  configsLost: number;
  configsStale: number;
  damaged: number;
  duplicates: number;
  orphans: number;
  ghosts: number;
  adopted: number;
  killedAtRestart: number;
  /** Running QEMUs (of no cut start) the restart killed instead of adopting. */
  notAdopted: number;
  /** What each broken promise looked like. */
  problems: string[];
}

/** Reopens the state after a kill and counts every broken promise. */
async function checkRestart(dir: string, tally: Tally, lifeCut: boolean): Promise<void> {
  const logs: string[] = [];
  const conn = await openDir(dir, (m) => logs.push(m));
  try {
    await checkState(conn, dir, tally, logs, lifeCut);
  } finally {
    await conn.connectClose();
  }
}

async function checkState(
  conn: DriverConnection,
  dir: string,
  tally: Tally,
  logs: string[],
  lifeCut: boolean,
): Promise<void> {
  const killed = logs.filter((l) => l.startsWith("killing QEMU")).length;
  tally.killedAtRestart += killed;
  // Only the QEMU of a start the kill cut short may go; any other was running and is adopted.
  if (killed > (lifeCut ? 1 : 0)) {
    tally.notAdopted += killed - (lifeCut ? 1 : 0);
    const tail = (await Deno.readTextFile(`${dir}/journal`)).trim().split("\n").slice(-2);
    tally.problems.push(
      `killed at restart: ${logs.join(" | ")}; journal tail: ${tail.join(" | ")}`,
    );
  }
  const { defined, uncertain } = journalState(await Deno.readTextFile(`${dir}/journal`));
  for (const name of FAULT_NAMES) {
    if (uncertain.has(name)) continue;
    const path = `${dir}/config/${name}.xml`;
    const text = await Deno.readTextFile(path).catch(() => undefined);
    const dom = await conn.domainLookupByName!(name).catch(() => undefined);
    if (defined.has(name)) {
      const valid = text !== undefined && parseDomainXML(text, 0).name === name;
      const persistent = dom ? await conn.domainIsPersistent!(dom) : false;
      if (!valid || !persistent) {
        tally.configsLost++;
        const journal = (await Deno.readTextFile(`${dir}/journal`)).trim().split("\n");
        tally.problems.push(
          `${name}: file ${
            text !== undefined
          }, valid ${valid}, domain ${!!dom}, persistent ${persistent}; journal tail: ${
            journal.filter((l) => l.includes(` ${name}`)).slice(-4).join(" | ")
          }; log: ${logs.join(" | ")}`,
        );
      }
    } else if (text !== undefined) tally.configsStale++;
  }
  for (const sub of ["config", "run"]) {
    for (const e of Deno.readDirSync(`${dir}/${sub}`)) {
      if (/\.damaged-/.test(e.name)) tally.damaged++;
    }
  }
  const alive = new SystemLauncher().find(`${dir}/run`);
  const owned = new Set<number>();
  for (const dom of await conn.connectListAllDomains!(VIR.CONNECT_LIST_DOMAINS_ACTIVE)) {
    const text = await Deno.readTextFile(`${dir}/run/${dom.name}.status.json`).catch(() => "{}");
    const status = JSON.parse(text);
    const pids = alive.get(status.monitorPath) ?? [];
    if (pids.includes(status.pid)) {
      owned.add(status.pid);
      tally.adopted++;
    } else {
      tally.ghosts++;
      const state = await conn.domainGetState!(dom, 0).catch(() => "gone");
      tally.problems.push(`${dom.name} active without its QEMU: ${text}, now ${state}`);
    }
  }
  for (const pids of alive.values()) {
    if (pids.length > 1) tally.duplicates++;
    tally.orphans += pids.filter((p) => !owned.has(p)).length;
  }
}

killTest(
  "real QEMU: SIGKILL of the driver's process at random points loses no config, orphans no QEMU",
  async (dir) => {
    const kills = Number(Deno.env.get("EDGEVIRT_FAULT_KILLS") ?? 10);
    const seed = Number(Deno.env.get("EDGEVIRT_FAULT_SEED") ?? Date.now() % 1e9);
    let x = seed || 1;
    const rand = (n: number) => (x = (x * 48271) % 2147483647) % n;
    const tally: Tally = {
      kills: 0,
      killsInStart: 0,
      ops: 0,
      configsLost: 0,
      configsStale: 0,
      damaged: 0,
      duplicates: 0,
      orphans: 0,
      ghosts: 0,
      adopted: 0,
      killedAtRestart: 0,
      notAdopted: 0,
      problems: [],
    };
    try {
      for (let k = 0; k < kills; k++) {
        const { next, kill } = spawnChild(dir, String(seed + k));
        assert.ok(await next((l) => l === "ready", 30_000), "the driver process came up");
        if (k % 2 === 1 && await next((l) => /^begin (start|create) /.test(l), 5000)) {
          await new Promise((r) => setTimeout(r, rand(60)));
        } else await new Promise((r) => setTimeout(r, rand(1500)));
        await kill();
        tally.kills++;
        const { inFlight } = journalState(await Deno.readTextFile(`${dir}/journal`));
        const cut = [...inFlight.values()];
        if (cut.some((op) => op === "start" || op === "create")) tally.killsInStart++;
        // A QEMU being started or destroyed when the kill came may be killed at the restart.
        const lifeCut = cut.some((op) => ["start", "create", "destroy"].includes(op));
        await checkRestart(dir, tally, lifeCut);
      }
      tally.ops = journalState(await Deno.readTextFile(`${dir}/journal`)).ops;
    } finally {
      const conn = await openDir(dir);
      for (const dom of await conn.connectListAllDomains!(VIR.CONNECT_LIST_DOMAINS_ACTIVE)) {
        await conn.domainDestroyFlags!(dom, 0);
      }
      await conn.connectClose();
      console.log(
        `fault injection (seed ${seed}): ${JSON.stringify(tally)}, lock waits ${lockWaits}`,
      );
    }
    assert.ok(tally.kills === kills && tally.ops > 0);
    assert.deepEqual(
      [tally.configsLost, tally.configsStale, tally.damaged],
      [0, 0, 0],
      "configs lost, stale, damaged",
    );
    assert.deepEqual(
      [tally.duplicates, tally.orphans, tally.ghosts, tally.notAdopted],
      [0, 0, 0, 0],
      "QEMUs duplicated, orphaned, domains without QEMU, QEMUs not adopted",
    );
  },
);

killTest(
  "#7 real QEMU: SIGKILL 0–90 ms into a start, restart, start again: one QEMU for the domain",
  async (dir) => {
    const outcomes: string[] = [];
    for (let delay = 0; delay <= 90; delay += 10) {
      const { next, kill } = spawnChild(dir, "start");
      assert.ok(await next((l) => l === "begin start d0", 30_000), "the start began");
      await new Promise((r) => setTimeout(r, delay));
      await kill();
      const conn = await openDir(dir);
      try {
        const dom = await conn.domainLookupByName!("d0");
        const adopted = await conn.domainIsActive!(dom);
        const before = qemusIn(dir).length;
        if (!adopted) await conn.domainCreateWithFlags!(dom, 0);
        const after = qemusIn(dir).length;
        outcomes.push(`${delay} ms: ${adopted ? "adopted" : "killed"}, ${before} → ${after}`);
        assert.equal(before, adopted ? 1 : 0, outcomes.join("; "));
        assert.equal(after, 1, outcomes.join("; "));
        await conn.domainDestroyFlags!(dom, 0);
        await conn.domainUndefineFlags!(dom, 0);
      } finally {
        await conn.connectClose();
      }
    }
    console.log(`kill during start: ${outcomes.join("; ")}`);
  },
);
