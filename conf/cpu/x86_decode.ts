/**
 * libvirt's `x86Decode`: the CPU model that describes CPU data best (newest first, same vendor,
 * matching family/model signature preferred, then fewest listed features with disabled ones
 * weighted, a caller's preferred model), with the features it lacks or adds.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { CpuDef, CpuFeature } from "./def.ts";
import { addData, copyData, isSubsetData, subtractData, type X86Data } from "./x86_data.ts";
import { x86Map, type X86Model, type X86Vendor } from "./x86_map.ts";
import { dataToFeatures } from "./x86_model.ts";

/**
 * The CPU models a hypervisor has (`virDomainCapsCPUModels`), each with the features that keep
 * it from running there (its blockers, in libvirt's names).
 */
export type HvCpuModels = ReadonlyMap<string, readonly string[]>;

/** What a decode yields for a CPU definition. */
export interface X86Decoded {
  model: string;
  vendor?: string;
  features: CpuFeature[];
  signature: { family: number; model: number; stepping: number };
}

const SIGNATURE_MASK = 0x0fff3fff;

/** `virCPUx86SignatureFromCPUID`. */
function splitSignature(sig: number) {
  return {
    family: ((sig >>> 20) & 0xff) + ((sig >>> 8) & 0xf),
    model: ((sig >>> 12) & 0xf0) + ((sig >>> 4) & 0xf),
    stepping: sig & 0xf,
  };
}

/** `x86DataToVendor`: the vendor whose string is in leaf 0; its bits are cleared from `data`. */
function dataToVendor(data: X86Data): X86Vendor | undefined {
  for (const vendor of x86Map().vendors) {
    const [want] = vendor.data.values();
    const item = data.get("cpuid:0:0");
    if (item && want.regs.every((r, i) => (item.regs[i] & r) >>> 0 === r)) {
      item.regs = item.regs.map((r, i) => (r & ~want.regs[i]) >>> 0);
      return vendor;
    }
  }
  return undefined;
}

function signaturesMatch(model: X86Model | undefined, sig: number): boolean {
  const { family, model: m, stepping } = splitSignature(sig);
  return !!model?.signatures?.some((s) =>
    s.family === family && s.model === m && (!s.stepping || s.stepping.has(stepping))
  );
}

/** `x86DataFilterTSX`: Intel CPUs whose TSX is broken do not get `hle` and `rtm`. */
function filterTSX(data: X86Data, vendor: X86Vendor | undefined): void {
  if (vendor?.name !== "Intel") return;
  const { family, model, stepping } = splitSignature(data.get("cpuid:1:0")?.regs[0] ?? 0);
  if (
    family === 6 &&
    ((model === 63 && stepping < 4) || model === 60 || model === 69 || model === 70)
  ) {
    for (const f of x86Map().features) {
      if (f.name === "hle" || f.name === "rtm") subtractData(data, f.data);
    }
  }
}

/**
 * `x86DataToCPU`: `model` plus the features `data` adds (require) and lacks (disable); the
 * hypervisor's `blockers` of the model (features it cannot give) are disabled too.
 */
function dataToCpu(
  data: X86Data,
  model: X86Model,
  type: CpuDef["type"],
  blockers: readonly string[] = [],
): CpuFeature[] {
  const copy = copyData(data);
  const modelData = copyData(model.data);
  dataToVendor(copy);
  subtractData(copy, modelData);
  subtractData(modelData, data);
  for (const name of blockers) {
    const feature = x86Map().features.find((f) => f.name === name);
    if (feature && !isSubsetData(copy, feature.data)) addData(modelData, feature.data);
  }
  const features = [...dataToFeatures(copy, "require"), ...dataToFeatures(modelData, "disable")];
  if (type === "guest") {
    for (const name of model.removedFeatures) {
      if (!features.some((f) => f.name === name)) features.push({ name, policy: "disable" });
    }
  }
  return features;
}

