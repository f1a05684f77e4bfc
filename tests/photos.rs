//! Photos read right (issue 15 item 6): lenient EXIF in JPEG and PNG, an orientation
//! that cannot be known, a fingerprint's resolution recorded only in EXIF, TIFF
//! metadata, and the decode limit in pixels. The files are made by
//! tests/fixtures/make_exif.py (synthetic pictures, made-up metadata) or at test time.

mod support;

use std::io::Cursor;
use std::path::PathBuf;

use support::*;

fn exif_fixture(name: &str) -> PathBuf {
    fixture(&format!("exif/{name}"))
}

fn enrolled() -> Canned {
    Canned::json(
        200,
        r#"{"Person":{"ClientID":"c","CustomID":"1","BioPassID":"77"}}"#,
    )
}

fn check_json(home: &Home, args: &[&str], file: &std::path::Path) -> (i32, serde_json::Value) {
    let (code, out, err) = run(home
        .cmd()
        .args(["check", "-o", "json"])
        .args(args)
        .arg(file));
    let v = serde_json::from_str(out.trim())
        .unwrap_or_else(|e| panic!("one JSON line ({e}): {out} / {err}"));
    (code, v)
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

fn sent(r: &Recorded, group: &str, slot: &str) -> Vec<u8> {
    use base64::Engine as _;
    let v = r.json();
    let b64 = v["Person"][group][0][slot].as_str().unwrap();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

#[test]
fn one_bad_exif_field_loses_neither_orientation_nor_gps() {
    let home = Home::new();
    for name in ["bad-field-sideways-gps.jpg", "bad-field-sideways-gps.png"] {
        let file = exif_fixture(name);
        let (code, v) = check_json(&home, &[], &file);
        assert_eq!(code, 0, "{name}: {v}");
        assert_eq!(v["orientation"], 6, "{name}: {v}");
        assert!(
            v["metadata"].as_array().unwrap().contains(&"gps".into()),
            "{name}: {v}"
        );
        let c = codes(&v);
        assert!(
            c.contains(&"ROTATED".into()) && c.contains(&"HAS_GPS".into()),
            "{name}: {v}"
        );
        // Sent upright (stored 300x240, sent 240x300), without its EXIF.
        let srv = Recorder::start(vec![enrolled()]);
        let (code, _, err) = run(home
            .cmd_at(&srv.url)
            .args(["enroll", "--id", "1", "--face"])
            .arg(&file));
        assert_eq!(code, 0, "{name}: {err}");
        let b = sent(&srv.single(), "Face", "Face-1");
        let img = image::load_from_memory(&b).unwrap();
        assert_eq!((img.width(), img.height()), (240, 300), "{name}");
        assert!(
            exif::Reader::new()
                .read_from_container(&mut Cursor::new(&b))
                .is_err(),
            "{name}: no EXIF sent"
        );
    }
}

#[test]
fn an_orientation_that_cannot_be_known_is_said_and_blocks_a_face() {
    let home = Home::new();
    let file = exif_fixture("orientation-unreadable.jpg");
    let (code, v) = check_json(&home, &[], &file);
    assert_eq!(code, 65, "{v}");
    let f = &v["findings"][0];
    assert_eq!(f["code"], "EXIF_UNREADABLE", "{v}");
    assert_eq!(f["blocking"], true, "{v}");
    // A send refuses it, naming the file, the code and the way out; nothing sent.
    let srv = Recorder::start(vec![enrolled()]);
    srv.expect_no_requests();
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .args(["enroll", "--id", "1", "--face"])
        .arg(&file));
    assert_eq!(code, 65, "{err}");
    assert!(err.contains("orientation-unreadable.jpg"), "{err}");
    assert!(err.contains("EXIF_UNREADABLE"), "{err}");
    assert!(err.contains("--no-face-check"), "{err}");
    drop(srv);
    // A fingerprint is not turned, so it only warns.
    let (code, v) = check_json(&home, &["--fingerprints"], &file);
    assert_eq!(v["findings"][0]["code"], "EXIF_UNREADABLE", "{v}");
    assert_eq!(v["findings"][0]["blocking"], false, "{v}");
    assert_eq!(code, 0, "{v}");
    // --no-face-check sends it as stored.
    let srv = Recorder::start(vec![enrolled()]);
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .args(["--no-face-check", "enroll", "--id", "1", "--face"])
        .arg(&file));
    assert_eq!(code, 0, "{err}");
    srv.single();
}

