import { SaxesParser } from "saxes";
import { VirError } from "../errors.ts";
import type { XmlElement, XmlNode } from "./types.ts";

/** Limits that make parsing safe on hostile input. */
export interface ParseOptions {
  /** libvirt's document name in messages, e.g. `(domain_definition)`. */
  context?: string;
  /** libvirt error domain name of the caller (`DOMAIN`, `NETWORK`, …); default `XML`. */
  errorDomain?: string;
  /** Maximum document size in bytes (UTF-16 code units); default 4 MiB, libvirt's wire limit. */
  maxSize?: number;
  /** Maximum element nesting; default 256 (libxml2 refuses much deeper trees too). */
  maxDepth?: number;
  /** Maximum attributes on one element; default 256. */
  maxAttributes?: number;
  /**
   * The root element the caller expects (libvirt's virXMLParse with a root name): any other root
   * is VIR_ERR_XML_ERROR from VIR_FROM_XML, "expecting root element of 'X', not 'Y'".
   */
  expectRoot?: string;
}

const DEFAULT_MAX_SIZE = 4 * 1024 * 1024;

/**
 * Parses an XML document into an element tree. Safe by construction: a DOCTYPE (and so any
 * entity declaration) is refused, only the five predefined entities and character references
 * are understood, and size, depth and attribute count are capped. Every failure is a
 * {@link VirError} `VIR_ERR_XML_DETAIL` whose message points at line and column the way
 * libvirt's libxml2 errors do.
 *
 * @example
 * ```ts
 * import { parse } from "./parse.ts";
 * const root = parse("<domain type='test'><name>a</name></domain>");
 * console.log(root.name, root.attributes.type); // domain test
 * ```
 */
export function parse(xml: string, options: ParseOptions = {}): XmlElement {
  const context = options.context ?? "(xml)";
  const errorDomain = options.errorDomain ?? "XML";
  const maxDepth = options.maxDepth ?? 256;
  const maxAttributes = options.maxAttributes ?? 256;
  const fail = (line: number, column: number, msg: string): never => {
    const lines = xml.split("\n");
    // libxml2 has no context line to show for an error on the empty line after a final newline.
    const text = (line >= lines.length && lines[lines.length - 1] === "")
      ? "(null)"
      : lines[Math.min(line, lines.length) - 1] ?? "";
    throw VirError.report(
      errorDomain,
      "XML_DETAIL",
      `${context}:${line}: ${msg}\n${text}\n${"-".repeat(Math.max(0, column))}^`,
    );
  };
  if (xml.length > (options.maxSize ?? DEFAULT_MAX_SIZE)) {
    throw VirError.report(
      errorDomain,
      "XML_ERROR",
      `document of ${xml.length} bytes exceeds the ${
        options.maxSize ?? DEFAULT_MAX_SIZE
      } byte limit`,
    );
  }
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let failure: { line: number; column: number; msg: string } | undefined;
  const stop = (msg: string) => {
    failure ??= { line: parser.line, column: parser.column, msg };
  };
  parser.on("doctype", () => stop("DOCTYPE is not allowed"));
  parser.on("opentag", (tag) => {
    if (failure) return;
    // Copied with for-in, not Object.entries (no array per attribute): saxes's own object has
    // a null prototype and is in V8's slow dictionary mode, which later lookups would pay for.
    const attributes: Record<string, string> = {};
    let count = 0;
    const src = tag.attributes as Record<string, string>;
    for (const k in src) {
      if (++count > maxAttributes) return stop(`too many attributes on element ${tag.name}`);
      attributes[k] = src[k];
    }
    if (stack.length >= maxDepth) return stop(`Excessive depth in document: ${maxDepth}`);
    const el: XmlElement = {
      type: "element",
      name: tag.name,
      attributes,
      children: [],
      line: parser.line,
    };
    if (stack.length) stack[stack.length - 1].children.push(el);
    else root = el;
    stack.push(el);
  });
  let lastClosed: XmlElement | undefined;
  parser.on("closetag", () => {
    if (!failure) lastClosed = stack.pop();
  });
  const addText = (type: "text" | "cdata", text: string) => {
    if (failure || !stack.length) return;
    const kids = stack[stack.length - 1].children;
    const last = kids[kids.length - 1];
    if (type === "text" && last?.type === "text") last.text += text;
    else kids.push({ type, text } as XmlNode);
  };
  parser.on("text", (t) => addText("text", t));
  parser.on("cdata", (t) => addText("cdata", t));
  parser.on("comment", (t) => {
    if (!failure && stack.length) {
      stack[stack.length - 1].children.push({ type: "comment", text: t });
    }
  });
  // saxes keeps going after an error; libxml2 stops at the first. Record what each error saw and
  // word the first one the way libxml2 does once the whole picture is known.
  const saxErrors: SaxError[] = [];
  parser.on("error", (e) => {
    const top = stack[stack.length - 1];
    saxErrors.push({
      closed: lastClosed && { name: lastClosed.name, line: lastClosed.line ?? 0 },
      message: e.message,
      line: parser.line,
      column: parser.column,
      top: top && { name: top.name, line: top.line ?? 0 },
      rootSeen: root !== undefined,
    });
  });
  try {
    parser.write(xml);
    if (!failure) parser.close();
  } catch (e) {
    stop((e as Error).message);
  }
  if (!failure && saxErrors.length) failure = libxmlFailure(saxErrors, xml);
  if (!failure && stack.length) {
    stop(
      `Premature end of data in tag ${stack[stack.length - 1].name} line ${
        stack[stack.length - 1].line
      }`,
    );
  }
  if (!failure && !root) stop("Document is empty");
  if (failure) return fail(failure.line, failure.column, failure.msg);
  if (options.expectRoot !== undefined && root!.name !== options.expectRoot) {
    throw VirError.report(
      "XML",
      "XML_ERROR",
      `expecting root element of '${options.expectRoot}', not '${root!.name}'`,
    );
  }
  return root!;
}

