/**
 * Generates the argument-check cases from the contract: for every call with public-API checks,
 * one call per check that breaks exactly that check (a read-only connection, a zero, a NULL, an
 * empty list, a forbidden flag pair, …) with otherwise ordinary arguments aimed at objects of
 * test:///default. `record.sh` runs them through python-libvirt against libvirt 9.0 and keeps
 * libvirt's answers; `tests/gateway/public_checks_test.ts` replays them raw at the gateway.
 *
 *     deno run tests/tools/public_checks/cases.ts > cases.json
 *
 * @module
 */
import { type Arg, type Check, CONTRACT, type DriverMethod } from "../../../util/contract/mod.ts";
import { callInfo } from "../../../util/contract/mod.ts";
import { VIR } from "../../../util/constants.ts";

/** One generated case: the call, the rule it breaks, and whether it runs read-only. */
export interface CheckCase {
  /** The driver method. */
  method: DriverMethod;
  /** What the case breaks, for reports ("readonly", "nonZero nvcpus", …). */
  breaks: string;
  /** The positional wire arguments. */
  args: unknown[];
  /** Run on a read-only connection (token). */
  readonly: boolean;
  /** The declared kind of each argument, for the recorder. */
  kinds: string[];
  /** libvirt's public API name, for the recorder. */
  api: string;
}

const TEST_DOM = { name: "test", uuid: "6695eb01-f6a4-8304-79aa-97f2502e193f", id: 1 };

/**
 * Typed parameters each setter knows (python-libvirt refuses names the getter does not list,
 * before libvirt's checks run).
 */
const PARAMS: Partial<Record<DriverMethod, Record<string, unknown>>> = {
  domainSetBlkioParameters: { weight: 100 },
  domainSetMemoryParameters: { hard_limit: 1048576 },
  domainSetNumaParameters: { numa_nodeset: "0" },
  domainSetPerfEvents: { cmt: false },
  domainSetInterfaceParameters: { "inbound.average": 10 },
  domainSetBlockIoTune: { total_bytes_sec: 1 },
  domainSetSchedulerParametersFlags: { weight: 100 },
};

/** An ordinary value for each argument, by kind and name, aimed at test:///default. */
function sample(arg: Arg, method: DriverMethod): unknown {
  switch (arg.kind) {
    case "dom":
      return TEST_DOM;
    case "net":
      return { name: "default", uuid: "dd8fe884-6c02-601e-7551-cca97df1c5df" };
    case "netport":
      return { network: "default", uuid: "00000000-0000-0000-0000-000000000003" };
    case "pool":
      return { name: "default-pool", uuid: "dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566" };
    case "vol":
      return { pool: "default-pool", name: "checks.img", key: "/default-pool/checks.img" };
    case "dev":
      return { name: "computer" };
    case "iface":
      return { name: "eth1", mac: "aa:bb:cc:dd:ee:ff" };
    case "secret":
      return { uuid: "00000000-0000-0000-0000-000000000001", usageType: 0, usageID: "x" };
    case "nwfilter":
      return { name: "clean-traffic", uuid: "00000000-0000-0000-0000-000000000002" };
    case "nwbinding":
      return { portdev: "vnet0", filtername: "clean-traffic" };
    case "int":
    case "uint":
    case "long":
    case "ulong":
      return arg.name === "flags" ? 0 : 1;
    case "uuid":
      return TEST_DOM.uuid;
    case "str":
    case "str?":
      // The test domain's own disk and interface, so that python-libvirt's reads before a
      // set (it asks for the current parameters first) succeed.
      return { name: "s1", disk: "vda", device: "testnet0", path: "vda" }[arg.name] ?? "x";
    case "bool":
      return true;
    case "str[]":
      return ["x"];
    case "num[]":
      return [1];
    case "bool[]":
      return [true];
    case "params":
      return PARAMS[method] ?? { x: 1 };
  }
}

const flag = (name: string) => (VIR as Record<string, number>)[name];

