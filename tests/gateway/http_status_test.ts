// The HTTP status of every libvirt error code: user errors are 4xx (a missing object 404, a state
// conflict 409, a bad request 400), only failures of the host itself are 500; and the statuses
// the router gives (404 for no resource, 405 with Allow for a method a resource lacks).
import assert from "node:assert/strict";
import { VIR } from "../../util/constants.ts";
import { errorCodeName, VirError } from "../../util/errors.ts";
import {
  callerFileStatus,
  callStatus,
  errorResponse,
  HTTP_STATUS,
  httpStatus,
} from "../../gateway/http_status.ts";
import { CONTRACT } from "../../util/contract/mod.ts";
import { domainXml, rpc, startGateway, TOKENS } from "./helpers.ts";

/** What may be 500: the host failing (memory, I/O, RPC, hooks, firewall), never the caller. */
const HOST_FAILURES = new Set([
  "INTERNAL_ERROR",
  "NO_MEMORY",
  "GET_FAILED",
  "POST_FAILED",
  "HTTP_ERROR",
  "SEXPR_SERIAL",
  "NO_XEN",
  "XEN_CALL",
  "NO_XENSTORE",
  "CALL_FAILED",
  "OPEN_FAILED",
  "READ_FAILED",
  "WRITE_FAILED",
  "SYSTEM_ERROR",
  "RPC",
  "GNUTLS_ERROR",
  "BUILD_FIREWALL",
  "MIGRATE_PERSIST_FAILED",
  "HOOK_SCRIPT_FAILED",
  "STORAGE_PROBE_FAILED",
  "SSH",
  "DBUS_SERVICE",
  "MIGRATE_FINISH_OK",
  "LIBSSH",
]);

/** The status by code for the codes whose class the issue names. */
const NAMED: Record<string, number> = {
  NO_DOMAIN: 404,
  NO_CONNECT: 404,
  NO_STORAGE_VOL: 404,
  NO_NETWORK_PORT: 404,
  DOM_EXIST: 409,
  OPERATION_INVALID: 409,
  OPERATION_FAILED: 409,
  STORAGE_VOL_EXIST: 409,
  INVALID_ARG: 400,
  XML_ERROR: 400,
  CONFIG_UNSUPPORTED: 400,
  AUTH_FAILED: 401,
  OPERATION_DENIED: 403,
  ACCESS_DENIED: 403,
  NO_SUPPORT: 501,
  RESOURCE_BUSY: 503,
  OPERATION_TIMEOUT: 504,
};

// virErrorLevel's names share the prefix; VIR_ERR_OK is no error.
const LEVELS = new Set(["ERR_NONE", "ERR_WARNING", "ERR_ERROR", "ERR_OK"]);

