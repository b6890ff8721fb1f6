/**
 * libvirt's cgroup layer: host mounts, the v1 and v2 backends behind one {@link Cgroup}.
 *
 * @module
 */
export * from "./mounts.ts";
export * from "./backend.ts";
export * from "./limits.ts";
export * from "./cgroup.ts";
