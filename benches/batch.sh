#!/usr/bin/env bash
# Batch-enroll throughput benchmark: biopass enroll --from against the alternatives.
#
#   bash benches/batch.sh [N]
#
# Builds target/release/biopass, makes N synthetic JPEGs of about 200 KiB (seeded noise
# with phone-like EXIF, drawn by Pillow) with a manifest, and runs, on this machine, in one go:
#   (a) biopass enroll --from manifest.csv --jobs 8
#   (b) the same rows through xargs -P8 curl, one pre-built JSON body per row
#   (c) the vendor's Python http.client snippet looped over the rows (vendor_snippet.py)
#   (d) wrk posting one pre-built enroll body at 8 connections: the ceiling
# twice: with no added latency (CPU-bound) and with the sandbox adding 100 ms to every
# answer (latency-bound, like the real service). Each tool-run gets its own fresh
# `biopass sandbox serve`, so CustomIDs never collide and server state starts empty.
# Prints rows/s, ratios, biopass's peak RSS and PASS/FAIL against the targets of the
# issue. See benches/README.md.
#
# Environment knobs (defaults in brackets):
#   LAT_N [400]      rows for biopass and curl in the 100 ms pass (capped at N)
#   PY_N [N]         rows for the Python loop in the CPU-bound pass
#   PY_LAT_N [100]   rows for the Python loop in the 100 ms pass (~10 s)
#   JOBS [8]         biopass --jobs, xargs -P and the load generator's connections
#   LATENCY_MS [100] latency of the second pass
#   WRK_SECS [10]    duration of each load-generator run
#   WRK_THREADS [2]  wrk threads (-t)
#   REPS [3]         runs of (a)-(c) in the CPU-bound pass (interleaved; the median
#                    run is reported, all rates are listed in the notes)
#   LAT_REPS [1]     the same for the latency pass
#   KEEP=1           keep the temporary folder (its path is printed)
#   NO_BUILD=1       use the existing target/release/biopass
set -euo pipefail

N=${1:-1000}
LAT_N=${LAT_N:-400}
PY_N=${PY_N:-$N}
PY_LAT_N=${PY_LAT_N:-100}
JOBS=${JOBS:-8}
LATENCY_MS=${LATENCY_MS:-100}
WRK_SECS=${WRK_SECS:-10}
WRK_THREADS=${WRK_THREADS:-2}
REPS=${REPS:-3}
LAT_REPS=${LAT_REPS:-1}
((LAT_N > N)) && LAT_N=$N
((PY_N > N)) && PY_N=$N
((PY_LAT_N > N)) && PY_LAT_N=$N

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")

