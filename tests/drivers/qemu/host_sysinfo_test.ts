// connectGetSysinfo of the QEMU driver: dmidecode's output parsed as libvirt's virsysinfo.c does,
// checked on libvirt 9.0's own test case (tests/sysinfodata/x86sysinfo.*, with its mocked
// dmidecode answering `--dump --oem-string 3`), and libvirt's refusal where dmidecode cannot read
// the tables (as on this machine: tests/fixtures/qemu_host/sysinfo.txt).
import assert from "node:assert/strict";
import {
  connectSysinfo,
  type DmidecodeRunner,
  readHostSysinfo,
} from "../../../drivers/qemu/api/host_sysinfo.ts";
import { VirError } from "../../../util/errors.ts";

const LIBVIRT = new URL("../../fixtures/libvirt/sysinfo/", import.meta.url);
const RECORDED = new URL("../../fixtures/qemu_host/", import.meta.url);

/** libvirt's sysinfotest mock of dmidecode. */
function mock(data: string): DmidecodeRunner {
  return (args) => {
    if (args[0] === "--dump" && args[1] === "--oem-string") {
      if (args[2] === "3") {
        return Promise.resolve({
          ok: true,
          stdout: "Ha ha ha try parsing\\n\n      String 3: this correctly\n      String 4:then",
          stderr: "",
        });
      }
      return Promise.resolve({ ok: false, stdout: "", stderr: `No OEM string number ${args[2]}` });
    }
    return Promise.resolve({ ok: true, stdout: data, stderr: "" });
  };
}

Deno.test("host sysinfo: libvirt's x86 dmidecode case gives libvirt's XML", async () => {
  const data = await Deno.readTextFile(new URL("x86sysinfo.data", LIBVIRT));
  const expect = await Deno.readTextFile(new URL("x86sysinfo.expect", LIBVIRT));
  assert.equal(await readHostSysinfo(mock(data)), expect);
});

Deno.test("host sysinfo: without dmidecode's tables, libvirt's refusal", async () => {
  const failing: DmidecodeRunner = () =>
    Promise.resolve({ ok: false, stdout: "", stderr: "/dev/mem: No such file or directory" });
  const recorded = (await Deno.readTextFile(new URL("sysinfo.txt", RECORDED))).trim();
  await assert.rejects(connectSysinfo({}, 0, failing), (e: unknown) => {
    assert.ok(e instanceof VirError);
    assert.equal(e.codeName, "VIR_ERR_CONFIG_UNSUPPORTED");
    assert.equal(`error: ${e.message}`, recorded.split("\n").pop());
    return true;
  });
  await assert.rejects(connectSysinfo({}, 1, failing), /unsupported flags \(0x1\)/);
});
