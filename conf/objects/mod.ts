/**
 * The object layer of libvirt's `src/conf` every driver keeps its objects in: domain objects
 * with their live and persistent definitions (`virDomainObj`), the object lists of each family
 * (`virDomainObjList`, `virNetworkObjList`, `virStoragePoolObjList`, `virInterfaceObjList`,
 * `virNodeDeviceObjList`) and the snapshot/checkpoint trees (`virDomainMomentObjList`).
 *
 * @example
 * ```ts
 * import { DomainObjList, newDomainObj } from "./mod.ts";
 * const domains = new DomainObjList(newDomainObj);
 * domains.export(0).length; // 0
 * ```
 * @module
 */
export * from "./keyed_table.ts";
export * from "./list_filter.ts";
export * from "./not_found.ts";
export * from "./named_obj_list.ts";
export * from "./uuid_obj_list.ts";
export * from "./moment_list.ts";
export * from "./moment_delete.ts";
export * from "./domain_obj.ts";
export * from "./domain_obj_list.ts";
export * from "./network_obj.ts";
export * from "./storage_pool_obj.ts";
export * from "./interface_obj.ts";
export * from "./node_device_obj.ts";
