#!/usr/bin/env python3
"""The vendor's Python enroll snippet, looped over a manifest's rows (benchmark (c)).

Written here for the benchmark, in the style of the BioPassID help-centre snippet:
standard library only, one `http.client` connection per request, each image read and
base64-encoded, the body built with `json.dumps`, rows sent one after another. The only
change from the snippet is `HTTPConnection` (plain http to the loopback sandbox) instead
of `HTTPSConnection`.

Usage: BIOPASS_ENDPOINT=http://127.0.0.1:PORT BIOPASS_API_KEY=KEY \
       python3 vendor_snippet.py MANIFEST.csv [MAX_ROWS]

Prints nothing per row; on exit prints one line on stderr:
    vendor_snippet: ROWS rows, OK ok (HTTP 200), FAILED failed
and exits 1 if any row failed.
"""

import base64
import csv
import http.client
import json
import os
import sys
import urllib.parse


def main():
    manifest = sys.argv[1]
    max_rows = int(sys.argv[2]) if len(sys.argv) > 2 else None
    endpoint = urllib.parse.urlsplit(os.environ["BIOPASS_ENDPOINT"])
    key = os.environ["BIOPASS_API_KEY"]
    base = os.path.dirname(os.path.abspath(manifest))

    headers = {
        # Request headers
        "Content-Type": "application/json",
        "Ocp-Apim-Subscription-Key": key,
    }

    rows = ok = failed = 0
    with open(manifest, newline="") as f:
        for row in csv.DictReader(f):
            if max_rows is not None and rows >= max_rows:
                break
            rows += 1
            with open(os.path.join(base, row["face"]), "rb") as image:
                face = base64.b64encode(image.read()).decode("ascii")
            payload = json.dumps(
                {"Person": {"CustomID": row["id"], "Face": [{"Face-1": face}]}}
            )
            try:
                conn = http.client.HTTPConnection(endpoint.hostname, endpoint.port)
                conn.request("POST", "/multibiometrics/enroll", payload, headers)
                response = conn.getresponse()
                data = response.read()
                conn.close()
                if response.status == 200:
                    ok += 1
                else:
                    failed += 1
                    if failed <= 3:
                        print(f"row {row['id']}: HTTP {response.status} {data[:200]!r}",
                              file=sys.stderr)
            except Exception as e:  # the snippet prints the error and moves on
                failed += 1
                if failed <= 3:
                    print(f"row {row['id']}: {e}", file=sys.stderr)

    print(f"vendor_snippet: {rows} rows, {ok} ok (HTTP 200), {failed} failed",
          file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
