#!/usr/bin/env bash
# Manifest scale: peak RSS and CPU per row of validation and dry runs at 100k, 1M and
# 10M rows, and of bad manifests, with the targets of issue 7 beside them.
#
#   bash benches/manifest_scale.sh                    # 100000 1000000 10000000 rows
#   bash benches/manifest_scale.sh 100000 1000000     # fewer sizes
#
# Needs /usr/bin/time (GNU time) and python3. Files go to a temporary folder (the 10M
# manifest is 255 MB). Rows point at two small fixture images. "validate" is the
# manifest plus one invalid last row: the whole manifest is checked, then the run
# refuses it (65) and prints no rows. CPU per row is user+sys (wall time is noisy on a
# shared machine).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000 10000000)
cargo build --release -q
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp target/release/biopass "$tmp/biopass"
cp tests/fixtures/face.jpg tests/fixtures/face2.jpg "$tmp/"

gen() { # N FILE MODE
  python3 - "$@" <<'PY'
import sys
n, out, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(out, "w") as f:
    w = f.write
    if mode == "wide":
        w("id,face" + ",c" * 50_000_000 + "\n1,face.jpg\n")
    elif mode == "quoted":
        w('id,face\n1,face.jpg\n"' + ("y" * 1000 + "\n") * 200_000 + '",face.jpg\n')
    else:
        w("id,face\n")
        for i in range(n):
            if mode == "dup":
                w(f"p{i % 10},face.jpg\n")
            else:
                w(f"person-{i:08d},{'face.jpg' if i % 2 else 'face2.jpg'}\n")
        if mode == "bad":
            w("bad-row,\n")
PY
}

measure() { # LABEL ROWS TARGET_MIB MANIFEST
  local label=$1 rows=$2 target=$3 m=$4
  /usr/bin/time -v "$tmp/biopass" enroll --from "$m" --env sandbox --dry-run \
    --journal "$tmp/j" >/dev/null 2>"$tmp/time.txt" || true
  python3 - "$label" "$rows" "$target" "$tmp/time.txt" <<'PY'
import re, sys
label, rows, target, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
t = open(path).read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
cpu = sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", t))
code = re.search(r"Exit status: (\d+)", t)
per = f"{cpu / rows * 1e6:6.1f} us/row" if rows > 1 else " " * 13
bpr = f"{rss * 2**20 / rows:7.1f} B/row" if rows > 1 else " " * 13
verdict = "PASS" if rss <= target else "FAIL"
print(f"{label:<28} {rss:7.0f} MiB  {bpr}  {per}  "
      f"cpu {cpu:6.1f}s  exit {code.group(1) if code else '?'}  target <= {target} MiB {verdict}")
PY
}

echo "machine: $(nproc) cores, $(uname -sr)"
for n in "${sizes[@]}"; do
  gen "$n" "$tmp/m.csv" plain
  gen "$n" "$tmp/v.csv" bad
  t=$([ "$n" -ge 10000000 ] && echo 256 || echo 64)
  measure "validate $n" "$n" "$t" "$tmp/v.csv"
  measure "dry run $n" "$n" "$t" "$tmp/m.csv"
  rm -f "$tmp/m.csv" "$tmp/v.csv"
done
gen "${sizes[-1]}" "$tmp/d.csv" dup
measure "${sizes[-1]} rows, 10 ids" "${sizes[-1]}" 128 "$tmp/d.csv"
rm -f "$tmp/d.csv"
gen 0 "$tmp/q.csv" quoted
measure "200 MB quoted value" 1 128 "$tmp/q.csv"
gen 0 "$tmp/w.csv" wide
measure "50M-column header" 1 128 "$tmp/w.csv"
