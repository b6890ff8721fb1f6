#!/usr/bin/env bash
# Records virsh 9.0's answers to the nwfilter command lines of
# tests/fixtures/nwfilter/virsh/commands.txt, each run by `virsh -c qemu:///system` in that
# folder, into transcript.json there (stdout, stderr, exit status per line), replayed by
# tests/evsh/nwfilter_commands_test.ts. UUIDs the command lines do not name are masked
# (libvirt gives its built-in filters random ones).
#
# nwfilters are refused in session mode, so this needs the root libvirtd of qemu:///system. When
# none runs, one is started for the recording in a network namespace of its own and stopped
# afterwards (the binding's port device does not exist: nothing is instantiated).
#
# Usage (as root): bash tests/tools/nwfilter/record_virsh.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
dir="$root/tests/fixtures/nwfilter/virsh"
pidfile=""
if ! virsh -q -c qemu:///system uri >/dev/null 2>&1; then
  pidfile=$(mktemp -d)/libvirtd.pid
  unshare -n -- /usr/sbin/libvirtd -d -p "$pidfile"
  for _ in $(seq 100); do virsh -q -c qemu:///system uri >/dev/null 2>&1 && break; sleep 0.1; done
fi
stop() { [ -n "$pidfile" ] && kill "$(cat "$pidfile")" && rm -r "${pidfile%/*}" || true; }
trap stop EXIT
cd "$dir"
/usr/bin/python3 - <<'PY'
import json, re, shlex, subprocess
lines = [l for l in open("commands.txt").read().split("\n") if l.strip()]
named = set(re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", open("commands.txt").read()
                       + "".join(open(f).read() for f in ("evsh-test.xml", "evsh-test-clash.xml", "binding.xml", "binding-bad-uuid.xml"))))
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
mask = lambda s: UUID.sub(lambda m: m.group(0) if m.group(0) in named else "UUID", s)
out = []
for line in lines:
    p = subprocess.run(["virsh", "-c", "qemu:///system", *shlex.split(line)], capture_output=True, text=True)
    out.append({"line": line, "stdout": mask(p.stdout), "stderr": mask(p.stderr), "rc": p.returncode})
json.dump(out, open("transcript.json", "w"), indent=1)
print(f"record: {len(out)} lines in transcript.json")
PY

# SOURCES.tsv: the command lines and documents (made here) and virsh's answers, with their sizes.
cd "$root/tests/fixtures"
tmp=$(mktemp)
trap 'stop; rm -f "$tmp"' EXIT
{
  grep -v '^nwfilter/virsh/' SOURCES.tsv
  for f in nwfilter/virsh/*; do
    origin='edgevirt: nwfilter command lines and the documents they read'
    [ "${f##*/}" = transcript.json ] &&
      origin='virsh 9.0.0 output: tests/tools/nwfilter/record_virsh.sh (virsh -c qemu:///system on a root libvirtd)'
    printf '%s\t-\t%s\t-\t%s\n' "$f" "$origin" "$(LC_ALL=C.UTF-8 wc -m <"$f")"
  done
} >"$tmp"
cp "$tmp" SOURCES.tsv
