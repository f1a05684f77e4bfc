//! Hostile servers: the client must stay bounded, quiet about the key, and precise
//! about what the server's words mean, whatever a server on the other end does.
//! Every test runs the real binary against a real server on 127.0.0.1.

mod support;

use std::time::Duration;

use support::hostile::*;
use support::*;

const ENROLLED: &str = r#"{"Person":{"ClientID":"c","CustomID":"1234","BioPassID":"1648"}}"#;

fn enroll_args() -> Vec<String> {
    vec![
        "enroll".into(),
        "--id".into(),
        "1234".into(),
        "--face".into(),
        fixture("face.jpg").display().to_string(),
    ]
}

#[test]
fn timeout_bounds_a_dripping_body() {
    // Headers at once, then one byte a second of a 63-byte body: `--timeout 2` must
    // end the command long before the body could finish.
    let srv = RawServer::start(drip(200, ENROLLED, Duration::from_secs(1)));
    let home = Home::new();
    let mut cmd = home.std_cmd();
    cmd.env("BIOPASS_ENDPOINT", &srv.url)
        .env("BIOPASS_API_KEY", TEST_KEY)
        .args(["--timeout", "2"])
        .args(enroll_args());
    let (code, took, _, err) = run_within(cmd, Duration::from_secs(10));
    assert!(
        code.is_some(),
        "still running after {took:?}: --timeout 2 did not bound the body"
    );
    assert_eq!(code, Some(69), "{err}");
    assert!(err.contains("within 2"), "{err}");
    assert!(err.contains("may have been enrolled"), "{err}");
    assert_eq!(
        srv.requests().len(),
        1,
        "a timeout after sending is not re-sent"
    );
}

fn echoes_key(status: u16, extra: &'static [(&'static str, &'static str)]) -> RawServer {
    RawServer::start(move |_, s, _| {
        let body = format!("Invalid subscription key {TEST_KEY} for this API");
        let loc = format!("https://evil.example/?k={TEST_KEY}");
        let mut headers: Vec<(&str, &str)> = extra.to_vec();
        headers.push(("Location", &loc));
        headers.push(("Content-Type", "text/plain"));
        let _ = std::io::Write::write_all(s, &answer(status, &headers, &body));
    })
}

#[test]
fn an_echoed_key_never_reaches_stderr_json_or_the_journal() {
    for status in [400, 401, 302, 500] {
        let srv = echoes_key(status, &[]);
        let home = Home::new();
        let (code, out, err) = run(home.cmd_at(&srv.url).arg("-vv").args(enroll_args()));
        assert_ne!(code, 0);
        assert!(!err.contains(TEST_KEY), "{status}: key on stderr: {err}");
        assert!(err.contains("[REDACTED]"), "{status}: {err}");
        let (_, out2, err2) = run(home
            .cmd_at(&srv.url)
            .args(["-o", "json"])
            .args(enroll_args()));
        for text in [&out, &out2, &err2] {
            assert!(!text.contains(TEST_KEY), "{status}: key in output: {text}");
        }
    }
    // The batch journal keeps each failure's message: it must not keep the key.
    let srv = echoes_key(400, &[]);
    let home = Home::new();
    std::fs::copy(fixture("face.jpg"), home.path().join("face.jpg")).unwrap();
    let m = home.path().join("people.csv");
    std::fs::write(&m, "id,face\nA1,face.jpg\n").unwrap();
    let (code, out, err) = run(home.cmd_at(&srv.url).args(["enroll", "--from"]).arg(&m));
    assert_eq!(code, 1, "{err}");
    let journal = std::fs::read_to_string(home.path().join("people.csv.enroll.journal")).unwrap();
    assert!(journal.contains("[REDACTED]"), "{journal}");
    for text in [&journal, &out, &err] {
        assert!(!text.contains(TEST_KEY), "key in batch output: {text}");
    }
}

#[test]
fn not_found_somewhere_in_a_400_is_not_a_missing_person() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::text(400, "Face not found in the image")]);
    let (code, out, err) = run(home
        .cmd_at(&srv.url)
        .args(["-o", "json", "verify", "--id", "1234", "--face"])
        .arg(fixture("face.jpg")));
    assert_eq!(code, 65, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["error"]["kind"], "invalid", "{out}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Face not found in the image"),
        "{out}"
    );
}

