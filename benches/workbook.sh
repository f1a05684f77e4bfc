#!/usr/bin/env bash
# Workbook manifests: peak RSS and time of a dry run (validation and plan, nothing sent)
# of a ROWS-row .xlsx beside the same rows as a CSV, so the cost of reading a workbook
# whole (README "Batch", Workbooks) is a measured figure, not a guess.
#
#   bash benches/workbook.sh                 # 100k rows
#   ROWS="100000 300000" bash benches/workbook.sh
#
# Knobs: ROWS ["100000"], KEEP=1 (keep the temporary folder), NO_BUILD=1 (use
# target/release/biopass). The workbook is written by Python's zipfile (shared strings,
# four text columns: id, face, right-index, nome), the images are the test fixtures.
set -euo pipefail

ROWS=${ROWS:-100000}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
work=$(mktemp -d "${TMPDIR:-/tmp}/biopass-workbook.XXXXXX")
kill_server() { :; }
cleanup() {
    if [[ ${KEEP:-} == 1 ]]; then echo "# kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# shellcheck source=lib.sh
. "$here/lib.sh"

build_bin
cp "$root/tests/fixtures/face.jpg" "$root/tests/fixtures/finger1.png" "$work/"

gen() { # rows: people.xlsx and people.csv of that many rows in $work
    python3 - "$work" "$1" <<'EOF'
import sys, zipfile
from xml.sax.saxutils import escape
work, n = sys.argv[1], int(sys.argv[2])
rows = [("id", "face", "right-index", "nome")]
rows += [(f"{i:08d}", "face.jpg", "finger1.png" if i % 3 == 0 else "", f"Pessoa {i} João") for i in range(n)]
with open(f"{work}/people.csv", "w", encoding="utf-8") as f:
    for r in rows:
        f.write(",".join(r) + "\n")
strings, index = [], {}
def sid(s):
    if s not in index:
        index[s] = len(strings)
        strings.append(s)
    return index[s]
def col(c):
    return "ABCD"[c]
sheet = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
for r, row in enumerate(rows, 1):
    cells = "".join(f'<c r="{col(c)}{r}" t="s"><v>{sid(v)}</v></c>' for c, v in enumerate(row) if v)
    sheet.append(f'<row r="{r}">{cells}</row>')
sheet.append("</sheetData></worksheet>")
sst = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">']
sst += [f"<si><t>{escape(s)}</t></si>" for s in strings]
sst.append("</sst>")
ns = "http://schemas.openxmlformats.org"
files = {
    "[Content_Types].xml": f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '</Types>',
    "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}/spreadsheetml/2006/main" '
        f'xmlns:r="{ns}/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{ns}/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    "xl/worksheets/sheet1.xml": "".join(sheet),
    "xl/sharedStrings.xml": "".join(sst),
}
with zipfile.ZipFile(f"{work}/people.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
    for name, text in files.items():
        z.writestr(name, text)
EOF
}

measure() { # file: sets RSS_KB and SECS for a dry-run enroll of it
    local err=$work/err out=$work/out t0 t1
    t0=$(now)
    if [[ -n $TIME ]]; then
        "$TIME" -f '%M' -o "$work/rss" env BIOPASS_ENDPOINT=http://127.0.0.1:9 \
            "$BIN" --dry-run --quiet enroll --journal "$work/j" --from "$1" >"$out" 2>"$err"
        RSS_KB=$(tail -1 "$work/rss")
    else
        BIOPASS_ENDPOINT=http://127.0.0.1:9 "$BIN" --dry-run --quiet enroll --journal "$work/j" \
            --from "$1" >"$out" 2>"$err"
        RSS_KB=?
    fi
    t1=$(now)
    SECS=$(calc "sprintf(\"%.2f\", $t1 - $t0)")
    [[ $(wc -l <"$out") -gt 0 ]] || { echo "no rows planned from $1:" >&2; cat "$err" >&2; exit 1; }
}

printf '%-10s %-8s %12s %12s %10s %10s\n' rows format "file bytes" "peak RSS" "B/row" seconds
for n in $ROWS; do
    gen "$n"
    for f in people.xlsx people.csv; do
        measure "$work/$f"
        printf '%-10s %-8s %12s %9s MiB %10s %10s\n' "$n" "${f##*.}" "$(wc -c <"$work/$f")" \
            "$(calc "sprintf(\"%.1f\", $RSS_KB / 1024)")" "$(calc "sprintf(\"%.0f\", $RSS_KB * 1024 / $n)")" "$SECS"
    done
done
