/**
 * An element of a parsed XML document. Attribute order is the document's (JavaScript keeps
 * string keys in insertion order); names are raw (`prefix:local`), namespaces are plain
 * `xmlns…` attributes, so `<metadata>` content round-trips verbatim.
 */
export interface XmlElement {
  type: "element";
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
  /** 1-based source line of the start tag (0 for built elements). */
  line?: number;
  /**
   * Format as an open and a close tag on two lines even without children, the way libvirt
   * prints some containers (`<source>` of a pool, an `<ip>` without content).
   */
  keepOpen?: boolean;
}

/** Character data (entities already decoded). */
export interface XmlText {
  type: "text" | "cdata";
  text: string;
}

/** A comment; libvirt drops them, `<metadata>` keeps them. */
export interface XmlComment {
  type: "comment";
  text: string;
}

/** Any node of the tree. */
export type XmlNode = XmlElement | XmlText | XmlComment;
