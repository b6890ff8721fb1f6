// Access classification: every contract method has one, and the calls libvirt's public API
// refuses on a read-only connection are refused to read-only callers, while the reads it allows
// stay allowed.
import assert from "node:assert/strict";
import { methodAccess } from "../../gateway/access.ts";
import { callInfo, CONTRACT } from "../../util/contract/mod.ts";
import type { DriverMethod } from "../../util/driver.ts";
import { rpc, startGateway, TOKENS } from "./helpers.ts";

const TEST_DOM = { name: "test", uuid: "6695eb01-f6a4-8304-79aa-97f2502e193f", id: 1 };

/** libvirt 9.0 checks `virCheckReadOnlyGoto` in these entry points. */
const REFUSED_READ_ONLY: DriverMethod[] = [
  "domainFSTrim",
  "domainGetFSInfo",
  "domainSetUserPassword",
  "domainSendProcessSignal",
  "domainSetMetadata",
  "domainSetMemoryParameters",
  "domainSetNumaParameters",
  "domainSetBlkioParameters",
  "domainSetBlockIoTune",
  "domainSetInterfaceParameters",
  "domainSetPerfEvents",
  "domainSnapshotCreateXML",
  "domainRevertToSnapshot",
  "domainSnapshotDelete",
  "domainCheckpointCreateXML",
  "domainCheckpointDelete",
  "domainCreateWithFiles",
  "domainCreateXMLWithFiles",
];

/** … and not in these. */
const ALLOWED_READ_ONLY: DriverMethod[] = [
  "domainGetSecurityLabel",
  "domainGetSecurityLabelList",
  "domainGetMessages",
  "nodeGetSecurityModel",
  "domainGetMemoryParameters",
  "domainGetNumaParameters",
  "domainGetBlkioParameters",
  "domainGetBlockIoTune",
  "domainGetInterfaceParameters",
  "domainGetPerfEvents",
  "domainGetSchedulerParametersFlags",
  "domainGetMetadata",
  "domainSnapshotListNames",
  "domainListAllSnapshots",
  "domainSnapshotNum",
  "domainSnapshotNumChildren",
  "domainSnapshotListChildrenNames",
  "domainSnapshotListAllChildren",
  "domainSnapshotLookupByName",
  "domainHasCurrentSnapshot",
  "domainSnapshotCurrent",
  "domainSnapshotIsCurrent",
  "domainSnapshotHasMetadata",
  "domainSnapshotGetParent",
  "domainListAllCheckpoints",
  "domainCheckpointListAllChildren",
  "domainCheckpointLookupByName",
  "domainCheckpointGetParent",
  "connectGetCPUModelNames",
  "connectBaselineCPU",
  "connectSupportsFeature",
];

Deno.test("a call libvirt refuses on a read-only connection is never a plain read", () => {
  for (const method of Object.keys(CONTRACT) as DriverMethod[]) {
    const { decl } = callInfo(method);
    const refuses = decl.checks?.some((c) => c.check === "readonly" && !c.ifFlag && !c.ifArg);
    if (refuses) assert.notEqual(decl.access, "read", method);
  }
});

Deno.test("libvirt's read-only refusals need a full token; its read-only reads do not", () => {
  for (const m of REFUSED_READ_ONLY) {
    assert.notEqual(methodAccess(m, [TEST_DOM, 0, 0, 0]), "read", m);
  }
  for (const m of ALLOWED_READ_ONLY) assert.equal(methodAccess(m, [TEST_DOM, "s", 0]), "read", m);
});

Deno.test("snapshot, checkpoint, domain and managed-save XML are secret only with SECURE", () => {
  const cases: [DriverMethod, unknown[], unknown[]][] = [
    ["domainGetXMLDesc", [TEST_DOM, 0], [TEST_DOM, 1]],
    ["domainManagedSaveGetXMLDesc", [TEST_DOM, 0], [TEST_DOM, 1]],
    ["domainSnapshotGetXMLDesc", [TEST_DOM, "s", 0], [TEST_DOM, "s", 1]],
    ["domainCheckpointGetXMLDesc", [TEST_DOM, "c", 0], [TEST_DOM, "c", 1]],
  ];
  for (const [method, plain, secure] of cases) {
    assert.equal(methodAccess(method, plain), "read", method);
    assert.equal(methodAccess(method, secure), "secret", method);
  }
});

Deno.test("a read-only token is refused a new write with libvirt's message and allowed a new read", async () => {
  const gw = await startGateway();
  try {
    const trim = await rpc(gw, "domainFSTrim", [TEST_DOM, null, 0, 0], TOKENS.readOnly);
    assert.equal(trim.status, 403);
    assert.equal(
      trim.body.message,
      "operation forbidden: read only access prevents virDomainFSTrim",
    );
    const label = await rpc(gw, "domainGetSecurityLabel", [TEST_DOM], TOKENS.readOnly);
    assert.equal(label.status, 200, JSON.stringify(label.body));
    const xml = await rpc(gw, "domainSnapshotGetXMLDesc", [TEST_DOM, "s", 1], TOKENS.readOnly);
    assert.equal(
      xml.body.message,
      "operation forbidden: virDomainSnapshotGetXMLDesc with secure flag",
    );
  } finally {
    await gw.close();
  }
});

Deno.test("access classes agree with libvirt's @acl annotations (remote_protocol.x)", async () => {
  const acl: Record<string, string[]> = JSON.parse(
    await Deno.readTextFile(new URL("../fixtures/libvirt/remote_acl.json", import.meta.url)),
  );
  const byName = new Map(Object.entries(acl).map(([k, v]) => [k.toLowerCase(), v]));
  const READ = /^(read|getattr|search_\w+)$/;
  // Stricter than libvirt on purpose: a read-only token may not probe which host paths exist.
  const PROBES = new Set(["storagePoolLookupByTargetPath", "storageVolLookupByPath"]);
  const wrong: string[] = [];
  let compared = 0;
  for (
    const method of (Object.keys(CONTRACT) as DriverMethod[]).filter((m) => m !== "connectClose")
  ) {
    const perms = byName.get(method.toLowerCase());
    if (!perms) continue;
    compared++;
    const { decl } = callInfo(method);
    // Unconditional permissions only: `object:permission` without a flag condition.
    const always = perms.map((p) => p.split(":")).filter((p) => p.length === 2).map((p) => p[1]);
    const libvirtWrites = always.some((p) => !READ.test(p));
    const ours = typeof decl.access === "string" ? decl.access : "read";
    const refusesReadOnly = decl.checks?.some((c) => c.check === "readonly" && !c.ifFlag);
    if (libvirtWrites && ours === "read") wrong.push(`${method}: libvirt ${perms}, ours read`);
    if (!libvirtWrites && ours !== "read" && !refusesReadOnly && !PROBES.has(method)) {
      wrong.push(`${method}: libvirt ${perms}, ours ${ours}`);
    }
  }
  assert.deepEqual(wrong, []);
  assert.ok(compared > 250, `only ${compared} calls compared`);
});
