/**
 * `<features><smm>` on QEMU's command line (qemuAppendDomainFeaturesMachineParam,
 * qemuBuildTSEGCommandLine) and its TSEG checks (qemuDomainDefTsegPostParse): the machine's
 * `smm=on|off`, and an extended TSEG in whole MiB on q35's MCH.
 *
 * @example
 * ```ts
 * import { smmMachineOption } from "./smm.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * smmMachineOption(def); // ",smm=on"
 * ```
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { child, textOf } from "../../util/xml/mod.ts";
import { isQ35 } from "./default_devices.ts";
import { unsupported } from "./command/unsupported.ts";

/** The power of 1024 of each unit the parser writes a TSEG size in. */
const UNIT_POWER: Record<string, bigint> = { B: 0n, KiB: 1n, MiB: 2n, GiB: 3n, TiB: 4n, PiB: 5n };

const smmOf = (def: DomainDef) => child(def.sections.find((s) => s.name === "features"), "smm");

/** The TSEG size in bytes of an SMM that is on, when the definition sets one. */
function tsegBytes(def: DomainDef): bigint | undefined {
  const tseg = child(smmOf(def), "tseg");
  if (!tseg) return undefined;
  return BigInt(textOf(tseg)!.trim()) * 1024n ** UNIT_POWER[tseg.attributes.unit ?? "MiB"];
}

/**
 * qemuDomainDefTsegPostParse: a TSEG size only on q35 (QEMU 7.2's MCH has the property), in
 * whole MiB.
 *
 * @example
 * ```ts
 * import { validateTseg } from "./smm.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * validateTseg(def); // throws "SMM TSEG is only supported with q35 machine type" on i440fx
 * ```
 */
export function validateTseg(def: DomainDef): void {
  const bytes = tsegBytes(def);
  if (bytes === undefined) return;
  if (!isQ35(def)) throw unsupported("SMM TSEG is only supported with q35 machine type");
  if (bytes % (1n << 20n)) throw unsupported("SMM TSEG size must be divisible by 1 MiB");
}

/** `,smm=on|off` for `-machine` when the definition says. */
export function smmMachineOption(def: DomainDef): string {
  const smm = smmOf(def);
  return smm ? `,smm=${smm.attributes.state}` : "";
}

/**
 * The extended TSEG's `-global` (after `-accel`, as libvirt places it).
 *
 * @example
 * ```ts
 * import { tsegArgs } from "./smm.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * tsegArgs(def); // ["-global", "mch.extended-tseg-mbytes=48"]
 * ```
 */
export function tsegArgs(def: DomainDef): string[] {
  const bytes = tsegBytes(def);
  return bytes === undefined ? [] : ["-global", `mch.extended-tseg-mbytes=${bytes >> 20n}`];
}
