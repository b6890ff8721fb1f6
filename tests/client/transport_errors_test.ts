// A connection that fails before the gateway answers is a VirError naming the cause with
// libvirt's remote-driver words (virNetSocket, virNetTLSContext): VIR_ERR_SYSTEM_ERROR (38) in
// VIR_FROM_RPC (7). First the errors each runtime's fetch really throws (recorded from Deno 2.9
// and Node 20 against a closed port, an unknown host, an untrusted certificate and a missing
// socket), then real refused connections through the portable client and the host's.
import assert from "node:assert/strict";
import { connect as connectPortable, VirError } from "../../mod.ts";
import { connect as connectHost } from "../../host.ts";
import { transportError } from "../../client/remote/http.ts";

const ORIGIN = { origin: "http://127.0.0.1:16510" };
const failed = (cause: { message: string; code?: string }) =>
  Object.assign(new TypeError("fetch failed"), { cause });
const deno = (what: string) =>
  failed({ message: `error sending request for url (${ORIGIN.origin}/): client error (${what}` });

const CASES: [string, unknown, { origin: string; socket?: string }, string][] = [
  [
    "Deno, refused",
    deno("Connect): tcp connect error: Connection refused (os error 111)"),
    ORIGIN,
    "unable to connect to server at '127.0.0.1:16510': Connection refused",
  ],
  [
    "Node, refused",
    failed({ message: "connect ECONNREFUSED 127.0.0.1:16510", code: "ECONNREFUSED" }),
    ORIGIN,
    "unable to connect to server at '127.0.0.1:16510': Connection refused",
  ],
  [
    "host (http1), refused",
    new Error("Connection refused (os error 111)"),
    { origin: "http://[::1]:16510" },
    "unable to connect to server at '::1:16510': Connection refused",
  ],
  [
    "Deno, unknown host",
    deno("Connect): dns error: failed to lookup address information: Name or service not known"),
    { origin: "https://nosuch.invalid:16510" },
    "Unable to resolve address 'nosuch.invalid' service '16510': Name or service not known",
  ],
  [
    "Node, unknown host",
    failed({ message: "getaddrinfo ENOTFOUND nosuch.invalid", code: "ENOTFOUND" }),
    { origin: "http://nosuch.invalid:16510" },
    "Unable to resolve address 'nosuch.invalid' service '16510': Name or service not known",
  ],
  [
    "Deno, untrusted certificate",
    deno("Connect): invalid peer certificate: UnknownIssuer"),
    { origin: "https://127.0.0.1:16510" },
    "Certificate failed validation: The certificate hasn't got a known issuer.",
  ],
  [
    "Node, untrusted certificate",
    failed({
      message: "unable to verify the first certificate",
      code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    }),
    { origin: "https://127.0.0.1:16510" },
    "Certificate failed validation: The certificate hasn't got a known issuer.",
  ],
  [
    "Node, self-signed certificate",
    failed({ message: "self-signed certificate", code: "DEPTH_ZERO_SELF_SIGNED_CERT" }),
    { origin: "https://127.0.0.1:16510" },
    "Certificate failed validation: The certificate hasn't got a known issuer.",
  ],
  [
    "Deno, missing socket",
    deno("Connect): No such file or directory (os error 2)"),
    { origin: "http://localhost", socket: "/run/x/sock" },
    "Failed to connect socket to '/run/x/sock': No such file or directory",
  ],
  [
    "Node, refused socket",
    failed({ message: "connect ECONNREFUSED /run/x/sock", code: "ECONNREFUSED" }),
    { origin: "http://localhost", socket: "/run/x/sock" },
    "Failed to connect socket to '/run/x/sock': Connection refused",
  ],
];

Deno.test("each runtime's connection failure becomes libvirt's error naming the cause", async (t) => {
  for (const [name, thrown, target, message] of CASES) {
    await t.step(name, () => {
      const e = transportError(thrown, target);
      assert.deepEqual([e.code, e.domain, e.message], [38, 7, message]);
    });
  }
  await t.step("a timeout stays a timeout", () => {
    const e = transportError(new DOMException("Signal timed out.", "TimeoutError"), ORIGIN);
    assert.equal(e.codeName, "VIR_ERR_OPERATION_TIMEOUT");
  });
});

/** A loopback port nothing listens on (taken, then released). */
function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = l.addr as Deno.NetAddr;
  l.close();
  return port;
}

Deno.test("a refused connection names the server, through both clients", async () => {
  const port = closedPort();
  const uri = `test+http://127.0.0.1:${port}/default`;
  const expected = `unable to connect to server at '127.0.0.1:${port}': Connection refused`;
  for (const connect of [connectPortable, connectHost]) {
    const e = await connect(uri, { token: "t" }).catch((e) => e);
    assert.ok(e instanceof VirError, String(e));
    assert.deepEqual([e.codeName, e.domainName, e.message], [
      "VIR_ERR_SYSTEM_ERROR",
      "VIR_FROM_RPC",
      expected,
    ]);
  }
});
