#!/bin/bash
# record_rules.sh's part inside the namespaces: OUT CASES NAME. Not to be run alone.
set -eu
out=$1 cases=$2 name=$3
nwf=$(mktemp -d)
cp /etc/libvirt/nwfilter/*.xml "$nwf/"
for d in /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt /etc/libvirt; do
  mkdir -p "$d"; mount -t tmpfs tmpfs "$d"
done
mkdir -p /etc/libvirt/nwfilter /var/lib/libvirt/dnsmasq
cp "$nwf"/*.xml /etc/libvirt/nwfilter/
rm -rf "$nwf"
cat > /etc/libvirt/libvirtd.conf <<CONF
listen_tls = 0
listen_tcp = 0
log_filters = "1:firewall 3:*"
log_outputs = "1:file:/var/log/libvirt/libvirtd.log"
CONF
ip link set lo up
/usr/sbin/libvirtd -f /etc/libvirt/libvirtd.conf -p /run/libvirt/libvirtd.pid > /var/log/libvirt/stdout.log 2>&1 &
daemon=$!
trap 'kill $daemon 2>/dev/null; wait $daemon 2>/dev/null; cat /var/log/libvirt/libvirtd.log >> "${RECORD_LOG:-/dev/null}"' EXIT
for _ in $(seq 1 300); do
  virsh -q -c nwfilter:///system nwfilter-list >/dev/null 2>&1 && break
  kill -0 $daemon || { cat /var/log/libvirt/stdout.log; exit 1; }
  sleep 0.1
done
v() { virsh -q -c nwfilter:///system "$@"; }

dump() { # dump PREFIX: the three tables, without their dated comments
  ebtables -t nat -L --Lmac2 > "$1.ebtables"
  iptables-save | { grep -v '^#' || true; } > "$1.iptables"
  ip6tables-save | { grep -v '^#' || true; } > "$1.ip6tables"
}

for f in "$cases"/filters/*.xml; do v nwfilter-define "$f" >/dev/null; done
mkdir -p "$out/filters"
cp "$cases"/filters/*.xml "$out/filters/"
b=$cases/bindings/$name.xml
cp "$b" "$out/$name.binding.xml"
ip tuntap add dev vnet0 mode tap
ip link set vnet0 up
if err=$(v nwfilter-binding-create "$b" 2>&1); then
  # A case with redefine/NAME/ redefines those filters, which rebuilds the binding, and then
  # tries to undefine them while they are in use.
  redefine=$cases/redefine/$name
  if [ -d "$redefine" ]; then
    mkdir -p "$out/redefine/$name"
    cp "$redefine"/*.xml "$out/redefine/$name/"
    for f in "$redefine"/*.xml; do v nwfilter-define "$f" >/dev/null; done
  fi
  dump "$out/$name"
  if [ -d "$redefine" ]; then
    for f in "$redefine"/*.xml; do
      v nwfilter-undefine "$(sed -n "s/.*<filter name='\([^']*\)'.*/\1/p" "$f")" 2>&1 |
        sed -n 's/^error: //p' | tail -1 > "$out/$name.undefine-error"
    done
  fi
  v nwfilter-binding-delete vnet0 >/dev/null
else
  printf '%s\n' "$err" | sed -n 's/^error: //p' | tail -1 > "$out/$name.error"
fi
dump /tmp/$$.after
# libvirt leaves its shared chains (libvirt-in, …) behind; the tap's must be gone.
if grep -l vnet0 /tmp/$$.after.*; then echo "$name: rules left after delete" >&2; exit 1; fi
echo "$name: $( [ -f "$out/$name.error" ] && echo refused || echo recorded)"
rm -f /tmp/$$.after.*
