import { equal } from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Capabilities, formatCapabilitiesXML } from "../../conf/capabilities/mod.ts";
import { formatNodeDeviceXML, parseNodeDeviceXML } from "../../conf/node_device/mod.ts";
import { REPO_ROOT } from "../paths.ts";

// Golden files: what libvirt 9.0's test:///default returns (python3-libvirt on the oracle).
const GOLDEN = join(REPO_ROOT, "tests/conf/golden");

Deno.test("node devices of test:///default round-trip byte for byte", async (t) => {
  for (const file of readdirSync(join(GOLDEN, "nodedev")).sort()) {
    await t.step(file, () => {
      const xml = readFileSync(join(GOLDEN, "nodedev", file), "utf8");
      equal(formatNodeDeviceXML(parseNodeDeviceXML(xml)), xml);
    });
  }
});

Deno.test("capabilities model expresses test:///default's capabilities", () => {
  const cpus = (cell: number) =>
    Array.from({ length: 8 }, (_, i) => ({
      id: cell * 8 + i,
      socketId: cell,
      dieId: 0,
      coreId: i,
      siblings: String(cell * 8 + i),
    }));
  const guest = (osType: string) => ({
    osType,
    arch: "i686",
    wordsize: 32,
    emulator: "/usr/bin/test-hv",
    machines: [],
    domainTypes: ["test"],
    features: ["pae", "nonpae"],
  });
  const caps: Capabilities = {
    host: {
      arch: "i686",
      cpuFeatures: ["pae", "nonpae"],
      pageSizes: [4, 8, 2048, 1048576],
      powerManagement: [],
      iommu: false,
      cells: [0, 1].map((id) => ({
        id,
        memory: 2097152 * (id + 1),
        pages: [
          { size: id === 0 ? 4 : 8, count: 524288 },
          { size: 2048, count: 0 },
          { size: 1048576, count: 0 },
        ],
        cpus: cpus(id),
      })),
      secModels: [{ model: "testSecurity", doi: "" }],
    },
    guests: [guest("hvm"), guest("xen")],
  };
  equal(
    formatCapabilitiesXML(caps),
    readFileSync(join(GOLDEN, "capabilities_test_default.xml"), "utf8"),
  );
});
