/**
 * Drives every call whose contract declaration marks an argument as naming host files (`files`:
 * `util/contract/declare.ts`) with each bad file a caller can name — a missing file, a file in
 * a missing directory, a directory, an unreadable file — on the simulator (`test:///default`)
 * and on `qemu:///session` with the host's secondary drivers (fake QMP peers, storage under a
 * scratch directory: `wire_fuzz_host.ts`), through the gateway, and prints one JSON line per
 * answer. `caller_files_test.ts` runs it as a child process without root's CAP_DAC_OVERRIDE, so
 * that a mode-000 file is unreadable as it is to any other user.
 *
 *     deno run -A tests/gateway/caller_files_run.ts
 *
 * @module
 */
import { CONTRACT, type DriverMethod } from "../../util/contract/mod.ts";
import type { CallDecl } from "../../util/contract/declare.ts";
import type { Gateway } from "../../gateway/app.ts";
import { startGateway, TOKENS } from "./helpers.ts";
import { hostFuzzTarget } from "./wire_fuzz_host.ts";
import { qemuDomainXml } from "./wire_fuzz_qemu.ts";
import { withRecordedSysfs } from "../drivers/node_device/recording.ts";

/**
 * The bad files, by case name: where each lies in a call's scratch directory `d` (one per call:
 * a pool build makes the directories it is given). A missing file goes last: a save or dump
 * that creates it changes the domain the other cases need.
 */
export const CASES = {
  "missing directory": (d: string) => `${d}/nodir/x`,
  "directory": (d: string) => `${d}/dir`,
  "unreadable file": (d: string, call: string) =>
    wantsDirectory(call) ? `${d}/unreadable-dir` : `${d}/unreadable`,
  "missing file": (d: string) => `${d}/missing`,
} as const;

/** A case's name. */
export type CaseName = keyof typeof CASES;

/** One answer, the scratch directory spelt `{dir}`. */
export interface Answer {
  target: string;
  call: string;
  case: CaseName;
  status: number;
  code?: number;
  domain?: number;
  message?: string;
}

/**
 * The document each `xml`-marked call gets, naming file `p`: a disk copy's destination, an
 * external snapshot's memory file, a pool's target. A call newly marked needs one here.
 */
export const DOCUMENTS: Record<string, (p: string, n: number) => string> = {
  domainBlockCopy: (p) => `<disk type='file'><source file='${p}'/><driver type='raw'/></disk>`,
  domainSnapshotCreateXML: (p) =>
    `<domainsnapshot><memory snapshot='external' file='${p}'/></domainsnapshot>`,
  storagePoolCreateXML: (p, n) =>
    `<pool type='dir'><name>fz${n}</name><target><path>${p}</path></target></pool>`,
};

/** A storage call's files are directories (a pool's target): its unreadable one is one too. */
const wantsDirectory = (call: string) => call.startsWith("storage");

/** The calls that name caller files, from their declarations. */
export const FILE_CALLS: [DriverMethod, CallDecl][] = (
  Object.entries(CONTRACT) as [DriverMethod, CallDecl][]
).filter(([, d]) => d.args.some((a) => a.files));

async function post(gw: Gateway, base: string, method: string, args: unknown[]) {
  const res = await gw.fetch(
    new Request(`http://127.0.0.1${base}/call/${method}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKENS.full}`, "content-type": "application/json" },
      body: JSON.stringify(args),
    }),
  );
  return { status: res.status, body: await res.json() };
}

/**
 * Runs every marked call with every case on one served URI; `skip` says which it cannot
 * (`call case`).
 */
async function drive(
  gw: Gateway,
  target: string,
  base: string,
  dom: unknown,
  skip: readonly string[] = [],
): Promise<Answer[]> {
  const out: Answer[] = [];
  let n = 0;
  // Reads before writes: a save stops the domain the others need running.
  const order = FILE_CALLS.toSorted(([a], [b]) =>
    Number(a === "domainSaveFlags") - Number(b === "domainSaveFlags")
  );
  for (const [call, decl] of order) {
    const d = await scratch();
    try {
      for (const [name, place] of Object.entries(CASES) as [CaseName, PathOf][]) {
        if (skip.includes(`${call} ${name}`)) continue;
        const path = place(d, call);
        const pools: unknown[] = [];
        const args: unknown[] = [];
        for (const arg of decl.args) {
          if (arg.files === "path") args.push(path);
          else if (arg.files === "xml") args.push(DOCUMENTS[call](path, n++));
          else if (arg.files === "definition") {
            const xml = DOCUMENTS.storagePoolCreateXML(path, n++);
            const pool = (await post(gw, base, "storagePoolDefineXML", [xml, 0])).body.result;
            pools.push(pool);
            args.push(pool);
          } else if (arg.kind === "dom") args.push(dom);
          else if (arg.kind === "str?") args.push(null);
          else if (arg.kind === "str") args.push(arg.name === "disk" ? "vda" : "<domain/>");
          else if (arg.kind === "params") args.push({});
          else args.push(0);
        }
        const { status, body } = await post(gw, base, call, args);
        if (status === 200 && call === "storagePoolCreateXML") pools.push(body.result);
        // A pool that started is stopped and forgotten: the next case reuses its target.
        for (const pool of pools) {
          await post(gw, base, "storagePoolDestroy", [pool]);
          await post(gw, base, "storagePoolUndefine", [pool]);
        }
        const e = status === 200 ? {} : {
          code: body.code,
          domain: body.domain,
          message: String(body.message).replaceAll(d, "{dir}"),
        };
        out.push({ target, call, case: name, status, ...e });
      }
    } finally {
      await Deno.chmod(`${d}/unreadable-dir`, 0o700);
      await Deno.remove(d, { recursive: true });
    }
  }
  return out;
}

type PathOf = (d: string, call: string) => string;

/** Makes a call's scratch directory with its bad files. */
async function scratch(): Promise<string> {
  const d = await Deno.makeTempDir({ prefix: "ev-caller-files-" });
  await Deno.mkdir(`${d}/dir`);
  await Deno.writeTextFile(`${d}/unreadable`, "x", { mode: 0 });
  await Deno.chmod(`${d}/unreadable`, 0);
  await Deno.mkdir(`${d}/unreadable-dir`, { mode: 0 });
  await Deno.chmod(`${d}/unreadable-dir`, 0);
  return d;
}

/** Every answer on both served URIs. */
export async function callerFileAnswers(): Promise<Answer[]> {
  const out: Answer[] = [];
  const test = await startGateway();
  try {
    const dom = { name: "test", uuid: "6695eb01-f6a4-8304-79aa-97f2502e193f", id: 1 };
    out.push(...await drive(test, "test:///default", "/v1/test/default", dom));
  } finally {
    await test.close();
  }
  await withRecordedSysfs(async (sysfsRoot) => {
    const host = await hostFuzzTarget({ sysfsRoot });
    try {
      const base = "/v1/qemu/session";
      const dom = (await post(host.gateway, base, "domainCreateXML", [qemuDomainXml("q1"), 0]))
        .body.result;
      // The fake QMP peers cannot migrate to a file: a save or full dump that opens its file
      // goes no further.
      out.push(
        ...await drive(host.gateway, "qemu:///session", base, dom, [
          "domainSaveFlags missing file",
          "domainCoreDumpWithFormat missing file",
        ]),
      );
      await post(host.gateway, base, "domainDestroy", [dom]);
    } finally {
      await host.close();
    }
  });
  return out;
}

if (import.meta.main) {
  for (const a of await callerFileAnswers()) console.log(JSON.stringify(a));
}
