#!/bin/bash
# Records real virsh 9.0 transcripts for evsh's golden tests.
#
# Each case is one `virsh -c test:///default 'CMDLINE'` run (one connection, so
# test:///default starts fresh every time); stdout, stderr and the exit status
# are stored apart, byte for byte, in tests/evsh/golden/GROUP.json as
#   [{"cmd": CMDLINE, "stdout": ..., "stderr": ..., "status": N}, ...]
# tests/evsh/evsh_test.ts replays every CMDLINE through evsh and compares.
#
# Usage (from anywhere): bash tests/tools/record_virsh.sh [GROUP...]
#   bash tests/tools/record_virsh.sh generated   re-records tests/evsh/generated/recorded.json
#     (1000 generated sequences of seed 12, a few minutes: cases virsh does not finish in 10 s
#     are left out), then
#   deno run -A tests/tools/evsh_generated_report.ts --write-known   prints the identical share
#     and rewrites tests/evsh/generated/known_differences.json
#   GEN_SEED=N GEN_OUT=/tmp/x.json bash tests/tools/record_virsh.sh generated   records a fresh
#     seed elsewhere, to measure evsh on sequences no fix was made against
# Runs from the repository root so that fixture paths print as
# tests/evsh/fixtures/X.xml, exactly as the test passes them.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=tests/evsh/golden
FX=tests/evsh/fixtures
# save/restore write here; the same path is in the goldens and in the test.
SAVE=/tmp/evsh-golden-test.save
mkdir -p "$OUT"
command -v virsh >/dev/null || { echo "record_virsh: virsh not found" >&2; exit 2; }

# group name, then one command line per line
cases_host() {
  cat <<EOF
uri
hostname
version
nodeinfo
capabilities
sysinfo
uri; hostname; version
nosuchcommand
hostname extra
uri --bogus
EOF
}

cases_list() {
  cat <<EOF
list
list --all
list --inactive
list --name
list --uuid
list --name --uuid
list --table --all
list --all --inactive
list --table --name
list --uuid --table
define $FX/vm1.xml; list --all; list --inactive; list --all --name; list --all --uuid
define $FX/vm1.xml; start vm1; list; destroy test; list --all; list --all --name --uuid
EOF
}

cases_dominfo() {
  cat <<EOF
dominfo test
dominfo 1
dominfo 6695eb01-f6a4-8304-79aa-97f2502e193f
dominfo --domain test
dominfo --domain=test
dominfo nosuch
dominfo
dominfo test extra
dominfo --bogus test
domstate test
domstate --reason test
domstate nosuch
domstate test; domstate nosuch; domstate test
domstate nosuch; domstate test
domid test
domid 6695eb01-f6a4-8304-79aa-97f2502e193f
domid nosuch
domname 1
domname 7
domname 6695eb01-f6a4-8304-79aa-97f2502e193f
domuuid test
domuuid 1
domuuid nosuch
define $FX/vm1.xml; dominfo vm1; domid vm1; domstate --reason vm1
autostart 1; suspend 1; resume 6695eb01-f6a4-8304-79aa-97f2502e193f; destroy 1; start 6695eb01-f6a4-8304-79aa-97f2502e193f; start 2
undefine 6695eb01-f6a4-8304-79aa-97f2502e193f; dominfo test
EOF
}

cases_dumpxml() {
  cat <<EOF
dumpxml test
dumpxml --inactive test
dumpxml --security-info test
dumpxml --domain test --inactive --security-info
dumpxml nosuch
define $FX/vm1.xml; dumpxml vm1; start vm1; dumpxml vm1; dumpxml --inactive vm1
EOF
}

