/**
 * Typed JSON models of device elements (`<disk>`, `<graphics>`), built from one description per
 * element: its attributes as typed fields, the children that have a typed field, and `extra` for
 * every other child, as a normalised element tree. Nothing is lost: a child whose content the
 * typed field cannot carry (an `<address>` with a `<zpci>` inside, a second `<target>`) stays in
 * `extra` too, and an unknown field in a JSON body is refused rather than dropped.
 *
 * @example
 * ```ts
 * import { attr, deviceModel } from "./device_model.ts";
 * import { z } from "zod";
 * const input = deviceModel("input", { type: attr.string(z.string(), true) }, {}, []);
 * input.toModel({ type: "element", name: "input", attributes: { type: "mouse" }, children: [] });
 * // { type: "mouse" }
 * ```
 * @module
 */
import { z } from "zod";
import type { XmlElement } from "../../util/xml/mod.ts";
import { element, nameOrder, textOf } from "../../util/xml/mod.ts";
import { VirError } from "../../util/errors.ts";
import { type XmlElementJSON, XmlElementSchema } from "./def.ts";

/** One attribute as a typed field: how its XML text reads into JSON and back. */
export interface AttrField<T> {
  /** The field's schema (without optionality). */
  readonly schema: z.ZodType<T>;
  /** Always present in libvirt's output (`<disk type>`), so required in the model. */
  readonly required: boolean;
  /** The JSON value of the attribute's text; libvirt's parse error when it has none. */
  read(text: string, element: string, name: string): T;
  /** The attribute's text. */
  write(value: T): string;
}

/** One child element as a typed field. */
export interface KidField<T> {
  /** The child's element name. */
  readonly name: string;
  /** The schema of one value. */
  readonly schema: z.ZodType<T>;
  /** Every such child (a list), rather than the first one. */
  readonly many: boolean;
  /** The value of a child, or undefined when the field cannot carry all of it (then `extra`). */
  read(el: XmlElement): T | undefined;
  /** The child element of a value. */
  write(value: T): XmlElement;
}

const INTEGER = /^[+-]?[0-9]+$/;

/** virXMLPropInt's and virXMLPropTristateBool's refusal of a value. */
const invalid = (element: string, name: string, text: string, expected: string) =>
  VirError.report(
    "DOMAIN",
    "XML_ERROR",
    `Invalid value for attribute '${name}' in element '${element}': '${text}'. ${expected}`,
  );

/**
 * Attribute field builders. The parser has already refused what libvirt refuses, so every
 * attribute it keeps reads into its field (an enum only where the parser checks the values).
 */
export const attr = {
  /** Text as it is. */
  string: <T extends string>(schema: z.ZodType<T>, required = false): AttrField<T> => ({
    schema,
    required,
    read: (text) => text as T,
    write: (v) => v,
  }),
  /** An integer in its canonical spelling. */
  int: (description: string): AttrField<number> => ({
    schema: z.number().int().describe(description),
    required: false,
    read: (text, el, name) => {
      if (!INTEGER.test(text)) throw invalid(el, name, text, "Expected integer value");
      return Number(text);
    },
    write: (v) => String(v),
  }),
  /** `yes`/`no` as a boolean. */
  yesNo: (description: string): AttrField<boolean> => ({
    schema: z.boolean().describe(description),
    required: false,
    read: (text, el, name) => {
      if (text !== "yes" && text !== "no") throw invalid(el, name, text, "Expected 'yes' or 'no'");
      return text === "yes";
    },
    write: (v) => (v ? "yes" : "no"),
  }),
};

type Attrs = Record<string, string>;

/** Child field builders. */
export const kid = {
  /** An element of attributes only (`<target dev bus/>`), its attributes by their XML names. */
  attributes: (name: string, names: readonly string[], many = false): KidField<Attrs> => {
    const schema = z.strictObject(
      Object.fromEntries(names.map((n) => [n, z.string().optional()])),
    ) as unknown as z.ZodType<Attrs>;
    return {
      name,
      schema,
      many,
      read: (el) =>
        el.children.length || Object.keys(el.attributes).some((a) => !names.includes(a))
          ? undefined
          : { ...el.attributes },
      write: (v) => element(name, v),
    };
  },
  /**
   * An element of attributes only whose attributes depend on its `type` (`<address>`): an
   * attribute `known` does not list for the type is refused, as the typed fields' unknown
   * ones are (an unknown type is left to the parser, which refuses it with libvirt's error).
   */
  attributesByType: (
    name: string,
    known: (type: string | undefined) => readonly string[] | undefined,
  ): KidField<Attrs> => ({
    name,
    schema: z.record(z.string(), z.string()).check((ctx) => {
      const names = known(ctx.value.type);
      const keys = Object.keys(ctx.value).filter((k) => names && !names.includes(k));
      if (keys.length) ctx.issues.push({ code: "unrecognized_keys", keys, input: ctx.value });
    }),
    many: false,
    read: (el) => (el.children.length ? undefined : { ...el.attributes }),
    write: (v) => element(name, v),
  }),
  /** One attribute of an element (`<alias name>`), as that attribute's value. */
  attribute: (name: string, attribute: string): KidField<string> => ({
    name,
    schema: z.string(),
    many: false,
    read: (el) => {
      const keys = Object.keys(el.attributes);
      return el.children.length || keys.length !== 1 || keys[0] !== attribute
        ? undefined
        : el.attributes[attribute];
    },
    write: (v) => element(name, { [attribute]: v }),
  }),
  /** An empty element whose presence is the value (`<readonly/>`). */
  flag: (name: string): KidField<boolean> => ({
    name,
    schema: z.boolean(),
    many: false,
    read: (el) => (el.children.length || Object.keys(el.attributes).length ? undefined : true),
    write: () => element(name),
  }),
  /** An element of text only (`<serial>`). */
  text: (name: string): KidField<string> => ({
    name,
    schema: z.string(),
    many: false,
    read: (el) => {
      const only = el.children.length === 1 && el.children[0].type === "text";
      return only && !Object.keys(el.attributes).length ? textOf(el) : undefined;
    },
    write: (v) => element(name, {}, [v]),
  }),
  /** A child described by a model of its own (`<disk><source>`). */
  model: <M>(name: string, model: DeviceModel<M>): KidField<M> => ({
    name,
    schema: model.schema,
    many: false,
    read: (el) => model.toModel(el),
    write: (v) => model.fromModel(v),
  }),
};

