//! One test per row of the exit-code table (README "Exit codes"), each against a
//! real loopback server or none at all.

mod support;

use std::time::{Duration, Instant};

use support::*;

const ENROLLED: &str = r#"{"Person":{"ClientID":"c-1","CustomID":"1234","BioPassID":"1648"}}"#;

fn enroll_face(home: &Home, url: &str) -> (i32, String, String) {
    run(home
        .cmd_at(url)
        .args(["enroll", "--id", "1234", "--face"])
        .arg(fixture("face.jpg")))
}

#[test]
fn code_0_success() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(200, ENROLLED)]);
    assert_eq!(enroll_face(&home, &srv.url).0, 0);
}

#[test]
fn code_1_verify_no_match() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(
        200,
        r#"{"Person":{"CustomID":"1234","Match":false,"MatchDetails":{"FaceMatched":false,"NonMatchedFingers":[]}}}"#,
    )]);
    let (code, out, _) = run(home
        .cmd_at(&srv.url)
        .args(["verify", "--id", "1234", "--face"])
        .arg(fixture("face.jpg")));
    assert_eq!((code, out.as_str()), (1, "no match\n"));
}

#[test]
fn code_2_usage_errors_send_nothing() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(200, ENROLLED)]);
    srv.expect_no_requests();
    let f = fixture("finger1.png").display().to_string();
    let cases: Vec<Vec<String>> = vec![
        vec!["enroll".into(), "--id".into(), "1".into()],
        vec!["verify".into(), "--id".into(), "1".into()],
        vec![
            "enroll".into(),
            "--id".into(),
            "1".into(),
            "--finger".into(),
            format!("2={f}"),
            "--finger".into(),
            format!("right-index={f}"),
        ],
        vec![
            "enroll".into(),
            "--id".into(),
            "1".into(),
            "--face".into(),
            "-".into(),
            "--finger".into(),
            "2=-".into(),
        ],
        vec![
            "enroll".into(),
            "--id".into(),
            "1".into(),
            "--finger".into(),
            format!("thumb={f}"),
        ],
        vec!["enroll".into(), "--face".into(), f.clone()],
    ];
    for args in cases {
        let (code, out, err) = run(home.cmd_at(&srv.url).args(&args));
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(!err.is_empty());
    }
}

#[test]
fn code_65_api_rejects_the_data() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::text(400, "Invalid JSON format")]);
    let (code, out, err) = enroll_face(&home, &srv.url);
    assert_eq!(code, 65);
    assert!(out.is_empty());
    assert!(err.contains("Invalid JSON format"), "{err}");
    assert_eq!(srv.requests().len(), 1, "a rejection is not retried");
}

#[test]
fn code_65_duplicate_enroll_as_text_or_success_false() {
    for canned in [
        Canned::text(400, "Person with this CustomID already exists"),
        Canned::json(
            200,
            r#"{"Success":false,"Message":"CustomID already exists"}"#,
        ),
    ] {
        let home = Home::new();
        let srv = Recorder::start(vec![canned]);
        let (code, out, err) = run(home
            .cmd_at(&srv.url)
            .args(["-o", "json", "enroll", "--id", "1234", "--face"])
            .arg(fixture("face.jpg")));
        assert_eq!(code, 65, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["error"]["kind"], "already_exists", "{out}");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("already exists")
        );
        assert!(err.contains("already"), "{err}");
    }
}

#[test]
fn code_65_unknown_person() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::text(400, "Person not found")]);
    let (code, out, err) = run(home
        .cmd_at(&srv.url)
        .args(["-o", "json", "delete", "--id", "999"]));
    assert_eq!(code, 65, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["error"],
        serde_json::json!({"kind": "not_found", "status": 400, "message": v["error"]["message"]})
    );
}

