#!/usr/bin/env bash
# Embedded-sandbox scaling benchmark: does a request cost the same at 100 people and
# at 100,000?
#
#   bash benches/sandbox.sh                  # sizes 100 1000 10000
#   SIZES="100 1000 10000 100000" bash benches/sandbox.sh
#
# Builds target/release/biopass and, for each size N, in a fresh sandbox folder, with
# rows over the two small synthetic JPEGs of tests/fixtures (face.jpg, face2.jpg):
#   fill:   biopass --env sandbox enroll --from N-row manifest   (empty -> N people)
#   extra:  the same with M more rows (M = EXTRA, 1000) into the sandbox the fill left:
#           the cost of a request when N people are enrolled, without process start-up
#           and the fixed cost of a batch weighing more at small N.
#   status: biopass sandbox status on the sandbox the fill left: a process start and a
#           read of the whole state, which every process pays once (not per request).
# Prints time, µs/row and peak RSS of fill and extra, the state folder's size, and
# req_us: the cost of one request with N people enrolled, (extra - status) / M, i.e.
# the extra run without its once-per-process start. Then the ratios of the largest
# size to the smallest and PASS/FAIL against the target: req_us at the largest size
# at most 1.5x req_us at the smallest; the same for cpu_us, the user+sys CPU per
# request (less sensitive to other load than wall time, which includes fsync waits).
# Exits 0 either way: the verdict is in the output. The machine is shared and fsync
# latency varies: run it twice when the verdict is close.
#
# Environment knobs (defaults in brackets):
#   SIZES ["100 1000 10000"]  people per fill
#   EXTRA [1000]              rows of the extra run
#   REPS [3]                  extra (and status) runs per size, interleaved across
#                             sizes, each on a fresh copy of the filled folder; the
#                             median is reported
#   BIN                       a biopass binary to measure instead of building one
#                             (for a before/after comparison)
#   NO_BUILD=1                use the existing target/release/biopass
#   KEEP=1                    keep the temporary folder (its path is printed)
# The folder is under ${TMPDIR:-/tmp}: put it on the disk you care about, since every
# enroll is fsynced before it is answered.
set -euo pipefail

SIZES=${SIZES:-100 1000 10000}
EXTRA=${EXTRA:-1000}
REPS=${REPS:-3}
TARGET_RATIO=1.5

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
work=$(mktemp -d "${TMPDIR:-/tmp}/biopass-sandbox-bench.XXXXXX")
cleanup() {
    if [[ ${KEEP:-} == 1 ]]; then echo "# kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=lib.sh
. "$here/lib.sh"

if [[ -n ${BIN:-} ]]; then
    cp "$BIN" "$work/biopass"
    BIN=$work/biopass
    say "biopass $("$BIN" --version 2>/dev/null | awk 'NR==1{print $NF}'), given binary"
else
    build_bin
fi
say "work folder on $(df -T "$work" | awk 'NR==2{print $2}')"

# Two small synthetic JPEGs, reused by every row (the sandbox stores their digests per
# person). Real JPEGs: biopass checks headers and end markers before sending.
mkdir -p "$work/img"
for i in 0 1 2 3 4 5 6 7; do
    cp "$root/tests/fixtures/face$( ((i % 2)) && echo 2).jpg" "$work/img/f$i.jpg"
done
manifest() { # path prefix count
    awk -v p="$2" -v n="$3" -v d="$work/img" 'BEGIN {
        print "id,face"
        for (i = 0; i < n; i++) printf "%s%07d,%s/f%d.jpg\n", p, i, d, i % 8
    }' >"$1"
}

