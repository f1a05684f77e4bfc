#!/usr/bin/env bash
# What the offline face gate costs (issue 15 targets). See benches/README.md, "face gate".
#
#   bash benches/face_gate.sh
#
# 1. gate CPU: one `--dry-run enroll` with K faces (the 1280x960, ~200 KB synthetic
#    photo tests/fixtures/faces/photo-1280.jpg), gate on and off; the difference in
#    client CPU over K is the gate's cost per photo (its decode, grey copy, detection
#    and measures). Target: at most 25 ms.
# 2. batch: N rows of that photo, --jobs 8, against `biopass sandbox serve
#    --latency-ms 100`, gate on and --no-face-check; rows/s of each. Target: on >= 0.9x
#    off.
# 3. startup: CPU of R runs of `biopass --version`, and of `delete --dry-run`; with
#    BASE_BIN=path/to/an/older/biopass the same for it, side by side (target:
#    unchanged).
#
# Knobs: K [40], N [400], R [200], JOBS [8], LATENCY_MS [100], NO_BUILD=1, BASE_BIN.
set -euo pipefail

K=${K:-40}
N=${N:-400}
R=${R:-200}
JOBS=${JOBS:-8}
LATENCY_MS=${LATENCY_MS:-100}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
work=$(mktemp -d "${TMPDIR:-/tmp}/biopass-facegate.XXXXXX")
cleanup() {
    kill_server
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# shellcheck source=lib.sh
. "$here/lib.sh"
[[ -n $TIME ]] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

build_bin
photo=$root/tests/fixtures/faces/photo-1280.jpg
say "photo: $(stat -c %s "$photo") bytes, 1280x960"
export HOME=$work/home XDG_CONFIG_HOME=$work/home/config BIOPASS_SANDBOX_DIR=$work/sandbox
mkdir -p "$HOME"

cpu() { # cmd...: user+sys seconds of cmd
    "$TIME" -f '%U %S' -o "$work/t" "$@" >/dev/null 2>&1 || true
    awk '{ printf "%.3f", $1 + $2 }' "$work/t"
}

# ---- 1. the gate's CPU per photo
faces=()
for ((i = 0; i < K; i++)); do faces+=(--face "$photo"); done
best_on= best_off=
for rep in 1 2 3; do
    on=$(cpu "$BIN" --env sandbox --dry-run enroll --id 1 "${faces[@]}")
    off=$(cpu "$BIN" --env sandbox --dry-run --no-face-check enroll --id 1 "${faces[@]}")
    say "rep $rep: $K faces: gate on ${on}s, off ${off}s"
    [[ -z $best_on ]] || (($(calc "($on < $best_on) ? 1 : 0"))) && best_on=$on
    [[ -z $best_off ]] || (($(calc "($off < $best_off) ? 1 : 0"))) && best_off=$off
done
per=$(calc "sprintf(\"%.1f\", ($best_on - $best_off) * 1000 / $K)")
echo "gate CPU per 1280x960 photo: $per ms (best of 3: on ${best_on}s, off ${best_off}s for $K faces)"
echo "  target <= 25 ms: $( (($(calc "($per <= 25) ? 1 : 0"))) && echo PASS || echo FAIL)"

# ---- 2. batch with 100 ms latency
m=$work/manifest.csv
echo "id,face" >"$m"
for ((i = 0; i < N; i++)); do printf 'F%05d,%s\n' "$i" "$photo" >>"$m"; done
rate() { # extra args...: rows/s of a fresh run; appends "rows/s client-CPU-s sandbox-CPU-s wall-s" to $work/runs
    start_server "$LATENCY_MS"
    rm -f "$work"/*.journal
    local t0 t1
    t0=$(now)
    BIOPASS_ENDPOINT=$ENDPOINT BIOPASS_API_KEY=$KEY "$TIME" -f '%U %S' -o "$work/batch.t" "$BIN" "$@" enroll --from "$m" \
        --jobs "$JOBS" --journal "$work/run.journal" -q >/dev/null 2>"$work/run.err" || {
        echo "batch failed:" >&2
        cat "$work/run.err" >&2
    }
    t1=$(now)
    stop_server
    local r c
    r=$(calc "sprintf(\"%.1f\", $N / ($t1 - $t0))")
    c=$(awk '{ printf "%.2f", $1 + $2 }' "$work/batch.t")
    echo "$r $c $SERVER_CPU $(calc "sprintf(\"%.3f\", $t1 - $t0)")" >>"$work/runs"
    echo "$r"
}
: >"$work/runs"
r_off=$(rate --no-face-check)
r_on=$(rate)
r_off2=$(rate --no-face-check)
r_on2=$(rate)
ratio=$(calc "sprintf(\"%.3f\", ($r_on + $r_on2) / ($r_off + $r_off2))")
echo "batch, $N rows, --jobs $JOBS, ${LATENCY_MS} ms latency: gate on $r_on / $r_on2 rows/s, off $r_off / $r_off2 rows/s: ratio $ratio (load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo "  target >= 0.9: $( (($(calc "($ratio >= 0.9) ? 1 : 0"))) && echo PASS || echo FAIL)"
# The floor: the CPU a gate-on run at 0.9x the off rate needs, from its own CPU per
# row (client and sandbox), against the 2 cores (or however many there are).
awk -v n="$N" -v cores="$(nproc)" '
    { rate[NR] = $1; client[NR] = $2; server[NR] = $3; wall[NR] = $4 }
    END {
        off = (rate[1] + rate[3]) / 2
        on_c = (client[2] + client[4]) / (2 * n); off_c = (client[1] + client[3]) / (2 * n)
        on_s = (server[2] + server[4]) / (2 * n); off_s = (server[1] + server[3]) / (2 * n)
        printf "  CPU per row: gate on client %.1f ms + sandbox %.1f ms, off client %.1f ms + sandbox %.1f ms\n", on_c * 1000, on_s * 1000, off_c * 1000, off_s * 1000
        printf "  CPU busy per second of run: gate on %.2f, off %.2f cores (of %d)\n", (client[2] + server[2] + client[4] + server[4]) / (wall[2] + wall[4]), (client[1] + server[1] + client[3] + server[3]) / (wall[1] + wall[3]), cores
        printf "  0.9x of %.1f rows/s with the gate needs %.2f cores for biopass and the sandbox\n", off, 0.9 * off * (on_c + on_s)
    }' "$work/runs"

# ---- 3. startup
loop() { # bin args...: CPU ms per run over R runs
    local bin=$1
    shift
    local t
    t=$(cpu bash -c 'for ((i = 0; i < '"$R"'; i++)); do "$0" "$@" >/dev/null 2>&1; done' "$bin" "$@")
    calc "sprintf(\"%.2f\", $t * 1000 / $R)"
}
for b in "$BIN" ${BASE_BIN:+"$BASE_BIN"}; do
    v=$(loop "$b" --version)
    d=$(loop "$b" --env sandbox --dry-run delete --id 1)
    echo "startup ($b): --version $v ms CPU/run, delete --dry-run $d ms CPU/run ($R runs each)"
done