work=$(mktemp -d "${TMPDIR:-/tmp}/biopass-bench.XXXXXX")
cleanup() {
    kill_server
    if [[ ${KEEP:-} == 1 ]]; then
        echo "# kept $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# shellcheck source=lib.sh
. "$here/lib.sh"
# The generated images are noise and patterns, not faces: the face gate (on by default)
# would refuse every row as NO_FACE. Its cost is measured by face_gate.sh.
export BIOPASS_FACE_CHECK=false

# ---------------------------------------------------------------- tools

LOADGEN=
if command -v wrk >/dev/null; then
    LOADGEN=wrk
elif command -v oha >/dev/null; then
    LOADGEN=oha
elif try_install wrk && command -v wrk >/dev/null; then
    LOADGEN=wrk
else
    say "no load generator (wrk or oha) and could not install wrk: (d) is skipped"
fi

for tool in curl python3 xargs awk; do
    command -v "$tool" >/dev/null || { echo "batch.sh: $tool is required" >&2; exit 1; }
done

# ---------------------------------------------------------------- build and data

build_bin
say "curl $(curl --version | awk 'NR==1{print $2}'), $(python3 --version 2>&1)," \
    "${LOADGEN:-no load generator} $([[ $LOADGEN == wrk ]] && wrk -v 2>&1 | awk 'NR==1{print $2}')"

say "making $N synthetic JPEGs of about 200 KiB, the manifest and pre-built bodies (untimed)"
data=$work/data
need_pillow
python3 "$here/gen_data.py" "$data" "$N"
head -n $((LAT_N + 1)) "$data/manifest.csv" >"$data/manifest_lat.csv"

# ---------------------------------------------------------------- sandbox

enroll_counts() { # prefix -> "distinct_ids total_enrolls requests" from the last stats
    python3 -c '
import json, sys
try:
    s = json.load(open(sys.argv[1]))
except ValueError:
    s = {}
p = sys.argv[2]
e = {k: v for k, v in s.get("enrolls", {}).items() if k.startswith(p)}
print(len(e), sum(e.values()), s.get("requests", 0))' "$work/stats.json" "$1"
}

check_enrolled() { # label prefix expected
    local distinct total requests
    read -r distinct total requests < <(enroll_counts "$2")
    if [[ $distinct != "$3" || $total != "$3" ]]; then
        warn "$1: sandbox recorded $distinct distinct CustomIDs ($total enrolls, $requests requests), expected $3"
    fi
}

# ---------------------------------------------------------------- timing

# Results, keyed "pass/tool". Each repetition appends a line to RUNS; finalize keeps
# the median repetition (by rows/s) and lists all of them.
declare -A ROWS SECS RATE CCPU SCPU NOTE RUNS ALLRATES
record() { # pass tool rows secs note
    local rate
    rate=$(calc "sprintf(\"%.1f\", $3 / $4)")
    RUNS[$1/$2]+="$rate|$3|$4|$CLIENT_CPU|$SERVER_CPU|${5:-}"$'\n'
}
finalize() { # pass tool
    local key=$1/$2 lines n line
    [[ -n ${RUNS[$key]:-} ]] || return 0
    lines=$(printf '%s' "${RUNS[$key]}" | sort -t'|' -k1,1g)
    n=$(printf '%s\n' "$lines" | wc -l)
    line=$(printf '%s\n' "$lines" | sed -n "$(((n + 1) / 2))p")
    IFS='|' read -r RATE[$key] ROWS[$key] SECS[$key] CCPU[$key] SCPU[$key] NOTE[$key] <<<"$line"
    ALLRATES[$key]=$(printf '%s\n' "$lines" | cut -d'|' -f1 | paste -sd' ')
    ((n == 1)) || NOTE[$key]+="; median of $n: ${ALLRATES[$key]}"
}

BP_RSS_MAX_KB=0

# ---------------------------------------------------------------- the four tools

run_biopass() { # pass latency manifest rows [tool [extra biopass args...]]
    local pass=$1 lat=$2 manifest=$3 rows=$4 tool=${5:-a}
    shift 5 2>/dev/null || shift $#
    start_server "$lat"
    run_timed "$work/biopass.$pass.err" env BIOPASS_ENDPOINT="$ENDPOINT" BIOPASS_API_KEY="$KEY" \
        "$BIN" enroll --from "$manifest" --jobs "$JOBS" --journal "$work/journal.$pass.$tool.$REP" \
        --summary-json "$work/summary.$pass.$REP.json" -q "$@"
    stop_server
    record "$pass" "$tool" "$rows" "$WALL" "peak RSS $(calc "sprintf(\"%.1f\", $CLIENT_RSS_KB / 1024)") MiB"
    ((CLIENT_RSS_KB > BP_RSS_MAX_KB)) && BP_RSS_MAX_KB=$CLIENT_RSS_KB
    ((CLIENT_RSS_KB > ${BP_RSS_KB[$pass]:-0})) && BP_RSS_KB[$pass]=$CLIENT_RSS_KB
    [[ $RC == 0 ]] || warn "biopass ($pass) exited $RC"
    if [[ -s $work/biopass.$pass.err ]]; then
        say "biopass ($pass) stderr:"
        sed 's/^/#   /' "$work/biopass.$pass.err"
    fi
    local ok
    ok=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["succeeded"], s["failed"], s["invalid"], s["pending"], s["requests"])' \
        "$work/summary.$pass.$REP.json" 2>/dev/null || echo "? ? ? ? ?")
    say "biopass ($pass) summary: succeeded failed invalid pending requests = $ok"
    [[ ${ok%% *} == "$rows" ]] || warn "biopass ($pass): summary says ${ok%% *} enrolled, expected $rows"
    check_enrolled "biopass ($pass)" "$([[ $tool == rot ]] && echo rot- || echo bench-)" "$rows"
}
declare -A BP_RSS_KB

