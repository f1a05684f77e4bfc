//! The offline face gate (issue 15), end to end: the real binary, `check` and sends
//! against a recording server on 127.0.0.1 or the sandbox. The faces are drawn by
//! tests/fixtures/make_faces.py (synthetic; see tests/fixtures/README.md).

mod support;

use std::path::PathBuf;

use support::*;

fn face(name: &str) -> PathBuf {
    fixture(&format!("faces/{name}"))
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

#[test]
fn the_quick_start_face_passes_the_gate() {
    let home = Home::new();
    let (code, v) = check_json(&home, &[], &fixture("face.jpg"));
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["faces"]["count"], 1, "{v}");
    assert!(codes(&v).is_empty(), "{v}");
    let rel = v["faces"]["relative_height"].as_f64().unwrap();
    assert!((0.4..=1.0).contains(&rel), "{v}");
    // And it is sent with the gate on.
    let srv = Recorder::start(vec![enrolled()]);
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .args(["enroll", "--id", "1", "--face"])
        .arg(fixture("face.jpg")));
    assert_eq!(code, 0, "{err}");
    srv.single();
}

#[test]
fn check_reports_each_face_finding() {
    let home = Home::new();
    for (file, want, exit) in [
        ("no-face.jpg", vec!["NO_FACE"], 65),
        (
            "two-faces.jpg",
            vec!["SEVERAL_FACES", "FACE_OFF_CENTRE"],
            65,
        ),
        (
            "small-left.jpg",
            vec!["FACE_TOO_SMALL", "FACE_OFF_CENTRE"],
            0,
        ),
        ("blurry.jpg", vec!["BLURRY"], 0),
        ("dark.jpg", vec!["BLURRY", "TOO_DARK"], 0),
        ("bright.jpg", vec!["OVEREXPOSED"], 0),
    ] {
        let (code, v) = check_json(&home, &[], &face(file));
        assert_eq!(codes(&v), want, "{file}: {v}");
        assert_eq!(code, exit, "{file}: {v}");
        let blocking: Vec<_> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["blocking"] == true)
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        let want_blocking: Vec<_> = want
            .iter()
            .copied()
            .filter(|c| matches!(*c, "NO_FACE" | "SEVERAL_FACES"))
            .collect();
        assert_eq!(blocking, want_blocking, "{file}: {v}");
    }
    // --strict: the warnings block.
    let (code, v) = check_json(&home, &["--strict"], &face("small-left.jpg"));
    assert_eq!(code, 65, "{v}");
    assert_eq!(v["ok"], false);
    // The text form names the findings too.
    let (code, out, _) = run(home.cmd().arg("check").arg(face("two-faces.jpg")));
    assert_eq!(code, 65);
    assert!(out.contains("refused (face)"), "{out}");
    assert!(out.contains("2 faces"), "{out}");
    assert!(out.contains("SEVERAL_FACES: shows 2 faces"), "{out}");
}

#[test]
fn fingerprints_are_never_looked_at_for_faces() {
    let home = Home::new();
    let (code, v) = check_json(&home, &["--fingerprints"], &fixture("finger1.png"));
    assert_eq!(v["faces"], serde_json::Value::Null, "{v}");
    assert!(!codes(&v).contains(&"NO_FACE".to_string()), "{v}");
    assert_eq!(code, 0, "{v}");
    let srv = Recorder::start(vec![enrolled()]);
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .args(["enroll", "--id", "1", "--finger"])
        .arg(format!("2={}", fixture("finger1.png").display())));
    assert_eq!(code, 0, "{err}");
    srv.single();
}

#[test]
fn single_commands_refuse_a_blocked_face_and_send_nothing() {
    let home = Home::new();
    for cmd in [
        &["enroll", "--id", "1", "--face"][..],
        &["update", "--id", "1", "--face"][..],
        &["verify", "--id", "1", "--face"][..],
    ] {
        for (file, code_name) in [
            ("no-face.jpg", "NO_FACE"),
            ("two-faces.jpg", "SEVERAL_FACES"),
        ] {
            let srv = Recorder::start(vec![enrolled()]);
            srv.expect_no_requests();
            let (code, out, err) = run(home.cmd_at(&srv.url).args(cmd).arg(face(file)));
            assert_eq!(code, 65, "{cmd:?} {file}: {err}");
            assert_eq!(out, "");
            assert!(err.contains(&face(file).display().to_string()), "{err}");
            assert!(err.contains(code_name), "{err}");
            assert!(err.contains("--no-face-check"), "{err}");
        }
    }
}

