/**
 * `<blkiotune>` as the drivers' block I/O tuning calls edit and report it: the weight and the
 * per-device values, kept in the definition so they follow the live/persistent split and print
 * where libvirt prints them.
 *
 * @module
 */
import type { DomainDef, XmlElementJSON } from "./def.ts";
import type { TypedParams } from "../../util/contract/types.ts";
import { VirError } from "../../util/errors.ts";
import type { BlkioDeviceValue } from "../../util/cgroup/backend.ts";
import { dropIfEmpty, kidOrder, section, setChild } from "./tune_xml.ts";

function kid(el: XmlElementJSON | undefined, name: string): XmlElementJSON | undefined {
  return el?.children.find((c): c is XmlElementJSON => c.type === "element" && c.name === name);
}

function text(el: XmlElementJSON | undefined): string | undefined {
  const t = el?.children.find((c) => c.type === "text");
  return t && t.type === "text" ? t.text : undefined;
}

function textEl(name: string, value: string | number): XmlElementJSON {
  return {
    type: "element",
    name,
    attributes: {},
    children: [{ type: "text", text: String(value) }],
  };
}

/**
 * Blkio per-device parameters and the `<device>` child each one sets.
 *
 * @example
 * ```ts
 * import { BLKIO_DEVICE } from "./blkio_params.ts";
 * BLKIO_DEVICE.device_read_iops_sec; // "read_iops_sec"
 * ```
 */
export const BLKIO_DEVICE = {
  device_weight: "weight",
  device_read_iops_sec: "read_iops_sec",
  device_write_iops_sec: "write_iops_sec",
  device_read_bytes_sec: "read_bytes_sec",
  device_write_bytes_sec: "write_bytes_sec",
} as const satisfies Record<string, BlkioDeviceValue>;
const BLKIO_DEVICE_KIDS = ["path", ...Object.values(BLKIO_DEVICE)];

/**
 * `virDomainDriverMergeBlkioDevice`: one device field's values merged into the `<device>` list
 * (a zero clears the value; a device left without values goes).
 *
 * @example
 * ```ts
 * import { mergeBlkioDevices } from "./blkio_params.ts";
 * declare const def: import("./def.ts").DomainDef;
 * mergeBlkioDevices(def, "device_weight", [["/dev/sda", 500]]);
 * ```
 */
export function mergeBlkioDevices(
  def: DomainDef,
  param: keyof typeof BLKIO_DEVICE,
  devices: [string, number][],
): void {
  const blkio = section(def, "blkiotune", true);
  const field = BLKIO_DEVICE[param];
  for (const [path, n] of devices) {
    let dev = blkio.children.find((c): c is XmlElementJSON =>
      c.type === "element" && c.name === "device" && text(kid(c, "path")) === path
    );
    if (!dev) {
      if (!n) continue;
      dev = { type: "element", name: "device", attributes: {}, children: [textEl("path", path)] };
      blkio.children.push(dev);
    }
    setChild(dev, field, n ? textEl(field, n) : undefined, BLKIO_DEVICE_KIDS);
  }
  blkio.children = blkio.children.filter((c) =>
    c.type !== "element" || c.name !== "device" || c.children.length > 1
  );
  dropIfEmpty(def, "blkiotune");
}

/**
 * `virDomainDriverParseBlkioDeviceStr`: `path,value,path,value…`.
 *
 * @example
 * ```ts
 * import { parseBlkioDevices } from "./blkio_params.ts";
 * parseBlkioDevices("device_weight", "/dev/sda,500"); // [["/dev/sda", 500]]
 * ```
 */
export function parseBlkioDevices(param: string, value: string): [string, number][] {
  if (value === "") return [];
  const parts = value.split(",");
  if (parts.length % 2) {
    throw VirError.report(
      "DOMAIN",
      "INVALID_ARG",
      `unable to parse blkio device '${param}' '${value}'`,
    );
  }
  const out: [string, number][] = [];
  for (let i = 0; i < parts.length; i += 2) {
    const n = parts[i + 1];
    if (!/^\d+$/.test(n)) {
      throw VirError.report(
        "DOMAIN",
        "INVALID_ARG",
        `invalid value '${n}' for parameter '${param}' of device '${parts[i]}'`,
      );
    }
    out.push([parts[i], Number(n)]);
  }
  return out;
}

/**
 * virDomainDriverSetupPersistentDefBlkioParams: the weight, and per-device values merged into
 * the `<device>` list (a zero clears the value; a device left without values goes). A value
 * that does not parse is skipped and the others still apply; the last such error is the
 * call's.
 */
export function setBlkioParameters(def: DomainDef, p: TypedParams): void {
  const blkio = section(def, "blkiotune", true);
  let failure: VirError | undefined;
  for (const [name, value] of Object.entries(p)) {
    if (name === "weight") {
      const el = Number(value) ? textEl("weight", Number(value)) : undefined;
      setChild(blkio, "weight", el, kidOrder("blkiotune"));
      continue;
    }
    let devices: [string, number][];
    try {
      devices = parseBlkioDevices(name, String(value));
    } catch (e) {
      if (!(e instanceof VirError)) throw e;
      failure = e;
      continue;
    }
    mergeBlkioDevices(def, name as keyof typeof BLKIO_DEVICE, devices);
  }
  dropIfEmpty(def, "blkiotune");
  if (failure) throw failure;
}

/**
 * `virDomainGetBlkioParametersAssignFromDef`: the weight and one `path,value,…` string per
 * device field.
 *
 * @example
 * ```ts
 * import { blkioParameters } from "./blkio_params.ts";
 * declare const def: import("./def.ts").DomainDef;
 * blkioParameters(def).device_weight; // "/dev/sda,500"
 * ```
 */
export function blkioParameters(def: DomainDef): TypedParams {
  const blkio = section(def, "blkiotune");
  const devices = (blkio?.children ?? []).filter((c): c is XmlElementJSON =>
    c.type === "element" && c.name === "device"
  );
  const out: TypedParams = { weight: Number(text(kid(blkio, "weight")) ?? 0) };
  for (const [param, field] of Object.entries(BLKIO_DEVICE)) {
    out[param] = devices.flatMap((d) => {
      const v = text(kid(d, field));
      return v === undefined ? [] : [text(kid(d, "path")) ?? "", v];
    }).join(",");
  }
  return out;
}