run_curl() { # pass latency rows
    local pass=$1 rows=$3
    head -n "$rows" "$data/curl.args" >"$work/curl.args"
    start_server "$2"
    # -n1 appends one "@bodies/NNNNNN.json" after --data-binary.
    run_timed "$work/curl.$pass.err" sh -c 'cd "$6" &&
        exec xargs -P"$1" -n1 curl -s -o /dev/null -w "%{http_code}\n" -X POST \
            -H "Content-Type: application/json" -H "Ocp-Apim-Subscription-Key: $2" \
            "$3/multibiometrics/enroll" --data-binary <"$4" >"$5"' \
        sh "$JOBS" "$KEY" "$ENDPOINT" "$work/curl.args" "$work/curl.codes" "$data"
    stop_server
    local ok
    ok=$(grep -c '^200$' "$work/curl.codes" || true)
    record "$pass" b "$rows" "$WALL" "$ok x HTTP 200"
    [[ $ok == "$rows" ]] || warn "curl ($pass): $ok of $rows answered 200"
    check_enrolled "curl ($pass)" bench- "$rows"
}

run_python() { # pass latency rows
    local pass=$1 rows=$3
    start_server "$2"
    run_timed "$work/python.$pass.err" env BIOPASS_ENDPOINT="$ENDPOINT" BIOPASS_API_KEY="$KEY" \
        python3 "$here/vendor_snippet.py" "$data/manifest.csv" "$rows"
    stop_server
    record "$pass" c "$rows" "$WALL" "$(sed -n 's/^vendor_snippet: //p' "$work/python.$pass.err")"
    [[ $RC == 0 ]] || { warn "python ($pass) exited $RC"; sed 's/^/#   /' "$work/python.$pass.err"; }
    check_enrolled "python ($pass)" bench- "$rows"
}

run_loadgen() { # pass latency
    local pass=$1 out=$work/loadgen.$pass.out
    [[ -n $LOADGEN ]] || return 0
    start_server "$2"
    if [[ $LOADGEN == wrk ]]; then
        # Every request is a real enroll (unique CustomID, same image): see wrk_enroll.lua.
        run_timed "$out.err" env BENCH_WRK_SUFFIX="$data/wrk_suffix.json" BENCH_WRK_PREFIX=wrk- \
            BIOPASS_API_KEY="$KEY" sh -c 'exec wrk -t"$1" -c"$2" -d"$3"s -s "$4" "$5" >"$6"' \
            sh "$WRK_THREADS" "$JOBS" "$WRK_SECS" "$here/wrk_enroll.lua" "$ENDPOINT" "$out"
    else
        # oha cannot vary the body, so it verifies one enrolled person (same decoding and
        # hashing on the server as an enroll, answered 200) instead of enrolling.
        curl -s -o /dev/null -X POST -H "Content-Type: application/json" \
            -H "Ocp-Apim-Subscription-Key: $KEY" --data-binary "@$data/verify_body.json" \
            "$ENDPOINT/multibiometrics/enroll"
        run_timed "$out.err" sh -c 'exec oha --no-tui -c "$1" -z "$2"s -m POST \
            -H "Content-Type: application/json" -H "Ocp-Apim-Subscription-Key: $3" \
            -D "$4" "$5/multibiometrics/verify" >"$6"' \
            sh "$JOBS" "$WRK_SECS" "$KEY" "$data/verify_body.json" "$ENDPOINT" "$out"
    fi
    stop_server
    local rows secs bad
    if [[ $LOADGEN == wrk ]]; then
        read -r rows secs < <(awk '/requests in/ { r = $1; s = $4; sub(/s,?$/, "", s); print r, s }' "$out")
        bad=$(awk '/Non-2xx or 3xx responses/ { print $NF }' "$out")
        local errs
        errs=$(grep 'Socket errors' "$out" || true)
        [[ -z $errs ]] || warn "wrk ($pass): $errs"
        record "$pass" d "${rows:-0}" "${secs:-1}" "wrk -t$WRK_THREADS -c$JOBS, ${bad:-0} non-2xx"
        # wrk stops counting at the deadline; requests still in flight may have landed.
        local distinct total requests
        read -r distinct total requests < <(enroll_counts wrk-)
        ((distinct >= rows && distinct <= rows + JOBS)) ||
            warn "wrk ($pass): wrk counted $rows answers, the sandbox $distinct enrolls"
    else
        rows=$(awk -F'[: ]+' '/Requests\/sec/ { print $NF }' "$out")
        record "$pass" d "$(calc "sprintf(\"%.0f\", $rows * $WRK_SECS)")" "$WRK_SECS" "oha, verify"
    fi
    [[ -z ${bad:-} || ${bad:-0} == 0 ]] || warn "load generator ($pass): $bad answers were not 2xx"
}

