// Memory devices on the QEMU command line, against libvirt 9.0's real starts of the same
// definitions (fixtures/record_argv.sh, LIVE=1): each device's backend object and its device,
// the machine's NVDIMM switch, and libvirt's refusal of what it cannot run.
import assert from "node:assert/strict";
import { parseDomainXML } from "../../../conf/domain/mod.ts";
import { buildQemuArgv } from "../../../drivers/qemu/command/mod.ts";
import { vcpusFromDef } from "../../../drivers/qemu/hotplug/mod.ts";
import { qemuPostParse } from "../../../drivers/qemu/postparse.ts";
import { assignDeviceAliases } from "../../../drivers/qemu/alias.ts";
import { alignMemorySizes } from "../../../drivers/qemu/memory_hotplug.ts";

const fixtures = new URL("./fixtures/", import.meta.url);
const read = (name: string) => Deno.readTextFileSync(new URL(name, fixtures));

function argvOf(name: string): string[] {
  const def = parseDomainXML(read(`${name}.xml`), 0, false, true);
  qemuPostParse(def);
  // As the driver's start: names, then libvirt's alignment of the devices' sizes.
  assignDeviceAliases(def);
  alignMemorySizes(def);
  return buildQemuArgv(def, vcpusFromDef(def).vcpus, {
    monitorPath: "/run/ev/vm.qmp",
    accel: "tcg",
    memoryDir: "/run/ram/1-vm",
  });
}

/** The value after each `flag`, in order. */
const values = (argv: string[], flag: string) =>
  argv.flatMap((a, i) => argv[i - 1] === flag ? [a] : []);

/** QEMU's `key=value,…` (`,,` a literal comma) as JSON-typed members, as libvirt's JSON. */
function keyval(opt: string): Record<string, unknown> {
  const parts = opt.replaceAll(",,", "\0").split(",").map((p) => p.replaceAll("\0", ","));
  const out: Record<string, unknown> = { driver: parts[0] };
  for (const p of parts.slice(1)) {
    const [k, v] = [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)];
    out[k] = v === "on" ? true : /^\d+$/.test(v) ? Number(v) : v;
  }
  return out;
}

const memoryObjects = (argv: string[]) =>
  values(argv, "-object").map((o) => JSON.parse(o)).filter((o) => o.id.startsWith("mem"));
const memoryDevices = (argv: string[], parse: (v: string) => Record<string, unknown>) =>
  values(argv, "-device").map(parse).filter((d) =>
    ["pc-dimm", "nvdimm", "virtio-mem-pci"].includes(String(d.driver))
  );

for (const name of ["mem-pc-dimm", "mem-pc-dimm-align", "mem-pc-nvdimm", "mem-q35-virtio"]) {
  Deno.test(`${name}: memory backends and devices as libvirt 9.0 starts them`, () => {
    const libvirt = read(`${name}.argv`).split("\n");
    const ours = argvOf(name);
    const theirs = memoryDevices(libvirt, JSON.parse);
    assert.ok(theirs.length >= 1, "the fixture starts memory devices");
    assert.deepEqual(memoryDevices(ours, keyval), theirs);
    assert.deepEqual(memoryObjects(ours), memoryObjects(libvirt));
    // -machine without what libvirt sets and edgevirt does not (dump-guest-core).
    assert.equal(
      values(ours, "-machine")[0],
      values(libvirt, "-machine")[0].replace(",dump-guest-core=off", ""),
    );
    assert.deepEqual(values(ours, "-m"), values(libvirt, "-m"));
    // Each backend comes just before its device, after the controllers, as in libvirt's.
    const order = (argv: string[]) =>
      argv.filter((_, i) => argv[i - 1] === "-device" || argv[i - 1] === "-object")
        .map((a) => a.startsWith("{") ? JSON.parse(a).id : keyval(a).id)
        .filter((id) => /^(mem|dimm|nvdimm|virtiomem|pci\.|usb)/.test(id));
    assert.deepEqual(order(ours), order(libvirt));
  });
}

Deno.test("mem-q35-pmem: a virtio-pmem refused with libvirt 9.0's error", () => {
  const error = read("mem-q35-pmem.error").split("\n").find((l) => l.startsWith("error: internal"));
  assert.ok(error);
  assert.throws(() => argvOf("mem-q35-pmem"), { message: error.replace(/^error: /, "") });
});
