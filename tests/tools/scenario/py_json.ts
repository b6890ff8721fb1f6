/**
 * Python's `json` module, as far as the scenario runner needs it: `loads` keeps what Python
 * keeps (floats stay floats, big integers stay exact, NaN/Infinity literals, insertion order of
 * keys even when they look like array indices) and `dumps` prints what `json.dumps` prints
 * with default settings (separators ", " and ": ", ensure_ascii, float repr).
 * @module
 */

/** A Python float: `1.0` must print as `1.0`, not `1` like a JavaScript number would. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A value as Python's json module sees it. Objects are Maps so that key order is kept. */
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PyFloat
  | PyValue[]
  | Map<string, PyValue>
  | { [key: string]: PyValue };

/**
 * `json.loads`: integers become numbers (bigint beyond 2^53), floats {@link PyFloat}, objects
 * Maps. Throws a SyntaxError on invalid input.
 *
 * @example
 * ```ts
 * import { pyLoads, pyDumps } from "./py_json.ts";
 * console.log(pyDumps(pyLoads('{"2": 1.0, "a": [1e16]}'))); // {"2": 1.0, "a": [1e+16]}
 * ```
 */
export function pyLoads(text: string): PyValue {
  let pos = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at char ${pos}`);
  };
  const ws = () => {
    while (pos < text.length && " \t\n\r".includes(text[pos])) pos++;
  };
  const literal = (word: string, value: PyValue): PyValue => {
    if (text.startsWith(word, pos)) {
      pos += word.length;
      return value;
    }
    return fail("Expecting value");
  };
  const string = (): string => {
    pos++; // opening quote
    let out = "";
    for (;;) {
      if (pos >= text.length) fail("Unterminated string");
      const c = text[pos++];
      if (c === '"') return out;
      if (c < " ") fail("Invalid control character");
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = text[pos++];
      const simple: Record<string, string> = {
        '"': '"',
        "\\": "\\",
        "/": "/",
        b: "\b",
        f: "\f",
        n: "\n",
        r: "\r",
        t: "\t",
      };
      if (e in simple) out += simple[e];
      else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(pos, pos + 4))) {
        out += String.fromCharCode(parseInt(text.slice(pos, pos + 4), 16));
        pos += 4;
      } else fail("Invalid \\escape");
    }
  };
  const number = (): PyValue => {
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(pos));
    if (!m) return fail("Expecting value");
    pos += m[0].length;
    if (m[1] !== undefined || m[2] !== undefined) return new PyFloat(Number(m[0]));
    const n = Number(m[0]);
    // "-0" is the integer 0 in Python
    return Number.isSafeInteger(n) ? n + 0 : BigInt(m[0]);
  };
  const value = (): PyValue => {
    ws();
    const c = text[pos];
    if (c === "{") {
      pos++;
      const obj = new Map<string, PyValue>();
      ws();
      if (text[pos] === "}") {
        pos++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[pos] !== '"') fail("Expecting property name enclosed in double quotes");
        const k = string();
        ws();
        if (text[pos++] !== ":") fail("Expecting ':' delimiter");
        obj.set(k, value());
        ws();
        const d = text[pos++];
        if (d === "}") return obj;
        if (d !== ",") fail("Expecting ',' delimiter");
      }
    }
    if (c === "[") {
      pos++;
      const arr: PyValue[] = [];
      ws();
      if (text[pos] === "]") {
        pos++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        const d = text[pos++];
        if (d === "]") return arr;
        if (d !== ",") fail("Expecting ',' delimiter");
      }
    }
    if (c === '"') return string();
    if (c === "n") return literal("null", null);
    if (c === "t") return literal("true", true);
    if (c === "f") return literal("false", false);
    if (c === "N") return literal("NaN", new PyFloat(NaN));
    if (c === "I") return literal("Infinity", new PyFloat(Infinity));
    if (text.startsWith("-Infinity", pos)) return literal("-Infinity", new PyFloat(-Infinity));
    return number();
  };
  const v = value();
  ws();
  if (pos !== text.length) fail("Extra data");
  return v;
}

/** Python's `repr(float)`: shortest round-trip digits, exponent outside 1e-4 <= |x| < 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, expStr] = Math.abs(x).toExponential().split("e");
  const digits = mant.replace(".", "");
  const exp = Number(expStr);
  const sign = x < 0 ? "-" : "";
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${"0".repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** `json.dumps(str)` with ensure_ascii: everything outside space..tilde is escaped. */
function pyString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const code = s.charCodeAt(i);
    if (c === '"') out += '\\"';
    else if (c === "\\") out += "\\\\";
    else if (code >= 0x20 && code <= 0x7e) out += c;
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else if (c === "\b") out += "\\b";
    else if (c === "\f") out += "\\f";
    else out += "\\u" + code.toString(16).padStart(4, "0");
  }
  return out + '"';
}

/**
 * `json.dumps(value)` with Python's default settings. Plain objects print in insertion order
 * of their (non-index) keys; use a Map where keys may look like array indices.
 *
 * @example
 * ```ts
 * import { pyDumps, PyFloat } from "./py_json.ts";
 * console.log(pyDumps({ a: [1, new PyFloat(2)], b: "é" })); // {"a": [1, 2.0], "b": "\u00e9"}
 * ```
 */
export function pyDumps(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (v === true) return "true";
  if (v === false) return "false";
  if (typeof v === "string") return pyString(v);
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v).toString() : pyFloatRepr(v);
  if (v instanceof PyFloat) return pyFloatRepr(v.value);
  if (Array.isArray(v)) return "[" + v.map(pyDumps).join(", ") + "]";
  const entries = v instanceof Map ? [...v.entries()] : Object.entries(v as object);
  return "{" + entries.map(([k, x]) => `${pyString(String(k))}: ${pyDumps(x)}`).join(", ") + "}";
}
