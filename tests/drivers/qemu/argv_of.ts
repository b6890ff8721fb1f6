/**
 * A definition as the QEMU driver parses it (post-parse, its XML namespace) and the QEMU command
 * line a start builds from it, on fixed paths: for the tests that compare arguments.
 *
 * @module
 */
import { parseDomainXML } from "../../../conf/domain/mod.ts";
import type { DomainDef } from "../../../conf/domain/def.ts";
import { readQemuNamespace } from "../../../conf/domain/qemu_namespace.ts";
import { buildQemuArgv } from "../../../drivers/qemu/command/mod.ts";
import { vcpusFromDef } from "../../../drivers/qemu/hotplug/mod.ts";
import { qemuPostParse } from "../../../drivers/qemu/postparse.ts";
import { assignDeviceAliases } from "../../../drivers/qemu/alias.ts";
import { numberDiskSources } from "../../../drivers/qemu/disk_chains.ts";

/** `xml` parsed and post-parsed as the QEMU driver does. */
export function qemuDefined(xml: string): DomainDef {
  const def = parseDomainXML(xml, 0, false, true, { namespace: readQemuNamespace });
  qemuPostParse(def);
  return def;
}

/** The command line a start of `xml` builds (aliases and disk sources given as a start gives them). */
export function startArgv(xml: string): string[] {
  const def = qemuDefined(xml);
  assignDeviceAliases(def);
  numberDiskSources(def);
  return buildQemuArgv(def, vcpusFromDef(def).vcpus, {
    monitorPath: "/run/ev/vm.qmp",
    accel: "tcg",
    memoryDir: "/run/ram/1-vm",
    tpmSocket: "/run/ev/swtpm/1-vm-swtpm.sock",
  });
}