/// An APP1 `Exif` segment holding Orientation `o` and, with `gps`, a GPS IFD with
/// GPSVersionID 2.2.0.0 (big-endian TIFF, written by hand).
fn exif_app1(o: u16, gps: bool) -> Vec<u8> {
    let mut t = b"MM\0\x2a\0\0\0\x08".to_vec();
    let n: u16 = if gps { 2 } else { 1 };
    t.extend_from_slice(&n.to_be_bytes());
    // Orientation: SHORT, one value, left-justified in the 4-byte field.
    t.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1]);
    t.extend_from_slice(&o.to_be_bytes());
    t.extend_from_slice(&[0, 0]);
    if gps {
        // The GPS IFD follows IFD0 (8 + 2 + 2 * 12 + 4 = 38).
        t.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 38]);
    }
    t.extend_from_slice(&[0, 0, 0, 0]);
    if gps {
        t.extend_from_slice(&[0, 1, 0, 0, 0, 1, 0, 0, 0, 4, 2, 2, 0, 0, 0, 0, 0, 0]);
    }
    let body = [&b"Exif\0\0"[..], &t].concat();
    let mut seg = vec![0xFF, 0xE1];
    seg.extend_from_slice(&(body.len() as u16 + 2).to_be_bytes());
    seg.extend_from_slice(&body);
    seg
}

/// `faces/sideways-6.jpg` (the face stored a quarter turn off) with its own EXIF
/// segment replaced by `segments`.
fn sideways_with(segments: &[Vec<u8>]) -> Vec<u8> {
    let b = fixture_bytes("faces/sideways-6.jpg");
    let mut i = 2;
    let mut out = b[..2].to_vec();
    loop {
        let len = u16::from_be_bytes([b[i + 2], b[i + 3]]) as usize;
        match b[i + 1] {
            0xE0 => out.extend_from_slice(&b[i..i + 2 + len]),
            0xE1 => {}
            _ => break,
        }
        i += 2 + len;
    }
    for s in segments {
        out.extend_from_slice(s);
    }
    out.extend_from_slice(&b[i..]);
    out
}

/// Two EXIF blocks: the first one's orientation counts, as in every reader; the
/// metadata of both is reported (and neither is sent).
#[test]
fn with_two_exif_blocks_the_first_ones_orientation_counts() {
    let home = Home::new();
    let file = home.path().join("two-exif.jpg");
    std::fs::write(
        &file,
        sideways_with(&[exif_app1(6, false), exif_app1(1, true)]),
    )
    .unwrap();
    let (code, v) = check_json(&home, &[], &file);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["orientation"], 6, "{v}");
    assert_eq!(v["faces"]["count"], 1, "the face is looked at upright: {v}");
    assert!(
        v["metadata"].as_array().unwrap().contains(&"gps".into()),
        "the second block's GPS is still reported: {v}"
    );
    let c = codes(&v);
    assert!(
        c.contains(&"ROTATED".into()) && c.contains(&"HAS_GPS".into()),
        "{v}"
    );
    let srv = Recorder::start(vec![enrolled()]);
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .args(["enroll", "--id", "1", "--face"])
        .arg(&file));
    assert_eq!(code, 0, "{err}");
    let b = sent(&srv.single(), "Face", "Face-1");
    let img = image::load_from_memory(&b).unwrap();
    assert_eq!((img.width(), img.height()), (240, 300), "sent upright");
    assert!(!b.windows(6).any(|w| w == b"Exif\0\0"), "no EXIF sent");
    // The other way round, orientation 1 first: 1 counts.
    std::fs::write(
        &file,
        sideways_with(&[exif_app1(1, false), exif_app1(6, false)]),
    )
    .unwrap();
    let (_, v) = check_json(&home, &["--no-face-check"], &file);
    assert_eq!(v["orientation"], 1, "{v}");
    assert!(!codes(&v).contains(&"ROTATED".into()), "{v}");
}

