/**
 * libvirt's QEMU domain XML namespace (`xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'`,
 * qemu_domain.c's `virQEMUDriverDomainXMLNamespace`): `<qemu:commandline>` arguments and
 * environment, `<qemu:capabilities>` added or removed, `<qemu:override>` device properties and
 * `<qemu:deprecation behavior>`. Only the QEMU driver registers it: another driver's parser
 * never reads these elements, as libvirt's test driver drops them.
 *
 * Elements are found by namespace URI, whatever their prefix (`xmlns:ns0=…`, a default
 * `xmlns=…`), as libvirt's XPath with the `qemu` prefix registered does.
 *
 * @module
 */
import { z } from "zod";
import { childrenInNamespace, enter, localOf, type ScopedElement } from "../common/metadata_ns.ts";
import { xmlPropEnum } from "../common/values.ts";
import { VirError } from "../../util/errors.ts";
import { element, stringify, type XmlElement } from "../../util/xml/mod.ts";
import type { DomainDef } from "./def.ts";

/** The namespace URI, and the prefix libvirt writes it with. */
export const QEMU_NS_URI = "http://libvirt.org/schemas/domain/qemu/1.0";
const PREFIX = "qemu";

/** `qemuDomainXmlNsOverrideType` names (the empty NONE excluded: it is refused). */
const OVERRIDE_TYPES = ["string", "signed", "unsigned", "bool", "remove"] as const;

/**
 * One `<qemu:property>` of a device override: `value` is the text as written (absent for
 * `remove`); {@link overrideValue} gives what QEMU receives.
 *
 * @example
 * ```ts
 * import { QemuOverridePropertySchema } from "./qemu_namespace.ts";
 * QemuOverridePropertySchema.parse({ name: "prop", type: "signed", value: "-3" });
 * ```
 */
export const QemuOverridePropertySchema = z.strictObject({
  name: z.string(),
  type: z.enum(OVERRIDE_TYPES),
  value: z.string().optional(),
});
/** A parsed `<qemu:property>`. */
export type QemuOverrideProperty = z.infer<typeof QemuOverridePropertySchema>;

/**
 * What the namespace holds (libvirt's `qemuDomainXmlNsDef`).
 *
 * @example
 * ```ts
 * import { QemuNamespaceSchema } from "./qemu_namespace.ts";
 * QemuNamespaceSchema.parse({ args: ["-S"], env: [], capsAdd: [], capsDel: [], overrides: [] });
 * ```
 */
export const QemuNamespaceSchema = z.strictObject({
  args: z.array(z.string()),
  env: z.array(z.strictObject({ name: z.string(), value: z.string().optional() })),
  capsAdd: z.array(z.string()),
  capsDel: z.array(z.string()),
  overrides: z.array(z.strictObject({
    alias: z.string(),
    frontend: z.array(QemuOverridePropertySchema),
  })),
  deprecation: z.string().optional(),
});
/** A parsed QEMU namespace. */
export type QemuNamespace = z.infer<typeof QemuNamespaceSchema>;

/** The children of `parent` named `local` in the QEMU namespace, in document order. */
function nsChildren(parent: ScopedElement, local: string): ScopedElement[] {
  return childrenInNamespace(parent, QEMU_NS_URI, local);
}

/** libvirt's XPath `./a/b`: every `b` of every `a`, both in the namespace. */
function nsPath(root: ScopedElement, outer: string, inner: string): XmlElement[] {
  return nsChildren(root, outer).flatMap((o) => nsChildren(o, inner).map((i) => i.el));
}

/**
 * virXMLPropString (libxml2's xmlGetProp): the first attribute of that name whatever its
 * namespace (`qemu:value` is a `value`); namespace declarations are no attributes.
 */
function propOf(el: XmlElement, name: string): string | undefined {
  for (const k in el.attributes) {
    if (!k.startsWith("xmlns") && localOf(k) === name) return el.attributes[k];
  }
  return undefined;
}

const internal = (message: string) => VirError.report("QEMU", "INTERNAL_ERROR", message);
const xmlError = (message: string) => VirError.report("QEMU", "XML_ERROR", message);

