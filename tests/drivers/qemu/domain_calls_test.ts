// Small domain calls of the QEMU driver against a fake QEMU, each as libvirt 9.0's
// qemu_driver.c answers it: the old list calls, OS type, max memory, control info, security
// labels, launch security, metadata (live, config, METADATA_CHANGE),
// lifecycle actions (set-action for a live reboot change), send-key (qnum) and inject-nmi.
// Error texts are libvirt's (qemu_driver.c, domain_conf.c, virkeycode.c).
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { error, qmp, setup } from "./fake_qmp/block_harness.ts";
import { waitFor } from "../../wait.ts";

const E = VIR;
const LIVE = E.DOMAIN_AFFECT_LIVE;
const CONFIG = E.DOMAIN_AFFECT_CONFIG;

Deno.test("list calls, OS type, max memory, control info, security labels", async () => {
  const t = await setup();
  try {
    const other = t.conn.domainDefineXMLFlags!(
      "<domain type='qemu'><name>off</name><memory unit='MiB'>64</memory>" +
        "<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>",
      0,
    );
    const off = await other;
    const [id] = await t.conn.connectListDomains!();
    assert.equal((await t.conn.domainLookupByID!(id)).name, "hp");
    assert.equal(await t.conn.connectNumOfDomains!(), 1);
    assert.deepEqual(await t.conn.connectListDefinedDomains!(), ["off"]);
    assert.equal(await t.conn.connectNumOfDefinedDomains!(), 1);
    assert.equal(await t.conn.domainGetOSType!(t.dom), "hvm");
    assert.equal(await t.conn.domainGetMaxMemory!(t.dom), 131072);
    assert.equal(await t.conn.domainIsUpdated!(t.dom), false);
    assert.deepEqual(await t.conn.domainGetControlInfo!(t.dom, 0), {
      state: E.DOMAIN_CONTROL_OK,
      details: 0,
      stateTime: 0,
    });
    const inactive = await error(t.conn.domainGetControlInfo!(off, 0));
    assert.equal(inactive.message, "Requested operation is not valid: domain is not running");
    const flags = await error(t.conn.domainGetControlInfo!(t.dom, 1));
    assert.equal(
      flags.message,
      "unsupported flags (0x1) in function qemuDomainGetControlInfo",
    );
    assert.deepEqual(await t.conn.domainGetSecurityLabel!(t.dom), { label: "", enforcing: false });
    assert.deepEqual(await t.conn.domainGetSecurityLabelList!(t.dom), [
      { label: "", enforcing: false },
    ]);
    assert.deepEqual(await t.conn.domainGetSecurityLabelList!(off), []);
    assert.deepEqual(await t.conn.domainGetLaunchSecurityInfo!(t.dom, 0), {});
  } finally {
    await t.close();
  }
});

Deno.test("control info: JOB while a save's migration runs, OK once it is aborted", async () => {
  const t = await setup({ migration: { hold: true } });
  try {
    const saving = t.conn.domainSaveFlags!(t.dom, `${t.dir}/held.save`, null, 0).catch((e) => e);
    await waitFor(async () =>
      (await t.conn.domainGetControlInfo!(t.dom, 0)).state === E.DOMAIN_CONTROL_JOB
    );
    const info = await t.conn.domainGetControlInfo!(t.dom, 0);
    assert.ok(info.stateTime >= 0 && info.details === 0);
    await t.conn.domainAbortJob!(t.dom);
    assert.equal((await saving).code, E.ERR_OPERATION_ABORTED);
    assert.equal((await t.conn.domainGetControlInfo!(t.dom, 0)).state, E.DOMAIN_CONTROL_OK);
  } finally {
    await t.close();
  }
});