#[test]
fn a_resolution_only_in_exif_is_found_and_kept_in_what_is_sent() {
    let home = Home::new();
    let file = exif_fixture("finger-500dpi-exif-only.jpg");
    let (code, v) = check_json(&home, &["--fingerprints"], &file);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["dpi"], 500, "{v}");
    assert_eq!(v["dpi_from_exif"], true, "{v}");
    assert!(!codes(&v).contains(&"FINGER_DPI_NOT_500".into()), "{v}");
    let srv = Recorder::start(vec![enrolled()]);
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .args(["enroll", "--id", "1", "--finger"])
        .arg(format!("2={}", file.display())));
    assert_eq!(code, 0, "{err}");
    let b = sent(&srv.single(), "Fingers", "Finger-2");
    // The EXIF block is gone; the JFIF segment now records 500 dpi.
    assert!(
        exif::Reader::new()
            .read_from_container(&mut Cursor::new(&b))
            .is_err()
    );
    assert_eq!(&b[6..11], b"JFIF\0");
    assert_eq!(b[13], 1, "units: dots per inch");
    assert_eq!(u16::from_be_bytes([b[14], b[15]]), 500);
    assert_eq!(u16::from_be_bytes([b[16], b[17]]), 500);
    // And the pixels are untouched.
    let want = image::open(&file).unwrap().to_luma8();
    assert_eq!(image::load_from_memory(&b).unwrap().to_luma8(), want);
}

#[test]
fn tiff_metadata_is_reported_and_said_to_be_sent() {
    let home = Home::new();
    let (code, v) = check_json(&home, &[], &exif_fixture("make-artist.tif"));
    assert_eq!(code, 0, "{v}");
    assert!(
        v["metadata"].as_array().unwrap().contains(&"camera".into()),
        "{v}"
    );
    let m = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "HAS_METADATA")
        .unwrap_or_else(|| panic!("{v}"));
    assert!(m["message"].as_str().unwrap().contains("sent"), "{v}");
    assert!(
        v["preparation"]
            .as_str()
            .unwrap()
            .contains("with its metadata"),
        "{v}"
    );
}

/// A real baseline greyscale JPEG of `w` x `h` mid-grey pixels, written by hand:
/// one-code Huffman tables make every 8x8 block two bits (DC difference 0, end of
/// block), so a 270 megapixel image is about 1 MB.
fn flat_grey_jpeg(w: u16, h: u16) -> Vec<u8> {
    let mut j = vec![0xFF, 0xD8];
    // DQT: table 0, all ones.
    j.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x43, 0x00]);
    j.extend_from_slice(&[1u8; 64]);
    // SOF0: 8 bits, h, w, one component (id 1, 1x1, table 0).
    j.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 0x08]);
    j.extend_from_slice(&h.to_be_bytes());
    j.extend_from_slice(&w.to_be_bytes());
    j.extend_from_slice(&[0x01, 0x01, 0x11, 0x00]);
    // DHT: DC table 0 and AC table 0, each one code of length 1 (symbol 0).
    for class in [0x00u8, 0x10] {
        j.extend_from_slice(&[0xFF, 0xC4, 0x00, 0x14, class, 1]);
        j.extend_from_slice(&[0u8; 15]);
        j.push(0);
    }
    // SOS: one component, tables 0/0, full spectral range.
    j.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
    let blocks = (w as u64).div_ceil(8) * (h as u64).div_ceil(8);
    let bits = blocks * 2;
    j.resize(j.len() + (bits / 8) as usize, 0);
    if !bits.is_multiple_of(8) {
        j.push(0xFF >> (bits % 8)); // the last bits, padded with ones (never 0xFF)
    }
    j.extend_from_slice(&[0xFF, 0xD9]);
    j
}

