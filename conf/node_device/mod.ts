/**
 * libvirt's node device XML (node_device_conf.c), for the capability types the test driver's
 * default node uses: `system` and `scsi_host` (with `fc_host` and `vport_ops`).
 *
 * @example
 * ```ts
 * import { formatNodeDeviceXML, parseNodeDeviceXML } from "./mod.ts";
 * formatNodeDeviceXML(parseNodeDeviceXML("<device><name>h</name><capability type='scsi_host'><host>1</host></capability></device>"));
 * ```
 * @module
 */
export * from "./model.ts";
export * from "./parse.ts";
export * from "./format.ts";
