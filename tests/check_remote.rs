//! `check --remote` (issue 15, items 4 and 5), end to end: the real binary against
//! the embedded sandbox, `biopass sandbox serve`, and a recording server on
//! 127.0.0.1 that shows exactly what was sent. Faces are the synthetic fixtures of
//! tests/fixtures/make_faces.py.

mod support;

use std::path::Path;

use base64::Engine as _;
use support::*;

const DETECTED: &str =
    r#"{"DetectedFaces":{"FaceNumber":1,"FaceRects":[{"x":40,"y":50,"width":160,"height":200}]}}"#;
const ICAO: &str = r#"{"ICAO":{"FaceImageConformed":72.5,"IsAllConformed":false,"Requirements":{"Blurred":{"IsConformed":true,"Confidence":90},"EyesClosed":{"IsConformed":false,"Confidence":80}}}}"#;
const LIVE: &str = r#"{"Success":true,"result":"Ok","spoof":false}"#;

fn face_ok() -> Vec<Canned> {
    vec![
        Canned::json(200, DETECTED),
        Canned::json(200, ICAO),
        Canned::json(200, LIVE),
    ]
}

fn image_sent(body: &serde_json::Value, wrapper: &str) -> Vec<u8> {
    let obj = body.as_object().unwrap();
    assert_eq!(obj.len(), 1, "{body}");
    let inner = body[wrapper].as_object().expect(wrapper);
    assert_eq!(inner.len(), 1, "{body}");
    base64::engine::general_purpose::STANDARD
        .decode(inner["Image"].as_str().unwrap())
        .unwrap()
}

#[test]
fn a_face_goes_to_face_detect_icao_and_liveness_in_the_vendor_shapes() {
    let home = Home::new();
    let srv = Recorder::start(face_ok());
    let face = fixture("face.jpg");
    let (code, out, err) = run(home.cmd_at(&srv.url).args(["check", "--remote"]).arg(&face));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out,
        format!(
            "{}: ok (face): JPEG 240x300, 19027 bytes, orientation 1, no metadata, 1 face, 69 % of the height; \
sends 19027 bytes (no metadata to remove); remote: face detect 1 face, ICAO not conformed (72.5: EyesClosed), \
liveness Ok, not a spoof\n",
            face.display()
        )
    );
    let reqs = srv.requests();
    let paths: Vec<_> = reqs.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/multibiometrics/face_detect",
            "/quality/check_icao",
            "/multibiometrics/liveness"
        ]
    );
    let prepared = std::fs::read(&face).unwrap();
    for (r, wrapper) in reqs.iter().zip(["Check", "Check", "Spoof"]) {
        assert_eq!(r.method, "POST");
        assert_eq!(r.header("Ocp-Apim-Subscription-Key"), Some(TEST_KEY));
        assert_eq!(r.header("Content-Type"), Some("application/json"));
        assert_eq!(image_sent(&r.json(), wrapper), prepared, "{}", r.path);
    }
}

#[test]
fn a_fingerprint_goes_to_nfiq_and_its_scale_is_unknown() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(200, r#"{"NFIQ":{"Quality":3}}"#)]);
    let finger = fixture("finger1.png");
    let (code, out, err) = run(home
        .cmd_at(&srv.url)
        .args(["check", "--remote", "--fingerprints", "-o", "json"])
        .arg(&finger));
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        v["remote"],
        serde_json::json!({"nfiq": {"quality": 3.0, "scale": "unknown"}})
    );
    let r = srv.single();
    assert_eq!(r.path, "/quality/check_nfiq");
    assert_eq!(r.header("Ocp-Apim-Subscription-Key"), Some(TEST_KEY));
    assert_eq!(
        image_sent(&r.json(), "Check"),
        std::fs::read(&finger).unwrap()
    );
}

#[test]
fn without_remote_nothing_is_sent() {
    let home = Home::new();
    let srv = Recorder::start(face_ok());
    srv.expect_no_requests();
    let dir = home.path();
    std::fs::copy(fixture("face.jpg"), dir.join("face.jpg")).unwrap();
    std::fs::write(dir.join("people.csv"), "id,face\nA1,face.jpg\n").unwrap();
    let runs: [&[&str]; 3] = [
        &["check", "face.jpg"],
        &["check", "--fingerprints", "face.jpg"],
        &["check", "-o", "json", "--from", "people.csv"],
    ];
    for args in runs {
        let (code, out, err) = run(home.cmd_at(&srv.url).current_dir(dir).args(args));
        assert_eq!(code, 0, "{args:?}: {out}{err}");
        assert!(!out.contains("remote"), "{args:?}: {out}");
    }
}

