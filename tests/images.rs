//! Image preparation and `check`, end to end: the real binary against a real server
//! on 127.0.0.1, decoding what reached the server. The photos are synthetic (see
//! tests/fixtures/images/make_images.py): sideways with GPS, with comments, XMP and
//! data after the end, cut short, a fake HEIC, too small, a 500 dpi fingerprint.
//! They are geometry, not faces: these tests are about preparation, so they run with
//! `--no-face-check` (the face gate has its own tests in tests/face.rs).

mod support;

use std::io::Cursor;
use std::path::{Path, PathBuf};

use support::*;

fn photo(name: &str) -> PathBuf {
    fixture(&format!("images/{name}"))
}

fn enrolled() -> Canned {
    Canned::json(
        200,
        r#"{"Person":{"ClientID":"c","CustomID":"1","BioPassID":"77"}}"#,
    )
}

/// The images in a recorded enroll body, by slot name.
fn sent(r: &Recorded, group: &str, slot: &str) -> Vec<u8> {
    use base64::Engine as _;
    let v = r.json();
    let b64 = v["Person"][group][0][slot]
        .as_str()
        .unwrap_or_else(|| panic!("no {slot} in the body"));
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

fn decode(b: &[u8]) -> image::DynamicImage {
    image::load_from_memory(b).expect("what was sent decodes")
}

fn has_exif(b: &[u8]) -> bool {
    exif::Reader::new()
        .read_from_container(&mut Cursor::new(b))
        .is_ok()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A large synthetic "photo": smooth gradients and rings, `w` x `h`, as JPEG.
fn large_photo(path: &Path, w: u32, h: u32) {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let r = (((x as f32 - w as f32 / 2.0).hypot(y as f32 - h as f32 / 2.0)) / 7.0).sin();
        image::Rgb([
            (x * 255 / w) as u8,
            (y * 255 / h) as u8,
            (127.0 + 120.0 * r) as u8,
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 95)
        .encode_image(&img)
        .unwrap();
    std::fs::write(path, out).unwrap();
}

fn enroll(home: &Home, srv: &Recorder, extra: &[&str], face: &Path) -> (i32, String, String) {
    run(home
        .cmd_at(&srv.url)
        .arg("--no-face-check")
        .args(extra)
        .args(["enroll", "--id", "1", "--face"])
        .arg(face))
}

#[test]
fn metadata_is_removed_and_pixels_are_untouched() {
    let home = Home::new();
    let srv = Recorder::start(vec![enrolled()]);
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .arg("--no-face-check")
        .args(["enroll", "--id", "1", "--face"])
        .arg(photo("comments-xmp.jpg"))
        .arg("--finger")
        .arg(format!("2={}", photo("finger-500dpi.png").display())));
    assert_eq!(code, 0, "{err}");
    let r = srv.single();
    let original = std::fs::read(photo("comments-xmp.jpg")).unwrap();
    let face = sent(&r, "Face", "Face-1");
    assert!(face.len() < original.len());
    assert!(!contains(&face, b"operator 42"), "the comment went");
    assert!(!contains(&face, b"xmpmeta"), "the XMP went");
    assert!(
        !contains(&face, b"PHONE-TRAILER"),
        "the data after the end went"
    );
    assert!(face.ends_with(&[0xFF, 0xD9]));
    assert_eq!(
        decode(&face).to_rgb8(),
        decode(&original).to_rgb8(),
        "lossless: the same pixels"
    );
    let finger_file = std::fs::read(photo("finger-500dpi.png")).unwrap();
    let finger = sent(&r, "Fingers", "Finger-2");
    assert!(!contains(&finger, b"Example Operator") && !contains(&finger, b"tEXt"));
    assert_eq!(decode(&finger).to_luma8(), decode(&finger_file).to_luma8());
    // 500 dpi kept: pHYs with 19685 pixels per metre (big-endian 0x00004CE5).
    assert!(contains(&finger, b"pHYs\0\0\x4c\xe5\0\0\x4c\xe5\x01"));
}

#[test]
fn a_sideways_face_is_sent_upright_without_gps_or_camera() {
    let home = Home::new();
    let srv = Recorder::start(vec![enrolled()]);
    let file = photo("sideways-gps.jpg");
    assert!(has_exif(&std::fs::read(&file).unwrap()));
    let (code, _, err) = enroll(&home, &srv, &[], &file);
    assert_eq!(code, 0, "{err}");
    let face = sent(&srv.single(), "Face", "Face-1");
    assert!(!has_exif(&face), "no EXIF (GPS, camera, orientation) left");
    assert!(!contains(&face, b"ExampleCam") && !contains(&face, b"SN-000000"));
    let img = decode(&face).to_rgb8();
    // Stored 240x160 with orientation 6 (turn 90 degrees clockwise to view).
    assert_eq!(img.dimensions(), (160, 240));
    // The red mark stored top-left is now top-right.
    let top_right = img.get_pixel(155, 4);
    let top_left = img.get_pixel(4, 4);
    assert!(top_right[0] > 200 && top_right[1] < 60, "{top_right:?}");
    assert!(top_left[0] < 230 || top_left[1] > 150, "{top_left:?}");
}

#[test]
fn keep_metadata_sends_the_exact_bytes() {
    let home = Home::new();
    let srv = Recorder::start(vec![enrolled()]);
    let file = photo("sideways-gps.jpg");
    let (code, _, err) = enroll(&home, &srv, &["--keep-metadata"], &file);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        sent(&srv.single(), "Face", "Face-1"),
        std::fs::read(&file).unwrap()
    );
    // The profile key does the same.
    home.write_config("[profiles.default]\nkeep_metadata = true\n");
    let srv = Recorder::start(vec![enrolled()]);
    let (code, _, err) = enroll(&home, &srv, &[], &photo("comments-xmp.jpg"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        sent(&srv.single(), "Face", "Face-1"),
        std::fs::read(photo("comments-xmp.jpg")).unwrap()
    );
}

#[test]
fn max_dimension_downscales_faces_and_never_fingerprints() {
    let home = Home::new();
    let big = home.path().join("big.jpg");
    large_photo(&big, 1200, 800);
    let srv = Recorder::start(vec![enrolled()]);
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .arg("--no-face-check")
        .args(["--max-dimension", "120", "enroll", "--id", "1", "--face"])
        .arg(&big)
        .arg("--finger")
        .arg(format!("2={}", photo("finger-500dpi.png").display())));
    assert_eq!(code, 0, "{err}");
    let r = srv.single();
    let face = decode(&sent(&r, "Face", "Face-1"));
    assert_eq!((face.width(), face.height()), (120, 80));
    let finger = decode(&sent(&r, "Fingers", "Finger-2"));
    assert_eq!((finger.width(), finger.height()), (200, 250));
    // Off by default: the face goes at its own size.
    let srv = Recorder::start(vec![enrolled()]);
    let (code, _, err) = enroll(&home, &srv, &[], &big);
    assert_eq!(code, 0, "{err}");
    assert_eq!(decode(&sent(&srv.single(), "Face", "Face-1")).width(), 1200);
}

#[test]
fn dry_run_and_verbose_say_what_preparation_did_never_the_contents() {
    let home = Home::new();
    let srv = Recorder::start(vec![enrolled()]);
    srv.expect_no_requests();
    let (code, out, err) = run(home
        .cmd_at(&srv.url)
        .arg("--no-face-check")
        .args([
            "--dry-run",
            "-v",
            "-o",
            "json",
            "enroll",
            "--id",
            "1",
            "--face",
        ])
        .arg(photo("sideways-gps.jpg")));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let face = &v["body"]["Person"]["Face"][0]["Face-1"];
    assert_eq!(face["rotated_from"], 6, "{face}");
    assert!(face["prepared"].as_str().unwrap().contains("upright"));
    assert!(
        err.contains("turned upright from EXIF orientation 6"),
        "{err}"
    );
    assert!(!out.contains("ExampleCam") && !err.contains("ExampleCam"));
}

#[test]
fn refusals_exit_65_name_the_file_and_send_nothing() {
    let home = Home::new();
    let big = home.path().join("big.jpg");
    large_photo(&big, 1200, 800);
    let cases: Vec<(PathBuf, Vec<&str>, &str)> = vec![
        (photo("truncated.jpg"), vec![], "cut short"),
        (photo("iphone-heic.jpg"), vec![], "heif-convert"),
        (photo("tiny.jpg"), vec![], "at least 64 pixels"),
        (
            big.clone(),
            vec!["--max-image-bytes", "20000"],
            "--max-dimension",
        ),
    ];
    for (file, extra, says) in cases {
        let srv = Recorder::start(vec![enrolled()]);
        srv.expect_no_requests();
        let (code, _, err) = enroll(&home, &srv, &extra, &file);
        assert_eq!(code, 65, "{}: {err}", file.display());
        assert!(err.contains(&file.display().to_string()), "{err}");
        assert!(err.contains(says), "{err}");
    }
    // Downscaling brings the large photo under the limit.
    let srv = Recorder::start(vec![enrolled()]);
    let (code, _, err) = enroll(
        &home,
        &srv,
        &["--max-image-bytes", "20000", "--max-dimension", "150"],
        &big,
    );
    assert_eq!(code, 0, "{err}");
}

#[test]
fn check_reports_one_line_per_image_and_exits_by_what_blocks() {
    let home = Home::new();
    let (code, out, err) = run(home
        .cmd()
        .arg("--no-face-check")
        .arg("check")
        .arg(fixture("face.jpg"))
        .arg(photo("sideways-gps.jpg")));
    assert_eq!(code, 0, "{err}");
    let lines: Vec<_> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].contains("face.jpg: ok"), "{out}");
    assert!(
        lines[1].contains("orientation 6") && lines[1].contains("ROTATED"),
        "{out}"
    );
    assert!(lines[1].contains("HAS_GPS"), "{out}");

    let (code, out, _) = run(home
        .cmd()
        .arg("--no-face-check")
        .args(["-o", "json", "check"])
        .arg(photo("sideways-gps.jpg"))
        .arg(photo("truncated.jpg"))
        .arg(photo("iphone-heic.jpg")));
    assert_eq!(code, 65);
    let v: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(v.len(), 3);
    assert_eq!(v[0]["orientation"], 6);
    assert_eq!(
        (v[0]["width"].clone(), v[0]["height"].clone()),
        (240.into(), 160.into())
    );
    assert!(v[0]["metadata"].as_array().unwrap().contains(&"gps".into()));
    let codes = |o: &serde_json::Value| -> Vec<String> {
        o["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(codes(&v[0]).contains(&"HAS_GPS".into()), "{:?}", v[0]);
    assert_eq!(v[0]["ok"], true);
    assert_eq!(codes(&v[1]), ["TRUNCATED"]);
    assert_eq!(v[1]["ok"], false);
    assert_eq!(codes(&v[2]), ["UNSUPPORTED_FORMAT"]);
    assert!(
        v[2]["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("HEIC")
    );

    let (code, out, _) = run(home
        .cmd()
        .arg("--no-face-check")
        .args(["check", "--fingerprints"])
        .arg(photo("finger-500dpi.png"))
        .arg(fixture("finger1.png")));
    assert_eq!(code, 0);
    assert!(out.lines().next().unwrap().contains("500 dpi"), "{out}");
    assert!(
        !out.lines().next().unwrap().contains("FINGER_DPI_NOT_500"),
        "{out}"
    );
    assert!(
        out.lines().nth(1).unwrap().contains("FINGER_DPI_NOT_500"),
        "{out}"
    );

    // A manifest: faces and fingers by their columns; a missing file is 66.
    for f in ["sideways-gps.jpg", "finger-500dpi.png"] {
        std::fs::copy(photo(f), home.path().join(f)).unwrap();
    }
    let m = home.path().join("people.csv");
    std::fs::write(
        &m,
        "id,face,right-index\nA1,sideways-gps.jpg,finger-500dpi.png\n",
    )
    .unwrap();
    let (code, out, err) = run(home
        .cmd()
        .arg("--no-face-check")
        .args(["check", "--from"])
        .arg(&m));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.lines().nth(1).unwrap().contains("(fingerprint)"),
        "{out}"
    );
    std::fs::write(&m, "id,face\nA1,gone.jpg\n").unwrap();
    let (code, out, _) = run(home
        .cmd()
        .arg("--no-face-check")
        .args(["check", "--from"])
        .arg(&m));
    assert_eq!(code, 66, "{out}");
    assert!(out.contains("UNREADABLE"), "{out}");
}

#[test]
fn a_batch_of_phone_photos_validates_without_sending_and_resumes_with_zero_requests() {
    let home = Home::new();
    let dir = home.path();
    for f in [
        "sideways-gps.jpg",
        "comments-xmp.jpg",
        "finger-500dpi.png",
        "truncated.jpg",
    ] {
        std::fs::copy(photo(f), dir.join(f)).unwrap();
    }
    large_photo(&dir.join("big.jpg"), 900, 600);
    let m = dir.join("people.csv");
    std::fs::write(
        &m,
        "id,face,right-index\nA1,sideways-gps.jpg,finger-500dpi.png\nA2,comments-xmp.jpg,\nA3,big.jpg,\nA4,truncated.jpg,\n",
    )
    .unwrap();
    let s = serve(&home, &[]);
    // A cut-short photo is found by validation: nothing is sent.
    let (code, _, err) = run(s
        .cmd(&home)
        .arg("--no-face-check")
        .args(["enroll", "--from"])
        .arg(&m));
    assert_eq!(code, 65, "{err}");
    assert!(
        err.contains("truncated.jpg") && err.contains("cut short"),
        "{err}"
    );
    assert_eq!(s.stats()["requests"], 0, "nothing sent");
    std::fs::write(
        &m,
        "id,face,right-index\nA1,sideways-gps.jpg,finger-500dpi.png\nA2,comments-xmp.jpg,\nA3,big.jpg,\n",
    )
    .unwrap();
    let (code, _, err) = run(s
        .cmd(&home)
        .arg("--no-face-check")
        .args(["--max-dimension", "400", "enroll", "--from"])
        .arg(&m));
    assert_eq!(code, 0, "{err}");
    let sent = s.stats()["requests"].as_u64().unwrap();
    assert_eq!(sent, 3);
    // The same run again: every row is already done, from the journal; the
    // fingerprints of the prepared rows agree, so nothing is sent.
    let sum = dir.join("s.json");
    let (code, _, err) = run(s
        .cmd(&home)
        .arg("--no-face-check")
        .args(["--max-dimension", "400", "enroll", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(&sum));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        s.stats()["requests"].as_u64().unwrap(),
        sent,
        "zero requests"
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sum).unwrap()).unwrap();
    assert_eq!(v["already_done"], 3, "{v}");
    // Other preparation settings are other content: the journal notices.
    let (code, _, err) = run(s
        .cmd(&home)
        .arg("--no-face-check")
        .args(["enroll", "--from"])
        .arg(&m));
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("changed"), "{err}");
    assert_eq!(s.stats()["requests"].as_u64().unwrap(), sent);
}