#[test]
fn the_decode_limit_is_in_pixels() {
    let home = Home::new();
    // The generator itself makes a decodable JPEG.
    let small = flat_grey_jpeg(64, 72);
    let img = image::load_from_memory(&small).unwrap();
    assert_eq!((img.width(), img.height()), (64, 72));
    // 16432 x 16432: 270 megapixels, a 1 MB file, refused from its header.
    let big = home.path().join("huge.jpg");
    std::fs::write(&big, flat_grey_jpeg(16432, 16432)).unwrap();
    let (code, v) = check_json(&home, &[], &big);
    assert_eq!(code, 65, "{v}");
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "TOO_LARGE")
        .unwrap_or_else(|| panic!("{v}"));
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("is 16432x16432 pixels, 270,010,624 in all"),
        "{v}"
    );
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("over the limit of 100,000,000 pixels"),
        "{v}"
    );
    // A face send refuses it too (the gate would decode it), naming the file.
    let srv = Recorder::start(vec![enrolled()]);
    srv.expect_no_requests();
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .args(["enroll", "--id", "1", "--face"])
        .arg(&big));
    assert_eq!(code, 65, "{err}");
    assert!(
        err.contains("huge.jpg") && err.contains("270,010,624"),
        "{err}"
    );
}

/// Just over the limit, the message still shows the difference: rounded to
/// megapixels it read "(100 megapixels), over the 100 megapixels".
#[test]
fn an_image_just_over_the_pixel_limit_says_by_how_much() {
    let home = Home::new();
    let file = home.path().join("just-over.jpg");
    std::fs::write(&file, flat_grey_jpeg(10000, 10001)).unwrap();
    let (code, v) = check_json(&home, &["--fingerprints"], &file);
    assert_eq!(code, 65, "{v}");
    assert_eq!(codes(&v), ["TOO_LARGE"], "{v}");
    assert_eq!(
        v["findings"][0]["message"],
        "is 10000x10001 pixels, 100,010,000 in all: over the limit of 100,000,000 pixels decoded for one image; scale it down first",
        "{v}"
    );
    // Exactly at the limit is within it (refused, if at all, for something else).
    let at = home.path().join("at-limit.jpg");
    std::fs::write(&at, flat_grey_jpeg(10000, 10000)).unwrap();
    let (_, v) = check_json(&home, &["--fingerprints"], &at);
    assert!(!codes(&v).contains(&"TOO_LARGE".to_string()), "{v}");
}

#[test]
fn check_finds_a_scan_cut_short_even_with_an_end_marker_after_it() {
    // Two thirds of the quick-start face's scan data cut, an end marker appended: the
    // decoder paints the rest grey and says nothing; check counts the blocks.
    let home = Home::new();
    let face = fixture_bytes("face.jpg");
    let sos = face.windows(2).rposition(|w| w == [0xFF, 0xDA]).unwrap();
    let start = sos + 2 + u16::from_be_bytes([face[sos + 2], face[sos + 3]]) as usize;
    let keep = (face.len() - 2 - start) / 3;
    let cut = home.path().join("cut.jpg");
    std::fs::write(&cut, [&face[..start + keep], &[0xFF, 0xD9][..]].concat()).unwrap();
    let (code, v) = check_json(&home, &["--no-face-check"], &cut);
    assert_eq!(code, 65, "{v}");
    assert_eq!(codes(&v), ["TRUNCATED"], "{v}");
    assert!(
        v["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("cut short"),
        "{v}"
    );
    // The whole file is fine.
    let (code, v) = check_json(&home, &[], &fixture("face.jpg"));
    assert_eq!(code, 0, "{v}");
}