cases_lifecycle() {
  cat <<EOF
define $FX/vm1.xml; start vm1; domstate --reason vm1; suspend vm1; domstate --reason vm1; resume vm1; domstate --reason vm1
define $FX/vm1.xml; start vm1; shutdown vm1; domstate --reason vm1; start vm1; reboot vm1; domstate --reason vm1; destroy vm1; domstate --reason vm1
define $FX/vm1.xml; destroy vm1; start vm1; start vm1; suspend vm1; suspend vm1; resume vm1; resume vm1
define $FX/vm1.xml; shutdown vm1; reboot vm1; suspend vm1; resume vm1
destroy nosuch
start nosuch
shutdown nosuch
reboot nosuch
suspend nosuch
resume nosuch
start test
destroy test; destroy test; start test; domid test
define $FX/vm1.xml; define $FX/vm1.xml
define $FX/vm1.xml; define $FX/vm1-other-uuid.xml
define $FX/bad.xml
define $FX/nosuchfile.xml
define
define $FX/vm1.xml; undefine vm1; undefine vm1; list --all
define $FX/vm1.xml; start vm1; undefine vm1; list --all; destroy vm1; list --all
undefine nosuch
create $FX/vm1.xml; list --all; dominfo vm1; destroy vm1; list --all; dominfo vm1
create $FX/vm1.xml; create $FX/vm1.xml
create $FX/bad.xml
create $FX/nosuchfile.xml
EOF
}

cases_vcpus() {
  cat <<EOF
vcpucount test
vcpucount test --maximum
vcpucount test --current
vcpucount test --config
vcpucount test --live
vcpucount test --config --maximum
vcpucount test --live --current
vcpucount test --config --live
vcpucount test --guest
vcpucount nosuch
vcpuinfo test
vcpuinfo nosuch
define $FX/vm1.xml; vcpucount vm1; vcpucount vm1 --live; vcpuinfo vm1
setvcpus test 1; vcpucount test
setvcpus test 1 --live; vcpucount test
setvcpus test 1 --config; vcpucount test
setvcpus test 1 --current; vcpucount test
setvcpus test 1 --live --config; vcpucount test
setvcpus test 4 --config --maximum; vcpucount test
setvcpus test 5
setvcpus test 0
setvcpus test 33 --config --maximum
setvcpus test 2 --maximum
setvcpus test 2 --guest
setvcpus test 2 --hotpluggable
setvcpus test 2 --current --live
setvcpus test abc
setvcpus test -1
setvcpus nosuch abc
setvcpus test
setvcpus nosuch 1
setvcpus --domain test --count 1; vcpucount test
setvcpus test --count=1 --live; vcpucount test
define $FX/vm1.xml; setvcpus vm1 3 --config; setvcpus vm1 3; setvcpus vm1 0 --config; setvcpus vm1 8 --config --maximum; vcpucount vm1
define $FX/vm1.xml; setvcpus vm1 3 --live; setvcpus vm1 2 --config --maximum; vcpucount vm1
setvcpu test 1 --disable
setvcpu test 1 --enable
setvcpu test 1
setvcpu test 1 --enable --disable
setvcpu nosuch 1 --enable
EOF
}

cases_memory() {
  cat <<EOF
setmem test 1048576; dominfo test
setmem test 1G --live; dominfo test
setmem test 512M --config; dumpxml --inactive test
setmem test 512M --current; dominfo test
setmem test 100G
setmem test 0
setmem test abc
setmem test -5
setmem nosuch 1024
setmem test
setmaxmem test 4G --config; dumpxml --inactive test
setmaxmem test 4G
setmaxmem test 4G --live
setmaxmem test 0
setmaxmem test xyz
setmaxmem nosuch 1G
define $FX/vm1.xml; setmem vm1 256M; setmaxmem vm1 1G; dominfo vm1; setmem vm1 2G; setmem vm1 128M --live
define $FX/vm1.xml; setmem vm1 0 --config; setmem vm1 256M --current; dominfo vm1; setmaxmem vm1 0 --config; setmaxmem vm1 2G; setmaxmem vm1 3G --current; dominfo vm1
setmem test 1k; setmem test 1048576b; setmem test 1MB; dominfo test
EOF
}

cases_autostart_save() {
  cat <<EOF
autostart test; dominfo test; autostart --disable test; dominfo test
autostart nosuch
autostart --disable nosuch
define $FX/vm1.xml; autostart vm1; dominfo vm1
create $FX/vm1.xml; autostart vm1
managedsave test; list --all; dominfo test; start test; domstate --reason test
managedsave test; managedsave test
managedsave nosuch
save test $SAVE; list --all; restore $SAVE; list --all; domstate --reason test
save test $SAVE; restore $SAVE; restore $SAVE
save nosuch $SAVE
save test
restore /tmp/evsh-golden-nosuch.save
restore
EOF
}