/// CRC-32 (PNG's), for hand-made chunks.
fn crc32(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in bytes {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut v = (data.len() as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(data);
    v.extend_from_slice(&crc32(&[&kind[..], data].concat()).to_be_bytes());
    v
}

/// A PNG whose header says `w` x `h` (grey, 8 bits) with `idat` bytes of pixel data:
/// far fewer than the header promises.
fn png_claiming(w: u32, h: u32, idat: usize) -> Vec<u8> {
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend(chunk(b"IHDR", &ihdr));
    v.extend(chunk(b"IDAT", &vec![0x78; idat]));
    v.extend(chunk(b"IEND", b""));
    v
}

/// face.jpg with its frame header (SOF0) saying 65535x65535.
fn jpeg_claiming_65535() -> Vec<u8> {
    let mut b = fixture_bytes("face.jpg");
    let sof = b
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("a baseline JPEG");
    b[sof + 5..sof + 9].copy_from_slice(&[0xFF; 4]);
    b
}

/// The 100-megapixel cap is read from the header on every load, not only where
/// pixels are decoded: what `check` calls TOO_LARGE is never sent (a fingerprint, a
/// face with --no-face-check, a batch row).
#[test]
fn an_image_over_100_megapixels_by_its_header_is_refused_before_anything_is_sent() {
    let home = Home::new();
    let huge_png = home.path().join("huge.png");
    std::fs::write(&huge_png, png_claiming(100_000, 100_000, 1)).unwrap();
    let huge_jpg = home.path().join("huge.jpg");
    std::fs::write(&huge_jpg, jpeg_claiming_65535()).unwrap();
    for (file, extra) in [(&huge_png, &["--fingerprints"][..]), (&huge_jpg, &[][..])] {
        let (code, out, err) = run(home
            .cmd()
            .args(["check", "-o", "json"])
            .args(extra)
            .arg(file));
        assert_eq!(code, 65, "{err}");
        let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(v["findings"][0]["code"], "TOO_LARGE", "{v}");
    }
    let srv = Recorder::start(vec![enrolled()]);
    srv.expect_no_requests();
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .args(["enroll", "--id", "f", "--finger"])
        .arg(format!("1={}", huge_png.display())));
    assert_eq!(code, 65, "{err}");
    assert!(err.contains("100000x100000 pixels"), "{err}");
    assert!(err.contains("huge.png"), "{err}");
    let (code, _, err) = enroll(&home, &srv, &[], &huge_jpg);
    assert_eq!(code, 65, "{err}");
    assert!(err.contains("65535x65535 pixels"), "{err}");
    // A batch: refused at validation, before the first request.
    let m = home.path().join("m.csv");
    std::fs::write(
        &m,
        format!(
            "id,face,right-index\nA,{},\nB,,{}\n",
            fixture("face.jpg").display(),
            huge_png.display()
        ),
    )
    .unwrap();
    let (code, out, err) = run(home.cmd_at(&srv.url).args(["enroll", "--from"]).arg(&m));
    assert_eq!(code, 65, "{err}");
    assert_eq!(out, "");
    assert!(err.contains("100000x100000 pixels"), "{err}");
}

/// Issue 15: an orientation that cannot be known is said as unknown (JSON null,
/// text "orientation unknown"), never as 1: Orientation 0 and 9 alike.
#[test]
fn an_unknown_orientation_is_null_not_1() {
    let home = Home::new();
    let zero = fixture_bytes("exif/orientation-unreadable.jpg");
    // The Orientation entry (tag 0x0112, type SHORT, count 1), in either byte order.
    let at = |b: &[u8]| {
        b.windows(8)
            .position(|w| {
                w == b"\x01\x12\x00\x03\x00\x00\x00\x01" || w == b"\x12\x01\x03\x00\x01\x00\x00\x00"
            })
            .expect("an Orientation entry")
    };
    let mut nine = zero.clone();
    let i = at(&nine) + 8;
    let big = nine[at(&nine)] == 0x01;
    nine[i..i + 2].copy_from_slice(if big { &[0, 9] } else { &[9, 0] });
    for (name, bytes) in [("zero.jpg", zero), ("nine.jpg", nine)] {
        let file = home.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let (_, out, err) = run(home
            .cmd()
            .args(["check", "--fingerprints", "-o", "json"])
            .arg(&file));
        let v: serde_json::Value =
            serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
        assert!(v["orientation"].is_null(), "{name}: {v}");
        assert!(
            v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["code"] == "EXIF_UNREADABLE"),
            "{name}: {v}"
        );
        let (_, out, err) = run(home.cmd().args(["check", "--fingerprints"]).arg(&file));
        assert!(out.contains("orientation unknown"), "{name}: {out} {err}");
        assert!(!out.contains("orientation 1"), "{name}: {out}");
    }
}