/** The argument list that breaks `check` and nothing before it, or undefined if none can. */
function breaking(
  method: DriverMethod,
  args: readonly Arg[],
  check: Check,
): { args: unknown[]; readonly: boolean; breaks: string } | undefined {
  const base = args.map((a) => sample(a, method));
  const flagsAt = args.findIndex((a) => a.name === "flags");
  const set = (i: number, v: unknown) => base.map((x, j) => (j === i ? v : x));
  switch (check.check) {
    case "readonly": {
      let out = base;
      if (check.ifFlag) out = set(flagsAt, flag(check.ifFlag));
      if (check.ifArg) out = out.map((x, j) => (j === check.ifArg![0] ? check.ifArg![1] : x));
      return { args: out, readonly: true, breaks: "readonly" };
    }
    case "requireFlag":
      return { args: set(flagsAt, flag(check.flags[0])), readonly: false, breaks: check.check };
    case "exclusiveFlags":
      return {
        args: set(flagsAt, flag(check.flags[0]) | flag(check.flags[1])),
        readonly: false,
        breaks: check.check,
      };
    case "custom":
      return undefined;
    default: {
      const a = args[check.arg];
      const empty = Array.isArray(base[check.arg]) ? [] : {};
      const bad: Record<string, unknown> = {
        nonNull: null,
        isNull: "x",
        nonZero: 0,
        zero: 1,
        nonNegative: -1,
        positive: 0,
        nonEmpty: "",
      };
      const v = check.length ? empty : bad[check.check];
      return {
        args: set(check.arg, v),
        readonly: false,
        breaks: `${check.check} ${check.length ?? a.name}`,
      };
    }
  }
}

/** Cases for the checks that are not one of libvirt's macros: the arguments that break them. */
const CUSTOM: Partial<Record<DriverMethod, (base: unknown[]) => unknown[][]>> = {
  nodeGetCPUStats: () => [[-2, 0]],
  nodeGetMemoryStats: () => [[-2, 0]],
  domainCoreDumpWithFormat: () => [[TEST_DOM, "/tmp/edgevirt-core", 5, 0]],
  domainGetCPUStats: () => [[TEST_DOM, -1, 2, 0], [TEST_DOM, -2, 1, 0]],
  domainGetMetadata: () => [
    [TEST_DOM, VIR.DOMAIN_METADATA_TITLE, "http://x/", 0],
    [TEST_DOM, VIR.DOMAIN_METADATA_ELEMENT, null, 0],
  ],
  domainSetMetadata: () => [
    [TEST_DOM, VIR.DOMAIN_METADATA_TITLE, "a\nb", null, null, 0],
    [TEST_DOM, VIR.DOMAIN_METADATA_DESCRIPTION, "d", null, "http://x/", 0],
    [TEST_DOM, VIR.DOMAIN_METADATA_DESCRIPTION, "d", "k", null, 0],
    [TEST_DOM, VIR.DOMAIN_METADATA_ELEMENT, "<a/>", "k", null, 0],
    [TEST_DOM, VIR.DOMAIN_METADATA_ELEMENT, "<a/>", null, "http://x/", 0],
  ],
  domainSendKey: () => [[TEST_DOM, 10, 0, [1], 0], [TEST_DOM, 0, 0, new Array(17).fill(1), 0]],
  domainSetLifecycleAction: () => [[TEST_DOM, 3, 0, 0], [TEST_DOM, 0, 6, 0]],
  storageVolResize: (base) => [[base[0], 0, 0]],
  domainSetMaxMemory: () => [[TEST_DOM, -1]],
  domainSetMemoryFlags: () => [[TEST_DOM, -1, 0]],
};

/** Cases for libvirt's remote-protocol limits (checked where a call crosses the wire). */
const WIRE: Partial<Record<DriverMethod, unknown[][]>> = {
  nodeGetCellsFreeMemory: [[0, 2000]],
  nodeGetFreePages: [[[4, 2048], 0, 600, 0]],
  domainGetCPUStats: [[TEST_DOM, 0, 200, 0]],
  domainBlockPeek: [[TEST_DOM, "vda", 0, 5000000, 0]],
  domainMemoryPeek: [[TEST_DOM, 0, 5000000, 0]],
};

/** Every case the contract's checks give. */
export function checkCases(): CheckCase[] {
  const cases: CheckCase[] = [];
  for (const method of Object.keys(CONTRACT) as DriverMethod[]) {
    const { decl, api } = callInfo(method);
    const kinds = decl.args.map((a) => a.kind);
    const customs = (decl.checks ?? []).filter((c): c is Extract<Check, { check: "custom" }> =>
      c.check === "custom"
    );
    const add = (breaks: string, args: unknown[][]) => {
      for (const a of args) cases.push({ method, breaks, args: a, readonly: false, kinds, api });
    };
    if (customs.some((c) => !c.wire)) {
      add("custom", CUSTOM[method]?.(decl.args.map((a) => sample(a, method))) ?? []);
    }
    if (customs.some((c) => c.wire)) add("wire", WIRE[method] ?? []);
    for (const check of decl.checks ?? []) {
      if (check.check === "custom") continue;
      const b = breaking(method, decl.args, check);
      if (b) cases.push({ method, ...b, kinds, api });
    }
  }
  return cases;
}

if (import.meta.main) console.log(JSON.stringify(checkCases(), null, 1));