cases_network() {
  cat <<EOF
net-list
net-list --all
net-list --inactive
net-list --name
net-list --uuid
net-list --all --name --uuid
net-list --table --name
net-info default
net-info nosuch
net-dumpxml default
net-dumpxml nosuch
net-uuid default
net-uuid nosuch
net-name dd8fe884-6c02-601e-7551-cca97df1c5df
net-name nosuch
net-name default
net-autostart default; net-list --all; net-autostart --disable default; net-info default
net-autostart nosuch
net-destroy default; net-list --all; net-list --inactive --name; net-start default; net-list
net-start default
net-destroy nosuch
net-undefine default
net-define $FX/net1.xml; net-list --all; net-start net1; net-info net1; net-dumpxml net1; net-destroy net1; net-undefine net1; net-list --all
net-define $FX/net1.xml; net-define $FX/net1.xml
net-define $FX/net1.xml; net-info net1; net-autostart 0b4e7c1e-9d0a-4c4e-8f0b-3c9b3f6b1a11; net-info 0b4e7c1e-9d0a-4c4e-8f0b-3c9b3f6b1a11
net-define $FX/bad.xml
net-define $FX/nosuchfile.xml
net-undefine nosuch
EOF
}

# net-update on every section name virsh 9.0 knows, the command names and their alias, the
# --live/--config/--current combinations, a missing XML file and libvirt's errors.
cases_net_update() {
  cat <<EOF
net-update default add ip-dhcp-host "<host mac='52:54:00:00:00:10' name='h' ip='192.168.122.10'/>"; net-dumpxml default
net-update default add-first ip-dhcp-host "<host mac='52:54:00:00:00:10' ip='192.168.122.10'/>" --config; net-dumpxml --inactive default
net-update default modify ip-dhcp-host "<host mac='52:54:00:00:00:11' ip='192.168.122.11'/>"
net-update default delete ip-dhcp-host "<host ip='192.168.122.2'/>" --live --config
net-update default add ip-dhcp-range "<range start='192.168.122.2' end='192.168.122.254'/>"
net-update default delete ip-dhcp-range "<range start='192.168.122.2' end='192.168.122.254'/>" --parent-index 0; net-dumpxml default
net-update default add-last ip-dhcp-range "<range start='10.0.0.2' end='10.0.0.9'/>" --current
net-update default modify ip-dhcp-range "<range start='192.168.122.2' end='192.168.122.9'/>"
net-update default add forward-interface "<interface dev='eth0'/>"; net-dumpxml default
net-update default add forward-interface "<interface dev='eth0'/>" --config; net-update default add forward-interface "<interface dev='eth1'/>" --config
net-update default delete forward-interface "<interface dev='eth9'/>"
net-update default add portgroup "<portgroup name='web' default='yes'><vlan><tag id='10'/></vlan></portgroup>"; net-dumpxml default
net-update default add portgroup "<portgroup name='a' default='yes'/>" --config; net-update default add portgroup "<portgroup name='b' default='yes'/>" --config
net-update default delete portgroup "<portgroup name='nosuch'/>" --live
net-update default add dns-host "<host ip='192.168.122.5'><hostname>h5</hostname></host>"; net-update default add-first dns-host "<host ip='192.168.122.6'><hostname>h5</hostname></host>"; net-dumpxml default
net-update default delete dns-host "<host><hostname>h5</hostname></host>"
net-update default modify dns-host "<host ip='192.168.122.5'><hostname>h5</hostname></host>"
net-update default add dns-txt "<txt name='t' value='v'/>" --live --config; net-dumpxml --inactive default; net-update default delete dns-txt "<txt name='t'/>"; net-dumpxml default
net-update default add dns-txt "<txt name='a b' value='v'/>"
net-update default add dns-srv "<srv service='ldap' protocol='tcp' target='l' port='389'/>"; net-dumpxml default; net-update default delete dns-srv "<srv service='ldap'/>"
net-update default add dns-srv "<srv service='x' protocol='tcp' port='1'/>"
net-update default add bridge "<bridge name='virbr9'/>"
net-update default add domain "<domain name='x'/>"
net-update default add ip "<ip address='10.0.0.1'/>"
net-update default add forward "<forward mode='route'/>"
net-update default add forward-pf "<pf dev='eth0'/>"
net-update default add none "<host/>"
net-update default add nosuch "<host/>"
net-update default none ip-dhcp-host "<host/>"
net-update default frob ip-dhcp-host "<host/>"
net-update default add ip-dhcp-host "<host mac='52:54:00:00:00:12'"
net-update default add ip-dhcp-host "<host mac='52:54:00:00:00:12' ip='192.168.122.12'/>" --current --live
net-update nosuch add ip-dhcp-host "<host/>"
net-destroy default; net-update default add ip-dhcp-host "<host mac='52:54:00:00:00:12' ip='192.168.122.12'/>"; net-update default add dns-txt "<txt name='t' value='v'/>" --live; net-dumpxml default
net-update default add ip-dhcp-host $FX/nosuch.xml
EOF
}