#[test]
fn a_failed_check_is_a_remote_error_finding_and_the_others_still_answer() {
    let home = Home::new();
    // Liveness fails every attempt; face detect and ICAO answer.
    let mut script = face_ok();
    script[2] = Canned::text(500, &format!("backend exploded near {TEST_KEY}"));
    let srv = Recorder::start(script);
    let face = fixture("face.jpg");
    let (code, out, err) = run(home
        .cmd_at(&srv.url)
        .args(["check", "--remote", "-o", "json"])
        .arg(&face));
    assert_eq!(code, 69, "{out}{err}");
    assert!(!out.contains(TEST_KEY) && !err.contains(TEST_KEY));
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["ok"], true, "a failed check says nothing of the image");
    assert_eq!(v["remote"]["face_detect"]["faces"], 1);
    assert_eq!(
        v["remote"]["icao"]["failed"],
        serde_json::json!(["EyesClosed"])
    );
    let e = &v["remote"]["liveness"]["error"];
    assert_eq!(e["kind"], "unavailable");
    assert_eq!(e["status"], 500);
    assert!(e["message"].as_str().unwrap().contains("[REDACTED]"), "{e}");
    let finding = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "REMOTE_ERROR")
        .expect("a REMOTE_ERROR finding");
    assert_eq!(finding["blocking"], false);
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .starts_with("liveness check failed (unavailable): the service failed (HTTP 500"),
        "{finding}"
    );
    // The client's retries, as for every call that changes nothing.
    assert_eq!(srv.requests().len(), 2 + 3);
}

#[test]
fn a_refused_key_stops_at_once_with_77() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(
        401,
        r#"{"statusCode":401,"message":"Access denied due to invalid subscription key."}"#,
    )]);
    let face = fixture("face.jpg");
    let (code, out, err) = run(home
        .cmd_at(&srv.url)
        .args(["check", "--remote"])
        .arg(&face)
        .arg(&face));
    assert_eq!(code, 77, "{out}{err}");
    assert_eq!(out, "");
    assert!(err.contains("the API key was rejected (HTTP 401"), "{err}");
    assert_eq!(srv.requests().len(), 1, "stopped at the first refusal");
}

#[test]
fn an_endpoint_without_the_operation_stops_with_78() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(
        404,
        r#"{"statusCode":404,"message":"Resource not found"}"#,
    )]);
    let (code, out, err) = run(home
        .cmd_at(&srv.url)
        .args(["check", "--remote", "--fingerprints"])
        .arg(fixture("finger1.png")));
    assert_eq!(code, 78, "{out}{err}");
    assert!(err.contains("the endpoint has no nfiq operation"), "{err}");
    assert_eq!(srv.requests().len(), 1);
}

#[test]
fn an_incomplete_answer_is_a_protocol_remote_error() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(200, r#"{"NFIQ":{}}"#)]);
    let (code, out, err) = run(home
        .cmd_at(&srv.url)
        .args(["check", "--remote", "--fingerprints"])
        .arg(fixture("finger1.png")));
    assert_eq!(code, 76, "{out}{err}");
    assert!(
        out.contains("REMOTE_ERROR: nfiq check failed (protocol): the server answered 200 with unexpected JSON"),
        "{out}"
    );
}

fn red_cornered(src: &Path, to: &Path) {
    let mut img = image::open(src).unwrap().to_rgb8();
    for y in 0..8 {
        for x in 0..8 {
            img.put_pixel(x, y, image::Rgb([255, 0, 0]));
        }
    }
    img.save(to).unwrap();
}

