// Expected values below were recorded from libvirt 9.0's test driver through python3-libvirt
// (/usr/bin/python3, test:///default).
import { assertEquals } from "./assert.ts";
import { expectError, withDefault } from "./helpers.ts";

const TEST = { name: "test", uuid: "6695eb01-f6a4-8304-79aa-97f2502e193f", id: 1 };

Deno.test("guest calls of the default domain: canned answers and libvirt's errors", () =>
  withDefault(async (d) => {
    assertEquals(await d.domainGetHostname(TEST, 0), "testhost");
    assertEquals(await d.domainGetCPUStats(TEST, 0, 2, 0), [
      { cpu_time: 24386308517, vcpu_time: 23151740627 },
      { cpu_time: 24386308518, vcpu_time: 23151740628 },
    ]);
    assertEquals(await d.domainInterfaceAddresses(TEST, 0, 0), [
      {
        name: "testnet0",
        hwaddr: "aa:bb:cc:dd:ee:ff",
        addrs: [{ type: 0, addr: "192.168.122.3", prefix: 24 }],
      },
    ]);
    assertEquals(await d.domainGetDiskErrors(TEST, 0), { vda: 1 });
    assertEquals(await d.domainFSFreeze(TEST, ["/"], 0), 1);
    assertEquals(await d.domainFSFreeze(TEST, [], 0), 1);
    assertEquals(await d.domainFSThaw(TEST, [], 0), 2);
    await d.domainSetTime(TEST, 5000, 3, 0);
    assertEquals(await d.domainGetControlInfo(TEST, 0), { state: 1, details: 0, stateTime: 5000 });
    await expectError(
      d.domainFSFreeze(TEST, ["/x"], 0),
      55,
      12,
      "Requested operation is not valid: mount point not found: /x",
    );
    await expectError(
      d.domainBlockStats(TEST, ""),
      84,
      12,
      "Operation not supported: summary statistics are not supported yet",
    );
    await expectError(
      d.domainBlockStats(TEST, "vdb"),
      8,
      12,
      "invalid argument: invalid path: vdb",
    );
    await expectError(
      d.domainInterfaceStats(TEST, "vnet9"),
      8,
      20,
      "invalid argument: 'vnet9' is not a known interface",
    );
    await expectError(
      d.domainInterfaceAddresses(TEST, 5, 0),
      74,
      12,
      "argument unsupported: Unknown IP address data source 5",
    );
    await expectError(
      d.domainSetLifecycleAction(TEST, 0, 5, 0),
      67,
      20,
      "unsupported configuration: Lifecycle event 'poweroff' doesn't support " +
        "'coredump-restart' action",
    );
    assertEquals(await d.domainGetBlockInfo(TEST, "vda", 0), {
      capacity: 1099506450432,
      allocation: 1099511627776,
      physical: 1099511627776,
    });
    assertEquals(await d.domainGetSchedulerParametersFlags(TEST, 0), { weight: 50 });
  }));
