/**
 * A file the caller names that is missing, in a missing directory, a directory or unreadable is
 * the caller's mistake: every call whose contract declaration marks such an argument (`files`)
 * answers libvirt's error for it (code, domain, message) with a 4xx by its errno, never a 500,
 * on the simulator, the QEMU driver and the host's storage driver (issue 14).
 * `caller_files_run.ts` drives the calls in a child process that, as root, lacks
 * CAP_DAC_OVERRIDE (`setpriv`), so that its mode-000 file is unreadable.
 *
 * What libvirt answers: `fixtures/caller_files/expected.json`, recorded from libvirt 9.0's test
 * driver by `fixtures/caller_files/record.sh`; for the QEMU driver and the storage driver, whose
 * answers need a daemon and a guest to record, the texts of libvirt 9.0's C source, below.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { VIR } from "../../util/constants.ts";
import { type Answer, type CaseName, CASES, DOCUMENTS, FILE_CALLS } from "./caller_files_run.ts";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

interface Recorded {
  call: string;
  case: CaseName;
  ok?: true;
  code?: number;
  domain?: number;
  message?: string;
}
const RECORDED: Recorded[] = JSON.parse(
  Deno.readTextFileSync(here("./fixtures/caller_files/expected.json")),
);

/** The status each errno text at the end of a system error answers with. */
const BY_ERRNO: Record<string, number> = {
  "No such file or directory": 404,
  "Is a directory": 400,
  "Permission denied": 403,
};

const open = (p: string) => `Failed to open file '${p}'`;
const create = (p: string) => `Failed to create file '${p}'`;
const dir = (p: string) => `cannot open directory '${p}'`;
/**
 * libvirt 9.0's messages on `qemu:///session` by call and case (`{p}`: the file): the QEMU
 * driver's `qemuDomainOpenFileAs` (qemu_domain.c: "Failed to create file"/"Failed to open file"
 * and the errno) and `qemuSaveImageOpen` (qemu_saveimage.c: a directory opens, its header read
 * fails, "failed to read qemu header", VIR_ERR_OPERATION_FAILED); the storage driver's refresh
 * of a `dir` pool (`virStorageBackendRefreshLocal` → `virDirOpen`, virfile.c: "cannot open
 * directory", VIR_FROM_NONE).
 */
const QEMU_C: Record<string, Partial<Record<CaseName, string>>> = {
  domainSaveFlags: {
    "missing directory": `${create("{p}")}: No such file or directory`,
    directory: `${create("{p}")}: Is a directory`,
    "unreadable file": `${create("{p}")}: Permission denied`,
  },
  ...Object.fromEntries(
    ["domainRestoreFlags", "domainSaveImageGetXMLDesc", "domainSaveImageDefineXML"].map((c) => [
      c,
      {
        "missing file": `${open("{p}")}: No such file or directory`,
        "missing directory": `${open("{p}")}: No such file or directory`,
        directory: "operation failed: failed to read qemu header",
        "unreadable file": `${open("{p}")}: Permission denied`,
      },
    ]),
  ),
  ...Object.fromEntries(
    ["storagePoolCreateXML", "storagePoolCreate"].map((c) => [c, {
      "missing file": `${dir("{p}")}: No such file or directory`,
      "missing directory": `${dir("{p}")}: No such file or directory`,
      "unreadable file": `${dir("{p}")}: Permission denied`,
    }]),
  ),
};

/** Runs the calls in a child without DAC override (as root), and gives its answers. */
async function answers(): Promise<Answer[]> {
  const deno = [Deno.execPath(), "run", "-A", "--quiet", here("./caller_files_run.ts")];
  const argv = Deno.uid() === 0
    ? ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", ...deno]
    : deno;
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  assert.equal(out.code, 0, text.decode(out.stderr));
  return text.decode(out.stdout).trim().split("\n").map((l) => JSON.parse(l));
}

/** The case's file as the answers spell it. */
const placed = (a: Answer) => CASES[a.case]("{dir}", a.call);

Deno.test({
  name: "a missing, directory or unreadable file the caller names is a 4xx with libvirt's error",
  fn: async (t) => {
    // Every call the contract marks is driven, and each document-marked call has a document.
    for (const [call, decl] of FILE_CALLS) {
      if (decl.args.some((a) => a.files === "xml")) assert.ok(DOCUMENTS[call], call);
    }
    const all = await answers();
    const targets = ["test:///default", "qemu:///session"];
    for (const target of targets) {
      const driven = new Set(all.filter((a) => a.target === target).map((a) => a.call));
      assert.deepEqual([...driven].sort(), FILE_CALLS.map(([c]) => c).sort(), target);
    }

    await t.step("no 500, and a system error's status is its errno's", () => {
      for (const a of all) {
        const where = `${a.target} ${a.call} ${a.case}: ${a.status} ${a.message}`;
        assert.notEqual(a.status, 500, where);
        if (a.code !== VIR.ERR_SYSTEM_ERROR) continue;
        const errno = a.message!.slice(a.message!.lastIndexOf(": ") + 2);
        assert.equal(a.status, BY_ERRNO[errno], where);
      }
    });

    await t.step("test:///default answers as libvirt 9.0's test driver (recorded)", () => {
      for (const r of RECORDED) {
        const a = all.find((x) =>
          x.target === "test:///default" && x.call === r.call && x.case === r.case
        );
        assert.ok(a, `${r.call} ${r.case} was not driven`);
        // The recording names each call's missing file apart; the runner's lie in one folder each.
        const message = r.message?.replace(/\{dir\}\/missing-\w+/, "{dir}/missing");
        const got = a.status === 200 ? { ok: true } : {
          code: a.code,
          domain: a.domain,
          message: a.message,
        };
        const want = r.ok ? { ok: true } : { code: r.code, domain: r.domain, message };
        assert.deepEqual(got, want, `${r.call} ${r.case}`);
      }
    });

    await t.step("qemu:///session answers libvirt 9.0's QEMU and storage drivers' errors", () => {
      for (const [call, cases] of Object.entries(QEMU_C)) {
        for (const [name, message] of Object.entries(cases)) {
          const a = all.find((x) =>
            x.target === "qemu:///session" && x.call === call && x.case === name
          );
          assert.ok(a, `${call} ${name} was not driven`);
          assert.equal(a.message, message.replace("{p}", placed(a)), `${call} ${name}`);
        }
      }
    });
  },
});