#[test]
fn code_65_bad_images_are_refused_before_sending() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(200, ENROLLED)]);
    srv.expect_no_requests();
    let empty = home.path().join("empty.jpg");
    std::fs::write(&empty, b"").unwrap();
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .args(["enroll", "--id", "1", "--face"])
        .arg(fixture("not-an-image.txt")));
    assert_eq!(code, 65);
    assert!(
        err.contains("not-an-image.txt is not a JPEG, PNG, TIFF, BMP or WebP image"),
        "{err}"
    );
    assert!(
        !err.contains("plain text file"),
        "never quote file contents: {err}"
    );
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .args(["enroll", "--id", "1", "--face"])
        .arg(&empty));
    assert_eq!(code, 65);
    assert!(err.contains("empty.jpg is empty"), "{err}");
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .args(["--max-image-bytes", "1000", "enroll", "--id", "1", "--face"])
        .arg(fixture("face.jpg")));
    assert_eq!(code, 65);
    assert!(
        err.contains("face.jpg is larger than the 1000 bytes limit"),
        "{err}"
    );
}

#[test]
fn code_66_missing_file() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(200, ENROLLED)]);
    srv.expect_no_requests();
    let (code, out, err) = run(home
        .cmd_at(&srv.url)
        .args(["enroll", "--id", "1", "--face"])
        .arg(fixture("face.jpg"))
        .args(["--finger", "2=/nonexistent/ri.png"]));
    assert_eq!(code, 66);
    assert!(out.is_empty());
    assert!(
        err.contains("/nonexistent/ri.png") && err.contains("no such file"),
        "{err}"
    );
}

#[test]
fn code_69_connection_refused_is_retried_then_fails() {
    let home = Home::new();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (code, _, err) = enroll_face(&home, &format!("http://127.0.0.1:{port}"));
    assert_eq!(code, 69, "{err}");
    assert!(err.contains("cannot connect to 127.0.0.1"), "{err}");
    assert!(err.contains("attempt 3 of 3"), "retried: {err}");
}

#[test]
fn code_69_ambiguous_5xx_enroll_is_not_resent() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::text(502, "Bad Gateway")]);
    let (code, _, err) = enroll_face(&home, &srv.url);
    assert_eq!(code, 69);
    assert_eq!(
        srv.requests().len(),
        1,
        "an enroll that may have landed is never re-sent"
    );
    assert!(
        err.contains("may have been enrolled") && err.contains("biopass verify --id 1234"),
        "{err}"
    );
}

#[test]
fn code_69_timeout_is_not_resent() {
    let home = Home::new();
    let srv = Recorder::start(vec![
        Canned::json(200, ENROLLED).delayed(Duration::from_secs(3)),
    ]);
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .args(["--timeout", "0.5", "enroll", "--id", "1234", "--face"])
        .arg(fixture("face.jpg")));
    assert_eq!(code, 69, "{err}");
    assert!(
        err.contains("no answer from 127.0.0.1 within 0.5s"),
        "{err}"
    );
    assert_eq!(srv.requests().len(), 1);
}

#[test]
fn code_69_503_is_retried_three_times() {
    let home = Home::new();
    let srv = Recorder::start(vec![
        Canned::json(503, r#"{"statusCode":503,"message":"Service Unavailable"}"#)
            .header("Retry-After", "0"),
    ]);
    let (code, _, err) = enroll_face(&home, &srv.url);
    assert_eq!(code, 69, "{err}");
    assert_eq!(srv.requests().len(), 3);
}

#[test]
fn code_75_rate_limited_with_long_retry_after() {
    let home = Home::new();
    let srv =
        Recorder::start(vec![Canned::json(
        429,
        r#"{"statusCode":429,"message":"Rate limit is exceeded. Try again in 120 seconds."}"#,
    )
    .header("Retry-After", "120")]);
    let started = Instant::now();
    let (code, _, err) = enroll_face(&home, &srv.url);
    assert_eq!(code, 75, "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "did not wait 120 s"
    );
    assert_eq!(srv.requests().len(), 1);
    assert!(err.contains("Rate limit is exceeded"), "{err}");
}

#[test]
fn code_75_quota_exhausted() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(
        403,
        r#"{"statusCode":403,"message":"Out of call volume quota. Quota will be replenished in 10:00:00."}"#,
    )
    .header("Retry-After", "36000")]);
    assert_eq!(enroll_face(&home, &srv.url).0, 75);
}

