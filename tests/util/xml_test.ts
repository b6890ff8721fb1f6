import assert from "node:assert/strict";
import fc from "fast-check";
import {
  child,
  childText,
  element,
  escapeXml,
  parse,
  stringify,
  textOf,
} from "../../util/xml/mod.ts";
import { VirError } from "../../util/errors.ts";

function rejects(xml: string, opts = {}): VirError {
  try {
    parse(xml, { context: "(domain_definition)", errorDomain: "DOMAIN", ...opts });
  } catch (e) {
    assert.ok(e instanceof VirError, `not a VirError: ${e}`);
    return e;
  }
  throw new Error(`accepted: ${xml}`);
}

Deno.test("malformed XML: libvirt's code, domain and libxml2-style message with a caret", () => {
  const e = rejects("<domain type='test'><name>broken</name>");
  assert.equal(e.code, 35);
  assert.equal(e.codeName, "VIR_ERR_XML_DETAIL");
  assert.equal(e.domain, 20);
  // Byte for byte what libvirt 9.0 answered (oracle/examples/scenarios/errors.out.jsonl).
  assert.equal(
    e.message,
    "(domain_definition):1: Premature end of data in tag domain line 1\n" +
      "<domain type='test'><name>broken</name>\n" +
      "---------------------------------------^",
  );
});

Deno.test("an error after the final newline shows libxml2's (null) context line", () => {
  const e = rejects("<domain type='test'>\n  <name>x</name><memory>1024</memory>\n");
  assert.equal(
    e.message,
    "(domain_definition):3: Premature end of data in tag domain line 1\n(null)\n^",
  );
});

Deno.test("text before any element: libxml2's 'Start tag expected' at the first character", () => {
  assert.equal(
    rejects("not xml at all").message,
    "(domain_definition):1: Start tag expected, '<' not found\nnot xml at all\n^",
  );
  assert.equal(
    rejects("  not xml").message,
    "(domain_definition):1: Start tag expected, '<' not found\n  not xml\n--^",
  );
});

Deno.test("libxml2's wording for truncated and mismatched documents", () => {
  // Each expectation is what libvirt 9.0 answered for the same input (the oracle's canon.sh).
  const cases: [string, string][] = [
    ["<domain\n", "2: Couldn't find end of Start Tag domain line 1\n(null)\n^"],
    ["<domain type='x'", "1: attributes construct error\n<domain type='x'\n----------------^"],
    ["<domain><name>x</name", "1: expected '>'\n<domain><name>x</name\n---------------------^"],
    [
      "<domain><name",
      "1: Couldn't find end of Start Tag name line 1\n<domain><name\n-------------^",
    ],
    [
      "<domain><name>x",
      "1: Premature end of data in tag name line 1\n<domain><name>x\n---------------^",
    ],
    [
      "<domain></dom>",
      "1: Opening and ending tag mismatch: domain line 1 and dom\n<domain></dom>\n--------------^",
    ],
    [
      "<a><x/><b>\n</c></a>",
      "2: Opening and ending tag mismatch: b line 1 and c\n</c></a>\n----^",
    ],
  ];
  for (const [xml, message] of cases) {
    assert.equal(rejects(xml).message, `(domain_definition):${message}`, JSON.stringify(xml));
  }
});

Deno.test("a document that ends inside a start tag: xmlParseStartTag2's first error and place", () => {
  // What libxml2 2.9.14 (the one libvirt 9.0 links on Debian 12) says for each: `xmllint --noout`.
  const cases: [string, string, number][] = [
    ["<pool", "Couldn't find end of Start Tag pool line 1", 5],
    ["<a><b>x<", "StartTag: invalid element name", 8],
    ["<a x", "Specification mandates value for attribute x", 4],
    ["<a x='1' y  ", "Specification mandates value for attribute y", 12],
    ["<a x=", `AttValue: " or ' expected`, 5],
    ["<a x = ", `AttValue: " or ' expected`, 7],
    ["<a x='1", "AttValue: ' expected", 7],
    ["<a x='1'", "attributes construct error", 8],
    ["<a x='1'/", "attributes construct error", 8],
    ["<a x='1' ", "Couldn't find end of Start Tag a line 1", 9],
    ["<a x='1' /", "error parsing attribute name", 9],
    ["<a/", "error parsing attribute name", 2],
  ];
  for (const [xml, message, column] of cases) {
    assert.equal(
      rejects(xml).message,
      `(domain_definition):1: ${message}\n${xml}\n${"-".repeat(column)}^`,
      JSON.stringify(xml),
    );
  }
});