#[test]
fn no_face_check_flag_env_and_profile_turn_the_gate_off() {
    let home = Home::new();
    let send = |cmd: &mut assert_cmd::Command| {
        let srv = Recorder::start(vec![enrolled()]);
        let (code, _, err) = run(cmd
            .env("BIOPASS_ENDPOINT", &srv.url)
            .args(["enroll", "--id", "1", "--face"])
            .arg(face("no-face.jpg")));
        assert_eq!(code, 0, "{err}");
        // The bytes sent are the file's: the gate never changes them.
        let body = srv.single().json();
        assert_eq!(
            body["Person"]["Face"][0]["Face-1"].as_str().unwrap(),
            b64(&fixture_bytes("faces/no-face.jpg"))
        );
    };
    send(home.cmd_at("unused").arg("--no-face-check"));
    send(home.cmd_at("unused").env("BIOPASS_FACE_CHECK", "false"));
    home.write_config("[profiles.default]\nface_check = false\n");
    send(&mut home.cmd_at("unused"));
    // The flag wins over an env that says on; `config show` tells where it came from.
    let (code, out, _) = run(home.cmd().args(["config", "show"]));
    assert_eq!(code, 0);
    assert!(out.contains("face_check"), "{out}");
    assert!(out.contains("false"), "{out}");
}

#[test]
fn a_batch_records_blocked_rows_as_invalid_and_goes_on() {
    let home = Home::new();
    let dir = home.path();
    std::fs::copy(fixture("face.jpg"), dir.join("face.jpg")).unwrap();
    std::fs::copy(face("no-face.jpg"), dir.join("none.jpg")).unwrap();
    std::fs::copy(face("two-faces.jpg"), dir.join("two.jpg")).unwrap();
    let m = dir.join("people.csv");
    std::fs::write(
        &m,
        "id,face\nA1,face.jpg\nA2,none.jpg\nA3,face.jpg\nA4,two.jpg\nA5,face.jpg\n",
    )
    .unwrap();
    let s = serve(&home, &[]);
    let sum = dir.join("summary.json");
    let (code, out, err) = run(s
        .cmd(&home)
        .args(["enroll", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(&sum));
    assert_ne!(code, 0, "{out}{err}");
    let lines: Vec<_> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    let row = |id: &str| *lines.iter().find(|l| l.starts_with(id)).unwrap();
    assert!(row("A2").contains("\tinvalid\t"), "{out}");
    assert!(row("A2").contains("NO_FACE"), "{out}");
    assert!(row("A4").contains("SEVERAL_FACES"), "{out}");
    for id in ["A1", "A3", "A5"] {
        assert!(row(id).contains("\tenrolled\t"), "{out}");
    }
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sum).unwrap()).unwrap();
    assert_eq!(v["succeeded"], 3, "{v}");
    assert_eq!(v["invalid"], 2, "{v}");
    let enrolls = s.stats()["enrolls"].as_object().unwrap().len();
    assert_eq!(enrolls, 3, "the blocked rows were never sent");
    // `report` counts them.
    let journal = dir.join("people.csv.enroll.journal");
    let (_, rep, rerr) = run(home.cmd().args(["-o", "json", "report"]).arg(&journal));
    let invalid: Vec<_> = rep.lines().filter(|l| l.contains("\"invalid\"")).collect();
    assert_eq!(invalid.len(), 2, "{rep}{rerr}");
    assert!(invalid.iter().any(|l| l.contains("NO_FACE")), "{rep}");
    // Resume: a row refused before it was sent is looked at again by the next run.
    // The same command refuses the same rows again and sends nothing new...
    let again = |global: &[&str]| {
        let (code, out, err) = run(s.cmd(&home).args(global).args(["enroll", "--from"]).arg(&m));
        (code, out, err)
    };
    let (code, out, err) = again(&[]);
    assert_ne!(code, 0, "{out}{err}");
    assert_eq!(
        out.lines().filter(|l| l.contains("\tinvalid\t")).count(),
        2,
        "{out}"
    );
    assert_eq!(s.stats()["enrolls"].as_object().unwrap().len(), 3);
    // ...and with --no-face-check it sends exactly them; the enrolled rows stay done.
    let (code, out, err) = again(&["--no-face-check"]);
    assert_eq!(code, 0, "{out}{err}");
    let e = s.stats()["enrolls"].clone();
    assert_eq!(e.as_object().unwrap().len(), 5, "{e}");
    assert!(
        e.as_object().unwrap().values().all(|c| c == 1),
        "once each: {e}"
    );
}

#[test]
fn a_sideways_face_is_looked_at_upright() {
    // The quick-start face stored rotated a quarter turn with EXIF orientation 6: only
    // once turned upright does the detector find it.
    let home = Home::new();
    let (code, v) = check_json(&home, &[], &face("sideways-6.jpg"));
    assert_eq!(v["orientation"], 6, "{v}");
    assert_eq!(v["faces"]["count"], 1, "{v}");
    assert_eq!(code, 0, "{v}");
}