#[test]
fn rate_limit_then_success() {
    let home = Home::new();
    let srv = Recorder::start(vec![
        Canned::json(
            429,
            r#"{"statusCode":429,"message":"Rate limit is exceeded. Try again in 1 seconds."}"#,
        )
        .header("Retry-After", "1"),
        Canned::json(200, ENROLLED),
    ]);
    let (code, out, err) = enroll_face(&home, &srv.url);
    assert_eq!((code, out.as_str()), (0, "1648\n"), "{err}");
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].body, reqs[1].body, "the retry sends the same bytes");
    assert!(err.contains("retrying in 1.0s"), "{err}");
}

#[test]
fn code_76_redirects_are_not_followed() {
    let home = Home::new();
    let elsewhere = Recorder::start(vec![Canned::json(200, ENROLLED)]);
    elsewhere.expect_no_requests();
    let srv = Recorder::start(vec![Canned::text(307, "").header(
        "Location",
        &format!("{}/multibiometrics/enroll", elsewhere.url),
    )]);
    let (code, out, err) = enroll_face(&home, &srv.url);
    assert_eq!(code, 76, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("redirect") && err.contains("never follows"),
        "{err}"
    );
    assert_eq!(srv.requests().len(), 1);
}

#[test]
fn code_76_unexpected_or_oversized_success() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::text(200, "<html>welcome</html>")]);
    assert_eq!(enroll_face(&home, &srv.url).0, 76);
    let huge = format!(
        r#"{{"Person":{{"BioPassID":"1","Pad":"{}"}}}}"#,
        "x".repeat(1_100_000)
    );
    let srv = Recorder::start(vec![Canned::json(200, &huge)]);
    let (code, _, err) = enroll_face(&home, &srv.url);
    assert_eq!(code, 76);
    assert!(err.contains("larger than 1 MiB"), "{err}");
}

#[test]
fn code_77_key_rejected_and_never_shown() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(
        401,
        r#"{"statusCode":401,"message":"Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."}"#,
    )]);
    for format in ["text", "json"] {
        let (code, out, err) = run(home
            .cmd_at(&srv.url)
            .args(["-vv", "-o", format, "enroll", "--id", "1234", "--face"])
            .arg(fixture("face.jpg")));
        assert_eq!(code, 77, "{err}");
        assert!(err.contains("invalid subscription key"), "{err}");
        assert!(
            !out.contains(TEST_KEY) && !err.contains(TEST_KEY),
            "key leaked"
        );
        if format == "json" {
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert_eq!(
                (v["error"]["kind"].as_str(), v["error"]["status"].as_u64()),
                (Some("key_rejected"), Some(401))
            );
        }
    }
    assert_eq!(srv.requests().len(), 2, "a rejected key is not retried");
}

#[test]
fn code_78_no_key() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(200, ENROLLED)]);
    srv.expect_no_requests();
    let (code, _, err) = run(home
        .cmd()
        .env("BIOPASS_ENDPOINT", &srv.url)
        .args(["enroll", "--id", "1", "--face"])
        .arg(fixture("face.jpg")));
    assert_eq!(code, 78);
    assert!(err.contains("no API key: set BIOPASS_API_KEY"), "{err}");
}

#[test]
fn code_78_a_key_too_short_to_scrub_is_refused_before_sending() {
    // A one-letter key would turn every "k" in server text into [REDACTED] and so
    // show what the key is made of: keys under 8 characters are refused at load.
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(200, ENROLLED)]);
    srv.expect_no_requests();
    for key in ["k", "seven77"] {
        let (code, out, err) = run(home
            .cmd()
            .env("BIOPASS_ENDPOINT", &srv.url)
            .env("BIOPASS_API_KEY", key)
            .args(["enroll", "--id", "1", "--face"])
            .arg(fixture("face.jpg")));
        assert_eq!(code, 78, "{err}");
        assert!(out.is_empty());
        assert!(
            err.contains("the API key from env BIOPASS_API_KEY is shorter than 8 characters"),
            "{err}"
        );
    }
    // The sandbox server refuses such a key too (no client could use it).
    let (code, _, err) = run(home.cmd().args(["sandbox", "serve", "--key", "k"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--key is shorter than 8 characters"), "{err}");
}

#[test]
fn code_78_group_readable_key_file() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(200, ENROLLED)]);
    srv.expect_no_requests();
    let key = home.key_file(TEST_KEY);
    set_mode(&key, 0o640);
    let (code, out, err) = run(home
        .cmd()
        .env("BIOPASS_ENDPOINT", &srv.url)
        .arg("--api-key-file")
        .arg(&key)
        .args(["enroll", "--id", "1", "--face"])
        .arg(fixture("face.jpg")));
    assert_eq!(code, 78);
    assert!(
        err.contains(&format!("fix it with: chmod 600 {}", key.display())),
        "{err}"
    );
    assert!(!err.contains(TEST_KEY) && !out.contains(TEST_KEY));
}

