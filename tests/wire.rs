//! What the server receives: method, path, headers and body of each command,
//! checked on a real loopback HTTP server.

mod support;

use support::*;

const ENROLLED: &str = r#"{"Person":{"ClientID":"c-1","CustomID":"1234","BioPassID":"1648"}}"#;

#[test]
fn enroll_sends_the_vendor_shape() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(200, ENROLLED)]);
    let (code, out, err) = run(home
        .cmd_at(&srv.url)
        .args(["enroll", "--id", "1234", "--face"])
        .arg(fixture("face.jpg"))
        .arg("--finger")
        .arg(format!("right-index={}", fixture("finger1.png").display()))
        .arg("--finger")
        .arg(format!("10={}", fixture("finger2.png").display())));
    assert_eq!((code, out.as_str()), (0, "1648\n"), "stderr: {err}");
    let req = srv.single();
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/multibiometrics/enroll");
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(req.header("ocp-apim-subscription-key"), Some(TEST_KEY));
    assert_eq!(
        req.header("user-agent"),
        Some(concat!("biopass/", env!("CARGO_PKG_VERSION")))
    );
    let body = req.json();
    let person = &body["Person"];
    assert_eq!(person["CustomID"], "1234");
    assert_eq!(person["Face"][0]["Face-1"], b64(&fixture_bytes("face.jpg")));
    let fingers = person["Fingers"].as_array().unwrap();
    assert_eq!(fingers.len(), 1, "all fingers in one object");
    assert_eq!(fingers[0]["Finger-2"], b64(&fixture_bytes("finger1.png")));
    assert_eq!(fingers[0]["Finger-10"], b64(&fixture_bytes("finger2.png")));
    assert_eq!(fingers[0].as_object().unwrap().len(), 2);
    assert_eq!(person.as_object().unwrap().len(), 3);
}

#[test]
fn every_finger_name_maps_to_its_slot() {
    let names = [
        "right-thumb",
        "right-index",
        "right-middle",
        "right-ring",
        "right-little",
        "left-thumb",
        "left-index",
        "left-middle",
        "left-ring",
        "left-little",
    ];
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(200, ENROLLED)]);
    let mut cmd = home.cmd_at(&srv.url);
    cmd.args(["enroll", "--id", "1234"]);
    let files = ["finger1.png", "finger2.png", "finger3.png"];
    for (i, n) in names.iter().enumerate() {
        cmd.arg("--finger")
            .arg(format!("{n}={}", fixture(files[i % 3]).display()));
    }
    let (code, _, err) = run(&mut cmd);
    assert_eq!(code, 0, "{err}");
    let body = srv.single().json();
    let obj = body["Person"]["Fingers"][0].as_object().unwrap().clone();
    for (i, _) in names.iter().enumerate() {
        assert_eq!(
            obj[&format!("Finger-{}", i + 1)],
            b64(&fixture_bytes(files[i % 3])),
            "slot {}",
            i + 1
        );
    }
}

#[test]
fn two_faces_go_under_face_1_and_face_2() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(200, ENROLLED)]);
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .args(["enroll", "--id", "1234", "--face"])
        .arg(fixture("face.jpg"))
        .arg("--face")
        .arg(fixture("face2.jpg")));
    assert_eq!(code, 0, "{err}");
    let body = srv.single().json();
    assert_eq!(
        body["Person"]["Face"][0]["Face-1"],
        b64(&fixture_bytes("face.jpg"))
    );
    assert_eq!(
        body["Person"]["Face"][0]["Face-2"],
        b64(&fixture_bytes("face2.jpg"))
    );
    assert!(body["Person"].get("Fingers").is_none());
}

#[test]
fn update_is_a_put() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(200, ENROLLED)]);
    let (code, out, err) = run(home
        .cmd_at(&srv.url)
        .args(["update", "--id", "1234", "--face"])
        .arg(fixture("face2.jpg")));
    assert_eq!((code, out.as_str()), (0, "1648\n"), "{err}");
    let req = srv.single();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("PUT", "/multibiometrics/update")
    );
    assert_eq!(
        req.json()["Person"]["Face"][0]["Face-1"],
        b64(&fixture_bytes("face2.jpg"))
    );
}

#[test]
fn delete_is_a_delete_with_a_json_body() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(200, r#"{"Person":{"CustomID":"1234"}}"#)]);
    let (code, out, err) = run(home.cmd_at(&srv.url).args(["delete", "--id", "1234"]));
    assert_eq!((code, out.as_str()), (0, "1234\n"), "{err}");
    let req = srv.single();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("DELETE", "/multibiometrics/delete")
    );
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(
        req.json(),
        serde_json::json!({"Person": {"CustomID": "1234"}})
    );
}

