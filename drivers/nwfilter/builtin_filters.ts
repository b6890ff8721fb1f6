/**
 * libvirt 9.0.0's built-in network filters as libvirt ships them (`src/nwfilter/xml/*.xml`,
 * installed into `/etc/libvirt/nwfilter/`), by name: the driver puts them into a new config
 * directory, as the package does. Made by `tests/tools/nwfilter/builtin_filters_ts.ts`.
 *
 * @module
 */

/** Each built-in filter's document, by filter name. */
export const BUILTIN_FILTERS: Readonly<Record<string, string>> = {
  "allow-arp":
    "<filter name='allow-arp' chain='arp'>\n  <rule direction='inout' action='accept'/>\n</filter>\n",
  "allow-dhcp-server":
    "<filter name='allow-dhcp-server' chain='ipv4'>\n\n    <!-- accept outgoing DHCP requests\n         note, this rule must be evaluated before general MAC broadcast\n         traffic is discarded since DHCP requests use MAC broadcast -->\n    <rule action='accept' direction='out' priority='100'>\n        <ip srcipaddr='0.0.0.0'\n            dstipaddr='255.255.255.255'\n            protocol='udp'\n            srcportstart='68'\n            dstportstart='67' />\n    </rule>\n\n    <!-- accept incoming DHCP responses from a specific DHCP server\n         parameter DHPCSERVER needs to be passed from where this filter is\n         referenced -->\n    <rule action='accept' direction='in' priority='100' >\n        <ip srcipaddr='$DHCPSERVER'\n            protocol='udp'\n            srcportstart='67'\n            dstportstart='68'/>\n    </rule>\n\n</filter>\n",
  "allow-dhcp":
    "<filter name='allow-dhcp' chain='ipv4'>\n\n    <!-- accept outgoing DHCP requests\n         note, this rule must be evaluated before general MAC broadcast\n         traffic is discarded since DHCP requests use MAC broadcast -->\n    <rule action='accept' direction='out' priority='100'>\n        <ip srcipaddr='0.0.0.0'\n            dstipaddr='255.255.255.255'\n            protocol='udp'\n            srcportstart='68'\n            dstportstart='67' />\n    </rule>\n\n    <!-- accept incoming DHCP responses from any DHCP server -->\n    <rule action='accept' direction='in' priority='100' >\n        <ip protocol='udp'\n            srcportstart='67'\n            dstportstart='68'/>\n    </rule>\n\n</filter>\n",
  "allow-dhcpv6-server":
    "<filter name='allow-dhcpv6-server' chain='ipv6'>\n\n    <!-- accept outgoing DHCP requests.\n         note, this rule must be evaluated before general MAC broadcast\n         traffic is discarded since DHCP requests use MAC broadcast.\n         according to https://tools.ietf.org/html/rfc3315#section-14,\n         client sends messages to FF02::1:2 from link-local addresses -->\n    <rule action='accept' direction='out' priority='100'>\n        <ipv6 protocol='udp'\n              srcipaddr='FE80::'\n              srcipmask='10'\n              dstipaddr='FF02::1:2'\n              srcportstart='546'\n              dstportstart='547'/>\n    </rule>\n\n    <!-- accept incoming DHCP responses from a specific DHCP server\n         parameter DHPCSERVER needs to be passed from where this filter is\n         referenced -->\n    <rule action='accept' direction='in' priority='100' >\n        <ipv6 srcipaddr='$DHCPSERVER'\n              protocol='udp'\n              srcportstart='547'\n              dstportstart='546'/>\n    </rule>\n\n</filter>\n",
  "allow-dhcpv6":
    "<filter name='allow-dhcpv6' chain='ipv6'>\n\n    <!-- accept outgoing DHCP requests.\n         note, this rule must be evaluated before general MAC broadcast\n         traffic is discarded since DHCP requests use MAC broadcast.\n         according to https://tools.ietf.org/html/rfc3315#section-14,\n         client sends messages to FF02::1:2 from link-local addresses -->\n    <rule action='accept' direction='out' priority='100'>\n        <ipv6 protocol='udp'\n              srcipaddr='FE80::'\n              srcipmask='10'\n              dstipaddr='FF02::1:2'\n              srcportstart='546'\n              dstportstart='547'/>\n    </rule>\n\n    <!-- accept incoming DHCP responses from any DHCP server -->\n    <rule action='accept' direction='in' priority='100' >\n        <ipv6 protocol='udp'\n              srcportstart='547'\n              dstportstart='546'/>\n    </rule>\n\n</filter>\n",
  "allow-incoming-ipv4":
    "<filter name='allow-incoming-ipv4' chain='ipv4'>\n  <rule direction='in' action='accept'/>\n</filter>\n",
  "allow-incoming-ipv6":
    "<filter name='allow-incoming-ipv6' chain='ipv6'>\n  <rule direction='in' action='accept'/>\n</filter>\n",
  "allow-ipv4":
    "<filter name='allow-ipv4' chain='ipv4'>\n  <rule direction='inout' action='accept'/>\n</filter>\n",
  "allow-ipv6":
    "<filter name='allow-ipv6' chain='ipv6'>\n  <rule direction='inout' action='accept'/>\n</filter>\n",
  "clean-traffic-gateway":
    "<filter name='clean-traffic-gateway'>\n    <!-- An example of a traffic filter enforcing clean traffic\n            from a VM by\n              - preventing MAC spoofing -->\n    <filterref filter='no-mac-spoofing'/>\n\n    <!-- preventing IP spoofing on outgoing -->\n    <filterref filter='no-ip-spoofing'/>\n\n    <!-- preventing ARP spoofing/poisoning -->\n    <filterref filter='no-arp-spoofing'/>\n\n    <!-- accept all other incoming and outgoing ARP traffic -->\n    <rule action='accept' direction='inout' priority='-500'>\n        <mac protocolid='arp'/>\n    </rule>\n\n    <!-- accept traffic only from specified MAC address -->\n    <rule action='accept' direction='in'>\n        <mac match='yes' srcmacaddr='$GATEWAY_MAC'/>\n    </rule>\n\n    <!-- allow traffic only to specified MAC address -->\n    <rule action='accept' direction='out'>\n        <mac match='yes' dstmacaddr='$GATEWAY_MAC'/>\n    </rule>\n\n    <!-- preventing any other traffic than between specified MACs\n    and ARP -->\n    <filterref filter='no-other-l2-traffic'/>\n\n    <!-- allow qemu to send a self-announce upon migration end -->\n    <filterref filter='qemu-announce-self'/>\n</filter>\n",
  "clean-traffic":
    "<filter name='clean-traffic' chain='root'>\n   <!-- An example of a traffic filter enforcing clean traffic\n        from a VM by\n      - preventing MAC spoofing -->\n   <filterref filter='no-mac-spoofing'/>\n\n   <!-- preventing IP spoofing on outgoing, allow all IPv4 in incoming -->\n   <filterref filter='no-ip-spoofing'/>\n\n   <rule direction='out' action='accept' priority='-650'>\n      <mac protocolid='ipv4'/>\n   </rule>\n\n   <filterref filter='allow-incoming-ipv4'/>\n\n   <!-- preventing ARP spoofing/poisoning -->\n   <filterref filter='no-arp-spoofing'/>\n\n   <!-- accept all other incoming and outgoing ARP traffic -->\n   <rule action='accept' direction='inout' priority='-500'>\n      <mac protocolid='arp'/>\n   </rule>\n\n   <!-- preventing any other traffic than IPv4 and ARP -->\n   <filterref filter='no-other-l2-traffic'/>\n\n   <!-- allow qemu to send a self-announce upon migration end -->\n   <filterref filter='qemu-announce-self'/>\n\n</filter>\n",
  "no-arp-ip-spoofing":
    "<filter name='no-arp-ip-spoofing' chain='arp-ip' priority='-510'>\n  <!-- no arp spoofing -->\n  <!-- drop if ipaddr does not belong to guest -->\n  <rule action='return' direction='out' priority='400' >\n    <arp match='yes' arpsrcipaddr='$IP' />\n  </rule>\n  <!-- drop everything else -->\n  <rule action='drop' direction='out' priority='1000' />\n</filter>\n",
  "no-arp-mac-spoofing":
    "<filter name='no-arp-mac-spoofing' chain='arp-mac' priority='-520'>\n   <rule action='return' direction='out' priority='350' >\n      <arp match='yes' arpsrcmacaddr='$MAC'/>\n   </rule>\n   <!-- drop everything else -->\n   <rule action='drop' direction='out' priority='1000' />\n</filter>\n",
  "no-arp-spoofing":
    "<filter name='no-arp-spoofing' chain='root'>\n  <filterref filter='no-arp-mac-spoofing'/>\n  <filterref filter='no-arp-ip-spoofing'/>\n</filter>\n",
  "no-ip-multicast":
    "<filter name='no-ip-multicast' chain='ipv4'>\n\n    <!-- drop if destination IP address is in the 224.0.0.0/4 subnet -->\n    <rule action='drop' direction='out'>\n        <ip dstipaddr='224.0.0.0' dstipmask='4' />\n    </rule>\n\n    <!-- not doing anything with receiving side ... -->\n</filter>\n",
  "no-ip-spoofing":
    "<filter name='no-ip-spoofing' chain='ipv4-ip' priority='-710'>\n  <!-- allow UDP sent from 0.0.0.0 (DHCP); filter more exact later -->\n  <rule action='return' direction='out' priority='100'>\n    <ip srcipaddr='0.0.0.0' protocol='udp'/>\n  </rule>\n\n  <!-- allow all known IP addresses -->\n  <rule direction='out' action='return' priority='500'>\n    <ip srcipaddr='$IP'/>\n  </rule>\n\n  <!-- drop everything else -->\n  <rule direction='out' action='drop' priority='1000'/>\n</filter>\n",
  "no-ipv6-multicast":
    "<filter name='no-ipv6-multicast' chain='ipv6'>\n\n    <!-- drop if destination IP address is in the ff00::/8 subnet -->\n    <rule action='drop' direction='out'>\n        <ipv6 dstipaddr='FF00::' dstipmask='8' />\n    </rule>\n\n    <!-- not doing anything with receiving side ... -->\n</filter>\n",
  "no-ipv6-spoofing":
    "<filter name='no-ipv6-spoofing' chain='ipv6-ip' priority='-610'>\n  <!-- allow UDP sent from link-local addresses (DHCP);\n       filter more exact later -->\n  <rule action='return' direction='out' priority='100'>\n    <ipv6 srcipaddr='FE80::' srcipmask='10' protocol='udp'/>\n  </rule>\n\n  <!-- allow all known IP addresses -->\n  <rule direction='out' action='return' priority='500'>\n    <ipv6 srcipaddr='$IPV6'/>\n  </rule>\n\n  <!-- drop everything else -->\n  <rule direction='out' action='drop' priority='1000'/>\n</filter>\n",
  "no-mac-broadcast":
    "<filter name='no-mac-broadcast' chain='ipv4'>\n    <!-- drop if destination mac is bcast mac addr. -->\n    <rule action='drop' direction='out'>\n        <mac dstmacaddr='ff:ff:ff:ff:ff:ff' />\n    </rule>\n\n    <!-- not doing anything with receiving side ... -->\n</filter>\n",
  "no-mac-spoofing":
    "<filter name='no-mac-spoofing' chain='mac' priority='-800'>\n  <!-- return packets with VM's MAC address as source address -->\n  <rule direction='out' action='return'>\n    <mac srcmacaddr='$MAC'/>\n  </rule>\n  <!-- drop everything else -->\n  <rule direction='out' action='drop'>\n    <mac/>\n  </rule>\n</filter>\n",
  "no-other-l2-traffic":
    "<filter name='no-other-l2-traffic'>\n\n    <!-- drop all other l2 traffic than for which rules have been\n         written for; i.e., drop all other than arp and ipv4 traffic -->\n    <rule action='drop' direction='inout' priority='1000'/>\n\n</filter>\n",
  "no-other-rarp-traffic":
    "<filter name='no-other-rarp-traffic' chain='rarp'>\n    <rule action='drop' direction='inout' priority='1000'/>\n</filter>\n",
  "qemu-announce-self-rarp":
    "<filter name='qemu-announce-self-rarp' chain='rarp'>\n  <rule action='accept' direction='out' priority='500'>\n    <rarp opcode='Request_Reverse'\n          srcmacaddr='$MAC' dstmacaddr='ff:ff:ff:ff:ff:ff'\n          arpsrcmacaddr='$MAC' arpdstmacaddr='$MAC'\n          arpsrcipaddr='0.0.0.0' arpdstipaddr='0.0.0.0'/>\n  </rule>\n  <rule action='accept' direction='in' priority='500'>\n    <rarp opcode='Request_Reverse'\n          dstmacaddr='ff:ff:ff:ff:ff:ff'\n          arpsrcmacaddr='$MAC' arpdstmacaddr='$MAC'\n          arpsrcipaddr='0.0.0.0' arpdstipaddr='0.0.0.0'/>\n  </rule>\n</filter>\n",
  "qemu-announce-self":
    "<filter name='qemu-announce-self' chain='root'>\n    <!-- as of 4/26/2010 qemu sends out a bogus packet with\n         wrong rarp protocol ID -->\n    <!-- accept what is being sent now -->\n    <rule action='accept' direction='out'>\n        <mac protocolid='0x835'/>\n    </rule>\n\n    <!-- accept if it was changed to rarp -->\n    <filterref filter='qemu-announce-self-rarp'/>\n    <filterref filter='no-other-rarp-traffic'/>\n\n</filter>\n",
};