# run LABEL DIR MANIFEST ROWS: one batch, timed; sets SECS and RSS_KB.
run() {
    local label=$1 dir=$2 m=$3 rows=$4 t0 t1 err=$work/$1.err
    rm -f "$work/$label.journal"  # a repeat is a new run, not a resume
    t0=$(now)
    if [[ -n $TIME ]]; then
        BIOPASS_SANDBOX_DIR=$dir $TIME -f '%M %U %S' -o "$work/$label.rss" \
            "$BIN" --env sandbox enroll --from "$m" --journal "$work/$label.journal" -q \
            >/dev/null 2>"$err" || { echo "$label failed:" >&2; tail -5 "$err" >&2; exit 1; }
        read -r RSS_KB user sys < <(tail -1 "$work/$label.rss")
        CPU=$(calc "$user + $sys")
    else
        BIOPASS_SANDBOX_DIR=$dir "$BIN" --env sandbox enroll --from "$m" \
            --journal "$work/$label.journal" -q >/dev/null 2>"$err" ||
            { echo "$label failed:" >&2; tail -5 "$err" >&2; exit 1; }
        RSS_KB=0 CPU=0
    fi
    t1=$(now)
    SECS=$(calc "$t1 - $t0")
    local persons
    persons=$(BIOPASS_SANDBOX_DIR=$dir "$BIN" sandbox status | awk -F'\t' '$1=="persons"{print $2}')
    [[ $persons == "$rows" ]] || { echo "$label: $persons people in the sandbox, expected $rows" >&2; exit 1; }
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# Fill each size once.
declare -A FILL_S FILL_RSS STATE_BYTES STATUS STATUS_CPU EXTRA_S EXTRA_CPU EXTRA_RSS
for n in $SIZES; do
    manifest "$work/fill-$n.csv" P "$n"
    manifest "$work/extra-$n.csv" X "$EXTRA"
    sync
    say "filling a sandbox with $n people"
    run "fill-$n" "$work/sb-$n" "$work/fill-$n.csv" "$n"
    FILL_S[$n]=$SECS FILL_RSS[$n]=$RSS_KB
    STATE_BYTES[$n]=$(find "$work/sb-$n" -type f -printf "%s\n" | awk "{s += \$1} END {print s}")
done
# Then REPS rounds over all sizes (so that load on the machine hits every size alike):
# a status and an extra run, each extra run on a fresh copy of the filled folder.
for ((rep = 1; rep <= REPS; rep++)); do
    for n in $SIZES; do
        dir=$work/sb-$n.rep
        rm -rf "$dir" && cp -a "$work/sb-$n" "$dir" && sync
        t0=$(now)
        if [[ -n $TIME ]]; then
            BIOPASS_SANDBOX_DIR=$dir $TIME -f '%U %S' -o "$work/status.cpu" "$BIN" sandbox status >/dev/null
            STATUS_CPU[$n]+=" $(awk '{print $1 + $2}' "$work/status.cpu")"
        else
            BIOPASS_SANDBOX_DIR=$dir "$BIN" sandbox status >/dev/null
            STATUS_CPU[$n]+=" 0"
        fi
        STATUS[$n]+=" $(calc "$(now) - $t0")"
        run "extra-$n" "$dir" "$work/extra-$n.csv" "$((n + EXTRA))"
        EXTRA_S[$n]+=" $SECS" EXTRA_CPU[$n]+=" $CPU" EXTRA_RSS[$n]=$RSS_KB
    done
done

declare -A FILL_US EXTRA_US REQ_US CPU_US
printf '%-8s %8s %12s %9s %12s %10s %8s %13s %10s %8s %8s\n' \
    people fill_s fill_us/row fill_MiB state_bytes status_ms extra_s extra_us/row extra_MiB req_us cpu_us
for n in $SIZES; do
    status_s=$(median <<<"${STATUS[$n]}")
    extra_s=$(median <<<"${EXTRA_S[$n]}")
    FILL_US[$n]=$(calc "sprintf(\"%.0f\", ${FILL_S[$n]} * 1e6 / $n)")
    EXTRA_US[$n]=$(calc "sprintf(\"%.0f\", $extra_s * 1e6 / $EXTRA)")
    REQ_US[$n]=$(calc "sprintf(\"%.0f\", ($extra_s - $status_s) * 1e6 / $EXTRA)")
    cpu=$(median <<<"${EXTRA_CPU[$n]}") status_cpu=$(median <<<"${STATUS_CPU[$n]}")
    CPU_US[$n]=$(calc "sprintf(\"%.0f\", ($cpu - $status_cpu) * 1e6 / $EXTRA)")
    printf '%-8s %8.2f %12s %9.1f %12s %10.0f %8.2f %13s %10.1f %8s %8s\n' \
        "$n" "${FILL_S[$n]}" "${FILL_US[$n]}" "$(calc "${FILL_RSS[$n]} / 1024")" \
        "${STATE_BYTES[$n]}" "$(calc "$status_s * 1000")" \
        "$extra_s" "${EXTRA_US[$n]}" "$(calc "${EXTRA_RSS[$n]} / 1024")" "${REQ_US[$n]}" "${CPU_US[$n]}"
    echo "#   $n: extra runs (s):${EXTRA_S[$n]}; status (s):${STATUS[$n]}; extra CPU (s):${EXTRA_CPU[$n]}" >>"$work/runs.txt"
done
cat "$work/runs.txt"

read -r -a sizes <<<"$SIZES"
small=${sizes[0]} large=${sizes[-1]}
fill_ratio=$(calc "sprintf(\"%.2f\", ${FILL_US[$large]} / ${FILL_US[$small]})")
extra_ratio=$(calc "sprintf(\"%.2f\", ${EXTRA_US[$large]} / ${EXTRA_US[$small]})")
req_ratio=$(calc "sprintf(\"%.2f\", ${REQ_US[$large]} / ${REQ_US[$small]})")
cpu_ratio=$(calc "sprintf(\"%.2f\", ${CPU_US[$large]} / (${CPU_US[$small]} > 0 ? ${CPU_US[$small]} : 1))")
echo
echo "per-row cost at $large people / at $small: request $req_ratio (CPU $cpu_ratio; extra run $extra_ratio, fill $fill_ratio)"
verdict() { awk "BEGIN { exit !($1 <= $TARGET_RATIO) }" && echo PASS || echo FAIL; }
echo "$(verdict "$req_ratio")  embedded sandbox: a request at $large people costs ${req_ratio}x one at $small" \
    "(wall time; target <= ${TARGET_RATIO}x)"
[[ -n $TIME ]] && echo "$(verdict "$cpu_ratio")  embedded sandbox: CPU per request at $large people ${cpu_ratio}x at $small" \
    "(user+sys, less sensitive to a busy machine; target <= ${TARGET_RATIO}x)"
exit 0
