/**
 * `domain.rng` of libvirt 9.0 as {@link rngValidate} checks it: the root's attributes, the
 * top-level elements and the values of the simple ones.
 *
 * @example
 * ```ts
 * import { DOMAIN_RNG } from "./rng_schema.ts";
 * import { rngValidate } from "../common/rng.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * rngValidate(parse("<domain type='test'><name>a</name></domain>"), DOMAIN_RNG);
 * ```
 * @module
 */
import type { RngElement, RngSchema, RngValue } from "../common/rng.ts";

/** basictypes.rng's `unit`. */
const UNIT = /^(?:[bB](?:[yY][tT][eE][sS]?)?|[kKmMgGtTpPeE](?:[iI]?[bB])?)$/;
const LIFECYCLE = ["destroy", "restart", "preserve", "rename-restart"];

/** Members of the `ids`, `resources` and `events` interleaves nested in `domaincontents`. */
const NESTED: Record<string, RngElement> = {
  // `name` is the one required member of `ids`: libxml2 reports only its own failure.
  name: { attrs: {}, alone: true },
  uuid: { attrs: {}, text: "uuid" },
  genid: { attrs: {} },
  memory: { attrs: { unit: UNIT, dumpCore: ["on", "off"] }, text: "unsignedLong", detail: true },
  maxMemory: { attrs: { unit: UNIT, slots: "unsignedInt" }, text: "unsignedLong" },
  currentMemory: { attrs: { unit: UNIT }, text: "unsignedLong" },
  memoryBacking: {},
  vcpu: {
    attrs: { placement: ["static", "auto"], cpuset: "string", current: "unsignedInt" },
    text: "positiveInteger",
  },
  vcpus: {},
  iothreads: { attrs: {}, text: "unsignedInt" },
  iothreadids: {},
  defaultiothread: {},
  blkiotune: {},
  memtune: {},
  cputune: {},
  numatune: {},
  resource: {},
  on_poweroff: { attrs: {}, text: LIFECYCLE },
  on_reboot: { attrs: {}, text: LIFECYCLE },
  on_crash: {
    attrs: {},
    text: [...LIFECYCLE, "coredump-destroy", "coredump-restart"],
  },
  on_lockfailure: { attrs: {}, text: ["poweroff", "restart", "pause", "ignore"] },
};

/** The other members of `domaincontents`' interleave. */
const DIRECT: Record<string, RngElement> = {
  title: {},
  description: {},
  metadata: {},
  cpu: {},
  sysinfo: { many: true },
  os: { attrs: { firmware: ["bios", "efi"] }, detail: true },
  clock: {
    attrs: { offset: ["localtime", "utc", "timezone", "variable", "absolute"] },
    openAttrs: true,
    detail: true,
  },
  features: {},
  pm: {},
  perf: {},
  idmap: {},
  devices: {},
  seclabel: { many: true },
  keywrap: {},
  launchSecurity: {},
  bootloader: {},
  bootloader_args: {},
};

const HVS: RngValue = (
  "qemu kqemu kvm xen lxc uml openvz test vmware hyperv vbox phyp vz bhyve hvf"
).split(" ");

/** The domain document's schema. */
export const DOMAIN_RNG: RngSchema = {
  file: "domain.rng",
  root: "domain",
  attrs: { type: HVS, id: "unsignedInt" },
  required: ["type"],
  elements: {
    ...Object.fromEntries(Object.entries(NESTED).map(([k, v]) => [k, { ...v, nested: true }])),
    ...DIRECT,
  },
};