/** The JSON model of one element: its schema and the two conversions. */
export interface DeviceModel<M> {
  /** The zod schema (OpenAPI components come from it). */
  readonly schema: z.ZodType<M>;
  /** The model of a normalised element. */
  toModel(el: XmlElement): M;
  /** The element of a model (validated by {@link DeviceModel.schema}). */
  fromModel(model: M): XmlElement;
}

// deno-lint-ignore no-explicit-any
type AnyAttr = AttrField<any>;
// deno-lint-ignore no-explicit-any
type AnyKid = KidField<any>;

type FieldValue<F> = F extends AttrField<infer T> ? T : never;
type KidValue<F> = F extends KidField<infer T> ? (F["many"] extends true ? T[] : T) : never;

/** The TypeScript type of a model built by {@link deviceModel}. */
export type ModelOf<A extends Record<string, AnyAttr>, K extends Record<string, AnyKid>> =
  & { [P in keyof A]?: FieldValue<A[P]> }
  & { [P in keyof K]?: KidValue<K[P]> }
  & { extra?: XmlElementJSON[] };

/**
 * The model of element `name`: `attrs` by field name (the XML attribute's name), `kids` by
 * field name, and `order`, the children's order in libvirt's output (for writing them back).
 */
export function deviceModel<A extends Record<string, AnyAttr>, K extends Record<string, AnyKid>>(
  name: string,
  attrs: A,
  kids: K,
  order: readonly string[],
  meta: { description?: string; examples?: unknown[] } = {},
): DeviceModel<ModelOf<A, K>> {
  const shape: Record<string, z.ZodType> = {};
  for (const [field, f] of Object.entries(attrs)) {
    shape[field] = f.required ? f.schema : f.schema.optional();
  }
  for (const [field, f] of Object.entries(kids)) {
    shape[field] = (f.many ? z.array(f.schema) : f.schema).optional();
  }
  shape.extra = z.array(XmlElementSchema).optional().describe(
    `Every other child of <${name}>, as a normalised element tree, in libvirt's order`,
  );
  const schema = z.strictObject(shape).meta(meta) as unknown as z.ZodType<ModelOf<A, K>>;
  const kidByName = new Map(Object.entries(kids).map(([field, f]) => [f.name, { field, f }]));
  const position = nameOrder(order);
  return {
    schema,
    toModel(el) {
      const out: Record<string, unknown> = {};
      for (const [a, text] of Object.entries(el.attributes)) {
        // conf keeps only the attributes libvirt knows, and each has its field here.
        if (!Object.hasOwn(attrs, a)) throw new Error(`<${name}> attribute '${a}' has no field`);
        out[a] = attrs[a].read(text, name, a);
      }
      const extra: XmlElementJSON[] = [];
      for (const c of el.children) {
        if (c.type !== "element") continue;
        const k = kidByName.get(c.name);
        const value = k?.f.read(c);
        if (!k || value === undefined || (!k.f.many && out[k.field] !== undefined)) {
          extra.push(c as XmlElementJSON);
        } else if (k.f.many) {
          ((out[k.field] ??= []) as unknown[]).push(value);
        } else out[k.field] = value;
      }
      if (extra.length) out.extra = extra;
      return out as ModelOf<A, K>;
    },
    fromModel(model) {
      const m = model as Record<string, unknown>;
      const attributes: Attrs = {};
      for (const [field, f] of Object.entries(attrs)) {
        if (m[field] !== undefined) attributes[field] = f.write(m[field]);
      }
      const out: XmlElement[] = [];
      for (const [field, f] of Object.entries(kids)) {
        const v = m[field];
        if (v === undefined) continue;
        for (const one of f.many ? v as unknown[] : [v]) out.push(f.write(one));
      }
      out.push(...((m.extra ?? []) as XmlElement[]));
      const rank = (e: XmlElement) => position.get(e.name) ?? order.length;
      out.sort((a, b) => rank(a) - rank(b));
      return element(name, attributes, out);
    },
  };
}
