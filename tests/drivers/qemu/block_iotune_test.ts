// blkdeviotune of the QEMU driver against a fake QEMU, as libvirt 9.0's
// qemuDomainGet/SetBlockIoTune: block_set_io_throttle on the disk's QOM id with every field,
// the families not given kept, <iotune> in the live and persistent XML, the TUNABLE event,
// and libvirt's checks and errors.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { error, qmp, setup, XML } from "./fake_qmp/block_harness.ts";

const E = VIR;
const LIVE = E.DOMAIN_AFFECT_LIVE;
const CONFIG = E.DOMAIN_AFFECT_CONFIG;

Deno.test("blkdeviotune live: QMP block_set_io_throttle, query-block read back, families kept", async () => {
  const t = await setup();
  try {
    await t.conn.domainSetBlockIoTune!(t.dom, "vda", { total_bytes_sec: 1048576 }, LIVE);
    await t.conn.domainSetBlockIoTune!(t.dom, "vda", { read_iops_sec: 100 }, LIVE);
    const [first, second] = qmp(t);
    assert.equal(first.execute, "block_set_io_throttle");
    assert.equal(first.arguments?.id, "/machine/peripheral/virtio-disk0/virtio-backend");
    assert.equal(first.arguments?.bps, 1048576);
    assert.equal(first.arguments?.iops_size, 0);
    assert.equal("bps_max_length" in first.arguments!, false);
    // The bytes family stays when only the iops one is given.
    assert.deepEqual([second.arguments?.bps, second.arguments?.iops_rd], [1048576, 100]);
    const live = await t.conn.domainGetBlockIoTune!(t.dom, "vda", 0);
    assert.deepEqual(
      [live.total_bytes_sec, live.read_iops_sec, live.group_name, Object.keys(live).length],
      [1048576, 100, "", 20],
    );
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, 0),
      /<iotune>\s*<total_bytes_sec>1048576<\/total_bytes_sec>\s*<read_iops_sec>100<\/read_iops_sec>/,
    );
    const tunable = t.events.filter((e) => e.eventId === E.DOMAIN_EVENT_ID_TUNABLE);
    assert.deepEqual(tunable[0].data, {
      params: { "blkdeviotune.disk": "vda", "blkdeviotune.total_bytes_sec": 1048576 },
    });
    // The persistent definition is apart.
    assert.equal((await t.conn.domainGetBlockIoTune!(t.dom, "vda", CONFIG)).total_bytes_sec, 0);
  } finally {
    await t.close();
  }
});

Deno.test("blkdeviotune config and libvirt's refusals", async () => {
  const t = await setup();
  try {
    await t.conn.domainSetBlockIoTune!(
      t.dom,
      "vda",
      { total_iops_sec: 50, total_iops_sec_max: 80 },
      CONFIG,
    );
    assert.match(
      Deno.readTextFileSync(`${t.dir}/config/hp.xml`),
      /<iotune>\s*<total_iops_sec>50<\/total_iops_sec>\s*<total_iops_sec_max>80</,
    );
    assert.equal(qmp(t).length, 0);
    const both = await error(
      t.conn.domainSetBlockIoTune!(t.dom, "vda", { total_bytes_sec: 1, read_bytes_sec: 1 }, 0),
    );
    assert.deepEqual([both.code, both.message], [
      E.ERR_INVALID_ARG,
      "invalid argument: total and read/write of bytes_sec cannot be set at the same time",
    ]);
    const big = await error(
      t.conn.domainSetBlockIoTune!(t.dom, "vda", { total_bytes_sec: 1e16 }, 0),
    );
    assert.deepEqual([big.code, big.message], [
      E.ERR_ARGUMENT_UNSUPPORTED,
      "argument unsupported: block I/O throttle limit value must be no more than " +
      "1000000000000000",
    ]);
    const small = await error(
      t.conn.domainSetBlockIoTune!(t.dom, "vda", { total_iops_sec_max: 10 }, CONFIG),
    );
    assert.equal(
      small.message,
      "unsupported configuration: value 'total_iops_sec_max' cannot be smaller than " +
        "'total_iops_sec'",
    );
    const reset = await error(
      t.conn.domainSetBlockIoTune!(t.dom, "vda", { total_iops_sec: 0 }, CONFIG),
    );
    assert.equal(
      reset.message,
      "unsupported configuration: cannot reset 'total_iops_sec' when 'total_iops_sec_max' is set",
    );
    const none = await error(t.conn.domainGetBlockIoTune!(t.dom, "vdz", CONFIG));
    assert.equal(
      none.message,
      "invalid argument: disk 'vdz' was not found in the domain config",
    );
    const noLive = await error(
      t.conn.domainSetBlockIoTune!(t.dom, "vdz", { total_bytes_sec: 1 }, LIVE),
    );
    assert.equal(noLive.message, "invalid argument: disk 'vdz' not found in domain");
  } finally {
    await t.close();
  }
});

