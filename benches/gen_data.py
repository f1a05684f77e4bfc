#!/usr/bin/env python3
"""Make the benchmark's synthetic data set (used by batch.sh; not timed).

Usage: python3 gen_data.py DIR N [IMAGE_BYTES]

Writes, under DIR:
  img/NNNNNN.jpg      N synthetic JPEGs of about IMAGE_BYTES (default 200 KiB): seeded
                      noise drawn by Pillow (noise keeps the size up), with an EXIF
                      block carrying orientation 1, a camera make/model and a GPS
                      position, as phone photos do. Not pictures of anyone.
  img_rot/NNNNNN.jpg  the first min(N, 100) of them again with EXIF orientation 6, so
                      biopass must turn and re-encode them (the re-encode path's cost)
  manifest_rot.csv    header `id,face`, rows `rot-NNNNNN,img_rot/NNNNNN.jpg`
  manifest.csv        header `id,face`, rows `bench-NNNNNN,img/NNNNNN.jpg`
  bodies/NNNNNN.json  the enroll body of each row, pre-built for the curl run (b)
  curl.args           one `@bodies/NNNNNN.json` per line, for xargs
  wrk_suffix.json     the tail of an enroll body after the CustomID, for the wrk
                      script (d): `","Face":[{"Face-1":"<base64 of image 0>"}]}}`
  verify_body.json    a verify body for person bench-000000 with image 0 (oha fallback)
"""

import base64
import io
import json
import math
import os
import random
import sys

from PIL import Image


def photo(rng, side, orientation):
    """A noise JPEG with phone-like EXIF (camera, GPS) and the given orientation."""
    img = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "SyntheticCam"
    exif[0x0110] = "Bench 1"
    exif[0x8825] = {1: "S", 2: (23.0, 33.0, 1.0), 3: "W", 4: (46.0, 38.0, 1.0)}
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def main():
    out = sys.argv[1]
    n = int(sys.argv[2])
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 200 * 1024
    rng = random.Random(20240601)
    os.makedirs(os.path.join(out, "img"), exist_ok=True)
    os.makedirs(os.path.join(out, "img_rot"), exist_ok=True)
    os.makedirs(os.path.join(out, "bodies"), exist_ok=True)
    # Noise at quality 90 costs about 0.92 bytes per pixel.
    side = max(64, int(math.sqrt(size / 0.92)))
    with open(os.path.join(out, "manifest_rot.csv"), "w") as rot:
        rot.write("id,face\n")
        for i in range(min(n, 100)):
            name = f"{i:06d}"
            with open(os.path.join(out, "img_rot", name + ".jpg"), "wb") as f:
                f.write(photo(random.Random(i), side, 6))
            rot.write(f"rot-{name},img_rot/{name}.jpg\n")
    with open(os.path.join(out, "manifest.csv"), "w") as manifest, open(
        os.path.join(out, "curl.args"), "w"
    ) as args:
        manifest.write("id,face\n")
        for i in range(n):
            name = f"{i:06d}"
            image = photo(rng, side, 1)
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
