#!/usr/bin/env bash
# The client's own cost per row, and its memory with large photos.
#
#   bash benches/client_cost.sh [ROWS]
#
# Builds target/release/biopass (NO_BUILD=1 to skip) and runs, against a fresh
# `biopass sandbox serve` on 127.0.0.1 for each run:
#   (1) ROWS rows (default 100000) pointing at 4 synthetic 1 KB "images", --jobs 8:
#       the client's user+sys CPU per row, context switches per row, peak RSS;
#   (2) 48 rows over 8 synthetic 5 MiB JPEGs (FF D8 FF E0 then random bytes, which is
#       all the client and the sandbox check), --jobs 8: peak RSS against
#       16 MiB + 1.3 x jobs x image size.
# The images are made up, not pictures of anyone. Prints figures and PASS/FAIL
# against the targets of the issue ("Flat memory at any scale"); always exits 0.
# The machine is shared and small: run it when nothing else is busy, and read the
# per-row figures as +/- 15 %.
set -euo pipefail

ROWS=${1:-100000}
JOBS=${JOBS:-8}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
work=$(mktemp -d "${TMPDIR:-/tmp}/biopass-cost.XXXXXX")
SERVER_PID=
cleanup() {
    [[ -n $SERVER_PID ]] && { kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; }
    rm -rf "$work"
}
trap cleanup EXIT

[[ -x /usr/bin/time ]] || { echo "client_cost.sh: needs /usr/bin/time (Debian package 'time')" >&2; exit 1; }
if [[ ${NO_BUILD:-} != 1 ]]; then
    (cd "$root" && cargo build --release -q)
fi
cp "$root/target/release/biopass" "$work/biopass"
BIN=$work/biopass

python3 - "$work" "$ROWS" <<'EOF'
import os, random, sys
work, rows = sys.argv[1], int(sys.argv[2])
r = random.Random(7)
os.makedirs(f"{work}/small"); os.makedirs(f"{work}/big")
for i in range(4):
    open(f"{work}/small/{i}.jpg", "wb").write(b"\xff\xd8\xff\xe0" + r.randbytes(1020))
for i in range(8):
    open(f"{work}/big/{i}.jpg", "wb").write(b"\xff\xd8\xff\xe0" + r.randbytes(5 * 1024 * 1024 - 4))
with open(f"{work}/small.csv", "w") as f:
    f.write("id,face\n")
    for i in range(rows):
        f.write(f"p-{i:08d},small/{i % 4}.jpg\n")
with open(f"{work}/big.csv", "w") as f:
    f.write("id,face\n")
    for i in range(48):
        f.write(f"b-{i:04d},big/{i % 8}.jpg\n")
EOF
sync

# run MANIFEST -> sets ROWS_RUN CPU_US CS_ROW RSS_MIB WALL
run() {
    local out=$work/server.out
    : >"$out"
    "$BIN" sandbox serve --port 0 >"$out" 2>/dev/null &
    SERVER_PID=$!
    for _ in $(seq 200); do [[ $(grep -c '^BIOPASS_' "$out") -ge 2 ]] && break; sleep 0.05; done
    local ep key
    ep=$(sed -n 's/^BIOPASS_ENDPOINT=//p' "$out")
    key=$(sed -n 's/^BIOPASS_API_KEY=//p' "$out")
    rm -f "$work/j"
    (cd "$work" && env BIOPASS_ENDPOINT="$ep" BIOPASS_API_KEY="$key" /usr/bin/time -v -o "$work/time.out" \
        "$BIN" enroll --from "$1" --jobs "$JOBS" --journal "$work/j" -q >/dev/null 2>"$work/err") ||
        { echo "biopass failed:"; cat "$work/err"; }
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
    ROWS_RUN=$(($(wc -l <"$work/$1") - 1))
    read -r CPU_US CS_ROW RSS_MIB WALL < <(awk -F': ' -v rows="$ROWS_RUN" '
        /User time|System time/ { cpu += $2 }
        /context switches/ { cs += $2 }
        /Maximum resident/ { rss = $2 }
        /Elapsed/ { wall = $2 }
        END { printf "%.1f %.2f %.1f %s\n", cpu * 1e6 / rows, cs / rows, rss / 1024, wall }' "$work/time.out")
}

echo "# $("$BIN" --version | head -n 1), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
run small.csv
echo "1 KB images, $ROWS_RUN rows, --jobs $JOBS: client CPU ${CPU_US} us/row, ${CS_ROW} context switches/row, peak RSS ${RSS_MIB} MiB, wall $WALL"
small_cpu=$CPU_US
run big.csv
limit=$(awk -v j="$JOBS" 'BEGIN { printf "%.1f", 16 + 1.3 * j * 5 }')
echo "5 MiB images, $ROWS_RUN rows, --jobs $JOBS: peak RSS ${RSS_MIB} MiB (limit $limit), client CPU ${CPU_US} us/row, wall $WALL"
echo
verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (a <= b) ? "PASS" : "FAIL" }'; }
echo "$(verdict "$small_cpu" 40)  client CPU per row, 1 KB images, --jobs $JOBS <= 40 us: $small_cpu us"
echo "$(verdict "$RSS_MIB" "$limit")  peak RSS, 5 MiB images, --jobs $JOBS <= 16 MiB + 1.3 x jobs x 5 MiB = $limit MiB: $RSS_MIB MiB"
