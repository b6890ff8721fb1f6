/**
 * The pure pieces of evsh that the virsh goldens cannot reach: evsh's own argument parsing,
 * the lexer's syntax errors, table layout with wide cells, and the `nodedev-list --tree`
 * drawing (test:///default rejects the listing flags virsh 9.0 sends, so no recording shows a
 * tree; the expected text is vshTreePrintInternal traced by hand), and the `help` lists, which
 * keep virsh's layout but name only evsh's commands, so no recording can match them.
 */
import { parseArgv } from "../../tools/evsh/argv.ts";
import { formatTable } from "../../tools/evsh/table.ts";
import { lex } from "../../tools/evsh/tokenize.ts";
import { formatTree } from "../../tools/evsh/tree.ts";
import { splitList } from "../../tools/evsh/split_list.ts";
import { allHelp, groupHelp } from "../../tools/evsh/commands/help.ts";
import { COMMANDS } from "../../tools/evsh/commands/mod.ts";
import { connect } from "../../host.ts";
import { Shell } from "../../tools/evsh/shell.ts";

function same(actual: unknown, expected: unknown): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`expected ${e}\n     got ${a}`);
}

Deno.test("argv: one word is a line, several are one command, none is the prompt", () => {
  same(parseArgv(["-c", "test:///default", "list; uri"]), {
    uri: "test:///default",
    mode: "line",
    words: ["list; uri"],
  });
  same(parseArgv(["--connect=test+http://h/default", "domstate", "test"]), {
    uri: "test+http://h/default",
    mode: "argv",
    words: ["domstate", "test"],
  });
  same(parseArgv([]), { uri: undefined, mode: "interactive", words: [] });
  same(parseArgv(["-c"]), "option '-c' requires an argument");
  same(parseArgv(["-x", "uri"]), "unsupported option '-x'. See --help.");
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

Deno.test("help: virsh's group layout, listing each evsh command once in virsh's order", () => {
  const text = allHelp();
  // virsh 9.0's Node Device group has 15 commands; evsh keeps its two, in virsh's order.
  const nodedev = " Node Device (help keyword 'nodedev'):\n" +
    "    nodedev-dumpxml                node device details in XML\n" +
    "    nodedev-list                   enumerate devices on this host\n";
  same(text.startsWith("Grouped commands:\n\n Domain Management (help keyword 'domain'):\n"), true);
  same(text.includes(nodedev + "\n Storage Pool (help keyword 'pool'):\n"), true);
  same(
    text.endsWith(
      " Virsh itself (help keyword 'virsh'):\n    help" + " ".repeat(27) + "print help\n\n",
    ),
    true,
  );
  const listed = text.split("\n").filter((l) => l.startsWith("    ")).map((l) => l.split(" ")[4]);
  same(listed.toSorted(), COMMANDS.map((c) => c.name).toSorted());
  same(
    groupHelp({
      name: "Node Device",
      keyword: "nodedev",
      commands: ["nodedev-dumpxml", "nodedev-list"],
    }),
    nodedev,
  );
});

Deno.test("help: groups by keyword or name; commands whose options differ from virsh's decline", async () => {
  const conn = await connect("test:///default");
  try {
    let out = "";
    let err = "";
    const shell = new Shell(conn, {
      stdout: (s) => (out += s),
      stderr: (s) => (err += s),
      readFile: () => Promise.reject(new Error("unused")),
    });
    same(await shell.runLine("help nodedev; help 'Node Device'"), true);
    const nodedev = " Node Device (help keyword 'nodedev'):\n" +
      "    nodedev-dumpxml                node device details in XML\n" +
      "    nodedev-list                   enumerate devices on this host\n\n";
    same(out, nodedev + nodedev);
    // `dumpxml --xpath` and `--wrap` are not implemented, so virsh's OPTIONS would be wrong.
    same(await shell.runLine("help dumpxml"), false);
    same(err, "error: no help for command 'dumpxml': evsh's options for it differ from virsh's\n");
  } finally {
    await conn.close();
  }
});
