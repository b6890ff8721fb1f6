/**
 * The keys of LUKS-encrypted disks (libvirt's `qemuDomainSecretStorageSourcePrepareEncryption`):
 * each disk's `<encryption format='luks'><secret type='passphrase' uuid|usage/>` is read from
 * the host's secret driver with the daemon's internal call (private secrets too) and handed to
 * QEMU as a `-object secret` read from a file of mode 0600 in the run directory, removed as
 * soon as QEMU has read it: never in clear on a command line. Other encryption is refused with
 * libvirt's errors.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { internalSecretValue } from "../../util/secret_internal.ts";
import { child, type XmlElement } from "../../util/xml/mod.ts";
import { unsupported, unsupportedEncryption } from "./command/unsupported.ts";
import type { QemuSecondaries } from "./secondaries.ts";

/** A disk key QEMU reads at start: its object id and the file holding it. */
export interface DiskSecret {
  id: string;
  file: string;
}

/**
 * A disk's `<encryption>`, at disk level or in its `<source>`.
 *
 * @example
 * ```ts
 * import { encryptionOf } from "./disk_secret.ts";
 * import { element } from "../../util/xml/mod.ts";
 * encryptionOf(element("disk", {}, [element("source", {}, [element("encryption")])]))?.name;
 * // "encryption"
 * ```
 */
export function encryptionOf(disk: XmlElement): XmlElement | undefined {
  return child(disk, "encryption") ?? child(child(disk, "source"), "encryption");
}

async function secretValue(
  secondaries: QemuSecondaries,
  secret: XmlElement | undefined,
): Promise<Uint8Array> {
  const { uuid, usage } = secret?.attributes ?? {};
  const ref = uuid !== undefined
    ? await secondaries.call("secret", "secretLookupByUUID", uuid)
    : await secondaries.call(
      "secret",
      "secretLookupByUsage",
      VIR.SECRET_USAGE_TYPE_VOLUME,
      usage ?? "",
    );
  const internal = internalSecretValue(await secondaries.get("secret"));
  if (!internal) throw VirError.report("NONE", "NO_SUPPORT", "virSecretGetValue");
  return Uint8Array.from(await internal.secretGetValueInternal(ref));
}

/**
 * Writes the key of every encrypted disk of the live definition `def` for QEMU, by disk
 * element; the caller removes the files once QEMU started (or failed to).
 *
 * @example
 * ```ts
 * import { prepareDiskSecrets } from "./disk_secret.ts";
 * import type { QemuSecondaries } from "./secondaries.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef, secondaries: QemuSecondaries;
 * const secrets = await prepareDiskSecrets(def, secondaries, "/run/edgevirt/qemu");
 * ```
 */
export async function prepareDiskSecrets(
  def: DomainDef,
  secondaries: QemuSecondaries,
  runDir: string,
): Promise<Map<XmlElement, DiskSecret>> {
  const out = new Map<XmlElement, DiskSecret>();
  try {
    for (const disk of def.devices.other) {
      const enc = disk.name === "disk" ? encryptionOf(disk) : undefined;
      if (!enc) continue;
      const { format, engine = "qemu" } = enc.attributes;
      if (format !== "luks" || engine !== "qemu") throw unsupportedEncryption(enc);
      const image = child(disk, "driver")?.attributes.type ?? "raw";
      if (image !== "raw" && image !== "qcow2") {
        throw unsupported("encryption is supported only with 'raw' and 'qcow2' image format");
      }
      const alias = child(disk, "alias")?.attributes.name ?? `disk${out.size}`;
      const id = `${alias}-encryption-secret0`;
      const file = `${runDir}/${def.name}-${id}.secret`;
      const value = await secretValue(secondaries, child(enc, "secret"));
      await Deno.writeFile(file, value, { mode: 0o600 });
      out.set(disk, { id, file });
    }
  } catch (err) {
    await removeDiskSecrets(out);
    throw err;
  }
  return out;
}

/**
 * Removes the key files QEMU has read.
 *
 * @example
 * ```ts
 * import { removeDiskSecrets } from "./disk_secret.ts";
 * await removeDiskSecrets(new Map());
 * ```
 */
export async function removeDiskSecrets(secrets: ReadonlyMap<XmlElement, DiskSecret>) {
  for (const { file } of secrets.values()) await Deno.remove(file).catch(() => {});
}