#[test]
fn check_from_applies_the_batch_row_rules_and_reports_each_invalid_row_as_a_result() {
    let home = Home::new();
    std::fs::copy(fixture("face.jpg"), home.path().join("face.jpg")).unwrap();
    let m = home.path().join("people.csv");
    std::fs::write(&m, "id,face\na,face.jpg\na,face.jpg\nb,\n,face.jpg\n").unwrap();
    // What an enroll of it says: refused, nothing sent.
    let (code, _, err) = run(home
        .cmd()
        .args(["--env", "sandbox", "--dry-run", "enroll", "--from"])
        .arg(&m));
    assert_eq!(code, 65, "{err}");
    // check --from refuses the same rows, on stdout (so -q hides nothing).
    let (code, out, err) = run(home.cmd().args(["-q", "check", "--from"]).arg(&m));
    assert_eq!(code, 65, "{out}{err}");
    let lines: Vec<&str> = out.lines().collect();
    let name = m.display().to_string();
    assert_eq!(lines.len(), 6, "{out}");
    assert!(lines[0].ends_with("face.jpg: ok (face): JPEG 240x300, 19027 bytes, orientation 1, no metadata, 1 face, 69 % of the height; sends 19027 bytes (no metadata to remove)"), "{out}");
    assert_eq!(
        lines[1],
        format!("{name}:3: invalid row (id 'a'): duplicate id 'a' (first on line 2)")
    );
    assert!(lines[2].contains("face.jpg: ok (face)"), "{out}");
    assert_eq!(
        lines[3],
        format!("{name}:4: invalid row (id 'b'): no image: the row needs a face or a finger")
    );
    assert_eq!(lines[4], format!("{name}:5: invalid row (no id): no id"));
    assert!(lines[5].contains("face.jpg: ok (face)"), "{out}");

    let (code, out, _) = run(home.cmd().args(["check", "-o", "json", "--from"]).arg(&m));
    assert_eq!(code, 65, "{out}");
    let v: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(v.len(), 6, "{out}");
    assert_eq!(
        (v[0]["ok"].clone(), v[0]["id"].clone(), v[0]["line"].clone()),
        (true.into(), "a".into(), 2.into())
    );
    let invalid: Vec<_> = v.iter().filter(|o| o["ok"] == false).collect();
    assert_eq!(invalid.len(), 3, "{out}");
    assert_eq!(
        *invalid[0],
        serde_json::json!({"ok": false, "manifest": name, "line": 3, "id": "a",
            "code": "INVALID_ROW", "message": "duplicate id 'a' (first on line 2)"})
    );
    assert_eq!(invalid[1]["id"], "b");
    assert_eq!(invalid[2]["id"], serde_json::Value::Null);
    assert_eq!(invalid[2]["line"], 5);
    // The image of the row without an id: its line, and no id.
    assert_eq!(
        (v[5]["line"].clone(), v[5]["id"].clone()),
        (5.into(), serde_json::Value::Null)
    );

    // A valid manifest stays 0, each image with its row.
    std::fs::write(&m, "id,face\na,face.jpg\n").unwrap();
    let (code, out, err) = run(home.cmd().args(["check", "-o", "json", "--from"]).arg(&m));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!((v["id"].clone(), v["line"].clone()), ("a".into(), 2.into()));
}

#[test]
fn check_reads_no_image_from_stdin_and_a_manifest_from_stdin_needs_format() {
    let home = Home::new();
    let (code, out, err) = run(home.cmd().args(["check", "-"]));
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("check does not read images from standard input (-)"),
        "{err}"
    );
    assert!(!err.contains("no such file"), "{err}");

    let face = fixture("face.jpg");
    let manifest = format!("id,face\na,{}\n", face.display());
    let (code, _, err) = run(home
        .cmd()
        .args(["check", "--from", "-"])
        .write_stdin(manifest.clone()));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("a manifest on standard input (--from -) needs --format"),
        "{err}"
    );
    let (code, out, err) = run(home
        .cmd()
        .args(["check", "--format", "csv", "--from", "-"])
        .write_stdin(manifest));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("face.jpg: ok (face)"), "{out}");
}
