/**
 * Shared pieces of libvirt's XML configuration code: scaled units, UUIDs, MAC and IP
 * addresses, PCI addresses, and the network-device blocks (`<vlan>`, `<virtualport>`,
 * `<bandwidth>`) that networks and domains both use.
 *
 * @example
 * ```ts
 * import { parseStorageSize } from "./mod.ts";
 * parseStorageSize("1", "KiB", "STORAGE"); // 1024
 * ```
 * @module
 */
export * from "./units.ts";
export * from "./uuid.ts";
export * from "./mac.ts";
export * from "./values.ts";
export * from "./ip_addr.ts";
export * from "./pci_address.ts";
export * from "./vlan.ts";
export * from "./virtualport.ts";
export * from "./bandwidth.ts";
export * from "./metadata.ts";
export * from "./path.ts";
export * from "./rng.ts";
