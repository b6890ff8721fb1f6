#!/bin/bash
# `tc` for libvirt recordings on a kernel without the sfq qdisc and the fw classifier (this
# machine's): put first in libvirtd's PATH under the name `tc`, it runs /usr/sbin/tc with pfifo
# in sfq's place (and without sfq's "perturb 10"), and takes a fw filter (marked packets to a
# class; nothing marks them here) as done, so that a network with inbound QoS starts and a
# port's floor plugs as on a kernel that has both. The commands libvirt logs are its own.
# While a file named real-sfq exists beside the link, sfq goes to the kernel as asked (and
# fails as it does). Used by record_network_libvirt.sh --floor and record_nic_argv.sh floor.
case " $* " in *" fw flowid "*) exit 0 ;; esac
args=()
while [ $# -gt 0 ]; do
  if [ "$1" = sfq ] && [ ! -e "$(dirname "$0")/real-sfq" ]; then
    args+=(pfifo)
    shift 3
    continue
  fi
  args+=("$1")
  shift
done
exec /usr/sbin/tc "${args[@]}"
