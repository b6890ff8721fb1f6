// Disks on one bus are kept sorted by target name, as virDomainDiskInsert does; the answer below
// is libvirt 9.0's (the oracle's canon.sh on the same document).
import assert from "node:assert/strict";
import { formatDomainXML, parseDomainXML } from "../../conf/mod.ts";

Deno.test("disks on one bus are sorted by target index, a new disk goes after the last on its bus", () => {
  const xml = `<domain type='test'><name>ds</name><memory>1024</memory><os><type>hvm</type></os>
<devices>
<disk type='file' device='disk'><source file='/b'/><target dev='vdb' bus='virtio'/></disk>
<disk type='file' device='disk'><source file='/a'/><target dev='vda' bus='virtio'/></disk>
<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>
<disk type='file' device='disk'><source file='/s'/><target dev='sda' bus='sata'/></disk>
<disk type='file' device='disk'><source file='/c'/><target dev='vdaa' bus='virtio'/></disk>
</devices></domain>`;
  const targets = [...formatDomainXML(parseDomainXML(xml)).matchAll(/<target dev='(\w+)'/g)]
    .map((m) => m[1]);
  assert.deepEqual(targets, ["vda", "vdb", "vdaa", "hdc", "sda"]);
});
