// Recorded from libvirt 9.0's test driver (python3-libvirt on test:///default): the default
// domain's interface before and after `setInterfaceParameters(mac, {"inbound.peak": 5}, 0)`.
// A peak without an average keeps no direction, yet testDomainSetInterfaceParameters gives an
// interface without a bandwidth the empty one it built, which virNetDevBandwidthFormat prints.
import { assertEquals } from "./assert.ts";
import { withDefault } from "./helpers.ts";

const MAC = "aa:bb:cc:dd:ee:ff";
const iface = (xml: string) => xml.match(/<interface[\s\S]*?<\/interface>/)![0];

Deno.test("a set that keeps no direction leaves an empty <bandwidth>, as libvirt's test driver", () =>
  withDefault(async (d) => {
    const [dom] = await d.connectListAllDomains(0);
    await d.domainSetInterfaceParameters(dom, MAC, { "inbound.peak": 5 }, 0);
    assertEquals(
      iface(await d.domainGetXMLDesc(dom, 0)),
      `<interface type='network'>
      <mac address='aa:bb:cc:dd:ee:ff'/>
      <source network='default'/>
      <bandwidth>
      </bandwidth>
      <target dev='testnet0'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x0'/>
    </interface>`,
    );
    // An average keeps its direction, with the peak given beside it.
    await d.domainSetInterfaceParameters(
      dom,
      MAC,
      { "inbound.average": 10, "inbound.peak": 5 },
      0,
    );
    assertEquals(
      (await d.domainGetInterfaceParameters(dom, MAC, 0))["inbound.peak"],
      5,
    );
  }));
