/**
 * vCPU calls of libvirt's test driver: counts (live, config, maximum), per-vCPU info and
 * pinning of vCPUs and the emulator.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import type { DomainRef, DriverConnection } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { domainFromRef } from "./domain_access.ts";
import { getDefs, getOneDef, isActive } from "./domain_obj.ts";
import type { DomainObj } from "./domain_obj.ts";
import type { TestDriverState } from "./driver_state.ts";
import { lift } from "./sync_table.ts";

const F = "TEST";
/** `testConnectGetMaxVcpus`. */
const MAX_VCPUS = 32;
const COUNT_FLAGS = VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG | VIR.DOMAIN_VCPU_MAXIMUM;

/** `virDomainDefSetVcpus`: the first `n` vCPUs online, the rest offline. */
function setOnline(def: DomainDef, n: number): void {
  def.vcpu.current = n;
  def.vcpus?.forEach((v, i) => (v.enabled = i < n));
}

/** `virDomainDefSetVcpusMax`: resizing the maximum clamps the online count. */
function setMaximum(def: DomainDef, n: number): void {
  def.vcpu.max = n;
  if (def.vcpu.current > n) def.vcpu.current = n;
  if (def.vcpus) {
    def.vcpus = def.vcpus.slice(0, n);
    for (let i = def.vcpus.length; i < n; i++) {
      def.vcpus.push({ id: i, enabled: false, hotpluggable: true });
    }
  }
}

/** `VIR_NODEINFO_MAXCPUS`: every host CPU the fake node could have. */
function hostCpuCount(state: TestDriverState): number {
  const n = state.nodeInfo;
  return n.nodes * n.sockets * n.cores * n.threads;
}

/** A CPU list (`0-3,^2`) as a host CPU map. */
function cpusetMap(cpuset: string, size: number): boolean[] {
  const map = new Array<boolean>(size).fill(false);
  for (const part of cpuset.split(",")) {
    const neg = part.startsWith("^");
    const [a, b] = part.replace("^", "").split("-").map(Number);
    for (let i = a; i <= (b ?? a); i++) if (i < size) map[i] = !neg;
  }
  return map;
}

/** The CPU map a vCPU runs on: its own pinning, the domain's cpuset, or every host CPU. */
function vcpuMap(state: TestDriverState, obj: DomainObj, def: DomainDef, vcpu: number): boolean[] {
  const size = hostCpuCount(state);
  const pinned = obj.vcpuPins.get(def)?.get(vcpu);
  if (pinned) return [...pinned, ...new Array<boolean>(size).fill(false)].slice(0, size);
  if (def.vcpu.cpuset) return cpusetMap(def.vcpu.cpuset, size);
  return new Array<boolean>(size).fill(true);
}

/**
 * The vCPU part of the test driver's hypervisor table.
 *
 * @example
 * ```ts
 * import { domainVcpuMethods } from "./domain_vcpu_api.ts";
 * import { TestDriverState } from "./driver_state.ts";
 * const methods = domainVcpuMethods(new TestDriverState());
 * ```
 */
