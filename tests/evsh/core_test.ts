/**
 * The pure pieces of evsh that the virsh goldens cannot reach: evsh's own argument parsing,
 * the lexer's syntax errors, table layout with wide cells, and the `nodedev-list --tree`
 * drawing (test:///default rejects the listing flags virsh 9.0 sends, so no recording shows a
 * tree; the expected text is vshTreePrintInternal traced by hand).
 */
import { parseArgv } from "../../tools/evsh/argv.ts";
import { completions } from "../../tools/evsh/completion.ts";
import { LineEditor, splitKeys } from "../../tools/evsh/line_editor.ts";
import { usage } from "../../tools/evsh/usage.ts";
import { connect } from "../../host.ts";
import { formatTable } from "../../tools/evsh/table.ts";
import { lex } from "../../tools/evsh/tokenize.ts";
import { formatTree } from "../../tools/evsh/tree.ts";
import { splitList } from "../../tools/evsh/split_list.ts";

function same(actual: unknown, expected: unknown): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`expected ${e}\n     got ${a}`);
}

Deno.test("argv: virsh's getopt_long — bundles, prefixes, arguments and its error texts", () => {
  const inv = (args: string[]) => {
    const r = parseArgv(args);
    return typeof r === "string" ? r : { ...r };
  };
  const ok = (args: string[]) => {
    const r = parseArgv(args);
    if (typeof r === "string") throw new Error(r);
    return r;
  };
  same(inv(["-c", "test:///default", "list; uri"]), {
    mode: "line",
    words: ["list; uri"],
    uri: "test:///default",
  });
  same(inv(["--conn=test+http://h/default", "domstate", "test"]), {
    mode: "argv",
    words: ["domstate", "test"],
    uri: "test+http://h/default",
  });
  same(inv([]), { mode: "interactive", words: [] });
  same(inv(["-qrctest:///default", "uri"]), {
    mode: "line",
    words: ["uri"],
    quiet: true,
    readonly: true,
    uri: "test:///default",
  });
  same(inv(["-c"]), "option '-c'/'--connect' requires an argument");
  same(inv(["-x", "uri"]), "unsupported option '-x'. See --help.");
  same(inv(["--ke=1"]), "unsupported option '--ke=1'. See --help.");
  same(inv(["--quiet=x"]), "unsupported option '-q'. See --help.");
  same(inv(["-k", "abc"]), "Invalid value for option -k");
  same(
    inv(["--keepalive-interval=-1"]),
    "option --keepalive-interval requires a positive integer argument",
  );
  same(ok(["-K", "0x10", "uri"]).keepaliveCount, 16);
  same(inv(["-e", "xx"]), "Invalid string 'xx' for escape sequence");
  same(inv(["-d", "x"]), "option -d takes a numeric argument");
  same(ok(["-d", "9", "uri"]).warnings, ["ignoring debug level 9 out of range [0-4]"]);
  same(ok(["-v", "uri"]).mode, "version");
  same(ok(["--version=long"]).mode, "version-long");
  same(ok(["-h"]).mode, "help");
  same(ok(["--", "-q"]).words, ["-q"]);
});

Deno.test("usage: virsh --help's text, command list from the table", () => {
  same(usage("virsh"), Deno.readTextFileSync(new URL("fixtures/virsh-usage.txt", import.meta.url)));
});

Deno.test("line editor: editing keys, history, completion", async () => {
  const run = async (keys: string[], history: string[] = []) => {
    let out = "";
    const ed = new LineEditor({
      write: (s) => (out += s),
      readKey: () => Promise.resolve(keys.shift() ?? null),
      complete: (l) =>
        Promise.resolve(["domstate", "dominfo", "domid"].filter((c) => c.startsWith(l))),
    }, history);
    return { line: await ed.readLine("> "), out, history };
  };
  same((await run(splitKeys("abc\x1b[D\x1b[DX\x05Y\r"))).line, "aXbcY");
  same((await run(splitKeys("hello world\x17there\r"))).line, "hello there");
  same((await run(splitKeys("abc\x01\x0b\r"))).line, "");
  same((await run(splitKeys("abc\x7f\x7f\r"))).line, "a");
  same((await run(splitKeys("\x1b[A\x1b[A\x1b[B\r"), ["one", "two"])).line, "two");
  same((await run(splitKeys("x\r"), ["a"])).history, ["a", "x"]);
  same((await run(splitKeys("doms\t\r"))).line, "domstate ");
  const listed = await run(splitKeys("dom\t\t\r"));
  same(listed.line, "dom");
  same(listed.out.includes("\r\ndomstate  dominfo  domid\r\n"), true);
  same((await run(splitKeys("\x04"))).line, null);
});

Deno.test("completion: commands, options not given yet, object names", async () => {
  const conn = await connect("test:///default");
  try {
    same(await completions(conn, "domst"), ["domstate", "domstats"]);
    same(await completions(conn, "domstate "), ["--domain", "--reason"]);
    same(await completions(conn, "domstate t"), ["test"]);
    same(await completions(conn, "domstate --domain "), ["test"]);
    same(await completions(conn, "domstate test --"), ["--reason"]);
    same(await completions(conn, "uri; net-info --network d"), ["default"]);
    same(await completions(conn, "nosuch "), []);
  } finally {
    await conn.close();
  }
});

Deno.test("lex: quotes, escapes, separators and virsh's syntax errors", () => {
  same(lex(`a "b c" 'd;e' f\\ g;h # rest; ignored\ni`), {
    ok: true,
    commands: [["a", "b c", "d;e", "f g"], ["h"], ["i"]],
  });
  same(lex('dominfo "test'), { ok: false, error: 'missing "' });
  same(lex("dominfo test\\"), { ok: false, error: "dangling \\" });
});

Deno.test("table: columns grow to the widest cell, the rule to every column plus three", () => {
  same(
    formatTable(["Name", "Path"], [["vol1.img", "/default-pool/vol1.img"]]),
    " Name       Path\n------------------------------------\n vol1.img   /default-pool/vol1.img\n",
  );
});

Deno.test("tree: rails while siblings follow, a spacer before each child group", () => {
  const names = ["computer", "a", "b", "c", "lone"];
  const parents = [undefined, "computer", "computer", "a", undefined];
  same(
    formatTree(names, parents, 0),
    "computer\n  |\n  +- a\n  |   |\n  |   +- c\n  |     \n  +- b\n    \n",
  );
  same(formatTree(names, parents, 4), "lone\n\n");
});

Deno.test("splitList: single commas split, doubled commas are literal", () => {
  same(splitList("pci,net"), ["pci", "net"]);
  same(splitList("pci,,net"), ["pci,net"]);
  same(splitList(","), ["", ""]);
});
