#!/usr/bin/env python3
"""Make the scale benchmark's synthetic inputs (used by scale.sh; not timed).

Usage:
  gen_scale.py images DIR [FACE]       small/0-3.jpg (~1 KB, 96x96) and big/0-7.jpg (~5 MiB);
                                       with FACE (a synthetic face JPEG), bigface/0-7.jpg too
  gen_scale.py manifest FILE N [IMGDIR] CSV `id,face`, N rows over the 4 small images
  gen_scale.py dups FILE N DISTINCT    N rows cycling over DISTINCT CustomIDs
  gen_scale.py longline FILE MB        a header, one good row, then a row with an MB-long field
  gen_scale.py wideheader FILE COLS    a header line of COLS columns (then one row)
  gen_scale.py quoted FILE MB          a quoted CSV value of MB spread over 1 KB lines

Images are generated patterns (gradients and seeded noise) written by Pillow, never
pictures of anyone. Pillow is imported only for `images`.
"""

import os
import random
import sys


def images(out, face=None):
    from PIL import Image, ImageChops  # noqa: only this subcommand needs Pillow

    rng = random.Random(20261129)
    os.makedirs(os.path.join(out, "small"), exist_ok=True)
    os.makedirs(os.path.join(out, "big"), exist_ok=True)
    for i in range(4):
        img = Image.new("RGB", (96, 96))
        img.putdata(
            [((x * 2 + i * 40) % 256, (y * 2) % 256, (x + y + i * 60) % 256)
             for y in range(96) for x in range(96)]
        )
        img.save(os.path.join(out, "small", f"{i}.jpg"), quality=70)
    # ~5.2 MiB each, the shape of issue 14's measurement (1900x1420, no metadata,
    # orientation 1): seeded noise compresses poorly, so size tracks pixel count.
    for i in range(8):
        noise = rng.randbytes(1900 * 1420 * 3)
        Image.frombytes("RGB", (1900, 1420), noise).save(
            os.path.join(out, "big", f"{i}.jpg"), quality=92, subsampling=0
        )
    if face is None:
        return
    # The same shape with a face the gate lets through: the synthetic face (the test
    # fixture drawn by tests/fixtures/make_faces.py) scaled up, plus seeded noise of
    # +-128 on every sample, which the gate's 320 px copy averages away (issue 14's
    # random-content photo with the gate on; tests/scale.rs makes the same kind).
    os.makedirs(os.path.join(out, "bigface"), exist_ok=True)
    base = Image.open(face).convert("RGB").resize((1900, 1420), Image.NEAREST)
    for i in range(8):
        noise = Image.frombytes("RGB", (1900, 1420), rng.randbytes(1900 * 1420 * 3))
        ImageChops.add(base, noise, scale=1.0, offset=-128).save(
            os.path.join(out, "bigface", f"{i}.jpg"), quality=92, subsampling=0
        )


def rows(path, n, line):
    """A CSV `id,face` with n rows, `line(i)` each, written 100k rows at a time."""
    with open(path, "w") as f:
        f.write("id,face\n")
        chunk = 100_000
        for start in range(0, n, chunk):
            f.write("".join(line(i) for i in range(start, min(n, start + chunk))))


def manifest(path, n, imgdir="img/small"):
    rows(path, n, lambda i: f"scale-{i:08d},{imgdir}/{i % 4}.jpg\n")


def dups(path, n, distinct):
    rows(path, n, lambda i: f"dup-{i % distinct:04d},img/small/{i % 4}.jpg\n")


def longline(path, mb):
    with open(path, "w") as f:
        f.write("id,face\nok-1,img/small/0.jpg\nlong-2,")
        block = "A" * (1 << 20)
        for _ in range(mb):
            f.write(block)
        f.write("\nok-3,img/small/1.jpg\n")


def wideheader(path, cols):
    with open(path, "w") as f:
        f.write("id,face")
        block = ",x" * (1 << 19)
        left = cols - 2
        while left > 0:
            k = min(left, 1 << 19)
            f.write(block if k == 1 << 19 else ",x" * k)
            left -= k
        f.write("\nw-1,img/small/0.jpg\n")


def quoted(path, mb):
    with open(path, "w") as f:
        f.write('id,face\nok-1,img/small/0.jpg\nq-2,"')
        block = ("y" * 1023 + "\n") * 1024
        for _ in range(mb):
            f.write(block)
        f.write('"\nok-3,img/small/1.jpg\n')


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "images":
        images(args[0], *(args[1:2]))
    elif cmd == "manifest":
        manifest(args[0], int(args[1]), *(args[2:3]))
    elif cmd == "dups":
        dups(args[0], int(args[1]), int(args[2]))
    elif cmd == "longline":
        longline(args[0], int(args[1]))
    elif cmd == "wideheader":
        wideheader(args[0], int(args[1]))
    elif cmd == "quoted":
        quoted(args[0], int(args[1]))
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
