/**
 * Shapes of the QMP replies the driver reads (QEMU 7.2 schema names).
 *
 * @module
 */

/** CPU location properties (`socket-id`, `die-id`, `core-id`, `thread-id`, `node-id`). */
export type CpuInstanceProps = Record<string, number>;

/** One entry of `query-hotpluggable-cpus`: a hotpluggable entity (one or more vCPUs). */
export interface HotpluggableCpu {
  type: string;
  "vcpus-count": number;
  props: CpuInstanceProps;
  /** Present when the entity is plugged in. */
  "qom-path"?: string;
}

/** One entry of `query-cpus-fast`: a vCPU that exists now. */
export interface CpuInfoFast {
  "cpu-index": number;
  "qom-path": string;
  "thread-id": number;
  props?: CpuInstanceProps;
  target?: string;
}

/** `query-status`. */
export interface StatusInfo {
  running: boolean;
  status: string;
  singlestep?: boolean;
}
