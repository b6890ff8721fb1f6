/**
 * What libvirt's QEMU XML namespace does to the command line (qemu_command.c): the
 * `<qemu:deprecation>` behaviour as `-compat` (qemuBuildCompatDeprecatedCommandLine), the
 * `<qemu:override>` properties on each `-device` of that alias
 * (qemuBuildDeviceCommandlineHandleOverrides) and the `<qemu:commandline>` variables in QEMU's
 * environment (its arguments go last, as they are).
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { overrideValue } from "../../../conf/domain/qemu_namespace.ts";
import { optValue } from "./escape.ts";

/** qemuCommandDeprecationBehavior → `-compat` (`none` adds nothing). */
const COMPAT: Record<string, Record<string, string> | undefined> = {
  none: undefined,
  omit: { "deprecated-output": "hide" },
  reject: { "deprecated-output": "hide", "deprecated-input": "reject" },
  crash: { "deprecated-output": "hide", "deprecated-input": "crash" },
};

/**
 * `-compat` for the domain's deprecation behaviour; nothing for `none` or for a behaviour
 * libvirt does not know (it only warns in its log about that one).
 *
 * @example
 * ```ts
 * import { compatArgs } from "./namespace_args.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * compatArgs(def); // ["-compat", '{"deprecated-output":"hide","deprecated-input":"crash"}']
 * ```
 */
export function compatArgs(def: DomainDef): string[] {
  const behavior = def.qemuNamespace?.deprecation;
  const props = behavior !== undefined && Object.hasOwn(COMPAT, behavior)
    ? COMPAT[behavior]
    : undefined;
  return props ? ["-compat", JSON.stringify(props)] : [];
}

/** The items of a QEMU option string, split at single commas (`,,` is a literal comma). */
function optionItems(value: string): string[] {
  const items: string[] = [];
  let cur = "";
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== ",") cur += value[i];
    else if (value[i + 1] === ",") cur += value[i++] + ",";
    else {
      items.push(cur);
      cur = "";
    }
  }
  return [...items, cur];
}

/** An item's key; the first item without `=` is the implied `driver`. */
function keyOf(item: string, index: number): string {
  const eq = item.indexOf("=");
  return eq >= 0 ? item.slice(0, eq) : index === 0 ? "driver" : item;
}

/** One `-device` value with the overrides of its `id`, as libvirt's JSON would have them. */
function overrideDevice(value: string, def: DomainDef): string {
  const items = optionItems(value);
  const id = items.find((it, i) => keyOf(it, i) === "id")?.slice(3);
  // libvirt: a device without an alias cannot be overridden.
  if (id === undefined) return value;
  let keyed = items.map((it, i) => [keyOf(it, i), it] as const);
  for (const device of def.qemuNamespace!.overrides) {
    if (optValue(device.alias) !== id) continue;
    for (const prop of device.frontend) {
      keyed = keyed.filter(([k]) => k !== prop.name);
      const v = overrideValue(prop);
      if (v === undefined) continue;
      const text = typeof v === "boolean" ? (v ? "on" : "off") : optValue(String(v));
      keyed.push([prop.name, `${prop.name}=${text}`]);
    }
  }
  return keyed.map(([, it]) => it).join(",");
}

/**
 * `argv` with the namespace's device overrides applied to every `-device` whose `id` is the
 * alias named: each property removed, then (unless `remove`) appended with its new value.
 *
 * @example
 * ```ts
 * import { applyDeviceOverrides } from "./namespace_args.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * applyDeviceOverrides(["-device", "virtio-balloon-pci,id=balloon0"], def);
 * ```
 */
export function applyDeviceOverrides(argv: string[], def: DomainDef): string[] {
  if (!def.qemuNamespace?.overrides.length) return argv;
  return argv.map((a, i) => argv[i - 1] === "-device" ? overrideDevice(a, def) : a);
}

/**
 * The `<qemu:env>` variables QEMU runs with (one without a value is empty), in their order.
 *
 * @example
 * ```ts
 * import { customEnv } from "./namespace_args.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * customEnv(def); // { NS: "ns", BAR: "" }
 * ```
 */
export function customEnv(def: DomainDef): Record<string, string> {
  return Object.fromEntries((def.qemuNamespace?.env ?? []).map((e) => [e.name, e.value ?? ""]));
}
