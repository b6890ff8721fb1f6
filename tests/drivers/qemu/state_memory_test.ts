// Balloon, maximum memory, stats period and block resize of the QEMU driver against a fake
// QEMU: QMP `balloon` (bytes), `qom-set guest-stats-polling-interval` on the balloon's QOM
// path, `block_resize` of the format node or the -drive, with libvirt 9.0's checks and errors
// (qemu_driver.c qemuDomainSetMemoryFlags / SetMemoryStatsPeriod / BlockResize).
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { error, qmp, setup } from "./fake_qmp/block_harness.ts";
import { IMG } from "./images.ts";

const LIVE = VIR.DOMAIN_AFFECT_LIVE;
const CONFIG = VIR.DOMAIN_AFFECT_CONFIG;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("setmem live: balloon in bytes; currentMemory follows BALLOON_CHANGE; config apart", async () => {
  const t = await setup();
  try {
    await t.conn.domainSetMemoryFlags!(t.dom, 65536, LIVE);
    assert.deepEqual(qmp(t), [{ execute: "balloon", arguments: { value: 65536 * 1024 } }]);
    await sleep(10);
    assert.match(await t.conn.domainGetXMLDesc!(t.dom, 0), /<currentMemory unit='KiB'>65536</);
    assert.deepEqual(
      t.events.filter((e) => e.eventId === VIR.DOMAIN_EVENT_ID_BALLOON_CHANGE).map((e) => e.data),
      [{ actual: 65536 }],
    );
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, VIR.DOMAIN_XML_INACTIVE),
      /<currentMemory unit='KiB'>131072</,
    );
    await t.conn.domainSetMemoryFlags!(t.dom, 98304, CONFIG);
    assert.match(
      Deno.readTextFileSync(`${t.dir}/config/hp.xml`),
      /<currentMemory unit='KiB'>98304</,
    );

    const high = await error(t.conn.domainSetMemoryFlags!(t.dom, 262144, LIVE));
    assert.deepEqual(
      [high.code, high.message],
      [VIR.ERR_INVALID_ARG, "invalid argument: cannot set memory higher than max memory"],
    );
    const max = await error(t.conn.domainSetMaxMemory!(t.dom, 262144));
    assert.deepEqual(
      [max.code, max.message],
      [
        VIR.ERR_OPERATION_INVALID,
        "Requested operation is not valid: cannot resize the maximum memory on an active domain",
      ],
    );
    await t.conn.domainSetMemoryFlags!(t.dom, 262144, CONFIG | VIR.DOMAIN_MEM_MAXIMUM);
    const inactive = await t.conn.domainGetXMLDesc!(t.dom, VIR.DOMAIN_XML_INACTIVE);
    assert.match(inactive, /<memory unit='KiB'>262144</);
    await t.conn.domainSetMemoryFlags!(t.dom, 32768, CONFIG | VIR.DOMAIN_MEM_MAXIMUM);
    // A smaller maximum takes the current size down with it.
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, VIR.DOMAIN_XML_INACTIVE),
      /<memory unit='KiB'>32768<\/memory>\s*<currentMemory unit='KiB'>32768</,
    );
  } finally {
    await t.close();
  }
});

Deno.test("setmem without a balloon is libvirt's error", async () => {
  const t = await setup({ balloon: false });
  try {
    const e = await error(t.conn.domainSetMemoryFlags!(t.dom, 65536, LIVE));
    assert.deepEqual([e.code, e.message], [
      VIR.ERR_OPERATION_INVALID,
      "Requested operation is not valid: Unable to change memory of active domain without the " +
      "balloon device and guest OS balloon driver",
    ]);
  } finally {
    await t.close();
  }
});

Deno.test("memory stats period: qom-set on the balloon, <stats period> in live and config", async () => {
  const t = await setup();
  try {
    await t.conn.domainSetMemoryStatsPeriod!(t.dom, 5, LIVE | CONFIG);
    assert.deepEqual(qmp(t), [{
      execute: "qom-set",
      arguments: {
        path: "/machine/peripheral/balloon0",
        property: "guest-stats-polling-interval",
        value: 5,
      },
    }]);
    assert.equal(t.block.statsPeriod, 5);
    assert.match(await t.conn.domainGetXMLDesc!(t.dom, 0), /<stats period='5'\/>/);
    assert.match(Deno.readTextFileSync(`${t.dir}/config/hp.xml`), /<stats period='5'\/>/);
  } finally {
    await t.close();
  }
});

Deno.test("block resize: the format node of a started or hotplugged disk; refusals", async () => {
  const t = await setup();
  try {
    await t.conn.domainBlockResize!(t.dom, "vda", 2048, 0);
    assert.deepEqual(qmp(t).at(-1), {
      execute: "block_resize",
      arguments: { "node-name": "libvirt-2-format", size: 2048 * 1024 },
    });
    await t.conn.domainAttachDeviceFlags!(
      t.dom,
      `<disk type='file'><driver name='qemu' type='qcow2'/><source file='${IMG}/b.qcow2'/>` +
        "<target dev='vdb' bus='virtio'/></disk>",
      LIVE,
    );
    await t.conn.domainBlockResize!(t.dom, `${IMG}/b.qcow2`, 1000, VIR.DOMAIN_BLOCK_RESIZE_BYTES);
    // qcow2 sizes are rounded up to whole sectors.
    assert.deepEqual(qmp(t).at(-1), {
      execute: "block_resize",
      arguments: { "node-name": "libvirt-3-format", size: 1024 },
    });
    assert.equal(t.block.nodes.get("libvirt-3-format")?.size, 1024);
    const missing = await error(t.conn.domainBlockResize!(t.dom, "vdz", 1, 0));
    assert.deepEqual(
      [missing.code, missing.message],
      [VIR.ERR_INVALID_ARG, "invalid argument: disk 'vdz' was not found in the domain config"],
    );
    const cdrom = await error(t.conn.domainBlockResize!(t.dom, "hdc", 1, 0));
    assert.equal(
      cdrom.message,
      "Operation not supported: can't resize empty or readonly disk 'hdc'",
    );
    await t.conn.domainDestroyFlags!(t.dom, 0);
    const off = await error(t.conn.domainBlockResize!(t.dom, "vda", 1, 0));
    assert.equal(off.message, "Requested operation is not valid: domain is not running");
  } finally {
    await t.close();
  }
});