cases_pool() {
  cat <<EOF
pool-list
pool-list --all
pool-list --inactive
pool-list --details
pool-list --all --details
pool-list --name
pool-list --uuid
pool-list --name --uuid
pool-list --details --name
pool-define $FX/pool1.xml; pool-list --all --details; pool-list --all --name; pool-info pool1
pool-info default-pool
pool-info nosuch
pool-dumpxml default-pool
pool-dumpxml nosuch
pool-autostart default-pool; pool-list --all; pool-autostart --disable default-pool; pool-info default-pool
pool-autostart nosuch
pool-destroy default-pool; pool-info default-pool; pool-list --all; pool-start default-pool; pool-list
pool-start default-pool
pool-destroy nosuch
pool-undefine default-pool
pool-define $FX/pool1.xml; pool-list --all; pool-start pool1; pool-info pool1; pool-dumpxml pool1; pool-destroy pool1; pool-undefine pool1; pool-list --all
pool-define $FX/pool1.xml; pool-define $FX/pool1.xml
pool-define $FX/bad.xml
pool-define $FX/nosuchfile.xml
pool-undefine nosuch
EOF
}

cases_volume() {
  cat <<EOF
vol-list default-pool
vol-list --details default-pool
vol-list nosuch
vol-list
vol-create default-pool $FX/vol1.xml; vol-list default-pool; vol-list --details default-pool; vol-info vol1.img default-pool; vol-info /default-pool/vol1.img; vol-path --pool default-pool vol1.img; vol-dumpxml vol1.img --pool default-pool; vol-delete vol1.img default-pool; vol-list default-pool
vol-create default-pool $FX/vol1.xml; vol-create default-pool $FX/vol1.xml
vol-create nosuch $FX/vol1.xml
vol-create default-pool $FX/bad.xml
vol-create default-pool $FX/nosuchfile.xml
vol-info x --pool default-pool
vol-info x
vol-path x default-pool
vol-dumpxml --pool default-pool x
vol-delete x default-pool
vol-delete x --pool nosuch
EOF
}

cases_iface_nodedev() {
  cat <<EOF
iface-list
iface-list --all
iface-list --inactive
iface-list --all --inactive
iface-mac eth1
iface-mac nosuch
iface-name aa:bb:cc:dd:ee:ff
iface-name 00:11:22:33:44:55
iface-name nosuch
iface-dumpxml eth1
iface-dumpxml aa:bb:cc:dd:ee:ff
iface-dumpxml nosuch
nodedev-list
nodedev-dumpxml computer
nodedev-dumpxml nosuch
EOF
}

cases_syntax() {
  cat <<EOF
domstate 'test'
domstate "test"
domstate --domain "test" --reason
domstate test;domstate test
domstate test ; ; domstate test
domstate test # comment
domstate test; bogus; domstate test
domstate test; dominfo; domstate test
domstate --reason=yes test
setvcpus test --count
dominfo --domain
dominfo --domain test --domain test
dominfo --dom test
EOF
}

# Groups added after the first recording; kept apart so the older goldens stay byte-identical.
cases_list_title() {
  cat <<EOF
list --title
list --title --all --table
list --title --name
list --title --uuid
define $FX/vm-titled.xml; list --all --title; list --title --inactive
define $FX/vm1.xml; list --all --title
EOF
}

cases_vcpuinfo_pretty() {
  cat <<EOF
vcpuinfo --pretty test
vcpuinfo test --pretty
vcpuinfo --pretty nosuch
setvcpus test 1 --config; vcpuinfo test --pretty
define $FX/vm1.xml; vcpuinfo vm1 --pretty
EOF
}