/** qemuDomainDefNamespaceParseCommandlineEnvValidate. */
function checkEnvName(name: string | undefined): asserts name is string {
  if (name === undefined) throw internal("No qemu environment name specified");
  if (!/^[A-Za-z_]/.test(name)) {
    throw internal("Invalid environment name, it must begin with a letter or underscore");
  }
  if (!/^[A-Za-z0-9_]*$/.test(name)) {
    throw internal("Invalid environment name, it must contain only alphanumerics and underscore");
  }
}

/** virStrToLong_ll / virStrToLong_ullp (base 10, blanks before, whole string, in range). */
function integerOf(text: string, signed: boolean): bigint | undefined {
  const m = (signed ? /^[ \t\n\v\f\r]*([+-]?[0-9]+)$/ : /^[ \t\n\v\f\r]*\+?([0-9]+)$/)
    .exec(text);
  if (!m) return undefined;
  const v = BigInt(m[1]);
  const [lo, hi] = signed ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
  return v < lo || v > hi ? undefined : v;
}

/** qemuDomainDefNamespaceParseOverrideProperties, for one property. */
function parseProperty(el: XmlElement): QemuOverrideProperty {
  const name = propOf(el, "name");
  if (name === undefined) throw xmlError("missing 'name' attribute for qemu:property");
  if (name === "id") throw xmlError("property with name 'id' can't be overridden");
  // virXMLPropEnum names the element by its local name.
  const typeText = propOf(el, "type");
  const type = xmlPropEnum(
    { ...el, name: localOf(el.name), attributes: typeText === undefined ? {} : { type: typeText } },
    "type",
    OVERRIDE_TYPES,
    true,
  )!;
  const value = propOf(el, "value");
  if (value === undefined) {
    if (type === "remove") return { name, type };
    throw xmlError("missing 'value' attribute for 'qemu:property'");
  }
  const invalid = () =>
    xmlError(`invalid value '${value}' of 'value' attribute of 'qemu:property'`);
  if (type === "signed" || type === "unsigned") {
    if (integerOf(value, type === "signed") === undefined) throw invalid();
  } else if (type === "bool") {
    if (value !== "true" && value !== "false") throw invalid();
  } else if (type === "remove") {
    throw xmlError(
      "setting 'value' attribute of 'qemu:property' doesn't make sense with 'remove' type",
    );
  }
  return { name, type, value };
}

/**
 * qemuDomainDefNamespaceParse on the document's root: undefined when the namespace holds
 * nothing libvirt keeps. Its errors are libvirt's (VIR_FROM_QEMU; VIR_FROM_XML for a bad
 * property type), in its order: arguments, environment, overrides, capabilities.
 *
 * @example
 * ```ts
 * import { parseQemuNamespace } from "./qemu_namespace.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const root = parse(
 *   "<domain xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>" +
 *     "<qemu:commandline><qemu:arg value='-S'/></qemu:commandline></domain>",
 * );
 * parseQemuNamespace(root)?.args; // ["-S"]
 * ```
 */
export function parseQemuNamespace(root: XmlElement): QemuNamespace | undefined {
  const top: ScopedElement = { el: root, scope: enter(root, new Map()) };
  const args = nsPath(top, "commandline", "arg").map((el) => {
    const value = propOf(el, "value");
    if (value === undefined) throw internal("No qemu command-line argument specified");
    return value;
  });
  const env = nsPath(top, "commandline", "env").map((el) => {
    const name = propOf(el, "name");
    const value = propOf(el, "value");
    checkEnvName(name);
    return value === undefined ? { name } : { name, value };
  });
  const overrides = nsChildren(top, "override").flatMap((o) => nsChildren(o, "device")).map(
    (d) => {
      const alias = propOf(d.el, "alias");
      if (alias === undefined) throw xmlError("missing 'alias' attribute for qemu:device");
      const props = nsChildren(d, "frontend").flatMap((f) => nsChildren(f, "property"));
      return { alias, frontend: props.map((p) => parseProperty(p.el)) };
    },
  );
  const caps = (kind: string) =>
    nsPath(top, "capabilities", kind).map((el) => {
      const name = propOf(el, "capability");
      if (name === undefined) throw internal("missing capability name");
      return name;
    });
  const capsAdd = caps("add");
  const capsDel = caps("del");
  // string(./qemu:deprecation/@behavior): the first behavior written (an XPath attribute step
  // takes no prefixed one); an empty one is none.
  const deprecation = nsChildren(top, "deprecation")
    .map((d) => d.el.attributes.behavior)
    .find((b) => b !== undefined) || undefined;
  const ns: QemuNamespace = { args, env, capsAdd, capsDel, overrides };
  if (deprecation !== undefined) ns.deprecation = deprecation;
  const empty = !args.length && !env.length && !capsAdd.length && !capsDel.length &&
    !overrides.length && deprecation === undefined;
  return empty ? undefined : ns;
}

