/**
 * Save, restore, managed save and core dump of libvirt's test driver. Save images use the test
 * driver's own format: the magic `TestGuestMagic\0`, a native 32-bit length, then the domain XML.
 *
 * @module
 */
import type { DomainRef, DriverConnection } from "../../util/driver.ts";
import type { DomainDef } from "../../conf/domain/def.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { formatDomainXML, parseTestDomain } from "./conf_adapters.ts";
import { domainFromRef, emitLifecycle, shutdownState, startState } from "./domain_access.ts";
import { checkActive } from "../../conf/objects/domain_obj.ts";
import { stopDomain } from "./domain_lifecycle_api.ts";
import type { TestDriverState } from "./driver_state.ts";
import { methodTable } from "../../util/method_table.ts";
import { strerror } from "../../util/strerror.ts";

const F = "TEST";
const MAGIC = new TextEncoder().encode("TestGuestMagic\0");

function systemError(e: unknown, detail: string): VirError {
  return VirError.report(F, "SYSTEM_ERROR", `${detail}: ${strerror(e)}`);
}

/** `testDomainSaveImageWrite`. */
function writeImage(path: string, def: DomainDef): void {
  const xml = new TextEncoder().encode(formatDomainXML(def, VIR.DOMAIN_XML_SECURE));
  const buf = new Uint8Array(MAGIC.length + 4 + xml.length);
  buf.set(MAGIC, 0);
  new DataView(buf.buffer).setInt32(MAGIC.length, xml.length, true);
  buf.set(xml, MAGIC.length + 4);
  try {
    Deno.writeFileSync(path, buf, { mode: 0o600 });
  } catch (e) {
    throw systemError(e, `saving domain '${def.name}' to '${path}': open failed`);
  }
}

/** `testDomainSaveImageOpen`: the definition stored in an image. */
function readImage(path: string): DomainDef {
  let buf: Uint8Array;
  try {
    buf = Deno.readFileSync(path);
  } catch (e) {
    // open(2) takes a directory; the header's read is what fails.
    if (e instanceof Deno.errors.IsADirectory) {
      throw systemError(e, `incomplete save header in '${path}'`);
    }
    throw systemError(e, `cannot read domain image '${path}'`);
  }
  // A short read leaves errno at 0, so virReportSystemError appends strerror(0).
  if (buf.length < MAGIC.length) {
    throw VirError.report(F, "SYSTEM_ERROR", `incomplete save header in '${path}': Success`);
  }
  if (!MAGIC.every((b, i) => buf[i] === b)) {
    throw VirError.report(F, "INTERNAL_ERROR", "mismatched header magic");
  }
  if (buf.length < MAGIC.length + 4) {
    throw VirError.report(
      F,
      "SYSTEM_ERROR",
      `failed to read metadata length in '${path}': Success`,
    );
  }
  const len = new DataView(buf.buffer, buf.byteOffset).getInt32(MAGIC.length, true);
  if (len < 1 || len > 8192) {
    throw VirError.report(F, "INTERNAL_ERROR", "length of metadata out of range");
  }
  if (buf.length < MAGIC.length + 4 + len) {
    throw VirError.report(F, "SYSTEM_ERROR", `incomplete metadata in '${path}': Success`);
  }
  const xml = new TextDecoder().decode(buf.subarray(MAGIC.length + 4, MAGIC.length + 4 + len));
  return parseTestDomain(xml, false);
}

function refuseDxml(dxml: string | null): void {
  if (dxml !== null) {
    throw VirError.report(F, "ARGUMENT_UNSUPPORTED", "xml modification unsupported");
  }
}

/**
 * The save/restore part of the test driver's hypervisor table.
 *
 * @example
 * ```ts
 * import { domainSaveMethods } from "./domain_save_api.ts";
 * import { TestDriverState } from "./driver_state.ts";
 * const methods = domainSaveMethods(new TestDriverState());
 * ```
 */