Deno.test("every libvirt error code has its status; only host failures are 500", async (t) => {
  const codes = Object.entries(VIR).filter(([k]) => k.startsWith("ERR_") && !LEVELS.has(k));
  assert.equal(codes.length, 104);
  for (const [key, code] of codes) {
    const name = key.slice(4);
    await t.step(name, () => {
      assert.ok(HTTP_STATUS.has(code), `VIR_ERR_${name} has no status`);
      const status = httpStatus(new VirError(code, VIR.FROM_RPC, "x"));
      assert.equal(errorCodeName(code), `VIR_ERR_${name}`);
      if (name in NAMED) assert.equal(status, NAMED[name]);
      assert.equal(status === 500, HOST_FAILURES.has(name), `${name}: ${status}`);
      assert.ok(status >= 400 && status < 600);
    });
  }
  await t.step(
    "system errors about a file the caller named are the caller's, not the host's",
    () => {
      const sys = (message: string) =>
        httpStatus(new VirError(VIR.ERR_SYSTEM_ERROR, VIR.FROM_QEMU, message));
      assert.equal(sys(`Failed to open file '/x/${"n".repeat(300)}': File name too long`), 400);
      // Without the call that named the file, a system error is the host's.
      assert.equal(sys("cannot read domain image '/nope': No such file or directory"), 500);
      assert.equal(sys("cannot create directory '/run/x': No such file or directory"), 500);
    },
  );
  await t.step("a NUMA cell the host lacks is the caller's, though libvirt says internal", () => {
    // virHostMemGetCellsFree on qemu:///session (found by the wire fuzzer)
    const internal = (message: string) =>
      httpStatus(new VirError(VIR.ERR_INTERNAL_ERROR, VIR.FROM_NONE, message));
    assert.equal(internal("internal error: start cell 1073394545 out of range (0-0)"), 400);
    assert.equal(internal("internal error: cannot read /proc/meminfo"), 500);
  });
  await t.step("a system error about a file the call's arguments name is the caller's", () => {
    const sys = (message: string) => new VirError(VIR.ERR_SYSTEM_ERROR, VIR.FROM_QEMU, message);
    const restore = (from: string, message: string) =>
      callerFileStatus(CONTRACT.domainRestoreFlags, [from, null, 0], sys(message));
    assert.equal(
      restore("/nope", "cannot read domain image '/nope': No such file or directory"),
      404,
    );
    assert.equal(
      restore("/nope\n", "Failed to open file '/nope\n': No such file or directory"),
      404,
    );
    assert.equal(restore("/d", "incomplete save header in '/d': Is a directory"), 400);
    assert.equal(restore("/x", "cannot read domain image '/x': Permission denied"), 403);
    // Another file than the caller's, an errno that is the host's, another code: not the caller's.
    assert.equal(
      restore("/x", "cannot create directory '/run/x': No such file or directory"),
      undefined,
    );
    assert.equal(restore("/x", "cannot read domain image '/x': Input/output error"), undefined);
    const internal = VirError.report("QEMU", "INTERNAL_ERROR", "'/x': No such file or directory");
    assert.equal(
      callerFileStatus(CONTRACT.domainRestoreFlags, ["/x", null, 0], internal),
      undefined,
    );
    // A document's file: the quoted path is in it; a definition's: any absolute path.
    const pool = "<pool type='dir'><name>p</name><target><path>/t</path></target></pool>";
    const dirMissing = sys("cannot open directory '/t': No such file or directory");
    assert.equal(callerFileStatus(CONTRACT.storagePoolCreateXML, [pool, 0], dirMissing), 404);
    assert.equal(
      callerFileStatus(CONTRACT.storagePoolCreate, [{ name: "p", uuid: "" }, 0], dirMissing),
      404,
    );
    const other = sys("cannot open directory '/u': No such file or directory");
    assert.equal(callerFileStatus(CONTRACT.storagePoolCreateXML, [pool, 0], other), undefined);
  });
  await t.step("a lookup that fails without saying why found nothing: 404", () => {
    const unknown = VirError.bare(
      "NONE",
      "INTERNAL_ERROR",
      "An error occurred, but the cause is unknown",
    );
    const wwn = ["20000000c9831b4b", "10000000c9831b4b", 0];
    const lookup = CONTRACT.nodeDeviceLookupSCSIHostByWWN;
    assert.equal(callStatus("nodeDeviceLookupSCSIHostByWWN", lookup, wwn, unknown), 404);
    // Elsewhere the same error is a failure of the host's.
    const detach = CONTRACT.domainDetachDeviceFlags;
    assert.equal(
      callStatus("domainDetachDeviceFlags", detach, [{}, "<disk/>", 0], unknown),
      undefined,
    );
  });
  await t.step("a thrown non-libvirt error is libvirt's internal error, 500", async () => {
    const res = errorResponse(new Error("boom"));
    assert.equal(res.status, 500);
    assert.equal((await res.json()).code, VIR.ERR_INTERNAL_ERROR);
  });
});