# ---------------------------------------------------------------- the two passes

run_pass() { # pass latency rows_a_b rows_c manifest reps
    local pass=$1 lat=$2 rows=$3 pyrows=$4 manifest=$5 reps=$6 t
    say "pass '$pass': sandbox latency ${lat} ms; biopass and curl $rows rows, Python $pyrows rows${LOADGEN:+, $LOADGEN ${WRK_SECS}s}; (a)-(c) $reps time(s), interleaved"
    for ((REP = 1; REP <= reps; REP++)); do
        say "  run $REP: (a) biopass";  run_biopass "$pass" "$lat" "$manifest" "$rows"
        say "  run $REP: (b) curl";     run_curl "$pass" "$lat" "$rows"
        say "  run $REP: (c) python";   run_python "$pass" "$lat" "$pyrows"
        if [[ $pass == cpu ]]; then
            say "  run $REP: (e) biopass --keep-metadata"
            run_biopass "$pass" "$lat" "$manifest" "$rows" e --keep-metadata
        fi
    done
    if [[ -n $LOADGEN ]]; then say "  (d) $LOADGEN"; run_loadgen "$pass" "$lat"; fi
    for t in a b c d e; do finalize "$pass" "$t"; done
}

# The re-encode path: the same number of rows, upright (metadata stripped losslessly)
# and with EXIF orientation 6 (decoded, turned, re-encoded). Client CPU per row of each.
run_reencode() {
    local rows
    rows=$(($(wc -l <"$data/manifest_rot.csv") - 1))
    head -n $((rows + 1)) "$data/manifest.csv" >"$data/manifest_up.csv"
    say "re-encode path: $rows upright rows, then the same rows with EXIF orientation 6"
    REP=up run_biopass prep 0 "$data/manifest_up.csv" "$rows" up
    UP_CPU=$CLIENT_CPU
    REP=rot run_biopass prep 0 "$data/manifest_rot.csv" "$rows" rot
    ROT_CPU=$CLIENT_CPU ROT_ROWS=$rows
}

# Settle the page cache: the data set was just written, and a journal fsync during the
# first run would otherwise wait for hundreds of MB of write-back.
sync
run_pass cpu 0 "$N" "$PY_N" "$data/manifest.csv" "$REPS"
run_pass latency "$LATENCY_MS" "$LAT_N" "$PY_LAT_N" "$data/manifest_lat.csv" "$LAT_REPS"
run_reencode

# ---------------------------------------------------------------- report

declare -A LABEL=(
    [a]="(a) biopass --jobs $JOBS"
    [b]="(b) xargs -P$JOBS curl"
    [c]="(c) Python snippet loop"
    [d]="(d) ${LOADGEN:-load generator} (ceiling)"
    [e]="(e) biopass --keep-metadata"
)

table() { # pass title
    echo
    echo "== $2"
    printf '%-28s %6s %8s %8s %9s %8s %8s  %s\n' tool rows seconds rows/s "bp/tool" "cli CPU" "srv CPU" notes
    local t key ratio
    for t in a b c d e; do
        key=$1/$t
        [[ $t == e && $1 != cpu ]] && continue
        if [[ -z ${RATE[$key]:-} ]]; then
            printf '%-28s %6s\n' "${LABEL[$t]}" "skipped"
            continue
        fi
        ratio=$(calc "sprintf(\"%.2fx\", ${RATE[$1/a]} / ${RATE[$key]})")
        printf '%-28s %6s %8.2f %8s %9s %8s %8s  %s\n' "${LABEL[$t]}" "${ROWS[$key]}" "${SECS[$key]}" \
            "${RATE[$key]}" "$ratio" "${CCPU[$key]}" "${SCPU[$key]}" "${NOTE[$key]}"
    done
}

