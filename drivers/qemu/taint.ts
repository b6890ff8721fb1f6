/**
 * Taints and deprecation warnings of a running domain (libvirt 9.0's `virDomainObjTaint`,
 * `qemuDomainObjTaintMsg`, `qemuDomainObjCheckTaint`) and `virDomainGetMessages`: what the
 * driver can see of them — QEMU run with root privileges by the system driver, a deprecated
 * machine type or CPU model (QEMU's own `deprecated` flags from `query-machines` and
 * `query-cpu-definitions`), custom arguments or device properties of the QEMU XML namespace, a host CPU passed through to a guest that arrives by migration or
 * restore, and guest agent commands sent through `virDomainQemuAgentCommand`. They last until
 * QEMU stops (`qemuProcessStop` clears them).
 *
 * @module
 */
import { VIR } from "../../util/constants.ts";
import { checkFlags } from "../../util/errors.ts";
import { textOf } from "../../util/xml/mod.ts";
import type { DomainDef } from "../../conf/domain/def.ts";
import type { EmulatorCaps } from "./api/host_caps_cache.ts";

/** `virDomainTaintFlags`: each taint's bit is its place here; its message is libvirt's. */
const TAINT_MESSAGES = [
  "custom configuration parameters specified",
  "custom monitor control commands issued",
  "running with undesirable elevated privileges",
  "network configuration using opaque shell scripts",
  "potentially unsafe disk format probing",
  "managing externally launched configuration",
  "potentially unsafe use of host CPU passthrough",
  "configuration potentially modified by hook script",
  "use of host cdrom passthrough",
  "custom device tree blob used",
  "custom guest agent control commands issued",
  "hypervisor feature autodetection override",
  "use of deprecated configuration settings",
  "custom device configuration",
] as const;

/** The taints the QEMU driver sets, by libvirt's name (`VIR_DOMAIN_TAINT_*`). */
export const TAINT = {
  CUSTOM_ARGV: 0,
  HIGH_PRIVILEGES: 2,
  HOST_CPU: 6,
  CUSTOM_GA_COMMAND: 10,
  DEPRECATED_CONFIG: 12,
  CUSTOM_DEVICE: 13,
} as const;

/** A domain's taints (a bit per `VIR_DOMAIN_TAINT_*`) and deprecation warnings. */
export interface Taints {
  taint: number;
  deprecations: string[];
}

/**
 * `qemuDomainObjTaintMsg`: sets `flag`; a deprecation with its detail is recorded each time.
 * Whether the taint is new.
 *
 * @example
 * ```ts
 * import { TAINT, taintDomain } from "./taint.ts";
 * const t = { taint: 0, deprecations: [] };
 * taintDomain(t, TAINT.DEPRECATED_CONFIG, "machine type 'pc-i440fx-1.4'"); // true
 * ```
 */
export function taintDomain(t: Taints, flag: number, detail?: string): boolean {
  const fresh = (t.taint & (1 << flag)) === 0;
  t.taint |= 1 << flag;
  if (flag === TAINT.DEPRECATED_CONFIG && detail !== undefined) t.deprecations.push(detail);
  return fresh;
}

/** What {@link checkStartTaints} looks at besides the definition. */
export interface StartContext {
  /** The system driver runs QEMU as root (libvirt: privileged with user or group 0). */
  rootQemu: boolean;
  /** QEMU's capabilities, where probed. */
  caps?: EmulatorCaps;
  /** QEMU starts from a migration stream (an incoming migration, a restore). */
  incoming: boolean;
}

/**
 * `qemuDomainObjCheckTaint` at a start, for what edgevirt can start with: the live definition
 * after the guest CPU was settled (a host-model CPU is a custom model by then).
 *
 * @example
 * ```ts
 * import { checkStartTaints } from "./taint.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * const t = { taint: 0, deprecations: [] };
 * checkStartTaints(t, def, { rootQemu: false, incoming: false });
 * ```
 */
export function checkStartTaints(t: Taints, def: DomainDef, ctx: StartContext): void {
  if (ctx.rootQemu) taintDomain(t, TAINT.HIGH_PRIVILEGES);
  // The QEMU XML namespace: arguments or environment of the user's, device properties changed.
  const ns = def.qemuNamespace;
  if (ns?.args.length || ns?.env.length) taintDomain(t, TAINT.CUSTOM_ARGV);
  if (ns?.overrides.length) taintDomain(t, TAINT.CUSTOM_DEVICE);
  // virQEMUCapsGetAccel: the answers of the accelerator this domain type runs on.
  const kvm = def.type === "kvm";
  const machine = ctx.caps?.machines.find((m) => m.name === def.os.machine);
  if (machine?.deprecated) {
    taintDomain(t, TAINT.DEPRECATED_CONFIG, `machine type '${def.os.machine}'`);
  }
  if (!def.cpu) return;
  const model = def.cpu.extra.find((e) => e.name === "model");
  switch (def.cpu.mode ?? "custom") {
    case "host-passthrough":
    case "maximum":
      if (ctx.incoming) taintDomain(t, TAINT.HOST_CPU);
      break;
    case "custom": {
      const name = textOf(model)?.trim();
      const cpus = kvm ? ctx.caps?.cpus.kvm : ctx.caps?.cpus.tcg;
      if (name && cpus?.find((c) => c.name === name)?.deprecated) {
        taintDomain(t, TAINT.DEPRECATED_CONFIG, `CPU model '${name}'`);
      }
    }
  }
}

/**
 * `virDomainObjGetMessages`: "tainted: …" per taint in libvirt's order, then "deprecated
 * configuration: …" per warning; the flags choose (none: both).
 *
 * @example
 * ```ts
 * import { domainMessages } from "./taint.ts";
 * domainMessages({ taint: 1 << 10, deprecations: [] }, 0);
 * // ["tainted: custom guest agent control commands issued"]
 * ```
 */
export function domainMessages(t: Taints, flags: number): string[] {
  checkFlags(
    flags,
    VIR.DOMAIN_MESSAGE_DEPRECATION | VIR.DOMAIN_MESSAGE_TAINTING,
    "qemuDomainGetMessages",
    "QEMU",
  );
  const out: string[] = [];
  if (!flags || flags & VIR.DOMAIN_MESSAGE_TAINTING) {
    TAINT_MESSAGES.forEach((message, bit) => {
      if (t.taint & (1 << bit)) out.push(`tainted: ${message}`);
    });
  }
  if (!flags || flags & VIR.DOMAIN_MESSAGE_DEPRECATION) {
    for (const d of t.deprecations) out.push(`deprecated configuration: ${d}`);
  }
  return out;
}