#[test]
fn verify_posts_and_prints_match() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(
        200,
        r#"{"Person":{"CustomID":"1234","Match":true,"MatchDetails":{"FaceMatched":true,"NonMatchedFingers":["Finger-1"]}}}"#,
    )]);
    let (code, out, err) = run(home
        .cmd_at(&srv.url)
        .args(["-v", "verify", "--id", "1234", "--face"])
        .arg(fixture("face.jpg"))
        .arg("--finger")
        .arg(format!("2={}", fixture("finger1.png").display())));
    assert_eq!((code, out.as_str()), (0, "match\n"), "{err}");
    assert!(err.contains("face: matched"), "{err}");
    assert!(err.contains("finger 2 (right-index): matched"), "{err}");
    assert!(
        err.contains("POST http://127.0.0.1"),
        "verbose logs the request: {err}"
    );
    assert!(!err.contains(TEST_KEY), "verbose never logs the key");
    let req = srv.single();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/multibiometrics/verify")
    );
    assert_eq!(
        req.json()["Person"]["Fingers"][0]["Finger-2"],
        b64(&fixture_bytes("finger1.png"))
    );
}

#[test]
fn json_output_is_the_api_response() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(200, ENROLLED)]);
    let (code, out, _) = run(home
        .cmd_at(&srv.url)
        .args(["-o", "json", "enroll", "--id", "1234", "--face"])
        .arg(fixture("face.jpg")));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v,
        serde_json::from_str::<serde_json::Value>(ENROLLED).unwrap()
    );
    assert_eq!(out.lines().count(), 1);
}

#[test]
fn image_from_stdin_with_dash() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(200, ENROLLED)]);
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .args(["enroll", "--id", "1234", "--face", "-"])
        .write_stdin(fixture_bytes("face.jpg")));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        srv.single().json()["Person"]["Face"][0]["Face-1"],
        b64(&fixture_bytes("face.jpg"))
    );
}

#[test]
fn dry_run_sends_nothing_and_shows_no_key_or_image() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(200, ENROLLED)]);
    srv.expect_no_requests();
    for format in ["text", "json"] {
        let (code, out, err) = run(home
            .cmd_at(&srv.url)
            .args([
                "--dry-run",
                "-o",
                format,
                "enroll",
                "--id",
                "1234",
                "--face",
            ])
            .arg(fixture("face.jpg"))
            .arg("--finger")
            .arg(format!("left-thumb={}", fixture("finger1.png").display())));
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("/multibiometrics/enroll"), "{out}");
        assert!(out.contains("[REDACTED]"), "{out}");
        assert!(out.contains("Finger-6"), "{out}");
        assert!(
            out.contains(&fixture_bytes("face.jpg").len().to_string()),
            "size shown: {out}"
        );
        let all = format!("{out}{err}");
        assert!(!all.contains(TEST_KEY), "key leaked in dry run");
        let face_b64 = b64(&fixture_bytes("face.jpg"));
        assert!(
            !all.contains(&face_b64[..40]),
            "image bytes leaked in dry run"
        );
        if format == "json" {
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert_eq!(v["method"], "POST");
            assert_eq!(
                v["body"]["Person"]["Face"][0]["Face-1"]["bytes"],
                fixture_bytes("face.jpg").len()
            );
            assert_eq!(
                v["body"]["Person"]["Face"][0]["Face-1"]["sha256"]
                    .as_str()
                    .unwrap()
                    .len(),
                64
            );
        }
    }
}

/// An answer whose BioPassID holds the key (an echoing server) is a protocol error:
/// never printed (not even as `[REDACTED]`), never journaled as done.
#[test]
fn a_biopass_id_holding_the_key_is_a_protocol_error() {
    let home = Home::new();
    let echo = format!(r#"{{"Person":{{"CustomID":"f","BioPassID":"{TEST_KEY}"}}}}"#);
    let r = Recorder::start(vec![Canned::json(200, &echo)]);
    let (code, out, err) = run(home
        .cmd_at(&r.url)
        .args(["enroll", "--id", "f", "--finger"])
        .arg(format!("1={}", fixture("finger1.png").display())));
    assert_eq!(code, 76, "{err}");
    assert_eq!(out, "");
    assert!(err.contains("contains the API key"), "{err}");
    assert!(!err.contains(TEST_KEY), "{err}");
    assert_eq!(
        r.requests().len(),
        1,
        "an enroll that may have landed is not re-sent"
    );
    // In a batch: the row stays pending (ambiguous), the run stops with 76.
    std::fs::copy(fixture("finger1.png"), home.path().join("f.png")).unwrap();
    let m = home.path().join("m.csv");
    std::fs::write(&m, "id,right-index\nf,f.png\n").unwrap();
    let (code, out, err) = run(home.cmd_at(&r.url).args(["enroll", "--from"]).arg(&m));
    assert_eq!(code, 76, "{err}");
    assert_eq!(out, "");
    let journal = std::fs::read_to_string(format!("{}.enroll.journal", m.display())).unwrap();
    assert!(!journal.contains("\"done\""), "{journal}");
    assert!(!journal.contains("REDACTED"), "{journal}");
    assert!(!journal.contains(TEST_KEY), "{journal}");
    assert!(journal.contains("\"ambiguous\""), "{journal}");
}