/** `virCPUx86CompareCandidateFeatureList`. */
function betterFeatureList(
  current: CpuFeature[],
  candidate: CpuFeature[],
  host: boolean,
  isPreferred: boolean,
): boolean {
  const weigh = (features: CpuFeature[]) => {
    let enabled = features.length;
    let disabled = 0;
    if (!host) {
      let penalty = 2;
      // libvirt's loop shrinks its own bound as it counts: only the first `enabled` are seen.
      for (let i = 0; i < enabled; i++) {
        if (features[i].policy === "disable") {
          enabled--;
          disabled += penalty++;
        }
      }
    }
    return { total: enabled + disabled, disabled };
  };
  const cur = weigh(current);
  const cand = weigh(candidate);
  if (cand.total < cur.total || (cand.total === cur.total && cand.disabled < cur.disabled)) {
    return true;
  }
  return isPreferred && cand.disabled < cur.disabled;
}

/**
 * `x86Decode` for a CPU definition of `type`: the best model for `data`, its vendor, features
 * and signature. `preferred` are model names a baseline started from (a single one is taken
 * as soon as it is seen); `migratable` drops features that block migration; `models` (when
 * given) are the only candidates, their blockers disabled.
 *
 * @example
 * ```ts
 * import { x86Decode } from "./x86_decode.ts";
 * import { x86Map } from "./x86_map.ts";
 * x86Decode(x86Map().models.find((m) => m.name === "Haswell")!.data, "guest").model; // "Haswell"
 * ```
 */
export function x86Decode(
  cpuData: X86Data,
  type: CpuDef["type"],
  preferred: string[] = [],
  migratable = false,
  models?: HvCpuModels,
): X86Decoded {
  const map = x86Map();
  const data = copyData(cpuData);
  const vendor = dataToVendor(data);
  const sigWord = (data.get("cpuid:1:0")?.regs[0] ?? 0) & SIGNATURE_MASK;
  filterTSX(data, vendor);
  let best: { model: X86Model; features: CpuFeature[] } | undefined;
  for (let i = map.models.length - 1; i >= 0; i--) {
    const candidate = map.models[i];
    // A preferred model the hypervisor lacks only warns: the caller's CPU allows fallback.
    if (models && !models.has(candidate.name)) continue;
    if (vendor && candidate.vendor && vendor !== candidate.vendor) continue;
    const features = dataToCpu(data, candidate, type, models?.get(candidate.name));
    if (type === "host" && !candidate.decodeHost) continue;
    if (type === "guest" && !candidate.decodeGuest) continue;
    // A host CPU is described with required features only.
    if (type === "host" && features.some((f) => f.policy === "disable")) continue;
    const hostFeatures = type === "host" ? features.map((f) => ({ name: f.name })) : features;
    const isPreferred = preferred.includes(candidate.name);
    if (isPreferred && preferred.length === 1) {
      best = { model: candidate, features: hostFeatures };
      break;
    }
    if (!best || takeCandidate(best, candidate, hostFeatures, sigWord, type, isPreferred)) {
      best = { model: candidate, features: hostFeatures };
    }
  }
  if (!best) {
    throw VirError.report("CPU", "INTERNAL_ERROR", "Cannot find suitable CPU model for given data");
  }
  const blocked = new Set(map.features.filter((f) => !f.migratable).map((f) => f.name));
  return {
    model: best.model.name,
    vendor: vendor?.name,
    features: migratable ? best.features.filter((f) => !blocked.has(f.name)) : best.features,
    signature: splitSignature(sigWord),
  };
}

/** The rest of `x86DecodeUseCandidate`: signature first, then the feature lists. */
function takeCandidate(
  best: { model: X86Model; features: CpuFeature[] },
  candidate: X86Model,
  features: CpuFeature[],
  sig: number,
  type: CpuDef["type"],
  isPreferred: boolean,
): boolean {
  if (sig) {
    const bestMatches = signaturesMatch(best.model, sig);
    const candidateMatches = signaturesMatch(candidate, sig);
    if (bestMatches && !candidateMatches) return false;
    if (!bestMatches && candidateMatches) return true;
  }
  return betterFeatureList(best.features, features, type === "host", isPreferred);
}