#[test]
fn code_78_group_readable_config_with_key() {
    let home = Home::new();
    let p = home.write_config("[profiles.default]\napi_key = \"abcdefghijklmnop\"\n");
    set_mode(&p, 0o644);
    let (code, _, err) = run(home.cmd().args(["--dry-run", "delete", "--id", "1"]));
    assert_eq!(code, 78);
    assert!(err.contains("chmod 600"), "{err}");
}

#[test]
fn code_78_plain_http_to_a_remote_host_is_refused_before_connecting() {
    let home = Home::new();
    // 192.0.2.1 (TEST-NET-1) would hang if anything tried to connect.
    let started = Instant::now();
    let (code, _, err) = enroll_face(&home, "http://192.0.2.1:8080");
    assert_eq!(code, 78, "{err}");
    assert!(err.contains("refusing plain http to 192.0.2.1"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn code_78_bad_config_names_file_and_line() {
    let home = Home::new();
    let p =
        home.write_config("default_profile = \"default\"\n[profiles.default]\nenv = \"staging\"\n");
    let (code, _, err) = run(home.cmd().args(["config", "show"]));
    assert_eq!(code, 78);
    assert!(
        err.contains(&p.display().to_string()) && err.contains("line 3"),
        "{err}"
    );
    let (code, _, err) =
        run(home
            .cmd()
            .args(["--config", "/nonexistent/biopass.toml", "config", "show"]));
    assert_eq!(code, 78);
    assert!(err.contains("/nonexistent/biopass.toml"), "{err}");
}

#[test]
fn code_130_interrupted() {
    let home = Home::new();
    let srv = Recorder::start(vec![
        Canned::json(200, ENROLLED).delayed(Duration::from_secs(5)),
    ]);
    let mut child = home
        .std_cmd()
        .env("BIOPASS_ENDPOINT", &srv.url)
        .env("BIOPASS_API_KEY", TEST_KEY)
        .args(["enroll", "--id", "1234", "--face"])
        .arg(fixture("face.jpg"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the request is in flight, then Ctrl-C.
    let deadline = Instant::now() + Duration::from_secs(20);
    while srv.requests().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
}

#[test]
fn code_78_ca_cert_that_is_not_a_certificate() {
    let home = Home::new();
    let (code, _, err) = run(home
        .cmd()
        .env("BIOPASS_API_KEY", TEST_KEY)
        .args(["--endpoint", "https://127.0.0.1:9", "--ca-cert"])
        .arg(fixture("not-an-image.txt"))
        .args(["delete", "--id", "1"]));
    assert_eq!(code, 78, "{err}");
    assert!(err.contains("no PEM certificate"), "{err}");
}

#[test]
fn code_78_a_dry_run_checks_the_ca_cert_as_a_real_run_does() {
    let home = Home::new();
    let missing = home.path().join("nonexist.pem");
    for ca in [missing.as_path(), fixture("not-an-image.txt").as_path()] {
        for dry in [true, false] {
            let mut cmd = home.cmd();
            cmd.env("BIOPASS_API_KEY", TEST_KEY)
                .args(["--endpoint", "https://127.0.0.1:9", "--ca-cert"])
                .arg(ca);
            if dry {
                cmd.arg("--dry-run");
            }
            let (code, out, err) = run(cmd.args(["delete", "--id", "1"]));
            assert_eq!(code, 78, "dry {dry} {}: {out}{err}", ca.display());
            assert!(err.contains("CA certificate"), "{err}");
        }
    }
    // The batch's dry run too.
    let m = home.path().join("m.csv");
    std::fs::write(&m, "id\n1\n").unwrap();
    let (code, _, err) = run(home
        .cmd()
        .args([
            "--endpoint",
            "https://127.0.0.1:9",
            "--dry-run",
            "--ca-cert",
        ])
        .arg(&missing)
        .args(["delete", "--from"])
        .arg(&m));
    assert_eq!(code, 78, "{err}");
    assert!(err.contains("cannot read CA certificate"), "{err}");
}

#[test]
fn code_69_sandbox_serve_on_a_port_in_use() {
    let home = Home::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let (code, out, err) = run(home.cmd().args(["sandbox", "serve", "--port", &port]));
    assert_eq!(code, 69, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains(&format!("port {port} on 127.0.0.1 is in use")) && err.contains("--port 0"),
        "{err}"
    );
    assert!(!err.contains("internal error"), "{err}");
    drop(taken);
}

#[test]
fn https_goes_through_the_proxy_as_an_opaque_tunnel() {
    // The proxy sees CONNECT host:443 and nothing else: the images stay inside TLS.
    let home = Home::new();
    let proxy = Recorder::start(vec![Canned::text(403, "no tunnels here")]);
    let (code, _, err) = run(home
        .cmd()
        .env("BIOPASS_API_KEY", TEST_KEY)
        .env("HTTPS_PROXY", &proxy.url)
        .args([
            "--endpoint",
            "https://api.biopass.invalid",
            "enroll",
            "--id",
            "1234",
            "--face",
        ])
        .arg(fixture("face.jpg")));
    assert_ne!(code, 0, "{err}");
    let reqs = proxy.requests();
    assert!(!reqs.is_empty());
    for r in reqs {
        assert_eq!(r.method, "CONNECT");
        assert_eq!(r.path, "api.biopass.invalid:443");
        assert!(r.body.is_empty());
        assert!(
            r.header("ocp-apim-subscription-key").is_none(),
            "the key stays inside TLS"
        );
    }
}

#[test]
fn code_75_quota_is_not_retried_and_a_long_503_is_try_later() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(
        403,
        r#"{"statusCode":403,"message":"Out of call volume quota."}"#,
    )]);
    assert_eq!(enroll_face(&home, &srv.url).0, 75);
    assert_eq!(srv.requests().len(), 1, "a quota refusal is not retried");
    let srv = Recorder::start(vec![
        Canned::json(503, r#"{"statusCode":503,"message":"Service Unavailable"}"#)
            .header("Retry-After", "300"),
    ]);
    let (code, _, err) = enroll_face(&home, &srv.url);
    assert_eq!(code, 75, "{err}");
    assert!(err.contains("wait 300 s"), "{err}");
    assert_eq!(srv.requests().len(), 1);
}

/// `process::exit` is called in `src/bin/biopass/main.rs` only: every other way out (a command's
/// result, clap's --help/--version/usage errors, the panic hook, the second Ctrl-C)
/// goes through `src/bin/biopass/exit.rs`'s mapping and `main.rs`'s `exit`.
#[test]
fn the_process_exits_in_main_rs_only() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    // Split, so that this file does not read as a call.
    let calls = [
        ["process", "::exit("].concat(),
        ["libc::", "_exit("].concat(),
        [".exit", "()"].concat(),
    ];
    let main_rs = root.join("bin/biopass/main.rs");
    let mut found = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") && p != main_rs {
                let text = std::fs::read_to_string(&p).unwrap();
                for c in &calls {
                    if text.contains(c.as_str()) {
                        found.push(format!("{}: {c}", p.display()));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "exits outside main.rs: {found:?}");
    let main = std::fs::read_to_string(&main_rs).unwrap();
    assert_eq!(
        main.matches(calls[0].as_str()).count(),
        1,
        "one process::exit in main.rs"
    );
    assert!(
        !main.contains(calls[2].as_str()),
        "clap's own exit bypasses the table"
    );
}

#[test]
fn help_version_and_clap_usage_errors_exit_through_the_table() {
    let home = Home::new();
    let (code, out, _) = run(home.cmd().arg("--version"));
    assert_eq!(code, 0);
    assert!(out.starts_with("biopass "), "{out}");
    let (code, out, _) = run(home.cmd().arg("--help"));
    assert_eq!(code, 0);
    assert!(out.contains("Exit codes:"), "{out}");
    let (code, out, err) = run(home.cmd().arg("no-such-command"));
    assert_eq!(code, 2);
    assert!(out.is_empty() && err.contains("no-such-command"), "{err}");
}