/// A 1600x1200 "photo": a plain frame in the background grey of `inset`'s border,
/// with seeded noise, and `inset` scaled to `inset_height` px high pasted in the
/// middle; written as a JPEG into `home`.
fn framed(home: &Home, name: &str, inset: &std::path::Path, inset_height: u32) -> PathBuf {
    let src = image::open(inset).unwrap().to_rgb8();
    let (sw, sh) = src.dimensions();
    let border: Vec<u32> = (0..sw)
        .flat_map(|x| {
            [
                src.get_pixel(x, 0)[0] as u32,
                src.get_pixel(x, sh - 1)[0] as u32,
            ]
        })
        .collect();
    let bg = (border.iter().sum::<u32>() / border.len() as u32) as i32;
    let (w, h) = (1600u32, 1200u32);
    let mut seed = 0x2545_f491_u32;
    let mut frame = image::RgbImage::from_fn(w, h, |_, _| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let v = (bg + (seed % 13) as i32 - 6).clamp(0, 255) as u8;
        image::Rgb([v, v, v])
    });
    let iw = sw * inset_height / sh;
    let small = image::imageops::resize(
        &src,
        iw,
        inset_height,
        image::imageops::FilterType::Triangle,
    );
    image::imageops::replace(
        &mut frame,
        &small,
        ((w - iw) / 2) as i64,
        ((h - inset_height) / 2) as i64,
    );
    let path = home.path().join(name);
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&frame)
        .unwrap();
    path
}

#[test]
fn a_face_too_small_for_the_first_look_is_too_small_not_missing() {
    // The quick-start face scaled to 176 px high in a 1600x1200 frame: a face box
    // about a ninth of the height (130 px). On the 320x240 copy that is about 26 px,
    // under the detector's 40 px window; the second look, on a 640x480 copy, finds it
    // at about 52 px with a score near 13 (the production threshold is 2). (At an
    // eighth, 30 px on the first copy, the first look sometimes finds it, at scores
    // of 2.5-3.3: the window's edge is soft.)
    let home = Home::new();
    let small = framed(&home, "small-middle.jpg", &fixture("face.jpg"), 176);
    // The first look alone finds nothing here (else this test would not test the
    // second one).
    let grey = image::open(&small).unwrap().to_luma8();
    let first = biopass::images::face::shrink(&grey, biopass::images::face::DETECT_SIDE);
    assert_eq!(
        biopass::images::face::detect(first.as_raw(), first.width(), first.height()),
        []
    );
    let (code, v) = check_json(&home, &[], &small);
    assert_eq!(codes(&v), ["FACE_TOO_SMALL"], "{v}");
    assert_eq!(code, 0, "a warning, not a refusal: {v}");
    assert_eq!(v["faces"]["count"], 1, "{v}");
    let rel = v["faces"]["relative_height"].as_f64().unwrap();
    assert!((0.09..0.13).contains(&rel), "about a ninth: {v}");
    // So it is sent (the gate warns), and refused only with --strict.
    let srv = Recorder::start(vec![enrolled()]);
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .args(["enroll", "--id", "1", "--face"])
        .arg(&small));
    assert_eq!(code, 0, "{err}");
    srv.single();
    let (code, v) = check_json(&home, &["--strict"], &small);
    assert_eq!(code, 65, "{v}");
    // The same frame around the no-face picture is still NO_FACE after both looks.
    let none = framed(&home, "none-middle.jpg", &face("no-face.jpg"), 176);
    let (code, v) = check_json(&home, &[], &none);
    assert_eq!(codes(&v), ["NO_FACE"], "{v}");
    assert_eq!(code, 65, "{v}");
}

/// This process's resident memory, KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap()
}

#[test]
fn detectors_are_as_many_as_detections_at_once_not_threads() {
    // A batch prepares photos on tokio's blocking threads, which stay alive between
    // rows and are replaced as they come and go; a detector (a model copy and its
    // buffers, about 2.7 MB) kept per thread added up to several per run (issue 14's
    // photo memory). Here 8 threads stay alive and detect one after another: one
    // detector serves them all. (The library in this process: the other tests here
    // run the binary, so nothing else detects in it.)
    let grey = image::open(face("photo-1280.jpg")).unwrap().to_luma8();
    assert_eq!(biopass::images::face::examine(&grey).count, 1);
    let (made, before) = (biopass::images::face::detectors_made(), rss_kib());
    let grey = std::sync::Arc::new(grey);
    let mut turns = Vec::new();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let mut threads = Vec::new();
    for _ in 0..8 {
        let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
        let (grey, done_tx) = (grey.clone(), done_tx.clone());
        turns.push(go_tx);
        threads.push(std::thread::spawn(move || {
            go_rx.recv().unwrap();
            assert_eq!(biopass::images::face::examine(&grey).count, 1);
            done_tx.send(()).unwrap();
            // Alive until every thread has detected (its sender is dropped).
            go_rx.recv().ok();
        }));
    }
    for go in &turns {
        go.send(()).unwrap();
        done_rx.recv().unwrap();
    }
    let (made_after, after) = (biopass::images::face::detectors_made(), rss_kib());
    drop(turns);
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(made_after, made, "detectors made by 8 threads in turn");
    assert!(
        after.saturating_sub(before) < 4 * 1024,
        "8 threads detecting in turn grew the memory by {} KiB",
        after.saturating_sub(before)
    );
}