table cpu "No added latency (CPU-bound), $(nproc) CPUs, client and sandbox on the same machine"
table latency "Sandbox adds ${LATENCY_MS} ms per request (latency-bound)"
echo
echo "== Image preparation: client CPU per row, $ROT_ROWS rows of about 200 KiB"
up_ms=$(calc "sprintf(\"%.2f\", $UP_CPU * 1000 / $ROT_ROWS)")
rot_ms=$(calc "sprintf(\"%.2f\", $ROT_CPU * 1000 / $ROT_ROWS)")
echo "upright (metadata removed losslessly): $up_ms ms; orientation 6 (decoded, turned, re-encoded): $rot_ms ms;" \
    "the re-encode path costs $(calc "sprintf(\"%.2f\", $rot_ms - $up_ms)") ms of CPU per image more"

echo
echo "== Targets"
FAILS=0
check() { # description ok(0/1) detail
    if [[ $2 == 1 ]]; then printf 'PASS  %s: %s\n' "$1" "$3"; else printf 'FAIL  %s: %s\n' "$1" "$3"; FAILS=$((FAILS + 1)); fi
}
ge() { awk -v a="$1" -v b="$2" 'BEGIN { print (a >= b) ? 1 : 0 }'; }
ratio() { calc "sprintf(\"%.2f\", $1 / $2)"; }

a=${RATE[cpu/a]}
r=$(ratio "$a" "${RATE[cpu/b]}")
check "no latency: biopass >= 2x curl" "$(ge "$r" 2)" "$a vs ${RATE[cpu/b]} rows/s = ${r}x"
r=$(ratio "$a" "${RATE[cpu/c]}")
check "no latency: biopass >= 3x Python loop" "$(ge "$r" 3)" "$a vs ${RATE[cpu/c]} rows/s = ${r}x"
if [[ -n ${RATE[cpu/d]:-} ]]; then
    r=$(calc "sprintf(\"%.0f\", 100 * $a / ${RATE[cpu/d]})")
    check "no latency: biopass >= 50% of the ceiling" "$(ge "$r" 50)" "$a vs ${RATE[cpu/d]} rows/s = ${r}%"
else
    echo "SKIP  no latency: biopass >= 50% of the ceiling: no load generator"
fi
r=$(ratio "$a" "${RATE[cpu/e]}")
check "no latency: preparation >= 0.9x of --keep-metadata" "$(ge "$r" 0.9)" "$a vs ${RATE[cpu/e]} rows/s = ${r}x"
a=${RATE[latency/a]}
limit=$(calc "$JOBS * 1000 / $LATENCY_MS")
r=$(calc "sprintf(\"%.0f\", 100 * $a / $limit)")
check "${LATENCY_MS} ms: biopass >= 90% of Little's-law limit ($JOBS / ${LATENCY_MS} ms = $limit rows/s)" \
    "$(ge "$r" 90)" "$a rows/s = ${r}%"
r=$(ratio "$a" "${RATE[latency/c]}")
check "${LATENCY_MS} ms: biopass >= 7x Python loop" "$(ge "$r" 7)" "$a vs ${RATE[latency/c]} rows/s = ${r}x"
rss_mib=$(calc "sprintf(\"%.1f\", $BP_RSS_MAX_KB / 1024)")
check "biopass peak RSS < 50 MiB at --jobs $JOBS" "$(awk -v k="$BP_RSS_MAX_KB" 'BEGIN { print (k < 50 * 1024) ? 1 : 0 }')" \
    "${rss_mib} MiB (cpu pass $(calc "sprintf(\"%.1f\", ${BP_RSS_KB[cpu]} / 1024)"), latency pass $(calc "sprintf(\"%.1f\", ${BP_RSS_KB[latency]} / 1024)"))"

echo
echo "$FAILS target(s) failed, $WARNINGS warning(s)."
[[ -s $work/server.err ]] && grep -v 'sandbox listening' "$work/server.err" | sed 's/^/# sandbox stderr: /' | head -5 || true
exit 0
