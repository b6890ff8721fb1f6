// Expected errors recorded from libvirt 9.0's test driver with virsh on test:///default
// (`define` of the XML below, then `iothreaddel iot 2 --config`, `iothreaddel iot 1 --config`):
// virDomainDriverDelIOThreadCheck refuses an IOThread a disk or a controller runs in.
import { assertEquals } from "./assert.ts";
import { expectError, withDefault } from "./helpers.ts";

const XML = "<domain type='test'><name>iot</name><memory>65536</memory><vcpu>1</vcpu>" +
  "<iothreads>2</iothreads><os><type>hvm</type></os><devices>" +
  "<disk type='file' device='disk'><driver name='qemu' iothread='2'/><source file='/a.img'/>" +
  "<target dev='vda' bus='virtio'/></disk>" +
  "<controller type='scsi' index='0' model='virtio-scsi'><driver iothread='1'/></controller>" +
  "</devices></domain>";

Deno.test("an IOThread a disk or controller uses cannot be deleted", () =>
  withDefault(async (d) => {
    const dom = await d.domainDefineXMLFlags(XML, 0);
    const CONFIG = 2;
    await expectError(
      d.domainDelIOThread(dom, 2, CONFIG),
      8,
      20,
      "invalid argument: cannot remove IOThread 2 since it is being used by disk 'vda'",
    );
    await expectError(
      d.domainDelIOThread(dom, 1, CONFIG),
      8,
      20,
      "invalid argument: cannot remove IOThread '1' since it is being used by controller",
    );
    assertEquals((await d.domainGetIOThreadInfo(dom, CONFIG)).map((i) => i.iothreadId), [1, 2]);
  }));
