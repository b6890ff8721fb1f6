# Sourced by record.sh and record_validate.sh: canon_kind KIND [CANON-OPTION...] prints the
# oracle's canon.sh --stable --json answers for every KIND/*.xml below the current folder, in
# batches of 200 (secrets in one batch: each canon.sh run of them starts a private daemon).
# Needs $oracle (the oracle folder) and $tmp (a scratch folder).
#
# canon.sh exits 1 when some input is rejected: that is an answer, not a failure. A batch that
# crashes libvirt (e.g. <vcpu>-1</vcpu> is a SIGSEGV in 9.0) is re-run one file at a time, and a
# file that crashes it on its own is recorded as {"file", "crash": STATUS}.
canon_batch() {
  local rc=0 f
  bash "$oracle/canon.sh" --stable --json "$@" >"$tmp/batch.jsonl" 2>>"$tmp/canon.log" || rc=$?
  if [ "$rc" -le 1 ]; then
    cat "$tmp/batch.jsonl"
    return
  fi
  local opts=() files=()
  for f in "$@"; do if [[ $f == --* ]]; then opts+=("$f"); else files+=("$f"); fi; done
  for f in "${files[@]}"; do
    rc=0
    bash "$oracle/canon.sh" --stable --json "${opts[@]}" "$f" >"$tmp/batch.jsonl" \
      2>>"$tmp/canon.log" || rc=$?
    if [ "$rc" -le 1 ]; then cat "$tmp/batch.jsonl"; else printf '{"file": "%s", "crash": %d}\n' "$f" "$rc"; fi
  done
}

canon_kind() {
  local kind=$1 size=200
  shift
  [ "$kind" = secret ] && size=100000
  find "$kind" -name '*.xml' | sort | xargs -n "$size" echo >"$tmp/batches"
  while read -r -a batch; do canon_batch "$@" "${batch[@]}"; done <"$tmp/batches"
}
