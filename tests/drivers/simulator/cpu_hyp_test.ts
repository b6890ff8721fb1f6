// The hypervisor CPU calls on test:///default: libvirt 9.0's test driver has neither, so both
// fail as unsupported, or as forbidden on a read-only connection (the public API's check comes
// first). Recorded by tests/tools/record_cpu_hyp.py (fixtures/cpu_hyp/test_driver.json).
import { callDriver } from "../../../client/handle.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import { assertEquals } from "./assert.ts";
import { withDefault } from "./helpers.ts";
import { answer, type Recorded } from "../../conf/cpu/recorded.ts";

const CASES: (Recorded & { readonly: boolean; call: string; args: unknown[] })[] = JSON.parse(
  Deno.readTextFileSync(
    new URL("../qemu/fixtures/cpu_hyp/test_driver.json", import.meta.url),
  ),
);

Deno.test("test driver: no hypervisor CPU calls, as libvirt 9.0's", () =>
  withDefault(async (d) => {
    assertEquals(CASES.length, 4);
    for (const c of CASES) {
      const owner = { driver: d as DriverConnection, readonly: c.readonly };
      const [emulator, arch, machine, virttype, xml, flags] = c.args as [
        null,
        null,
        null,
        null,
        string & string[],
        number,
      ];
      const got = await answer(() =>
        c.call === "compare"
          ? callDriver(
            owner,
            "connectCompareHypervisorCPU",
            emulator,
            arch,
            machine,
            virttype,
            xml,
            flags,
          )
          : callDriver(
            owner,
            "connectBaselineHypervisorCPU",
            emulator,
            arch,
            machine,
            virttype,
            xml,
            flags,
          )
      );
      assertEquals({ ...c, got }, { ...c, got: { error: c.error } });
    }
  }));