Deno.test("a defined <iotune> is kept and throttles the disk from the start (block_set_io_throttle)", async () => {
  const iotune = "<iotune><total_bytes_sec>5000</total_bytes_sec>" +
    "<read_iops_sec>0</read_iops_sec><write_iops_sec>70</write_iops_sec>" +
    "<group_name>grp</group_name></iotune>";
  const t = await setup({ xml: XML.replace("<target dev='vda' bus='virtio'/>", `$&${iotune}`) });
  try {
    // QEMU's own values, read back through query-block.
    const live = await t.conn.domainGetBlockIoTune!(t.dom, "vda", 0);
    assert.deepEqual(
      [live.total_bytes_sec, live.write_iops_sec, live.read_iops_sec, live.group_name],
      [5000, 70, 0, "grp"],
    );
    // A zero limit is not written back, as libvirt's formatter skips it.
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, VIR.DOMAIN_XML_INACTIVE),
      /<target dev='vda' bus='virtio'\/>\s*<iotune>\s*<total_bytes_sec>5000<\/total_bytes_sec>\s*<write_iops_sec>70<\/write_iops_sec>\s*<group_name>grp<\/group_name>\s*<\/iotune>/,
    );
    // libvirt's define-time checks: a group needs limits, a total excludes read and write.
    const alone = await error(t.conn.domainDefineXMLFlags!(
      XML.replace(
        "<target dev='vda' bus='virtio'/>",
        "$&<iotune><group_name>g</group_name></iotune>",
      ),
      0,
    ));
    assert.deepEqual([alone.code, alone.message], [
      E.ERR_CONFIG_UNSUPPORTED,
      "unsupported configuration: group_name can be configured only together with settings",
    ]);
    const both = await error(t.conn.domainDefineXMLFlags!(
      XML.replace(
        "<target dev='vda' bus='virtio'/>",
        "$&<iotune><total_iops_sec>1</total_iops_sec><read_iops_sec>1</read_iops_sec></iotune>",
      ),
      0,
    ));
    assert.deepEqual([both.code, both.message], [
      E.ERR_XML_ERROR,
      "XML error: total and read/write iops_sec cannot be set at the same time",
    ]);
  } finally {
    await t.close();
  }
});

Deno.test("a hot-plugged disk's <iotune> is set once its frontend is in (qemuDomainAttachDiskGeneric)", async () => {
  const t = await setup();
  try {
    const disk = Deno.readTextFileSync(
      new URL("../../fixtures/libvirt-hotplug/disk-virtio.xml", import.meta.url),
    ).replace(
      /<target [^>]*\/>/,
      "$&<iotune><read_bytes_sec>4096</read_bytes_sec></iotune>",
    );
    await t.conn.domainAttachDeviceFlags!(t.dom, disk, LIVE);
    const cmds = qmp(t).map((c) => c.execute);
    assert.equal(cmds.indexOf("block_set_io_throttle"), cmds.indexOf("device_add") + 1);
    const dev = /<target dev='(\w+)'/.exec(disk)![1];
    assert.equal((await t.conn.domainGetBlockIoTune!(t.dom, dev, 0)).read_bytes_sec, 4096);
  } finally {
    await t.close();
  }
});
