#!/bin/bash
# Records what libvirt 9.0's QEMU driver reports about this host and about a running TCG
# domain, for tests/drivers/qemu/host_caps_test.ts and stats_test.ts: virsh against a private
# qemu:///session libvirtd (the oracle's daemon.sh, run as `nobody`, so no KVM).
#
# Usage (from anywhere; root, the oracle installed): bash tests/tools/record_qemu_host.sh [ORACLE]
# Writes tests/fixtures/qemu_host/*; temporary paths in the outputs become $TMP. The host needs
# swtpm for the TPM section (emulator and external backends, TPM versions).
set -euo pipefail
cd "$(dirname "$0")/../.."
O=${1:-../shared/oracle}
OUT=tests/fixtures/qemu_host
mkdir -p "$OUT"
eval "$(bash "$O/daemon.sh" start)"
trap 'bash "$O/daemon.sh" stop "$DIR" >/dev/null 2>&1 || true' EXIT
V() { virsh -q -c "$URI_QEMU" "$@"; }
mask() { sed -e "s#$DIR#\$TMP#g" ${GUEST:+-e "s#$GUEST#\$GUEST#g"}; }
# Every command's stdout, or its error as "error: …" (what virsh prints on stderr).
rec() {
  local name=$1
  shift
  if ! V "$@" 2>"$OUT/$name.err" | mask >"$OUT/$name"; then :; fi
  if [ -s "$OUT/$name.err" ]; then mask <"$OUT/$name.err" >"$OUT/$name"; fi
  rm -f "$OUT/$name.err"
}
rec capabilities.xml capabilities
rec domcapabilities.xml domcapabilities --virttype qemu
rec domcapabilities-kvm.txt domcapabilities --virttype kvm
rec domcapabilities-q35.xml domcapabilities --virttype qemu --machine q35
rec version.txt version
rec sysinfo.txt sysinfo
rec nodeinfo.txt nodeinfo
rec maxvcpus.txt maxvcpus
rec maxvcpus-qemu.txt maxvcpus --type qemu
rec nodecpustats-bad.txt nodecpustats --cpu 4096
rec freecell-bad.txt freecell --cellno 99
rec cpu-models.txt cpu-models x86_64

GUEST=$(mktemp -d)
chmod 755 "$GUEST"
# The domain's XML is a fixture too (the tests start the same one): @DIR@ is its folder.
cat >"$OUT/obs.xml" <<'XML'
<domain type='qemu'>
  <name>obs</name>
  <memory unit='MiB'>64</memory>
  <vcpu>2</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='@DIR@/d.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='user'><mac address='52:54:00:4b:87:b7'/><model type='virtio'/></interface>
    <memballoon model='virtio'/>
    <graphics type='vnc' port='-1' autoport='yes'/>
  </devices>
</domain>
XML
sed "s#@DIR@#$GUEST#" "$OUT/obs.xml" >"$GUEST/obs.xml"
truncate -s 1M "$GUEST/d.img"
chmod 666 "$GUEST/d.img"
V create "$GUEST/obs.xml" >/dev/null
sleep 1
rec domstats.txt domstats obs
rec domstats-state.txt domstats --state obs
rec domstats-balloon.txt domstats --balloon obs
rec domstats-vcpu.txt domstats --vcpu obs
rec domstats-block.txt domstats --block obs
rec domstats-interface.txt domstats --interface obs
rec dommemstat.txt dommemstat obs
rec domblkstat.txt domblkstat obs vda
rec domblkstat-human.txt domblkstat obs vda --human
rec domblkstat-bad.txt domblkstat obs vdz
rec domifstat-user.txt domifstat obs net0
rec domiflist.txt domiflist obs
rec cpu-stats.txt cpu-stats obs --total
rec dominfo.txt dominfo obs
V destroy obs >/dev/null
rm -rf "$GUEST"
# Numbers that change from run to run are only kept as their shape.
sed -i -E 's/^(Used memory|Max memory|CPU time):.*$/\1: (varies)/' "$OUT/dominfo.txt"
# Their rows in tests/fixtures/SOURCES.tsv (size in characters, as self_contained_test checks).
/usr/bin/python3 - "$OUT" <<'PY'
import os, sys
out = sys.argv[1]
tsv = "tests/fixtures/SOURCES.tsv"
rows = [r for r in open(tsv).read().splitlines() if not r.startswith("qemu_host/")]
for name in sorted(os.listdir(out)):
    chars = len(open(os.path.join(out, name), encoding="utf-8").read())
    rows.append(f"qemu_host/{name}\t-\tlibvirt 9.0.0 output: virsh -c qemu:///session "
                f"(oracle/daemon.sh), tests/tools/record_qemu_host.sh\t-\t{chars}")
open(tsv, "w").write("\n".join(rows) + "\n")
PY
echo "recorded into $OUT"
