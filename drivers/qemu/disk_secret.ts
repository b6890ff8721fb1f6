/**
 * The keys of LUKS-encrypted disks and the credentials of network disks (libvirt's
 * `qemuDomainSecretStorageSourcePrepare`): each disk's `<encryption format='luks'><secret
 * type='passphrase' uuid|usage/>` and each source's `<auth username><secret type='iscsi'|'ceph'
 * uuid|usage/></auth>` is read from the host's secret driver with the daemon's internal call
 * (private secrets too) and handed to QEMU as a `-object secret` read from a file of mode 0600
 * in the run directory, removed as soon as QEMU has read it: never in clear on a command line.
 * Other encryption is refused with libvirt's errors.
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

/** A disk key or password QEMU reads at start: its object id and the file holding it. */
export interface DiskSecret {
  id: string;
  file: string;
  /** The user a source's credentials are for (`<auth username>`). */
  username?: string;
}

/**
 * A network source's `<auth>`, in its `<source>` or, as older XML has it, in the disk.
 *
 * @example
 * ```ts
 * import { authOf } from "./disk_secret.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * authOf(parse("<disk><source><auth username='u'/></source></disk>"))?.attributes.username; // "u"
 * ```
 */
export function authOf(disk: XmlElement): XmlElement | undefined {
  return child(child(disk, "source"), "auth") ?? child(disk, "auth");
}

/** virSecretUsageType's names, as libvirt's type mismatch error spells them. */
const USAGE_NAMES = ["none", "volume", "ceph", "iscsi", "tls", "vtpm"];

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

/**
 * `virSecretGetSecretString`: the value of the secret `secret` names (by `uuid` or `usage`), of
 * usage `usageType`.
 *
 * @example
 * ```ts
 * import { secretValue } from "./disk_secret.ts";
 * import { element } from "../../util/xml/mod.ts";
 * declare const secondaries: import("./secondaries.ts").QemuSecondaries;
 * await secretValue(secondaries, element("secret", { uuid: "…" }), 5); // a vTPM's passphrase
 * ```
 */
export async function secretValue(
  secondaries: QemuSecondaries,
  secret: XmlElement | undefined,
  usageType: number,
): Promise<Uint8Array> {
  const { uuid, usage } = secret?.attributes ?? {};
  const ref = uuid !== undefined
    ? await secondaries.call("secret", "secretLookupByUUID", uuid)
    : await secondaries.call("secret", "secretLookupByUsage", usageType, usage ?? "");
  if (ref.usageType !== VIR.SECRET_USAGE_TYPE_NONE && ref.usageType !== usageType) {
    throw VirError.report(
      "NONE",
      "INVALID_ARG",
      `secret with uuid ${ref.uuid} is of type '${USAGE_NAMES[ref.usageType]}' not expected ` +
        `'${USAGE_NAMES[usageType]}' type`,
    );
  }
  const internal = internalSecretValue(await secondaries.get("secret"));
  if (!internal) throw VirError.report("NONE", "NO_SUPPORT", "virSecretGetValue");
  return Uint8Array.from(await internal.secretGetValueInternal(ref));
}

/**
 * Writes the key of every encrypted disk (by disk element) and the password of every network
 * source with credentials (by `<auth>` element) of the live definition `def` (or of its `disks`
 * alone: a hot-plug's) for QEMU, their sources numbered; the caller removes the files once QEMU
 * has read them (or failed to).
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
  disks: readonly XmlElement[] = def.devices.other,
): Promise<Map<XmlElement, DiskSecret>> {
  const out = new Map<XmlElement, DiskSecret>();
  const write = async (key: XmlElement, secret: DiskSecret, value: Uint8Array) => {
    await Deno.writeFile(secret.file, value, { mode: 0o600 });
    out.set(key, secret);
  };
  try {
    for (const disk of disks) {
      if (disk.name !== "disk") continue;
      const auth = authOf(disk);
      const index = child(disk, "source")?.attributes.index;
      if (auth && index !== undefined) {
        // Keyed by the <auth> element; the object is named after the storage node.
        const id = secretIds(disk).auth!;
        const usage = child(disk, "source")?.attributes.protocol === "rbd"
          ? VIR.SECRET_USAGE_TYPE_CEPH
          : VIR.SECRET_USAGE_TYPE_ISCSI;
        const value = await secretValue(secondaries, child(auth, "secret"), usage);
        const file = `${runDir}/${def.name}-${id}.secret`;
        await write(auth, { id, file, username: auth.attributes.username }, value);
      }
      const enc = encryptionOf(disk);
      if (!enc) continue;
      const { format, engine = "qemu" } = enc.attributes;
      if (format !== "luks" || engine !== "qemu") throw unsupportedEncryption(enc);
      const image = child(disk, "driver")?.attributes.type ?? "raw";
      if (image !== "raw" && image !== "qcow2") {
        throw unsupported("encryption is supported only with 'raw' and 'qcow2' image format");
      }
      // An encrypted drive without a medium has no image to open.
      if (index === undefined) continue;
      // Named after the format node that opens the image (qemuDomainSecretStorageSourcePrepare).
      const id = secretIds(disk).encryption!;
      const file = `${runDir}/${def.name}-${id}.secret`;
      const value = await secretValue(
        secondaries,
        child(enc, "secret"),
        VIR.SECRET_USAGE_TYPE_VOLUME,
      );
      await write(disk, { id, file }, value);
    }
  } catch (err) {
    await removeDiskSecrets(out);
    throw err;
  }
  return out;
}

/**
 * The ids of the secret objects a disk's top image uses, named after its nodes as libvirt's
 * `qemuDomainSecretStorageSourcePrepare` names them: the storage node's credentials (`<auth>`)
 * and the format node's key (`<encryption>`); none for a drive without a medium.
 *
 * @example
 * ```ts
 * import { secretIds } from "./disk_secret.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * secretIds(parse("<disk><source file='/a' index='3'/><encryption format='luks'/></disk>"))
 *   .encryption; // "libvirt-3-format-encryption-secret0"
 * ```
 */
export function secretIds(disk: XmlElement): { auth?: string; encryption?: string } {
  const index = child(disk, "source")?.attributes.index;
  if (index === undefined) return {};
  return {
    auth: authOf(disk) ? `libvirt-${index}-storage-auth-secret0` : undefined,
    encryption: encryptionOf(disk) ? `libvirt-${index}-format-encryption-secret0` : undefined,
  };
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
