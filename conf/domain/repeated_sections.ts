/**
 * Repeated top-level sections of a `<domain>`, read as libvirt's XPath queries read them:
 * `./os/boot`, `./clock/timer` or `./cputune/vcpupin` find the children of every `<os>`,
 * `<clock>` or `<cputune>`, while `string(./clock/@offset)` or `./defaultiothread` take the first
 * element only. So the repeats of a container section become one element (the first one's
 * attributes, every one's children in document order), and the repeats of a section read whole
 * are dropped.
 *
 * @example
 * ```ts
 * import { mergeRepeatedSections } from "./repeated_sections.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const root = mergeRepeatedSections(
 *   parse("<domain><os><type>hvm</type></os><os><boot dev='cdrom'/></os></domain>"),
 * );
 * root.children.length; // 1: <os> with <type> and <boot>
 * ```
 * @module
 */
import type { XmlElement } from "../../util/xml/mod.ts";

/**
 * How libvirt reads the repeats of an element: `merge` finds the children of every repeat
 * (`./os/boot`), `first` reads the first one alone (`string(./bootloader)`, `./pm/suspend-to-mem`).
 */
type Repeats = "merge" | "first";

/** The domain's sections that may repeat, and how libvirt reads them. */
const SECTIONS: Record<string, Repeats> = {
  os: "merge",
  memoryBacking: "merge",
  memtune: "merge",
  cputune: "merge",
  iothreadids: "merge",
  clock: "merge",
  pm: "merge",
  defaultiothread: "first",
  bootloader: "first",
  bootloader_args: "first",
};

/** The children of merged sections that may repeat in turn. */
const NESTED: Record<string, Record<string, Repeats>> = {
  // virDomainDefParseBootOptions and friends: every <boot>, <initarg>, <initenv>, firmware
  // feature and ACPI table; the other children once.
  os: {
    ...Object.fromEntries(
      ["type", "init", "initdir", "inituser", "initgroup", "kernel", "initrd", "cmdline", "dtb"]
        .concat(["root", "loader", "nvram", "bootmenu", "bios", "smbios"])
        .map((name) => [name, "first" as const]),
    ),
    firmware: "merge",
    acpi: "merge",
  },
  // virDomainDefParseMemory: the pages of every <hugepages>; each flag and mode once.
  memoryBacking: {
    hugepages: "merge",
    nosharepages: "first",
    locked: "first",
    discard: "first",
    source: "first",
    access: "first",
    allocation: "first",
  },
  pm: { "suspend-to-mem": "first", "suspend-to-disk": "first" },
  // virDomainDefTunablesParse: each value once (`string(./cputune/shares[1])`), every pin,
  // scheduler and resource tune.
  cputune: Object.fromEntries(
    ["shares", "period", "quota", "global_period", "global_quota", "emulator_period"]
      .concat(["emulator_quota", "iothread_period", "iothread_quota"])
      .map((name) => [name, "first" as const]),
  ),
  memtune: Object.fromEntries(
    ["hard_limit", "soft_limit", "min_guarantee", "swap_hard_limit"]
      .map((name) => [name, "first" as const]),
  ),
};

/** `root` with its repeated sections merged or dropped (the input is not changed). */
export function mergeRepeatedSections(root: XmlElement): XmlElement {
  return mergeRepeats(root, SECTIONS);
}

function mergeRepeats(el: XmlElement, rules: Record<string, Repeats>): XmlElement {
  const first = new Map<string, XmlElement>();
  const children: XmlElement["children"] = [];
  for (const c of el.children) {
    const rule = c.type === "element" ? rules[c.name] : undefined;
    if (c.type !== "element" || !rule) {
      children.push(c);
      continue;
    }
    const kept = first.get(c.name);
    if (!kept) {
      const copy = { ...c, children: [...c.children] };
      first.set(c.name, copy);
      children.push(copy);
    } else if (rule === "merge") {
      kept.children.push(...c.children);
    }
  }
  for (const [name, kept] of first) {
    const nested = NESTED[name];
    if (nested) children[children.indexOf(kept)] = mergeRepeats(kept, nested);
  }
  return first.size ? { ...el, children } : el;
}
