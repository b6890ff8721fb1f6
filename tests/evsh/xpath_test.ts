/**
 * evsh's XPath subset (`dumpxml --xpath`/`--wrap`) against answers virsh 9.0 printed for
 * test:///default's domain (recorded by hand with `virsh -c test:///default "dumpxml test
 * --xpath …"`), through the shell so that virsh's error discipline is covered too.
 */
import { connect } from "../../host.ts";
import { Shell } from "../../tools/evsh/mod.ts";
import { evaluateXPath, xpathDocument } from "../../tools/evsh/xpath.ts";
import { parse } from "../../util/xml/mod.ts";

function same(actual: unknown, expected: unknown): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`expected ${e}\n     got ${a}`);
}

async function run(line: string): Promise<{ out: string; err: string; ok: boolean }> {
  let out = "";
  let err = "";
  const conn = await connect("test:///default");
  try {
    const shell = new Shell(conn, {
      stdout: (s) => (out += s),
      stderr: (s) => (err += s),
      readFile: () => Promise.reject(new Error("unused")),
    }, { uri: "test:///default" });
    const ok = await shell.runLine(line);
    return { out, err, ok };
  } finally {
    await conn.close();
  }
}

Deno.test("dumpxml --xpath: elements, attributes and text as libxml2 writes them", async () => {
  same((await run("dumpxml test --xpath //disk/@type")).out, ' type="file"\n\n');
  same((await run("dumpxml test --xpath '//name/text()'")).out, "test\n\n");
  same(
    (await run("dumpxml test --xpath \"/domain/os/type[@arch='i686']\"")).out,
    '<type arch="i686">hvm</type>\n\n',
  );
  same((await run("dumpxml test --xpath //disk[1]/target/@dev")).out, ' dev="vda"\n\n');
  same(
    (await run("dumpxml test --xpath //os --wrap")).out,
    '<nodes>\n  <os>\n    <type arch="i686">hvm</type>\n    <boot dev="hd"/>\n  </os>\n</nodes>\n\n',
  );
  same((await run("dumpxml test --xpath //@type --wrap")).out, '<nodes type="pci"/>\n\n');
  same((await run("dumpxml test --xpath //title --wrap")).out, "<nodes/>\n\n");
});

Deno.test("dumpxml --xpath: libxml2's errors and virsh's refusals", async () => {
  same(await run("dumpxml test --xpath 'x['"), {
    out: "\n",
    err: "XPath error : Invalid expression\n",
    ok: true,
  });
  same(await run("dumpxml test --xpath 'count(//disk)'"), {
    out: "\n",
    err: "error: internal error: Incorrect xpath 'count(//disk)'\n",
    ok: false,
  });
  same((await run("dumpxml test --xpath ''")).ok, false);
});

Deno.test("xpath: predicates by position apply per parent, unions in document order", () => {
  const doc = xpathDocument(parse("<a><b><c n='1'/><c n='2'/></b><b><c n='3'/></b></a>"));
  const names = (expr: string) => {
    const r = evaluateXPath(doc, expr);
    return "nodes" in r ? r.nodes.map((n) => (n.kind === "attr" ? n.value : "")) : r;
  };
  same(names("//c[last()]/@n"), ["2", "3"]);
  same(names("//c[@n='3']/@n | //c[1]/@n"), ["1", "3"]);
  same(names("/a/b[2]/c/@n"), ["3"]);
  same(evaluateXPath(doc, "nosuch()"), { error: "Unregistered function" });
});
