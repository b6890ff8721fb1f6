import { deepEqual, equal, throws } from "node:assert/strict";
import {
  parseIpAddress,
  parseMac,
  parseStorageSize,
  parseUUID,
  sanitizePath,
} from "../../conf/common/mod.ts";
import { formatNetworkXML, parseNetworkXML } from "../../conf/network/mod.ts";
import { formatSecretXML, parseSecretXML } from "../../conf/secret/mod.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";

/** Asserts that `fn` throws libvirt's error with this code, domain and message. */
function throwsVir(fn: () => unknown, code: number, domain: number, message: string) {
  throws(fn, (e) => {
    if (!(e instanceof VirError)) return false;
    deepEqual([e.code, e.domain, e.message], [code, domain, message]);
    return true;
  });
}

Deno.test("storage sizes scale like virScaleInteger", () => {
  equal(parseStorageSize("10", "GB", "STORAGE"), 10_000_000_000);
  equal(parseStorageSize("1", "TiB", "STORAGE"), 1_099_511_627_776);
  equal(parseStorageSize("5", "G", "STORAGE"), 5_368_709_120);
  equal(parseStorageSize("7", "bytes", "STORAGE"), 7);
  equal(parseStorageSize("7", undefined, "STORAGE"), 7);
  throwsVir(
    () => parseStorageSize("10", "XB", "STORAGE"),
    VIR.ERR_INVALID_ARG,
    VIR.FROM_NONE,
    "invalid argument: unknown suffix 'XB'",
  );
  throwsVir(
    () => parseStorageSize("-1", "KiB", "STORAGE"),
    VIR.ERR_XML_ERROR,
    VIR.FROM_STORAGE,
    "XML error: malformed capacity element",
  );
  throws(() => parseStorageSize("9", "EiB", "STORAGE"), /value too large: 9EiB/);
});

Deno.test("uuid, mac, ip and path normalisation", () => {
  equal(parseUUID("81FF0D90C91E674264DA4A736EDB9A8C"), "81ff0d90-c91e-6742-64da-4a736edb9a8c");
  equal(parseUUID("81ff0d90-c91e-6742-64da-4a736edb9a8"), undefined);
  equal(parseMac("52:54:0:AB:c:1"), "52:54:00:ab:0c:01");
  equal(parseMac("52:54:00:ab:0c"), undefined);
  equal(parseMac("52:54:00:ab:0c:01x"), undefined);
  deepEqual(parseIpAddress("2001:DB8:0:0:0:0:0:1"), { family: "ipv6", text: "2001:db8::1" });
  equal(parseIpAddress("256.1.1.1"), undefined);
  equal(sanitizePath("///var/////lib//"), "/var/lib");
  equal(sanitizePath("//host/share"), "//host/share");
});

Deno.test("uuid and mac errors match libvirt's network parser", () => {
  throwsVir(
    () => parseNetworkXML("<network><name>n</name><uuid>zz</uuid></network>"),
    VIR.ERR_INTERNAL_ERROR,
    VIR.FROM_NETWORK,
    "internal error: malformed uuid element",
  );
  throwsVir(
    () => parseNetworkXML("<network><name>n</name><mac address='01:00:5e:00:00:01'/></network>"),
    VIR.ERR_XML_ERROR,
    VIR.FROM_NETWORK,
    "XML error: Invalid multicast bridge mac address '01:00:5e:00:00:01' in network 'n'",
  );
});

Deno.test("formatted output parses back to the same definition", () => {
  const net = parseNetworkXML(
    "<network><name>r</name><uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>" +
      "<forward mode='route'/><ip address='10.0.0.1' prefix='24'><dhcp>" +
      "<range start='10.0.0.2' end='10.0.0.9'/></dhcp></ip></network>",
  );
  const xml = formatNetworkXML(net, VIR.NETWORK_XML_INACTIVE);
  deepEqual(parseNetworkXML(xml), net);
  equal(formatNetworkXML(parseNetworkXML(xml), VIR.NETWORK_XML_INACTIVE), xml);
  const secret = parseSecretXML(
    "<secret ephemeral='yes'><uuid>22e1353d-c27e-4d6d-bf15-465053e6ba0b</uuid>" +
      "<usage type='volume'><volume>/v</volume></usage></secret>",
  );
  deepEqual(parseSecretXML(formatSecretXML(secret)), secret);
});