export function domainVcpuMethods(state: TestDriverState): Partial<DriverConnection> {
  const get = (ref: DomainRef) => domainFromRef(state, ref);
  const getVcpusFlags = (ref: DomainRef, flags: number) => {
    checkFlags(flags, COUNT_FLAGS, "testDomainGetVcpusFlags", F);
    const { def } = getOneDef(get(ref), flags);
    return flags & VIR.DOMAIN_VCPU_MAXIMUM ? def.vcpu.max : def.vcpu.current;
  };
  return lift({
    connectGetMaxVcpus: () => MAX_VCPUS,
    domainGetVcpusFlags: (ref, flags) => getVcpusFlags(ref, flags),
    domainGetMaxVcpus: (ref) =>
      getVcpusFlags(ref, VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_VCPU_MAXIMUM),
    domainSetVcpusFlags: (ref, n, flags) => {
      checkFlags(flags, COUNT_FLAGS, "testDomainSetVcpusFlags", F);
      // nrCpus is unsigned in libvirt but printed with %d.
      if (n >>> 0 > MAX_VCPUS) {
        throw VirError.report(
          F,
          "INVALID_ARG",
          `requested cpu amount exceeds maximum supported amount (${n | 0} > ${MAX_VCPUS})`,
        );
      }
      const { live, config } = getDefs(get(ref), flags);
      const tooMany = (def: DomainDef) =>
        VirError.report(
          F,
          "INVALID_ARG",
          `requested cpu amount exceeds maximum (${n} > ${def.vcpu.max})`,
        );
      if (live && live.vcpu.max < n) throw tooMany(live);
      if (config && !(flags & VIR.DOMAIN_VCPU_MAXIMUM) && config.vcpu.max < n) {
        throw tooMany(config);
      }
      if (live) setOnline(live, n);
      if (config) {
        if (flags & VIR.DOMAIN_VCPU_MAXIMUM) setMaximum(config, n);
        else setOnline(config, n);
      }
    },
    domainGetVcpus: (ref) => {
      const obj = get(ref);
      if (!isActive(obj)) {
        throw VirError.report(F, "OPERATION_INVALID", "cannot list vcpus for an inactive domain");
      }
      const cpuTime = Math.floor((Date.now() * 1000) / 10);
      const info = [];
      const cpumaps = [];
      for (let i = 0; i < obj.def.vcpu.current; i++) {
        const map = vcpuMap(state, obj, obj.def, i);
        info.push({ number: i, state: VIR.VCPU_RUNNING, cpuTime, cpu: map.lastIndexOf(true) });
        cpumaps.push(map);
      }
      return { info, cpumaps };
    },
    domainPinVcpuFlags: (ref, vcpu, cpumap, flags) => {
      checkFlags(flags, 0, "testDomainPinVcpuFlags", F);
      const obj = get(ref);
      if (!isActive(obj)) {
        throw VirError.report(F, "OPERATION_INVALID", "cannot pin vcpus on an inactive domain");
      }
      if (vcpu >= obj.def.vcpu.current) {
        throw VirError.report(
          F,
          "INVALID_ARG",
          `requested vcpu '${vcpu}' is not present in the domain`,
        );
      }
      const pins = obj.vcpuPins.get(obj.def) ?? new Map<number, boolean[]>();
      pins.set(vcpu, [...cpumap]);
      obj.vcpuPins.set(obj.def, pins);
    },
    domainGetVcpuPinInfo: (ref, flags) => {
      const obj = get(ref);
      const { def } = getOneDef(obj, flags);
      return Array.from({ length: def.vcpu.max }, (_, i) => vcpuMap(state, obj, def, i));
    },
    domainPinEmulator: (ref, cpumap, flags) => {
      checkFlags(
        flags,
        VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG,
        "testDomainPinEmulator",
        F,
      );
      const obj = get(ref);
      const { def } = getOneDef(obj, flags);
      if (!cpumap.some(Boolean)) {
        throw VirError.report(F, "INVALID_ARG", "Empty cpu list for pinning");
      }
      obj.emulatorPins.set(def, [...cpumap]);
    },
    domainGetEmulatorPinInfo: (ref, flags) => {
      checkFlags(
        flags,
        VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG,
        "testDomainGetEmulatorPinInfo",
        F,
      );
      const obj = get(ref);
      const { def } = getOneDef(obj, flags);
      const size = hostCpuCount(state);
      const pinned = obj.emulatorPins.get(def);
      if (pinned) return [...pinned, ...new Array<boolean>(size).fill(false)].slice(0, size);
      if (def.vcpu.cpuset) return cpusetMap(def.vcpu.cpuset, size);
      return new Array<boolean>(size).fill(true);
    },
  });
}