cases_nodedev_list() {
  cat <<EOF
nodedev-list --all
nodedev-list --inactive
nodedev-list --inactive --all
nodedev-list --tree
nodedev-list --all --tree
nodedev-list --tree --cap pci
nodedev-list --tree --inactive
nodedev-list --tree --cap bogus
nodedev-list --cap pci
nodedev-list --cap net,system
nodedev-list --cap system --inactive
nodedev-list --all --cap scsi_host
nodedev-list --cap ap_card
nodedev-list --cap bogus
nodedev-list --all --cap bogus
nodedev-list --cap=PCI
nodedev-list --cap ,
nodedev-list --cap pci,,net
nodedev-list --cap ""
nodedev-list --cap "" --tree
nodedev-list --cap
nodedev-dumpxml --inactive computer
EOF
}

# `help COMMAND` only for commands whose evsh option table is virsh's (same options, same
# order); plain `help` and `help GROUP` list only evsh's commands, so they have no golden.
cases_help() {
  cat <<EOF
help autostart
help capabilities
help define
help domid
help dominfo
help domname
help domstate
help domuuid
help help
help hostname
help iface-list
help iface-mac
help iface-name
help managedsave
help net-autostart
help net-define
help net-destroy
help net-info
help net-list
help net-name
help net-start
help net-undefine
help net-uuid
help nodedev-list
help nodeinfo
help pool-autostart
help pool-define
help pool-destroy
help pool-undefine
help resume
help save
help setmaxmem
help setmem
help setvcpu
help setvcpus
help suspend
help sysinfo
help uri
help vcpucount
help vcpuinfo
help vol-create
help vol-delete
help vol-list
help vol-path
help --command=domstate
help domstate; domstate test
help nosuch
help nosuch; uri
EOF
}

# Every command's, group's and the global help, listed from virsh itself.
cases_help_all() {
  echo help
  virsh help | sed -n 's/^ .*(help keyword .\(.*\).):$/help \1/p'
  echo "help 'Domain Management'"
  echo "help nodedev-dettach"
  echo "help self-test"
  echo "help complete"
  virsh help | sed -n 's/^    \([a-z0-9-]*\) .*$/help \1/p'
  virsh help | sed -n 's/^    \([a-z0-9-]*\) .*$/\1 --help/p' | head -20
}

# Differences the generated sequences of unseen seeds (GEN_SEED=1313, 1314, 1316, 1317) found,
# fixed. VOLS: a domain whose disks are volumes of default-pool, one of another pool, one not a
# volume (undefine --storage / --remove-all-storage); secret events, which test:///default (no
# secret driver) refuses to register; live and config together, refused at virsh's count query
# or after it; empty object names (refused before any lookup); snapshot-edit's name with
# --current (not exclusive there); list --state-shutoff, which lists the inactive domains; an
# empty --diskspec, a bare '/>' in virsh.
cases_fresh_seeds() {
  local VOLS="define $FX/vm-vols.xml; vol-create default-pool $FX/vol1.xml"
  VOLS="$VOLS; vol-create default-pool $FX/vol2.xml"
  cat <<EOF
destroy test; start test --force-boot
start test --force-boot
dom-fd-associate test --name x --pass-fds=''
dom-fd-associate test --name x
detach-interface --domain=test --mac '' --persistent
detach-interface --domain=test --type network --mac ''
undefine test --remove-all-storage --nvram
undefine test --storage ''
destroy test; undefine test --remove-all-storage
destroy test; undefine test --storage hda,nosuch
$VOLS; undefine vmvols --remove-all-storage; vol-list default-pool
$VOLS; undefine vmvols --remove-all-storage --wipe-storage; vol-list default-pool
$VOLS; undefine vmvols --remove-all-storage --delete-storage-volume-snapshots
$VOLS; undefine vmvols --storage vda,vol2.img; vol-list default-pool
$VOLS; undefine vmvols --storage vda,vda
define $FX/vm-vols.xml; start vmvols; undefine vmvols --storage vda
secret-event --event lifecycle --timeout 1
secret-event --secret nosuch --event lifecycle --loop --timeout 1
secret-event --secret 0b4e7c1e-9d0a-4c4e-8f0b-3c9b3f6b1a11 --event lifecycle --timeout 1
numatune test --config --live
domiftune test testnet0 --config --live
memtune test --config --live
qemu-monitor-command --pretty '' extra
net-info ''
pool-info ''
iface-dumpxml ''
domstate --domain=''
snapshot-edit 1 --snapshotname nosuch --current
list --state-running --state-shutoff --managed-save
destroy test; list --state-shutoff --name
list --all --state-shutoff
snapshot-create-as --domain test --print-xml --disk-only --diskspec ''
checkpoint-create-as test --print-xml --diskspec ''
checkpoint-create-as test --diskspec ''
EOF
}

