// <maxMemory> and memory devices on the QEMU driver: libvirt 9.0's answers to the same
// definitions (canon.sh --driver qemu) — qemuDomainAssignMemorySlots, then
// qemuDomainDefValidateMemoryHotplug — and the -m slots and maximum QEMU gets.
import assert from "node:assert/strict";
import { formatDomainXML, parseDomainXML } from "../../../conf/domain/mod.ts";
import { qemuPostParse } from "../../../drivers/qemu/postparse.ts";
import { memorySizeArg } from "../../../drivers/qemu/memory_hotplug.ts";

const NUMA = "<cpu><numa><cell id='0' cpus='0' memory='131072' unit='KiB'/></numa></cpu>";
const dimm = (extra = "<node>0</node>", address = "") =>
  `<memory model='dimm'><target><size unit='KiB'>131072</size>${extra}</target>${address}</memory>`;
const domain = (max: string, memory: number, numa: string, devices = "") =>
  `<domain type='qemu'><name>w</name>${max}<memory>${memory}</memory><vcpu>1</vcpu>` +
  `<os><type arch='x86_64'>hvm</type></os>${numa}<devices>${devices}</devices></domain>`;
const max = (slots: number, kib = 1048576) =>
  `<maxMemory slots='${slots}' unit='KiB'>${kib}</maxMemory>`;

function define(xml: string) {
  const def = parseDomainXML(xml, 0, false, true);
  qemuPostParse(def);
  return def;
}

Deno.test("memory hotplug: libvirt 9.0's refusals, in its order", () => {
  const cases: [string, string][] = [
    [
      domain(max(4), 131072, ""),
      "unsupported configuration: At least one numa node has to be configured when enabling " +
      "memory hotplug",
    ],
    [
      domain("", 262144, NUMA, dimm()),
      "unsupported configuration: cannot use/hotplug a memory device when domain 'maxMemory' " +
      "is not defined",
    ],
    [
      domain(max(4), 262144, NUMA, dimm("")),
      "unsupported configuration: target NUMA node needs to be specified for memory device",
    ],
    // The slots are placed before the checks: none free is the first error.
    [
      domain(max(1), 393216, NUMA, dimm() + dimm()),
      "internal error: failed to find an empty memory slot",
    ],
    [
      domain(max(2), 262144, NUMA, dimm(undefined, "<address type='dimm' slot='2'/>")),
      "unsupported configuration: memory device slot '2' exceeds slots count '2'",
    ],
    [
      domain(
        max(2),
        393216,
        NUMA,
        dimm(undefined, "<address type='dimm' slot='1'/>").repeat(2),
      ),
      "unsupported configuration: memory device slot '1' is already being used by another " +
      "memory device",
    ],
  ];
  // canon.sh --driver qemu on this host (QEMU 7.2 without SGX).
  cases.push([
    domain(
      max(4),
      163840,
      NUMA,
      "<memory model='sgx-epc'><target><size unit='MiB'>32</size></target></memory>",
    ),
    "unsupported configuration: sgx epc isn't supported by this QEMU binary",
  ]);
  for (const [xml, message] of cases) assert.throws(() => define(xml), { message });
});

Deno.test("memory hotplug: DIMMs take the free slots; QEMU gets the slots and the maximum", () => {
  const def = define(
    domain(max(4), 393216, NUMA, dimm() + dimm(undefined, "<address type='dimm' slot='0'/>")),
  );
  // As libvirt 9.0 writes the same definition: the explicit slot kept, the other the next free.
  const slots = [...formatDomainXML(def, 0).matchAll(/<address type='dimm' slot='(\d+)'\/>/g)]
    .map((m) => m[1]);
  assert.deepEqual(slots, ["1", "0"]);
  // The initial memory is the total without the DIMMs'.
  assert.equal(memorySizeArg(def), "size=131072k,slots=4,maxmem=1048576k");
  assert.equal(memorySizeArg(define(domain("", 131072, ""))), "size=131072k");
});