Deno.test("the gateway answers user errors with 4xx, never 500", async () => {
  const gw = await startGateway();
  const auth = { authorization: `Bearer ${TOKENS.full}` };
  const req = (path: string, init: RequestInit = {}) =>
    gw.app.request(path, { ...init, headers: { ...auth, ...init.headers } });
  try {
    const cases: [string, Response | Promise<Response>, number, string][] = [
      ["an unknown driver path", req("/v1/nosuch/default/domains"), 404, "VIR_ERR_NO_CONNECT"],
      ["an unknown domain", req("/v1/test/default/domains/nosuch"), 404, "VIR_ERR_NO_DOMAIN"],
      [
        "an unknown route",
        req("/v1/test/default/nosuch/thing/more"),
        404,
        "VIR_ERR_RPC",
      ],
      [
        "start of a running domain",
        req("/v1/test/default/domains/test/start", { method: "POST" }),
        409,
        // libvirt's test driver says so with an internal error: the status tells what it is.
        "VIR_ERR_INTERNAL_ERROR",
      ],
      [
        "a second domain of the same name",
        req("/v1/test/default/domains", {
          method: "POST",
          headers: { "content-type": "application/xml" },
          body: domainXml("test").replace(
            "<name>",
            "<uuid>11111111-2222-3333-4444-555555555555</uuid><name>",
          ),
        }),
        409,
        "VIR_ERR_OPERATION_FAILED",
      ],
      [
        "XML that is not XML",
        req("/v1/test/default/domains", {
          method: "POST",
          headers: { "content-type": "application/xml" },
          body: "<domain",
        }),
        400,
        "VIR_ERR_XML_DETAIL",
      ],
      [
        "a body that is not JSON",
        req("/v1/test/default/call/connectListAllDomains", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "[0",
        }),
        400,
        "VIR_ERR_INVALID_ARG",
      ],
    ];
    // Beyond the remote protocol's limits (found by the wire fuzzer: these were 500s).
    const over = (method: string, args: unknown[]) =>
      req(`/v1/test/default/call/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(args),
      });
    const TEST = { name: "test", uuid: "6695eb01-f6a4-8304-79aa-97f2502e193f", id: 1 };
    const params = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`p${i}`, i]));
    cases.push(
      [
        "typed parameters beyond REMOTE_DOMAIN_IOTHREAD_PARAMS_MAX",
        over("domainSetIOThreadParams", [TEST, 1, params, 0]),
        400,
        "VIR_ERR_RPC",
      ],
      [
        "pages beyond REMOTE_NODE_MAX_PAGES",
        over("nodeGetFreePages", [Array(1025).fill(4), 0, 1, 0]),
        400,
        "VIR_ERR_RPC",
      ],
      [
        "cells beyond REMOTE_NODE_MAX_CELLS",
        over("nodeGetFreePages", [[4], 0, 4294967295, 0]),
        400,
        "VIR_ERR_RPC",
      ],
    );
    cases.push([
      // libvirt's test driver says so with an internal error (found by the wire fuzzer).
      "a keycode its codeset lacks",
      over("domainSendKey", [TEST, 2, 0, [389], 0]),
      400,
      "VIR_ERR_INTERNAL_ERROR",
    ], [
      // A system error, but the caller's file name (found by the wire fuzzer on qemu:///session).
      "a save image name longer than a file name can be",
      over("domainSaveImageGetXMLDesc", ["a".repeat(300), 0]),
      400,
      "VIR_ERR_SYSTEM_ERROR",
    ]);
    for (const [what, pending, status, code] of cases) {
      const res = await pending;
      const body = await res.json();
      assert.deepEqual([res.status, errorCodeName(body.code)], [status, code], what);
    }
    const put = await req("/v1/test/default/domains/test", {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get("allow"), "GET, PUT, DELETE, HEAD");
    assert.equal(errorCodeName((await put.json()).code), "VIR_ERR_OPERATION_UNSUPPORTED");
    const { status } = await rpc(gw, "domainCreateWithFlags", [{ name: "test" }, 0], TOKENS.full);
    assert.notEqual(status, 500);
  } finally {
    await gw.close();
  }
});
