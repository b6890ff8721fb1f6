/**
 * What XML 1.0 (fifth edition) lets a document spell: the `Name` production (element and
 * attribute names) and the `Char` production (text and attribute values). A tree built from
 * JSON is checked against them before it is written, since a name such as `x='1' y` would be
 * written as two attributes and a control character as a document no parser reads.
 *
 * @example
 * ```ts
 * import { XML_CHARS, XML_NAME } from "./chars.ts";
 * XML_NAME.test("xmlns:qemu"); // true
 * XML_NAME.test("x='1' y"); // false
 * XML_CHARS.test("a\u0001"); // false
 * ```
 * @module
 */

const NAME_START = ":A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D" +
  "\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF" +
  "\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}";
const NAME_MORE = "\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040";

/** XML 1.0's `Name`: an element or attribute name. */
export const XML_NAME: RegExp = new RegExp(`^[${NAME_START}][${NAME_START}${NAME_MORE}]*$`, "u");

/** XML 1.0's `Char*`: text or an attribute value, every character one XML may carry. */
export const XML_CHARS: RegExp = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