Deno.test("metadata: live and config apart, saved, METADATA_CHANGE; libvirt's errors", async () => {
  const t = await setup();
  try {
    const T = E.DOMAIN_METADATA_TITLE;
    const EL = E.DOMAIN_METADATA_ELEMENT;
    await t.conn.domainSetMetadata!(t.dom, T, "web", null, null, LIVE);
    await t.conn.domainSetMetadata!(
      t.dom,
      E.DOMAIN_METADATA_DESCRIPTION,
      "cfg",
      null,
      null,
      CONFIG,
    );
    await t.conn.domainSetMetadata!(t.dom, EL, "<app v='1'/>", "x", "http://e.org/", 0);
    assert.equal(await t.conn.domainGetMetadata!(t.dom, T, null, 0), "web");
    assert.equal(
      await t.conn.domainGetMetadata!(t.dom, EL, "http://e.org/", 0),
      `<app v="1"/>`,
    );
    const none = await error(t.conn.domainGetMetadata!(t.dom, T, null, CONFIG));
    assert.deepEqual([none.code, none.message], [
      E.ERR_NO_DOMAIN_METADATA,
      "metadata not found: Requested metadata element is not present",
    ]);
    assert.match(await t.conn.domainGetXMLDesc!(t.dom, 0), /<title>web<\/title>/);
    const config = Deno.readTextFileSync(`${t.dir}/config/hp.xml`);
    assert.match(config, /<description>cfg<\/description>/);
    assert.doesNotMatch(config, /<title>/);
    assert.deepEqual(
      t.events.filter((e) => e.eventId === E.DOMAIN_EVENT_ID_METADATA_CHANGE).map((e) => e.data),
      [{ type: T, nsuri: null }, { type: 0, nsuri: null }, { type: EL, nsuri: "http://e.org/" }],
    );
    const bad = await error(t.conn.domainSetMetadata!(t.dom, 7, "x", null, null, 0));
    assert.equal(bad.message, "invalid argument: unknown metadata type '7'");
    const flags = await error(t.conn.domainSetMetadata!(t.dom, T, "x", null, null, 4));
    assert.equal(flags.message, "unsupported flags (0x4) in function qemuDomainSetMetadata");
    // Removing the title.
    await t.conn.domainSetMetadata!(t.dom, T, null, null, null, LIVE);
    assert.doesNotMatch(await t.conn.domainGetXMLDesc!(t.dom, 0), /<title>/);
  } finally {
    await t.close();
  }
});

Deno.test("lifecycle action: a live on_reboot change is QEMU's set-action; config saved; refusals", async () => {
  const t = await setup();
  try {
    const REBOOT = E.DOMAIN_LIFECYCLE_REBOOT;
    await t.conn.domainSetLifecycleAction!(t.dom, REBOOT, E.DOMAIN_LIFECYCLE_ACTION_DESTROY, LIVE);
    assert.deepEqual(qmp(t), [{ execute: "set-action", arguments: { reboot: "shutdown" } }]);
    assert.match(await t.conn.domainGetXMLDesc!(t.dom, 0), /<on_reboot>destroy<\/on_reboot>/);
    // The same action again asks nothing of QEMU.
    await t.conn.domainSetLifecycleAction!(t.dom, REBOOT, E.DOMAIN_LIFECYCLE_ACTION_DESTROY, LIVE);
    assert.equal(qmp(t).length, 1);
    await t.conn.domainSetLifecycleAction!(t.dom, REBOOT, E.DOMAIN_LIFECYCLE_ACTION_RESTART, LIVE);
    assert.deepEqual(qmp(t)[1], { execute: "set-action", arguments: { reboot: "reset" } });
    await t.conn.domainSetLifecycleAction!(
      t.dom,
      E.DOMAIN_LIFECYCLE_CRASH,
      E.DOMAIN_LIFECYCLE_ACTION_COREDUMP_RESTART,
      CONFIG,
    );
    assert.match(
      Deno.readTextFileSync(`${t.dir}/config/hp.xml`),
      /<on_crash>coredump-restart<\/on_crash>/,
    );
    assert.equal(qmp(t).length, 2);
    const core = await error(
      t.conn.domainSetLifecycleAction!(t.dom, 0, E.DOMAIN_LIFECYCLE_ACTION_COREDUMP_DESTROY, 0),
    );
    assert.deepEqual([core.code, core.message], [
      E.ERR_CONFIG_UNSUPPORTED,
      "unsupported configuration: Lifecycle event 'poweroff' doesn't support " +
      "'coredump-destroy' action",
    ]);
    const preserve = await error(
      t.conn.domainSetLifecycleAction!(t.dom, REBOOT, E.DOMAIN_LIFECYCLE_ACTION_PRESERVE, 0),
    );
    assert.equal(
      preserve.message,
      "unsupported configuration: qemu driver doesn't support the 'preserve' action for " +
        "'on_reboot'/'on_poweroff'",
    );
    assert.match(await t.conn.domainGetXMLDesc!(t.dom, 0), /<on_reboot>restart<\/on_reboot>/);
  } finally {
    await t.close();
  }
});

