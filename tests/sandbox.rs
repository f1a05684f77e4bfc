//! The sandbox, end to end: the embedded one across separate processes, and
//! `biopass sandbox serve` as a standalone server for other programs.

mod support;

use support::*;

fn sandbox_cmd(home: &Home, args: &[&str]) -> (i32, String, String) {
    run(home.cmd().args(["--env", "sandbox"]).args(args))
}

#[test]
fn full_cycle_across_processes() {
    let home = Home::new();
    let face = fixture("face.jpg").display().to_string();
    let face2 = fixture("face2.jpg").display().to_string();
    let ri = format!("right-index={}", fixture("finger1.png").display());

    let (code, id, err) = sandbox_cmd(
        &home,
        &["enroll", "--id", "1234", "--face", &face, "--finger", &ri],
    );
    assert_eq!(code, 0, "{err}");
    let id = id.trim().to_string();
    assert!(
        !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()),
        "BioPassID: {id}"
    );

    assert_eq!(
        sandbox_cmd(&home, &["verify", "--id", "1234", "--face", &face]).1,
        "match\n"
    );
    assert_eq!(
        sandbox_cmd(&home, &["verify", "--id", "1234", "--finger", &ri]).0,
        0
    );
    let (code, out, _) = sandbox_cmd(&home, &["verify", "--id", "1234", "--face", &face2]);
    assert_eq!((code, out.as_str()), (1, "no match\n"));

    let (code, out, err) = sandbox_cmd(&home, &["update", "--id", "1234", "--face", &face2]);
    assert_eq!(
        (code, out.trim()),
        (0, id.as_str()),
        "update keeps the BioPassID: {err}"
    );
    assert_eq!(
        sandbox_cmd(&home, &["verify", "--id", "1234", "--face", &face2]).0,
        0
    );
    assert_eq!(
        sandbox_cmd(&home, &["verify", "--id", "1234", "--face", &face]).0,
        1
    );

    let (code, out, _) = sandbox_cmd(&home, &["delete", "--id", "1234"]);
    assert_eq!((code, out.as_str()), (0, "1234\n"));
    let (code, out, err) = sandbox_cmd(
        &home,
        &["-o", "json", "verify", "--id", "1234", "--face", &face2],
    );
    assert_eq!(code, 65, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["error"]["kind"], "not_found");

    // The state file holds digests, never images.
    let state = std::fs::read_to_string(home.path().join("sandbox/sandbox.json")).unwrap();
    let face_b64 = b64(&fixture_bytes("face.jpg"));
    assert!(!state.contains(&face_b64[..40]));
}

#[test]
fn duplicate_enroll_in_the_sandbox_is_65() {
    let home = Home::new();
    let face = fixture("face.jpg").display().to_string();
    assert_eq!(
        sandbox_cmd(&home, &["enroll", "--id", "7", "--face", &face]).0,
        0
    );
    let (code, out, err) = sandbox_cmd(
        &home,
        &["-o", "json", "enroll", "--id", "7", "--face", &face],
    );
    assert_eq!(code, 65);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["error"]["kind"], "already_exists", "{err}");
}

#[test]
fn code_70_unusable_sandbox_folder() {
    let home = Home::new();
    let file = home.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let (code, _, err) = run(home
        .cmd()
        .env("BIOPASS_SANDBOX_DIR", &file)
        .args(["--env", "sandbox", "enroll", "--id", "1", "--face"])
        .arg(fixture("face.jpg")));
    assert_eq!(code, 70, "{err}");
    assert!(err.contains("a-file"), "{err}");
}

#[test]
fn serve_prints_url_and_key_and_stops_on_sigterm() {
    let home = Home::new();
    let data = home.path().join("state.json");
    let mut s = serve(
        &home,
        &["--key", "my-local-key", "--data", data.to_str().unwrap()],
    );
    assert!(s.url.starts_with("http://127.0.0.1:"), "{}", s.url);
    assert_eq!(s.key, "my-local-key");
    let (code, _, err) = run(home
        .cmd()
        .env("BIOPASS_ENDPOINT", &s.url)
        .env("BIOPASS_API_KEY", &s.key)
        .args(["enroll", "--id", "42", "--face"])
        .arg(fixture("face.jpg")));
    assert_eq!(code, 0, "{err}");
    // A wrong key gets APIM's 401, mapped to 77.
    let (code, _, err) = run(home
        .cmd()
        .env("BIOPASS_ENDPOINT", &s.url)
        .env("BIOPASS_API_KEY", "wrong-key-zzzz")
        .args(["delete", "--id", "42"]));
    assert_eq!(code, 77, "{err}");
    assert!(err.contains("invalid subscription key"), "{err}");
    std::process::Command::new("kill")
        .args(["-TERM", &s.child.id().to_string()])
        .status()
        .unwrap();
    let status = s.child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "clean stop");
    let state = std::fs::read_to_string(&data).unwrap();
    assert!(state.contains("\"42\""), "state saved at shutdown: {state}");
}

#[test]
fn env_sandbox_with_an_endpoint_uses_the_placeholder_key() {
    let home = Home::new();
    let s = serve(&home, &[]);
    let (code, out, err) = run(home
        .cmd()
        .env("BIOPASS_ENDPOINT", &s.url)
        .args(["--env", "sandbox", "enroll", "--id", "5", "--face"])
        .arg(fixture("face.jpg")));
    assert_eq!(code, 0, "{err}");
    assert!(!out.trim().is_empty());
}
