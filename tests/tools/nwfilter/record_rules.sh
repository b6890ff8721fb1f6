#!/bin/bash
# Records the firewall tables libvirt 9.0's ebiptables tech driver makes for nwfilter bindings,
# into tests/drivers/nwfilter/fixtures/rules/. Needs root, libvirtd, ebtables, iptables.
#
#   bash tests/tools/nwfilter/record_rules.sh
#
# Each case runs in a network namespace of its own, made here and removed after it, in a private
# mount namespace whose /run/libvirt, /var/lib/libvirt, /var/cache/libvirt, /var/log/libvirt and
# /etc/libvirt are empty tmpfs: the libvirtd started there (root, so its nwfilter driver is the
# privileged one) never meets the host's daemon, firewall tables or interfaces, and each case
# starts from empty tables (libvirt leaves its shared chains, libvirt-in, …, behind). A case binds
# a filter to a tap, dumps `ebtables -t nat -L --Lmac2`, `iptables-save` and `ip6tables-save`
# (their header and footer comments, which carry a date, are dropped), deletes the binding and
# checks that no rule of the tap is left. A case with cases/redefine/NAME/ redefines those
# filters while bound (libvirt rebuilds the binding) before the dump, then records the error of
# undefining them while in use. The libvirtd logs go to $RECORD_LOG, when set.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../drivers/nwfilter/fixtures/rules}
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out"/*.binding.xml "$out"/*.ebtables "$out"/*.iptables "$out"/*.ip6tables "$out"/*.error \
  "$out"/*.undefine-error "$out/redefine"
for b in "$here"/cases/bindings/*.xml; do
  ns=evnwrec$$
  ip netns add "$ns"
  ip netns exec "$ns" unshare -m --propagation private bash ${RECORD_TRACE:+-x} \
    "$here/record_rules_inner.sh" "$out" "$here/cases" "$(basename "$b" .xml)" || status=$?
  ip netns del "$ns"
  [ "${status:-0}" = 0 ] || exit "$status"
done