export function domainSaveMethods(state: TestDriverState): Partial<DriverConnection> {
  const get = (ref: DomainRef) => domainFromRef(state, ref);
  return methodTable({
    domainSaveFlags: (ref, to, dxml, flags) => {
      checkFlags(flags, 0, "testDomainSaveFlags", F);
      refuseDxml(dxml);
      const obj = get(ref);
      checkActive(obj);
      writeImage(to, obj.def);
      stopDomain(state, obj, VIR.DOMAIN_SHUTOFF_SAVED, VIR.DOMAIN_EVENT_STOPPED_SAVED);
    },
    domainRestoreFlags: (from, dxml, flags) => {
      checkFlags(flags, 0, "testDomainRestoreFlags", F);
      refuseDxml(dxml);
      const { obj } = state.domains.add(readImage(from), { live: true, checkLive: true });
      startState(state, obj, VIR.DOMAIN_RUNNING_RESTORED);
      emitLifecycle(state, obj, VIR.DOMAIN_EVENT_STARTED, VIR.DOMAIN_EVENT_STARTED_RESTORED);
    },
    domainSaveImageGetXMLDesc: (file, flags) => {
      checkFlags(flags, VIR.DOMAIN_SAVE_IMAGE_XML_SECURE, "testDomainSaveImageGetXMLDesc", F);
      return formatDomainXML(readImage(file), VIR.DOMAIN_XML_SECURE);
    },
    domainSaveImageDefineXML: (file, dxml, flags) => {
      checkFlags(
        flags,
        VIR.DOMAIN_SAVE_RUNNING | VIR.DOMAIN_SAVE_PAUSED,
        "testDomainSaveImageDefineXML",
        F,
      );
      readImage(file);
      writeImage(file, parseTestDomain(dxml, false));
    },
    domainCoreDumpWithFormat: (ref, to, format, flags) => {
      checkFlags(flags, VIR.DUMP_CRASH, "testDomainCoreDumpWithFormat", F);
      const obj = get(ref);
      checkActive(obj);
      try {
        Deno.writeFileSync(to, MAGIC, { mode: 0o600 });
      } catch (e) {
        throw systemError(e, `domain '${ref.name}' coredump: failed to open ${to}`);
      }
      if (format !== VIR.DOMAIN_CORE_DUMP_FORMAT_RAW) {
        throw VirError.report(
          F,
          "OPERATION_UNSUPPORTED",
          "kdump-compressed format is not supported here",
        );
      }
      if (flags & VIR.DUMP_CRASH) {
        stopDomain(state, obj, VIR.DOMAIN_SHUTOFF_CRASHED, VIR.DOMAIN_EVENT_STOPPED_CRASHED);
      }
    },
    domainManagedSave: (ref, flags) => {
      checkFlags(
        flags,
        VIR.DOMAIN_SAVE_BYPASS_CACHE | VIR.DOMAIN_SAVE_RUNNING | VIR.DOMAIN_SAVE_PAUSED,
        "testDomainManagedSave",
        F,
      );
      const obj = get(ref);
      checkActive(obj);
      if (!obj.persistent) {
        throw VirError.report(
          F,
          "OPERATION_INVALID",
          "cannot do managed save for transient domain",
        );
      }
      shutdownState(state, obj, VIR.DOMAIN_SHUTOFF_SAVED);
      emitLifecycle(state, obj, VIR.DOMAIN_EVENT_STOPPED, VIR.DOMAIN_EVENT_STOPPED_SAVED);
      obj.hasManagedSave = true;
    },
    domainHasManagedSaveImage: (ref, flags) => {
      checkFlags(flags, 0, "testDomainHasManagedSaveImage", F);
      return get(ref).hasManagedSave;
    },
    domainManagedSaveRemove: (ref, flags) => {
      checkFlags(flags, 0, "testDomainManagedSaveRemove", F);
      get(ref).hasManagedSave = false;
    },
  });
}
