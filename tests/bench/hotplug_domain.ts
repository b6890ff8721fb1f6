/**
 * What the QEMU benches start: a q35 TCG domain with 1 of 4 vCPUs online (4 sockets, so each
 * vCPU is hot-pluggable), and the median they report.
 *
 * @example
 * ```ts
 * import { hotplugDomainXML } from "./hotplug_domain.ts";
 * hotplugDomainXML("b1", 128).includes("<name>b1</name>"); // true
 * ```
 * @module
 */

/** The domain's XML. */
export function hotplugDomainXML(name: string, memoryMiB: number): string {
  return `<domain type='qemu'><name>${name}</name><memory unit='MiB'>${memoryMiB}</memory>
<vcpu placement='static' current='1'>4</vcpu><os><type arch='x86_64' machine='q35'>hvm</type></os>
<cpu mode='custom' match='exact'><model fallback='allow'>qemu64</model>
<topology sockets='4' dies='1' cores='1' threads='1'/></cpu>
<devices><memballoon model='none'/></devices></domain>`;
}

/** The median of some timings. */
export const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