#[test]
fn already_exists_after_a_503_says_the_first_attempt_may_have_enrolled() {
    let home = Home::new();
    let srv = Recorder::start(vec![
        Canned::json(503, r#"{"statusCode":503,"message":"Service Unavailable"}"#),
        Canned::text(400, "Person with this CustomID already exists"),
    ]);
    let (code, _, err) = run(home.cmd_at(&srv.url).args(enroll_args()));
    assert_eq!(code, 65, "{err}");
    assert!(
        err.contains("retrying"),
        "the retry is still announced: {err}"
    );
    assert!(
        err.contains("an earlier attempt may have enrolled this person")
            && err.contains("biopass verify --id 1234"),
        "{err}"
    );
    assert_eq!(srv.requests().len(), 2);

    // Delete: a 503 then "not found" may be our own delete.
    let srv = Recorder::start(vec![
        Canned::json(503, r#"{"statusCode":503,"message":"Service Unavailable"}"#),
        Canned::text(400, "Person not found"),
    ]);
    let (code, _, err) = run(home.cmd_at(&srv.url).args(["delete", "--id", "1234"]));
    assert_eq!(code, 65, "{err}");
    assert!(err.contains("an earlier attempt may have deleted"), "{err}");
}

#[test]
fn a_retry_after_date_or_an_overflowing_number_is_too_long_and_ends_at_once() {
    let later = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(3600));
    for ra in [later.as_str(), "99999999999999999999999999", "61"] {
        let home = Home::new();
        let srv = Recorder::start(vec![
            Canned::json(
                429,
                r#"{"statusCode":429,"message":"Rate limit is exceeded."}"#,
            )
            .header("Retry-After", ra),
        ]);
        let (code, _, err) = run(home.cmd_at(&srv.url).args(enroll_args()));
        assert_eq!(code, 75, "{ra}: {err}");
        assert_eq!(
            srv.requests().len(),
            1,
            "{ra}: retried although told to wait: {err}"
        );
        assert!(err.contains("try again later"), "{ra}: {err}");
    }
}

#[test]
fn a_retry_after_date_in_the_past_means_now() {
    let past = httpdate::fmt_http_date(std::time::SystemTime::now() - Duration::from_secs(3600));
    let home = Home::new();
    let srv = Recorder::start(vec![
        Canned::json(
            429,
            r#"{"statusCode":429,"message":"Rate limit is exceeded."}"#,
        )
        .header("Retry-After", &past),
        Canned::json(200, ENROLLED),
    ]);
    let (code, out, err) = run(home.cmd_at(&srv.url).args(enroll_args()));
    assert_eq!((code, out.as_str()), (0, "1648\n"), "{err}");
    assert!(err.contains("retrying in 0.0s"), "{err}");
}

#[test]
fn an_empty_or_huge_biopassid_is_a_protocol_error() {
    let long = "9".repeat(257);
    for bid in ["", long.as_str()] {
        let home = Home::new();
        let body =
            format!(r#"{{"Person":{{"ClientID":"c","CustomID":"1234","BioPassID":"{bid}"}}}}"#);
        let srv = Recorder::start(vec![Canned::json(200, &body)]);
        let (code, out, err) = run(home.cmd_at(&srv.url).args(enroll_args()));
        assert_eq!(code, 76, "len {}: {out} {err}", bid.len());
        assert!(out.is_empty(), "{out}");
        assert!(err.contains("BioPassID"), "{err}");
        assert!(err.contains("may have been enrolled"), "{err}");
        assert_eq!(srv.requests().len(), 1);
    }
}

fn tls_reply() -> Vec<u8> {
    answer(200, &[("Content-Type", "application/json")], ENROLLED)
}

#[test]
fn an_untrusted_certificate_fails_once_and_names_the_fix() {
    let home = Home::new();
    let pki = Pki::new(home.path());
    let srv = TlsServer::start(&pki, tls_reply());
    let (code, _, err) = run(home.cmd_at(&srv.url).args(enroll_args()));
    assert_eq!(code, 78, "{err}");
    assert!(
        err.contains("certificate") && err.contains("--ca-cert"),
        "{err}"
    );
    assert!(!err.contains("retrying"), "{err}");
    assert_eq!(
        srv.connections(),
        1,
        "a certificate failure is not retried: {err}"
    );
}

#[test]
fn a_certificate_for_another_name_names_both_and_not_ca_cert() {
    let home = Home::new();
    let pki = Pki::for_names(home.path(), &["api.other.example", "10.9.8.7"]);
    let srv = TlsServer::start(&pki, tls_reply());
    // Trusted (its CA is given), but made for other names.
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .arg("--ca-cert")
        .arg(&pki.ca_pem)
        .args(enroll_args()));
    assert_eq!(code, 78, "{err}");
    assert!(
        err.contains("not valid for the host name asked for, 127.0.0.1")
            && err.contains("it holds api.other.example, 10.9.8.7"),
        "{err}"
    );
    assert!(err.contains("cannot fix this"), "{err}");
    assert!(!err.contains("pass that CA"), "{err}");
    assert_eq!(srv.connections(), 1, "not retried: {err}");
}

#[test]
fn a_self_signed_server_certificate_given_as_ca_cert_is_named_as_not_a_ca() {
    let home = Home::new();
    let pki = Pki::self_signed_ca_leaf(home.path());
    let srv = TlsServer::start(&pki, tls_reply());
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .arg("--ca-cert")
        .arg(&pki.ca_pem)
        .args(enroll_args()));
    assert_eq!(code, 78, "{err}");
    assert!(
        err.contains("holds the server's (leaf) certificate, not a CA"),
        "{err}"
    );
    assert!(
        err.contains("pass that CA's certificate with --ca-cert"),
        "{err}"
    );
    assert!(!err.contains("if it is signed by a private"), "{err}");
    assert_eq!(srv.connections(), 1, "not retried: {err}");
}

