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
    const attributes: Record<string, string> = {};
    let count = 0;
    for (const [k, v] of Object.entries(tag.attributes)) {
      attributes[k] = String(v);
      count++;
    }
    if (count > maxAttributes) return stop(`too many attributes on element ${tag.name}`);
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
  parser.on("closetag", () => {
    if (!failure) stack.pop();
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
  parser.on("error", (e) => {
    if (!root && /text data outside of root node/i.test(e.message)) {
      // libxml2 points at the first character that is not the start of a tag.
      const at = xml.search(/\S/);
      const before = xml.slice(0, at);
      const line = before.split("\n").length;
      failure ??= {
        line,
        column: at - (before.lastIndexOf("\n") + 1),
        msg: "Start tag expected, '<' not found",
      };
      return;
    }
    stop(libxmlMessage(e.message, stack));
  });
  try {
    parser.write(xml);
    if (!failure) parser.close();
  } catch (e) {
    stop(libxmlMessage((e as Error).message, stack));
  }
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

/** Maps saxes' wording to libxml2's for the common cases, so messages read like libvirt's. */
function libxmlMessage(saxesMessage: string, stack: XmlElement[]): string {
  const msg = saxesMessage.replace(/^(?:[^:]*:)?\d+:\d+: /, "").replace(/\.$/, "");
  if (/unclosed tag|unexpected end/i.test(msg) && stack.length) {
    const top = stack[stack.length - 1];
    return `Premature end of data in tag ${top.name} line ${top.line}`;
  }
  const mismatch = msg.match(/unexpected close tag/i);
  if (mismatch && stack.length) {
    const top = stack[stack.length - 1];
    return `Opening and ending tag mismatch: ${top.name} line ${top.line}`;
  }
  if (/document must contain a root element/i.test(msg)) return "Document is empty";
  if (/text data outside of root node|more than one root/i.test(msg)) {
    return "Extra content at the end of the document";
  }
  if (/undefined entity|disallowed character in entity/i.test(msg)) {
    return `Entity error: ${msg}`;
  }
  return msg;
}
