// The REST model of a domain keeps the QEMU XML namespace: a QEMU domain's XML read as JSON and
// written back is the same document (each driver's own parser then keeps or drops it).
import assert from "node:assert/strict";
import { modelCodec } from "../../gateway/models.ts";

const XML = `<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>vm</name>
  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>
  <memory unit='KiB'>65536</memory>
  <currentMemory unit='KiB'>65536</currentMemory>
  <vcpu placement='static'>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <boot dev='hd'/>
  </os>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
  </devices>
  <qemu:commandline>
    <qemu:arg value='-S'/>
    <qemu:env name='A' value='b'/>
  </qemu:commandline>
  <qemu:override>
    <qemu:device alias='balloon0'>
      <qemu:frontend>
        <qemu:property name='p' type='remove'/>
      </qemu:frontend>
    </qemu:device>
  </qemu:override>
  <qemu:deprecation behavior='omit'/>
</domain>
`;

Deno.test("REST domain model: the QEMU namespace survives XML → JSON → XML", () => {
  const codec = modelCodec("domain");
  const model = codec.toModel(XML) as { qemuNamespace?: { args: string[] } };
  assert.deepEqual(model.qemuNamespace?.args, ["-S"]);
  assert.equal(codec.toXml(JSON.parse(JSON.stringify(model))), XML);
});