interface SaxError {
  message: string;
  line: number;
  column: number;
  /** The innermost open element when the error happened. */
  top?: { name: string; line: number };
  rootSeen: boolean;
  /** The element saxes closed last (it closes the open one before reporting a mismatch). */
  closed?: { name: string; line: number };
}

/** libxml2's wording and position for the first problem saxes reported. */
function libxmlFailure(
  errors: SaxError[],
  xml: string,
): { line: number; column: number; msg: string } {
  const first = errors[0];
  const at = (msg: string, e: SaxError = first) => ({ line: e.line, column: e.column, msg });
  const text = (e: SaxError) => e.message.replace(/^(?:[^:]*:)?\d+:\d+: /, "").replace(/\.$/, "");
  if (!first.rootSeen && /text data outside of root node/i.test(first.message)) {
    // libxml2 points at the first character that is not the start of a tag.
    const start = xml.search(/\S/);
    const before = xml.slice(0, start);
    return {
      line: before.split("\n").length,
      column: start - (before.lastIndexOf("\n") + 1),
      msg: "Start tag expected, '<' not found",
    };
  }
  const unmatched = errors.find((e) => /unmatched closing tag/i.test(e.message));
  if (/unexpected close tag/i.test(first.message) && unmatched && first.closed) {
    const closing = text(unmatched).replace(/^unmatched closing tag: /i, "");
    return at(
      `Opening and ending tag mismatch: ${first.closed.name} line ${first.closed.line} and ${closing}`,
    );
  }
  if (/unexpected end|unclosed tag|must contain a root element/i.test(first.message)) {
    const open = unfinishedStartTag(xml);
    if (open) return open;
  }
  if (/unexpected end|unclosed tag/i.test(first.message)) {
    const end = errors[errors.length - 1];
    if (/<\/[^>]*$/.test(xml)) return at("expected '>'", end);
    if (first.top) {
      return at(`Premature end of data in tag ${first.top.name} line ${first.top.line}`, end);
    }
  }
  const inTag = attributeError(xml, first);
  if (inTag) return inTag;
  const msg = text(first);
  if (/document must contain a root element/i.test(msg)) return at("Document is empty");
  if (/text data outside of root node|more than one root/i.test(msg)) {
    return at("Extra content at the end of the document");
  }
  if (/undefined entity|disallowed character in entity/i.test(msg)) {
    return at(`Entity error: ${msg}`);
  }
  return at(msg);
}

