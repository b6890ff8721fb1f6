#!/usr/bin/env python3
"""Extracts virsh 9.0's command tables from its C source into tools/evsh/virsh_table.json.

virsh keeps every command's name, flags, help texts and option table as C data
(vshCmdDef, vshCmdInfo, vshCmdOptDef arrays, partly built by macros). This runs the C
preprocessor over just those arrays and the macros they use, then reads the designated
initializers, so evsh parses, completes and documents every command from the same data.

Usage: tests/tools/gen_virsh_table.py [LIBVIRT_SRC]   (default /work/libvirt-src/libvirt-9.0.0)
Writes tools/evsh/virsh_table.json (run `deno fmt` on it afterwards).
"""
import json
import os
import re
import subprocess
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "/work/libvirt-src/libvirt-9.0.0"
TOOLS = os.path.join(SRC, "tools")
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "evsh", "virsh_table.json")

ARRAY = re.compile(
    r"^(?:static )?const vshCmd(OptDef|Info|Def|Grp) (\w+)\[\] = \{$.*?^\};",
    re.M | re.S,
)
DEFINE = re.compile(r"^#\s*define .*?(?<!\\)$", re.M | re.S)


def read(name):
    with open(os.path.join(TOOLS, name), encoding="utf-8") as f:
        return f.read()


def defines(text):
    return [d for d in DEFINE.findall(text) if not re.match(r"#\s*define \w+_H?$", d)]


def preprocess(text):
    prelude = "#define N_(x) x\n#define _(x) x\n#define true 1\n#define false 0\n"
    r = subprocess.run(
        ["cpp", "-P", "-undef", "-nostdinc", "-w"],
        input=prelude + text,
        capture_output=True,
        text=True,
        check=True,
    )
    return r.stdout


TOKEN = re.compile(r'\s*("(?:[^"\\]|\\.)*"|[A-Za-z_]\w*|\d+|[{}.=,|?:()<>-]|\S)')


def tokens(s):
    pos = 0
    out = []
    while pos < len(s):
        m = TOKEN.match(s, pos)
        if not m:
            break
        out.append(m.group(1))
        pos = m.end()
    return out


def unquote(lit):
    body = lit[1:-1]
    return bytes(body, "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


class Reader:
    def __init__(self, toks):
        self.t = toks
        self.i = 0

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else None

    def next(self):
        tok = self.t[self.i]
        self.i += 1
        return tok

    def expect(self, tok):
        got = self.next()
        if got != tok:
            raise SyntaxError(f"expected {tok!r}, got {got!r} near {self.t[self.i-5:self.i+5]}")

    def value(self):
        """A field value: strings concatenate, `a | b` is a list, `c ? a : b` is evaluated."""
        parts = []
        while self.peek() not in (",", "}", ":", ")"):
            tok = self.next()
            if tok == "(":
                parts.append(self.value())
                self.expect(")")
            elif tok == "?":
                cond = parts
                yes = self.value()
                self.expect(":")
                no = self.value()
                return yes if cond not in ([0], ["0"]) else no
            else:
                parts.append(tok)
        strs = [p for p in parts if isinstance(p, str) and p.startswith('"')]
        if strs and len(strs) == len(parts):
            return "".join(unquote(p) for p in strs)
        names = [p for p in parts if p != "|"]
        return names[0] if len(names) == 1 else names

    def struct(self):
        self.expect("{")
        fields = {}
        positional = []
        while self.peek() != "}":
            if self.peek() == ".":
                self.next()
                key = self.next()
                self.expect("=")
                fields[key] = self.value()
            else:
                positional.append(self.value())
            if self.peek() == ",":
                self.next()
        self.expect("}")
        return fields, positional

    def array(self):
        self.expect("{")
        items = []
        while self.peek() != "}":
            items.append(self.struct())
            if self.peek() == ",":
                self.next()
        self.expect("}")
        return items


def flag_list(v):
    if v in (None, "0", "VSH_OFLAG_NONE"):
        return []
    return [f for f in (v if isinstance(v, list) else [v]) if f not in ("0", "VSH_OFLAG_NONE")]


def parse_file(name, headers):
    text = read(name)
    arrays = ARRAY.finditer(text)
    body = []
    for m in arrays:
        body.append(f"@@{m.group(1)} {m.group(2)}\n" + m.group(0)[m.group(0).index("{"):] + "\n")
    src = "\n".join(headers + defines(text)) + "\n" + "".join(body)
    out = preprocess(src)
    tables = {}
    for chunk in out.split("@@")[1:]:
        kind, rest = chunk.split(None, 1)
        aname, init = rest.split(None, 1)
        init = init.strip().rstrip(";")
        tables[aname] = (kind, Reader(tokens(init)).array())
    return tables


def main():
    headers = defines(read("vsh.h")) + defines(read("virsh.h"))
    files = ["vsh.c", "virsh.c"] + sorted(
        f for f in os.listdir(TOOLS)
        if f.startswith("virsh-") and f.endswith(".c") and "completer" not in f
    )
    tables = {}
    for f in files:
        tables.update(parse_file(f, headers))

    def opts_of(aname):
        if aname in (None, "NULL"):
            return []
        out = []
        for fields, _ in tables[aname][1]:
            if fields.get("name") in (None, "NULL"):
                break
            o = {"name": fields["name"], "type": fields["type"].removeprefix("VSH_OT_").lower()}
            fl = [f.removeprefix("VSH_OFLAG_").lower() for f in flag_list(fields.get("flags"))]
            if fl:
                o["flags"] = fl
            o["help"] = fields.get("help", "")
            comp = fields.get("completer")
            if comp and comp != "NULL":
                o["completer"] = comp
            cf = flag_list(fields.get("completer_flags"))
            if cf:
                o["completer_flags"] = cf
            out.append(o)
        return out

    def info_of(aname):
        info = {}
        for fields, pos in tables[aname][1]:
            name, data = (fields.get("name"), fields.get("data")) if fields else pos
            if name in (None, "NULL"):
                break
            info[name] = data
        return info

    groups = []
    for (_, pos) in tables["cmdGroups"][1]:
        if pos[0] in ("NULL", None):
            break
        gname, keyword, cmds = pos
        commands = []
        for fields, _ in tables[cmds][1]:
            if fields.get("name") in (None, "NULL"):
                break
            c = {"name": fields["name"]}
            fl = [f.removeprefix("VSH_CMD_FLAG_").lower() for f in flag_list(fields.get("flags"))]
            if fl:
                c["flags"] = fl
            if "alias" in fields:
                c["alias"] = fields["alias"]
            else:
                info = info_of(fields["info"])
                c["help"] = info.get("help", "")
                if info.get("desc"):
                    c["desc"] = info["desc"]
                c["options"] = opts_of(fields.get("opts"))
            commands.append(c)
        groups.append({"name": gname, "keyword": keyword, "commands": commands})
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"version": "9.0.0", "groups": groups}, f, indent=2, ensure_ascii=False)
        f.write("\n")
    n = sum(len(g["commands"]) for g in groups)
    print(f"gen_virsh_table: {n} commands in {len(groups)} groups -> {os.path.normpath(OUT)}")


main()
