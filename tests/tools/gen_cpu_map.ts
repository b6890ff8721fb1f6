/**
 * Converts libvirt 9.0's CPU map (src/cpu_map/, LGPL-2.1-or-later) into conf/cpu/cpu_map.json,
 * the one copy the project carries: x86 vendors, features (CPUID/MSR bits, migratable) and models
 * (decode flags, ancestor, signatures, vendor, features, removed features) as the files say,
 * in index.xml's order; ppc64's vendors and models (name, vendor); the model names of the other
 * architectures index.xml lists.
 * Nothing is resolved here: conf/cpu/x86_map.ts does what cpu_x86.c does when it loads the map.
 *
 * Re-run after changing the source version:
 *
 * ```sh
 * npx -y deno@2.9.6 run -A tests/tools/gen_cpu_map.ts [LIBVIRT_SRC]   # default ../libvirt-src/libvirt-9.0.0
 * ```
 *
 * @module
 */
import { child, children, parse, type XmlElement } from "../../util/xml/mod.ts";

const src = Deno.args[0] ?? new URL("../../../libvirt-src/libvirt-9.0.0", import.meta.url).pathname;
const dir = `${src}/src/cpu_map`;
const out = new URL("../../conf/cpu/cpu_map.json", import.meta.url);

const load = (file: string) => parse(Deno.readTextFileSync(`${dir}/${file}`));

/** virXMLPropUInt with base 0, as cpu_x86.c reads register values. */
function num(v: string | undefined): number {
  if (v === undefined) return 0;
  const n = /^0[xX]/.test(v)
    ? parseInt(v.slice(2), 16)
    : /^0[0-7]+$/.test(v)
    ? parseInt(v, 8)
    : Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`bad number ${v}`);
  return n;
}

/** A feature's data items: `["cpuid", eax_in, ecx_in, eax, ebx, ecx, edx]` or `["msr", index, eax, edx]`. */
function featureData(el: XmlElement): (string | number)[][] {
  return children(el).filter((c) => c.name !== "alias").map((c) => {
    const a = c.attributes;
    if (c.name === "cpuid") {
      return [
        "cpuid",
        num(a.eax_in),
        num(a.ecx_in),
        num(a.eax),
        num(a.ebx),
        num(a.ecx),
        num(a.edx),
      ];
    }
    return ["msr", num(a.index), num(a.eax), num(a.edx)];
  });
}

function model(el: XmlElement) {
  const decode = child(el, "decode")!.attributes;
  const feats = children(el, "feature");
  return {
    name: el.attributes.name,
    decodeHost: decode.host === "on",
    decodeGuest: decode.guest === "on",
    ...(child(el, "model") ? { ancestor: child(el, "model")!.attributes.name } : {}),
    ...(children(el, "signature").length
      ? {
        signatures: children(el, "signature").map((s) => ({
          family: num(s.attributes.family),
          model: num(s.attributes.model),
          ...(s.attributes.stepping !== undefined ? { stepping: s.attributes.stepping } : {}),
        })),
      }
      : {}),
    ...(child(el, "vendor") ? { vendor: child(el, "vendor")!.attributes.name } : {}),
    features: feats.filter((f) => f.attributes.removed !== "yes").map((f) => f.attributes.name),
    removed: feats.filter((f) => f.attributes.removed === "yes").map((f) => f.attributes.name),
  };
}

const index = load("index.xml");
const map: Record<string, unknown> = {
  source:
    "libvirt 9.0.0 src/cpu_map/*.xml (LGPL-2.1-or-later), converted by tests/tools/gen_cpu_map.ts",
};
const otherModels: Record<string, string[]> = {};
for (const arch of children(index, "arch")) {
  const files = children(arch, "include").map((i) => load(i.attributes.filename));
  const models = files.flatMap((f) => children(f, "model"));
  if (arch.attributes.name === "ppc64") {
    // What cpu_ppc64.c's baseline needs: vendors and each model's vendor.
    map.ppc64 = {
      vendors: files.flatMap((f) => children(f, "vendor")).map((v) => v.attributes.name),
      models: models.map((m) => ({
        name: m.attributes.name,
        ...(child(m, "vendor") ? { vendor: child(m, "vendor")!.attributes.name } : {}),
      })),
    };
    continue;
  }
  if (arch.attributes.name !== "x86") {
    otherModels[arch.attributes.name] = models.map((m) => m.attributes.name);
    continue;
  }
  map.x86 = {
    vendors: files.flatMap((f) => children(f, "vendor")).map((v) => v.attributes),
    features: files.flatMap((f) => children(f, "feature")).map((f) => ({
      name: f.attributes.name,
      ...(f.attributes.migratable === "no" ? { migratable: false } : {}),
      data: featureData(f),
    })),
    models: models.map(model),
  };
}
map.models = otherModels;
Deno.writeTextFileSync(out, JSON.stringify(map) + "\n");
// In the project's format, so that re-running it changes nothing but the data.
new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", out.pathname] }).outputSync();
console.log(`wrote ${out.pathname}`);
