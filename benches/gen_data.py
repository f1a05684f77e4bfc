#!/usr/bin/env python3
"""Make the benchmark's synthetic data set (used by batch.sh; not timed).

Usage: python3 gen_data.py DIR N [IMAGE_BYTES]

Writes, under DIR:
  img/NNNNNN.jpg      N synthetic "images": FF D8 FF E0 (a JPEG's magic bytes, all the
                      client's image check looks at) then seeded pseudo-random bytes;
                      IMAGE_BYTES long (default 200 KiB). Not pictures of anyone.
  manifest.csv        header `id,face`, rows `bench-NNNNNN,img/NNNNNN.jpg`
  bodies/NNNNNN.json  the enroll body of each row, pre-built for the curl run (b)
  curl.args           one `@bodies/NNNNNN.json` per line, for xargs
  wrk_suffix.json     the tail of an enroll body after the CustomID, for the wrk
                      script (d): `","Face":[{"Face-1":"<base64 of image 0>"}]}}`
  verify_body.json    a verify body for person bench-000000 with image 0 (oha fallback)
"""

import base64
import json
import os
import random
import sys


def main():
    out = sys.argv[1]
    n = int(sys.argv[2])
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 200 * 1024
    rng = random.Random(20240601)
    os.makedirs(os.path.join(out, "img"), exist_ok=True)
    os.makedirs(os.path.join(out, "bodies"), exist_ok=True)
    with open(os.path.join(out, "manifest.csv"), "w") as manifest, open(
        os.path.join(out, "curl.args"), "w"
    ) as args:
        manifest.write("id,face\n")
        for i in range(n):
            name = f"{i:06d}"
            image = b"\xff\xd8\xff\xe0" + rng.randbytes(size - 4)
            with open(os.path.join(out, "img", name + ".jpg"), "wb") as f:
                f.write(image)
            person_id = f"bench-{name}"
            manifest.write(f"{person_id},img/{name}.jpg\n")
            face = base64.b64encode(image).decode("ascii")
            body = {"Person": {"CustomID": person_id, "Face": [{"Face-1": face}]}}
            with open(os.path.join(out, "bodies", name + ".json"), "w") as f:
                json.dump(body, f, separators=(",", ":"))
            args.write(f"@bodies/{name}.json\n")
            if i == 0:
                with open(os.path.join(out, "wrk_suffix.json"), "w") as f:
                    f.write('","Face":[{"Face-1":"' + face + '"}]}}')
                with open(os.path.join(out, "verify_body.json"), "w") as f:
                    json.dump(body, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