#[test]
fn the_embedded_sandbox_answers_every_check() {
    let home = Home::new();
    let face = fixture("face.jpg");
    let spoof = home.path().join("spoof.png");
    red_cornered(&face, &spoof);
    let (code, out, err) = run(home
        .cmd()
        .args(["--env", "sandbox", "check", "--remote"])
        .arg(&face)
        .arg(fixture("faces/blurry.jpg"))
        .arg(fixture("faces/two-faces.jpg"))
        .arg(&spoof));
    assert_eq!(code, 65, "two faces block: {out}{err}");
    let remote: Vec<_> = out
        .lines()
        .map(|l| {
            let r = l.split_once("; remote: ").expect("a remote part").1;
            r.split("; ").next().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        remote,
        [
            "face detect 1 face, ICAO all conformed (100), liveness Ok, not a spoof",
            "face detect 1 face, ICAO not conformed (80: Blurred), liveness Ok, not a spoof",
            "face detect 2 faces, ICAO not conformed (60: OtherFaces), liveness Multiple Faces Detected",
            "face detect 1 face, ICAO all conformed (100), liveness Ok, SPOOF",
        ]
    );
}

#[test]
fn sandbox_serve_answers_the_same_and_deterministically() {
    let home = Home::new();
    let s = serve(&home, &[]);
    let ask = || {
        run(s
            .cmd(&home)
            .args(["check", "--remote", "-o", "json"])
            .arg("--fingerprints")
            .arg(fixture("finger1.png")))
    };
    let (code, out, err) = run(s
        .cmd(&home)
        .args(["check", "--remote", "-o", "json"])
        .arg(fixture("face.jpg")));
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let r = &v["remote"];
    assert_eq!(r["face_detect"]["faces"], 1);
    assert_eq!(r["face_detect"]["rects"].as_array().unwrap().len(), 1);
    assert_eq!(r["icao"]["all_conformed"], true);
    assert_eq!(r["icao"]["requirements"].as_object().unwrap().len(), 23);
    assert_eq!(
        r["icao"]["requirements"]["EyesClosed"],
        serde_json::json!({"conformed": true, "confidence": 50.0}),
        "not measured: conformed, confidence 50"
    );
    assert_eq!(
        r["liveness"],
        serde_json::json!({"success": true, "result": "Ok", "spoof": false, "passed": true})
    );
    // A fingerprint's NFIQ is the same number every time.
    let (c1, o1, _) = ask();
    let (c2, o2, _) = ask();
    assert_eq!((c1, c2), (0, 0));
    assert_eq!(o1, o2);
    let q =
        serde_json::from_str::<serde_json::Value>(o1.trim()).unwrap()["remote"]["nfiq"]["quality"]
            .as_f64()
            .unwrap();
    assert!((0.0..=100.0).contains(&q), "{q}");
    // A wrong key is the gateway's 401, for these operations too.
    let (code, _, err) = run(home
        .cmd_at(&s.url)
        .args(["check", "--remote"])
        .arg(fixture("face.jpg")));
    assert_eq!(code, 77, "{err}");
}

#[test]
fn dry_run_and_remote_are_refused_before_anything_is_sent() {
    let home = Home::new();
    let srv = Recorder::start(face_ok());
    srv.expect_no_requests();
    let (code, out, err) = run(home
        .cmd_at(&srv.url)
        .args(["--dry-run", "check", "--remote"])
        .arg(fixture("face.jpg")));
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(out, "");
    assert!(err.contains("--dry-run sends nothing"), "{err}");
}

/// The sandbox's answers agree with themselves: `FaceNumber` is the number of
/// `FaceRects` (every face, the largest first), and `IsAllConformed` is the AND of
/// the 23 requirements, whatever the score.
#[test]
fn the_sandbox_answers_every_face_and_all_conformed_is_every_requirement() {
    let home = Home::new();
    let (_, out, err) = run(home
        .cmd()
        .args(["--env", "sandbox", "check", "--remote", "-o", "json"])
        .arg(fixture("faces/two-faces.jpg"))
        .arg(fixture("faces/small-left.jpg"))
        .arg(fixture("faces/no-face.jpg")));
    let v: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l} {err}")))
        .collect();
    assert_eq!(v.len(), 3, "{out}{err}");
    let d = &v[0]["remote"]["face_detect"];
    assert_eq!(d["faces"], 2, "{d}");
    let rects = d["rects"].as_array().unwrap();
    assert_eq!(rects.len(), 2, "{d}");
    let area = |r: &serde_json::Value| r["width"].as_i64().unwrap() * r["height"].as_i64().unwrap();
    assert!(area(&rects[0]) >= area(&rects[1]), "largest first: {d}");
    assert_ne!(rects[0], rects[1], "{d}");
    for r in &v {
        let icao = &r["remote"]["icao"];
        let every = icao["requirements"]
            .as_object()
            .unwrap()
            .values()
            .all(|x| x["conformed"] == true);
        assert_eq!(icao["all_conformed"], every, "{}: {icao}", r["file"]);
        assert_eq!(
            icao["failed"].as_array().unwrap().is_empty(),
            every,
            "{}: {icao}",
            r["file"]
        );
    }
    // small-left: every requirement conformed, the score lowered by the framing.
    let icao = &v[1]["remote"]["icao"];
    assert_eq!(icao["all_conformed"], true, "{icao}");
    assert!(icao["conformed"].as_f64().unwrap() < 100.0, "{icao}");
    assert_eq!(v[2]["remote"]["icao"]["all_conformed"], false);
}
