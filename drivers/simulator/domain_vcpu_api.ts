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
import { getDefs, getOneDef, isActive } from "../../conf/objects/domain_obj.ts";
import type { TestDriverState } from "./driver_state.ts";
import { methodTable } from "../../util/method_table.ts";
import { emulatorPinOf, setVcpuPin, vcpuPinsOf, writeEmulatorPin } from "../../conf/domain/pins.ts";
import { parseBitmap } from "../../conf/domain/bitmap.ts";

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

/** The host CPUs set in a libvirt CPU map. */
const cpusOf = (cpumap: readonly boolean[]) => cpumap.flatMap((on, cpu) => on ? [cpu] : []);

/**
 * The CPU map a vCPU (or the emulator, `vcpu` undefined) runs on: its own pin, the domain's
 * cpuset, or every host CPU.
 */
function pinMap(state: TestDriverState, def: DomainDef, vcpu?: number): boolean[] {
  const size = hostCpuCount(state);
  const pinned = vcpu === undefined ? emulatorPinOf(def) : vcpuPinsOf(def).get(vcpu);
  const cpus = pinned ??
    (def.vcpu.cpuset ? parseBitmap(def.vcpu.cpuset) : undefined);
  if (!cpus) return new Array<boolean>(size).fill(true);
  const set = new Set(cpus);
  return Array.from({ length: size }, (_, cpu) => set.has(cpu));
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
  return methodTable({
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
        const map = pinMap(state, obj.def, i);
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
      setVcpuPin(obj.def, vcpu, cpusOf(cpumap));
    },
    domainGetVcpuPinInfo: (ref, flags) => {
      const { def } = getOneDef(get(ref), flags);
      return Array.from({ length: def.vcpu.max }, (_, i) => pinMap(state, def, i));
    },
    domainPinEmulator: (ref, cpumap, flags) => {
      checkFlags(
        flags,
        VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG,
        "testDomainPinEmulator",
        F,
      );
      const { def } = getOneDef(get(ref), flags);
      if (!cpumap.some(Boolean)) {
        throw VirError.report(F, "INVALID_ARG", "Empty cpu list for pinning");
      }
      writeEmulatorPin(def, cpusOf(cpumap));
    },
    domainGetEmulatorPinInfo: (ref, flags) => {
      checkFlags(
        flags,
        VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG,
        "testDomainGetEmulatorPinInfo",
        F,
      );
      return pinMap(state, getOneDef(get(ref), flags).def);
    },
  });
}
