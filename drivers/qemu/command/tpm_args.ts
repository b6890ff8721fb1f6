/**
 * A `<tpm>` as libvirt 9.0's QEMU driver completes, checks and starts it with QEMU 7.2:
 * `qemuDomainTPMDefPostParse` (the model and, for an emulator, the TPM version),
 * `qemuValidateDomainDeviceDefTPM` against the x86 binary's TPM capabilities and the host's
 * swtpm, and `qemuBuildTPMCommandLine` (the chardev `chrtpm`, `-tpmdev`, `-device`).
 *
 * @module
 */
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import { VirError } from "../../../util/errors.ts";
import { optValue } from "./escape.ts";
import { unsupported, unsupportedDevice } from "./unsupported.ts";

/** The TPM models QEMU 7.2's x86 binary has (`virQEMUCapsFillDomainDeviceTPMCaps`). */
export const TPM_MODELS: readonly string[] = ["tpm-tis", "tpm-crb"];

/** The backends QEMU 7.2 has; emulator and external only where swtpm is installed. */
const TPM_BACKENDS = ["passthrough", "emulator", "external"];

/**
 * qemuDomainTPMDefPostParse for x86: the model defaults to `tpm-tis`; an emulator without a
 * version gets 2.0 for `tpm-crb` and 1.2 otherwise (the two are not compatible, so libvirt
 * fixes one in the definition).
 *
 * @example
 * ```ts
 * import { tpmPostParse } from "./tpm_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * const tpm = parse("<tpm><backend type='emulator'/></tpm>");
 * tpmPostParse(tpm); // <tpm model='tpm-tis'><backend type='emulator' version='1.2'/></tpm>
 * ```
 */
export function tpmPostParse(tpm: XmlElement): void {
  tpm.attributes.model ??= "tpm-tis";
  const backend = child(tpm, "backend");
  if (backend?.attributes.type !== "emulator" || backend.attributes.version) return;
  // The attribute order of virDomainTPMDefFormat: type, version, persistent_state.
  const { type, ...rest } = backend.attributes;
  backend.attributes = {
    type,
    version: tpm.attributes.model === "tpm-crb" ? "2.0" : "1.2",
    ...rest,
  };
}

/**
 * qemuValidateDomainDeviceDefTPM with QEMU 7.2's x86 capabilities: the TPM versions the host's
 * swtpm_setup offers (none without swtpm), TPM 1.2 never on CRB, the backends QEMU has
 * (emulator and external need swtpm), and the x86 models.
 *
 * @example
 * ```ts
 * import { validateQemuTpm } from "./tpm_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * const tpm = parse("<tpm model='tpm-crb'><backend type='emulator' version='1.2'/></tpm>");
 * validateQemuTpm(tpm, "/usr/bin/qemu-system-x86_64", ["1.2", "2.0"]);
 * // throws "unsupported configuration: Unsupported interface 'tpm-crb' for TPM 1.2"
 * ```
 */
export function validateQemuTpm(
  tpm: XmlElement,
  emulator: string,
  versions: readonly string[] | undefined,
): void {
  const backend = child(tpm, "backend")!;
  const type = backend.attributes.type;
  const model = tpm.attributes.model;
  if (type === "emulator") {
    const version = backend.attributes.version;
    if (!versions?.includes(version)) {
      throw unsupported(`TPM version '${version}' is not supported`);
    }
    if (version === "1.2" && model === "tpm-crb") {
      throw unsupported(`Unsupported interface '${model}' for TPM 1.2`);
    }
    if (version === "1.2" && model === "tpm-spapr") {
      throw unsupported("TPM 1.2 is not supported with the SPAPR device model");
    }
  }
  const backends = versions ? TPM_BACKENDS : ["passthrough"];
  if (!backends.includes(type)) {
    throw unsupported(
      `The QEMU executable ${emulator} does not support TPM backend type ${type}`,
    );
  }
  if (!TPM_MODELS.includes(model)) {
    throw unsupported(`The QEMU executable ${emulator} does not support TPM model ${model}`);
  }
}

/**
 * The character device QEMU reaches an emulated or external TPM through: the swtpm socket
 * the driver started (`socket`) or the external one the definition names.
 */
function tpmChardevPath(tpm: XmlElement, socket: string | undefined): string {
  const backend = child(tpm, "backend")!;
  if (backend.attributes.type === "external") return child(backend, "source")!.attributes.path;
  if (!socket) throw VirError.report("QEMU", "INTERNAL_ERROR", "swtpm socket path is unknown");
  return socket;
}

/**
 * qemuBuildTPMCommandLine for an emulator or external backend: the chardev `chrtpm` (QEMU
 * connects to the socket), the backend `tpm-<alias>` (an external TPM is an emulator to
 * QEMU), then the device. A host TPM (passthrough) is refused: the driver does not hand QEMU
 * the opened device and its cancel file.
 *
 * @example
 * ```ts
 * import { tpmArgs } from "./tpm_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * const tpm = parse(
 *   "<tpm model='tpm-crb'><backend type='emulator' version='2.0'/><alias name='tpm0'/></tpm>",
 * );
 * tpmArgs(tpm, "/run/swtpm/1-vm-swtpm.sock");
 * // ["-chardev", "socket,id=chrtpm,path=/run/swtpm/1-vm-swtpm.sock",
 * //  "-tpmdev", "emulator,id=tpm-tpm0,chardev=chrtpm",
 * //  "-device", "tpm-crb,tpmdev=tpm-tpm0,id=tpm0"]
 * ```
 */
export function tpmArgs(tpm: XmlElement, socket: string | undefined): string[] {
  if (child(tpm, "backend")?.attributes.type === "passthrough") {
    throw unsupportedDevice(tpm, "tpm-passthrough");
  }
  const alias = child(tpm, "alias")?.attributes.name ?? "tpm0";
  const path = tpmChardevPath(tpm, socket);
  return [
    "-chardev",
    `socket,id=chrtpm,path=${optValue(path)}`,
    "-tpmdev",
    `emulator,id=tpm-${optValue(alias)},chardev=chrtpm`,
    "-device",
    `${tpm.attributes.model},tpmdev=tpm-${optValue(alias)},id=${optValue(alias)}`,
  ];
}
