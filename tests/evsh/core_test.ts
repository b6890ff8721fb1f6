/**
 * The pure pieces of evsh that the virsh goldens cannot reach: evsh's own argument parsing,
 * the lexer's syntax errors, table layout with wide cells, and the `nodedev-list --tree`
 * drawing (test:///default rejects the listing flags virsh 9.0 sends, so no recording shows a
 * tree; the expected text is vshTreePrintInternal traced by hand).
 */
import { parseArgv } from "../../tools/evsh/argv.ts";
import { formatTable } from "../../tools/evsh/table.ts";
import { lex } from "../../tools/evsh/tokenize.ts";
import { formatTree } from "../../tools/evsh/tree.ts";
import { splitList } from "../../tools/evsh/split_list.ts";

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