/** libxml2's name characters (ASCII subset, plus everything beyond it, as libxml2 allows). */
const NAME = /^[A-Za-z_\u0080-\uffff][\w.\-:\u0080-\uffff]*/;

/** A parse error as libxml2 places it, with its offset in the document. */
type Placed = { line: number; column: number; msg: string; offset: number };

/**
 * The document ends inside a start tag: the first error libxml2's xmlParseStartTag2 reports for
 * it, at the place it reports it, or undefined when the document does not end so.
 */
function unfinishedStartTag(xml: string): Placed | undefined {
  const start = xml.lastIndexOf("<");
  // A comment, CDATA section, processing instruction or end tag has its own errors.
  if (
    start < 0 || /^<[!?/]/.test(xml.slice(start)) ||
    xml.lastIndexOf("<!--") > xml.lastIndexOf("-->")
  ) {
    return undefined;
  }
  return startTagError(xml, start);
}

/**
 * saxes stopped inside an element's start tag over its attributes: libxml2 reports the first
 * problem of that tag (a character that cannot start an attribute name is "error parsing
 * attribute name" where it stands), when it lies at or before where saxes stopped.
 */
function attributeError(xml: string, e: SaxError): Placed | undefined {
  if (!/attribute/i.test(e.message)) return undefined;
  const lineStart = e.line > 1 ? xml.split("\n").slice(0, e.line - 1).join("\n").length + 1 : 0;
  const offset = lineStart + e.column - 1;
  const start = xml.lastIndexOf("<", offset - 1);
  if (start < 0 || /^<[!?/]/.test(xml.slice(start))) return undefined;
  const r = startTagError(xml, start);
  return r && r.offset <= offset ? r : undefined;
}

/**
 * libxml2's xmlParseStartTag2 over the start tag at `start`: its first error and where, or
 * undefined when the tag is well formed.
 */
function startTagError(xml: string, start: number): Placed | undefined {
  let pos = start + 1;
  const place = (msg: string) => {
    const before = xml.slice(0, pos);
    return {
      line: before.split("\n").length,
      column: pos - (before.lastIndexOf("\n") + 1),
      msg,
      offset: pos,
    };
  };
  const name = () => NAME.exec(xml.slice(pos))?.[0];
  const blanks = () => {
    const n = /^[ \t\r\n]*/.exec(xml.slice(pos))![0].length;
    pos += n;
    return n;
  };
  const tag = name();
  if (!tag) return place("StartTag: invalid element name");
  pos += tag.length;
  const line = xml.slice(0, start).split("\n").length;
  blanks();
  while (pos < xml.length) {
    if (xml[pos] === ">" || xml.startsWith("/>", pos)) return undefined;
    const attr = name();
    if (!attr) return place("error parsing attribute name");
    pos += attr.length;
    blanks();
    if (xml[pos] !== "=") return place(`Specification mandates value for attribute ${attr}`);
    pos++;
    blanks();
    const quote = xml[pos];
    if (quote !== "'" && quote !== '"') return place(`AttValue: " or ' expected`);
    const close = xml.indexOf(quote, pos + 1);
    if (close < 0) {
      if (xml.includes("<", pos)) return undefined;
      pos = xml.length;
      return place("AttValue: ' expected");
    }
    pos = close + 1;
    // Attributes need blanks between them: libxml2 checks that before it looks further.
    if (xml[pos] !== ">" && !xml.startsWith("/>", pos) && !blanks()) {
      return place("attributes construct error");
    }
  }
  return place(`Couldn't find end of Start Tag ${tag} line ${line}`);
}