Deno.test("send-key: codes translated to qnum, hold-time only when given; inject-nmi", async () => {
  const t = await setup();
  try {
    // Linux KEY_LEFTCTRL, KEY_LEFTALT, KEY_DELETE: qnum 0x1d, 0x38, 0xd3.
    await t.conn.domainSendKey!(t.dom, 0, 0, [29, 56, 111], 0);
    // usb 0x04 is KEY_A, qnum 0x1e.
    await t.conn.domainSendKey!(t.dom, 7, 50, [4], 0);
    await t.conn.domainInjectNMI!(t.dom, 0);
    assert.deepEqual(qmp(t), [
      {
        execute: "send-key",
        arguments: {
          keys: [0x1d, 0x38, 0xd3].map((data) => ({ type: "number", data })),
        },
      },
      {
        execute: "send-key",
        arguments: { keys: [{ type: "number", data: 0x1e }], "hold-time": 50 },
      },
      { execute: "inject-nmi" },
    ]);
    const bad = await error(t.conn.domainSendKey!(t.dom, 0, 0, [60000], 0));
    assert.deepEqual([bad.code, bad.message], [
      E.ERR_INTERNAL_ERROR,
      "internal error: cannot translate keycode 60000 of linux codeset to qnum keycode",
    ]);
    await t.conn.domainDestroyFlags!(t.dom, 0);
    for (
      const call of [t.conn.domainSendKey!(t.dom, 0, 0, [30], 0), t.conn.domainInjectNMI!(t.dom, 0)]
    ) {
      assert.equal(
        (await error(call)).message,
        "Requested operation is not valid: domain is not running",
      );
    }
  } finally {
    await t.close();
  }
});

Deno.test("iothreadinfo: QEMU's query-iothreads live, the definition's IOThreads with --config", async () => {
  const t = await setup();
  try {
    assert.deepEqual(await t.conn.domainGetIOThreadInfo!(t.dom, 0), []);
    assert.ok(qmp(t).length === 0);
    assert.deepEqual(await t.conn.domainGetIOThreadInfo!(t.dom, CONFIG), []);
    await t.conn.domainDestroyFlags!(t.dom, 0);
    const off = await error(t.conn.domainGetIOThreadInfo!(t.dom, LIVE));
    assert.deepEqual([off.code, off.message], [
      E.ERR_OPERATION_INVALID,
      "Requested operation is not valid: domain is not running",
    ]);
    await t.conn.domainDefineXMLFlags!(
      (await t.conn.domainGetXMLDesc!(t.dom, E.DOMAIN_XML_INACTIVE)).replace(
        "<vcpu placement='static'>1</vcpu>",
        "<vcpu placement='static' cpuset='0'>1</vcpu><iothreads>2</iothreads>",
      ),
      0,
    );
    const config = await t.conn.domainGetIOThreadInfo!(t.dom, 0);
    assert.deepEqual(
      config.map((i) => [i.iothreadId, i.cpumap[0], i.cpumap.slice(1).some(Boolean)]),
      [
        [1, true, false],
        [2, true, false],
      ],
    );
  } finally {
    await t.close();
  }
});
