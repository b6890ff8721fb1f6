// USB ports as libvirt 9.0's QEMU driver gives them on define and starts them: hubs added for
// devices beyond the root ports, explicit addresses checked, USB refused where it is disabled.
import assert from "node:assert/strict";
import { qemuDefined as defined } from "./argv_of.ts";
import { buildQemuArgv } from "../../../drivers/qemu/command/mod.ts";
import { vcpusFromDef } from "../../../drivers/qemu/hotplug/mod.ts";
import { assignDeviceAliases } from "../../../drivers/qemu/alias.ts";

const domain = (devices: string) =>
  "<domain type='qemu'><name>vm</name><memory unit='MiB'>128</memory>" +
  `<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>${devices}` +
  "<memballoon model='none'/></devices></domain>";

function usbDevices(xml: string): string[] {
  const def = defined(xml);
  assignDeviceAliases(def);
  const argv = buildQemuArgv(def, vcpusFromDef(def).vcpus, {
    monitorPath: "/run/ev/vm.qmp",
    accel: "tcg",
    memoryDir: "/run/ram/1-vm",
    tpmSocket: "/run/ev/swtpm/1-vm-swtpm.sock",
  });
  return argv.filter((a, i) => argv[i - 1] === "-device" && a.includes("bus=usb."));
}

Deno.test("four USB inputs on a 2-port PIIX3: libvirt's hub, placed and started", () => {
  // libvirt 9.0's qemuxml2argvdata/usb-hub-autoadd and its recorded .args.
  const inputs = "<input type='mouse' bus='usb'/>".repeat(3) + "<input type='tablet' bus='usb'/>";
  assert.deepEqual(usbDevices(domain("<controller type='usb' index='0'/>" + inputs)), [
    "usb-hub,id=hub0,bus=usb.0,port=1",
    "usb-mouse,id=input0,bus=usb.0,port=2",
    "usb-mouse,id=input1,bus=usb.0,port=1.1",
    "usb-mouse,id=input2,bus=usb.0,port=1.2",
    "usb-tablet,id=input3,bus=usb.0,port=1.3",
  ]);
});

Deno.test("explicit USB addresses are checked as libvirt 9.0 checks them", () => {
  const tablet = (port: string, bus = "0") =>
    `<input type='tablet' bus='usb'><address type='usb' bus='${bus}' port='${port}'/></input>`;
  const cases: [string, RegExp][] = [
    [tablet("1") + tablet("1"), /Duplicate USB address bus 0 port 1/],
    [tablet("1.2"), /there is no hub at port 1 in USB address bus: 0 port: 1\.2/],
    [tablet("3"), /requested USB port 3 not present on USB bus 0/],
    [tablet("1", "1"), /Missing USB bus 1/],
  ];
  for (const [devices, error] of cases) assert.throws(() => defined(domain(devices)), error);
  // A device naming only a bus must find that bus.
  const onBus1 = "<input type='tablet' bus='usb'><address type='usb' bus='1'/></input>";
  assert.throws(
    () => defined(domain(onBus1)),
    /USB bus 1 requested but no controller with that index is present/,
  );
});

Deno.test("USB devices are refused when USB is disabled", () => {
  const none = "<controller type='usb' index='0' model='none'/>";
  const cases: [string, RegExp][] = [
    ["<input type='tablet' bus='usb'/>", /Can't add USB input device\. USB bus is disabled/],
    ["<hub type='usb'/>", /Can't add USB hub: USB is disabled for this domain/],
    [
      "<hostdev mode='subsystem' type='usb'><source><vendor id='0x1234'/>" +
      "<product id='0xbeef'/></source></hostdev>",
      /Can't add host USB device: USB is disabled in this host/,
    ],
  ];
  for (const [devices, error] of cases) assert.throws(() => defined(domain(none + devices)), error);
});