#[test]
fn a_private_ca_works_through_ca_cert() {
    let home = Home::new();
    let pki = Pki::new(home.path());
    let srv = TlsServer::start(&pki, tls_reply());
    let (code, out, err) = run(home
        .cmd_at(&srv.url)
        .arg("--ca-cert")
        .arg(&pki.ca_pem)
        .args(enroll_args()));
    assert_eq!((code, out.as_str()), (0, "1648\n"), "{err}");
}

#[test]
fn a_private_ca_works_through_ssl_cert_file() {
    let home = Home::new();
    let pki = Pki::new(home.path());
    let srv = TlsServer::start(&pki, tls_reply());
    let (code, out, err) = run(home
        .cmd_at(&srv.url)
        .env("SSL_CERT_FILE", &pki.ca_pem)
        .args(enroll_args()));
    assert_eq!((code, out.as_str()), (0, "1648\n"), "{err}");
}

#[test]
fn a_retried_request_resends_the_identical_body_with_its_exact_length() {
    // An image large enough that its base64 spans several of the frames the body is
    // streamed in (192 KiB of image each).
    let home = Home::new();
    // A real JPEG (the client refuses what does not decode) of noise, so it stays large:
    // well over two frames. Sent with --keep-metadata: this test is about the retry.
    let noise = image::RgbImage::from_fn(420, 420, |x, y| {
        let v = (x * 7919 + y * 104_729).wrapping_mul(2_654_435_761) >> 8;
        image::Rgb([v as u8, (v >> 8) as u8, (v >> 16) as u8])
    });
    let mut image = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut image, 95)
        .encode_image(&noise)
        .unwrap();
    assert!(image.len() > 2 * 192 * 1024, "{} bytes", image.len());
    let face = home.path().join("big.jpg");
    std::fs::write(&face, &image).unwrap();
    let srv = RawServer::start(|i, s, _| {
        use std::io::Write;
        let reply = if i == 0 {
            answer(
                503,
                &[("Content-Type", "application/json"), ("Retry-After", "0")],
                r#"{"statusCode":503,"message":"Service Unavailable"}"#,
            )
        } else {
            answer(200, &[("Content-Type", "application/json")], ENROLLED)
        };
        let _ = s.write_all(&reply);
    });
    let (code, _, err) = run(home.cmd_at(&srv.url).args([
        "--keep-metadata",
        "--no-face-check", // noise, not a face: this test is about the retry
        "enroll",
        "--id",
        "1234",
        "--face",
        face.to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{err}");
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 2, "one 503, one retry");
    let want = format!(
        r#"{{"Person":{{"CustomID":"1234","Face":[{{"Face-1":"{}"}}]}}}}"#,
        b64(&image)
    );
    for r in &reqs {
        let head = r.head.to_ascii_lowercase();
        assert!(
            head.contains(&format!("\r\ncontent-length: {}\r\n", want.len())),
            "{}",
            r.head
        );
        assert!(!head.contains("transfer-encoding"), "{}", r.head);
        assert!(r.body == want.as_bytes(), "the body is the exact JSON");
    }
    assert!(
        reqs[0].body == reqs[1].body,
        "the re-send is byte-identical"
    );
}

#[test]
fn a_fifo_or_device_is_refused_at_once_not_waited_on() {
    // A FIFO without a writer used to block biopass in open() for ever (and SIGTERM
    // only set the stop flag). Images and manifests must be regular files; pipes are
    // what `-` is for.
    let home = Home::new();
    let fifo = home.path().join("face.jpg");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let srv = Recorder::start(vec![Canned::json(200, ENROLLED)]);
    srv.expect_no_requests();
    let face = fifo.to_str().unwrap();
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .args(["enroll", "--id", "1", "--face", face]));
    assert_eq!(code, 66, "{err}");
    assert!(err.contains("not a regular file"), "{err}");
    let (code, out, err) = run(home.cmd().args(["check", face]));
    assert_eq!(code, 66, "{out}{err}");
    let (code, _, err) =
        run(home
            .cmd_at(&srv.url)
            .args(["enroll", "--id", "1", "--face", "/dev/zero"]));
    assert_eq!(code, 66, "{err}");
    let manifest = home.path().join("m.csv");
    std::fs::write(&manifest, format!("id,face\n1,{face}\n")).unwrap();
    let (code, _, err) =
        run(home
            .cmd_at(&srv.url)
            .args(["enroll", "--from", manifest.to_str().unwrap()]));
    assert_eq!(code, 65, "{err}");
    assert!(
        err.contains("m.csv:2") && err.contains("not a regular file"),
        "{err}"
    );
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .args(["enroll", "--format", "csv", "--from", face]));
    assert_eq!(code, 66, "{err}");
    assert!(srv.requests().is_empty());
}