/**
 * The QEMU driver's namespace parser for `parseDomainXML`: the namespace's data kept on the
 * definition when there is any.
 *
 * @example
 * ```ts
 * import { readQemuNamespace } from "./qemu_namespace.ts";
 * import { parseDomainXML } from "./parse.ts";
 * const def = parseDomainXML(
 *   "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name>a</name>" +
 *     "<memory>1024</memory><os><type>hvm</type></os>" +
 *     "<qemu:commandline><qemu:arg value='-S'/></qemu:commandline></domain>",
 *   0, false, false, readQemuNamespace,
 * );
 * def.qemuNamespace?.args; // ["-S"]
 * ```
 */
export function readQemuNamespace(root: XmlElement, def: DomainDef): void {
  const ns = parseQemuNamespace(root);
  if (ns) def.qemuNamespace = ns;
}

/**
 * The `<domain>` attribute declaring the namespace (virXMLNamespaceFormatNS), written after
 * `type` and `id` when the definition holds namespace data.
 *
 * @example
 * ```ts
 * import { qemuNamespaceAttribute } from "./qemu_namespace.ts";
 * qemuNamespaceAttribute(); // " xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'"
 * ```
 */
export function qemuNamespaceAttribute(): string {
  return ` xmlns:${PREFIX}='${QEMU_NS_URI}'`;
}

const q = (name: string) => `${PREFIX}:${name}`;

/**
 * qemuDomainDefNamespaceFormatXML: the namespace's elements, last in `<domain>`; an element
 * with nothing inside is not written.
 *
 * @example
 * ```ts
 * import { formatQemuNamespace } from "./qemu_namespace.ts";
 * formatQemuNamespace({ args: [], env: [], capsAdd: [], capsDel: [], overrides: [],
 *   deprecation: "crash" }); // "  <qemu:deprecation behavior='crash'/>\n"
 * ```
 */
export function formatQemuNamespace(ns: QemuNamespace): string {
  const els = [
    element(q("commandline"), {}, [
      ...ns.args.map((value) => element(q("arg"), { value })),
      ...ns.env.map((e) => element(q("env"), { name: e.name, value: e.value })),
    ]),
    element(q("capabilities"), {}, [
      ...ns.capsAdd.map((capability) => element(q("add"), { capability })),
      ...ns.capsDel.map((capability) => element(q("del"), { capability })),
    ]),
    element(
      q("override"),
      {},
      ns.overrides.map((d) =>
        element(
          q("device"),
          { alias: d.alias },
          [
            element(
              q("frontend"),
              {},
              d.frontend.map((p) =>
                element(q("property"), { name: p.name, type: p.type, value: p.value })
              ),
            ),
          ].filter((f) => f.children.length),
        )
      ),
    ),
    ns.deprecation !== undefined && element(q("deprecation"), { behavior: ns.deprecation }),
  ];
  return els
    .filter((el): el is XmlElement =>
      !!el && (el.children.length > 0 || Object.keys(el.attributes).length > 0)
    )
    .map((el) => stringify(el, { depth: 1 }))
    .join("");
}

/**
 * What QEMU receives for an override property (qemuDomainDefNamespaceParseOverrideProperties'
 * JSON value): a string, an integer as libvirt reads it, or a boolean; undefined for `remove`.
 *
 * @example
 * ```ts
 * import { overrideValue } from "./qemu_namespace.ts";
 * overrideValue({ name: "p", type: "unsigned", value: " +007" }); // 7n
 * ```
 */
export function overrideValue(p: QemuOverrideProperty): string | bigint | boolean | undefined {
  switch (p.type) {
    case "string":
      return p.value!;
    case "signed":
    case "unsigned":
      return integerOf(p.value!, p.type === "signed")!;
    case "bool":
      return p.value === "true";
    case "remove":
      return undefined;
  }
}