Deno.test("expectRoot: another root element is libvirt's XML_ERROR from VIR_FROM_XML", () => {
  const e = rejects("<network><name>x</name></network>", { expectRoot: "domain" });
  assert.deepEqual([e.code, e.domain], [27, 5]);
  assert.equal(e.message, "XML error: expecting root element of 'domain', not 'network'");
});

Deno.test("DOCTYPE and entity declarations are refused (no XXE, no billion laughs)", () => {
  const lol =
    `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>` +
    `<domain>&lol2;</domain>`;
  assert.match(rejects(lol).message, /DOCTYPE is not allowed/);
  const xxe = `<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>`;
  assert.match(rejects(xxe).message, /DOCTYPE is not allowed/);
  assert.match(rejects("<d>&undefined;</d>").message, /Entity error/);
});

Deno.test("size, depth and attribute caps", () => {
  assert.equal(rejects("<a>" + "x".repeat(100) + "</a>", { maxSize: 50 }).code, 27);
  const deep = "<a>".repeat(300) + "</a>".repeat(300);
  assert.match(rejects(deep).message, /Excessive depth/);
  const attrs = Array.from({ length: 300 }, (_, i) => `a${i}='1'`).join(" ");
  assert.match(rejects(`<a ${attrs}/>`).message, /too many attributes/);
  // The default cap is libvirt's 4 MiB wire limit.
  const big = "<a>" + "x".repeat(4 * 1024 * 1024) + "</a>";
  assert.equal(rejects(big).code, 27);
});

Deno.test("predefined entities and character references decode; output re-escapes like libvirt", () => {
  const root = parse(`<d a="&quot;x&apos;">&lt;&amp;&#65;&#x42;</d>`);
  assert.equal(root.attributes.a, `"x'`);
  assert.equal(textOf(root), "<&AB");
  assert.equal(childText(parse("<d><t>x</t></d>"), "t"), "x");
  assert.equal(stringify(root), "<d a='&quot;x&apos;'>&lt;&amp;AB</d>\n");
  assert.equal(escapeXml("a\u0001b\tc"), "ab\tc");
});

Deno.test("stringify: libvirt's canonical layout", () => {
  const el = element("domain", { type: "test", id: undefined }, [
    element("name", {}, ["vm"]),
    element("devices", {}, [element("disk", { type: "file" }), undefined, false]),
  ]);
  assert.equal(
    stringify(el),
    "<domain type='test'>\n  <name>vm</name>\n  <devices>\n    <disk type='file'/>\n  </devices>\n</domain>\n",
  );
  const parsed = parse(stringify(el));
  assert.equal(child(child(parsed, "devices"), "disk")?.attributes.type, "file");
});

Deno.test("namespaced metadata round-trips with its prefixes", () => {
  const xml =
    `<metadata><app:x xmlns:app="http://example.org/app" app:k="v"><app:y/></app:x></metadata>`;
  assert.equal(
    stringify(parse(xml)),
    "<metadata>\n  <app:x xmlns:app='http://example.org/app' app:k='v'>\n    <app:y/>\n  </app:x>\n</metadata>\n",
  );
});

Deno.test("fuzz: arbitrary strings and mutated documents never throw anything but VirError", () => {
  const seed = `<domain type='kvm'><name>a</name><memory unit='MiB'>1</memory>` +
    `<devices><disk type='file' device='disk'><source file='/x'/></disk></devices></domain>`;
  const mutated = fc.tuple(fc.nat(seed.length), fc.nat(20), fc.string({ maxLength: 8 })).map(
    ([at, del, ins]) => seed.slice(0, at) + ins + seed.slice(at + del),
  );
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 200 }), mutated), (s) => {
      try {
        const root = parse(s);
        assert.equal(typeof stringify(root), "string");
      } catch (e) {
        if (!(e instanceof VirError)) throw e;
      }
    }),
    // EDGEVIRT_XML_FUZZ_RUNS: a longer run (tests/bench/HARDENING.md).
    { numRuns: Number(Deno.env.get("EDGEVIRT_XML_FUZZ_RUNS") ?? 2000) },
  );
});
