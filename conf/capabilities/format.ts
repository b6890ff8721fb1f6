import { element, stringify, type XmlElement } from "../../util/xml/mod.ts";
import type { Capabilities, GuestCap } from "./model.ts";

const flags = (names: string[]) => names.map((n) => element(n));

/** The host CPU's identity as `virCPUDefFormatBuf` writes it for a host CPU. */
function cpuIdentity(cpu: Capabilities["host"]["cpu"]): (XmlElement | false)[] {
  if (!cpu) return [];
  const { signature: sig, topology: t } = cpu;
  return [
    cpu.model !== undefined && element("model", {}, [cpu.model]),
    cpu.vendor !== undefined && element("vendor", {}, [cpu.vendor]),
    cpu.microcode !== undefined && element("microcode", { version: cpu.microcode }),
    sig !== undefined &&
    element("signature", { family: sig.family, model: sig.model, stepping: sig.stepping }),
    t !== undefined &&
    element("topology", { sockets: t.sockets, dies: t.dies, cores: t.cores, threads: t.threads }),
    cpu.maxPhysAddrBits !== undefined &&
    element("maxphysaddr", { mode: "emulate", bits: cpu.maxPhysAddrBits }),
    ...(cpu.features ?? []).map((name) => element("feature", { name })),
  ];
}

function migrationElement(m: Capabilities["host"]["migration"]): XmlElement | false {
  if (!m) return false;
  return element("migration_features", {}, [
    m.live && element("live"),
    m.transports.length > 0 && element(
      "uri_transports",
      {},
      m.transports.map((t) => element("uri_transport", {}, [t])),
    ),
  ]);
}

function hostElement(host: Capabilities["host"]): XmlElement {
  return element("host", {}, [
    host.uuid !== undefined && element("uuid", {}, [host.uuid]),
    element("cpu", {}, [
      element("arch", {}, [host.arch]),
      host.cpuFeatures.length > 0 && element("features", {}, flags(host.cpuFeatures)),
      ...cpuIdentity(host.cpu),
      ...host.pageSizes.map((size) => element("pages", { unit: "KiB", size })),
    ]),
    element("power_management", {}, flags(host.powerManagement)),
    element("iommu", { support: host.iommu ? "yes" : "no" }),
    migrationElement(host.migration),
    host.cells.length > 0 && element("topology", {}, [
      element(
        "cells",
        { num: host.cells.length },
        host.cells.map((cell) =>
          element("cell", { id: cell.id }, [
            element("memory", { unit: "KiB" }, [String(cell.memory)]),
            ...cell.pages.map((p) =>
              element("pages", { unit: "KiB", size: p.size }, [String(p.count)])
            ),
            cell.distances !== undefined && element(
              "distances",
              {},
              cell.distances.map((d) => element("sibling", { id: d.id, value: d.value })),
            ),
            element(
              "cpus",
              { num: cell.cpus.length },
              cell.cpus.map((c) =>
                element("cpu", {
                  id: c.id,
                  socket_id: c.socketId,
                  die_id: c.dieId,
                  core_id: c.coreId,
                  siblings: c.siblings,
                })
              ),
            ),
          ])
        ),
      ),
    ]),
    host.cache !== undefined && host.cache.length > 0 && element(
      "cache",
      {},
      host.cache.map((b) =>
        element("bank", {
          id: b.id,
          level: b.level,
          type: b.type,
          size: b.size,
          unit: b.unit,
          cpus: b.cpus,
        })
      ),
    ),
    ...host.secModels.map((m) =>
      element("secmodel", {}, [element("model", {}, [m.model]), element("doi", {}, [m.doi])])
    ),
  ]);
}

function guestElement(g: GuestCap): XmlElement {
  return element("guest", {}, [
    element("os_type", {}, [g.osType]),
    element("arch", { name: g.arch }, [
      element("wordsize", {}, [String(g.wordsize)]),
      g.emulator !== undefined && element("emulator", {}, [g.emulator]),
      ...g.machines.map((m) =>
        typeof m === "string" ? element("machine", {}, [m]) : element("machine", {
          canonical: m.canonical,
          maxCpus: m.maxCpus,
          deprecated: m.deprecated ? "yes" : undefined,
        }, [m.name])
      ),
      ...g.domainTypes.map((type) => element("domain", { type })),
    ]),
    g.features.length > 0 && element(
      "features",
      {},
      g.features.map((f) =>
        typeof f === "string" ? element(f) : element(f.name, {
          default: f.default ? "on" : "off",
          toggle: f.toggle ? "yes" : "no",
        })
      ),
    ),
  ]);
}

/**
 * Formats the capabilities document like libvirt 9.0's virCapabilitiesFormatXML, blank lines
 * between the top-level sections included.
 *
 * @example
 * ```ts
 * import { formatCapabilitiesXML } from "./format.ts";
 * formatCapabilitiesXML({
 *   host: { arch: "i686", cpuFeatures: [], pageSizes: [4], powerManagement: [], iommu: false, cells: [], secModels: [] },
 *   guests: [],
 * }).startsWith("<capabilities>\n\n  <host>"); // true
 * ```
 */
export function formatCapabilitiesXML(caps: Capabilities): string {
  const section = (el: XmlElement) =>
    // libvirt prints an empty DOI as an open/close pair rather than a self-closing tag.
    stringify(el, { depth: 1 }).replaceAll("<doi/>", "<doi></doi>") + "\n";
  return "<capabilities>\n\n" + section(hostElement(caps.host)) +
    caps.guests.map((g) => section(guestElement(g))).join("") + "</capabilities>\n";
}