# Generated sequences (tests/tools/gen_evsh_sequences.ts, seed and count below), replayed by
# tests/evsh/generated_test.ts; a case virsh does not finish within 10 s is left out.
# GEN_SEED/GEN_COUNT/GEN_OUT in the environment record another seed elsewhere (a fresh seed
# measures evsh on sequences its fixes were not made against).
GEN_SEED=${GEN_SEED:-12}
GEN_COUNT=${GEN_COUNT:-1000}
GEN_OUT=${GEN_OUT:-tests/evsh/generated/recorded.json}
GEN_SAVE=/tmp/evsh-generated.out
cases_generated() {
  deno_cmd=(deno)
  command -v deno >/dev/null || deno_cmd=(npx -y deno@2.9.6)
  "${deno_cmd[@]}" run tests/tools/gen_evsh_sequences.ts "$GEN_SEED" "$GEN_COUNT"
}

record_group() {
  local group=$1 out=$OUT/$1.json dir n=0
  [ "$group" = generated ] && out=$GEN_OUT && mkdir -p "$(dirname "$out")"
  dir=$(mktemp -d)
  # virsh runs in a scratch copy of the fixtures, so a generated command that writes to a
  # path it was given (dump, screenshot, vol-download) cannot touch the repository; the
  # scratch directory is emptied before each case, so no case sees another's files.
  local work
  work=$(mktemp -d)
  while IFS= read -r line; do
    find "${work:?}" -mindepth 1 -delete && mkdir -p "$work/tests/evsh" && cp -r tests/evsh/fixtures "$work/tests/evsh/"
    [ -n "$line" ] || continue
    n=$((n + 1))
    printf '%s' "$line" >"$dir/$n.cmd"
    rm -f "$SAVE" "$GEN_SAVE"
    rc=0
    # The *-edit commands run the generator's editor (GENERATED_EDITOR in gen_evsh_sequences.ts).
    (cd "$work" && EDITOR=tests/evsh/fixtures/editor.sh timeout 10 \
      env -u VISUAL virsh -c test:///default "$line") >"$dir/$n.out" 2>"$dir/$n.err" \
      </dev/null || rc=$?
    if [ "$rc" = 124 ]; then
      echo "record_virsh: timed out, left out: $line" >&2
      rm -f "$dir/$n."*
      n=$((n - 1))
      continue
    fi
    echo "$rc" >"$dir/$n.rc"
  done
  # JSON laid out the way `deno fmt` keeps it.
  /usr/bin/python3 - "$dir" "$n" >"$out" <<'PY'
import json, sys
d, n = sys.argv[1], int(sys.argv[2])
rd = lambda p: open(p, encoding="utf-8", errors="surrogateescape", newline="").read()
cases = [{"cmd": rd(f"{d}/{i}.cmd"), "stdout": rd(f"{d}/{i}.out"),
          "stderr": rd(f"{d}/{i}.err"), "status": int(rd(f"{d}/{i}.rc"))}
         for i in range(1, n + 1)]
print(json.dumps(cases, indent=2, ensure_ascii=False))
PY
  rm -rf "$dir" "$work" "$SAVE" "$GEN_SAVE"
  echo "record_virsh: $out"
}

# `virsh --help` for core_test's usage check.
virsh -h >tests/evsh/fixtures/virsh-usage.txt

ALL=(host list dominfo dumpxml lifecycle vcpus memory autostart_save network net_update pool volume
  iface_nodedev syntax list_title vcpuinfo_pretty nodedev_list help help_all fresh_seeds)
# `generated` is recorded only when asked for: bash tests/tools/record_virsh.sh generated
for g in "${@:-${ALL[@]}}"; do
  "cases_$g" | record_group "$g"
done
