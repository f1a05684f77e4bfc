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

    // The state holds digests, never images.
    assert_no_images(
        &home.path().join("sandbox"),
        &["face.jpg", "face2.jpg", "finger1.png"],
    );
}

/// Every sandbox file in `dir` is text holding none of the images, neither their
/// bytes nor their base64, and the log holds the images' digests instead.
fn assert_no_images(dir: &std::path::Path, images: &[&str]) {
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8(bytes.clone())
            .unwrap_or_else(|_| panic!("{} is not text", path.display()));
        for name in images {
            let image = fixture_bytes(name);
            assert!(
                !bytes
                    .windows(32)
                    .any(|w| w == &image[image.len() / 2..][..32]),
                "bytes of {name} in {}",
                path.display()
            );
            assert!(
                !text.contains(&b64(&image)[40..80]),
                "base64 of {name} in {}",
                path.display()
            );
        }
        files += 1;
    }
    assert!(files > 0);
    let log = std::fs::read_to_string(dir.join("sandbox.log")).unwrap();
    let digest = sha256_hex(&fixture_bytes(images[0]));
    assert!(
        log.contains(&digest),
        "no digest of {} in the log: {log}",
        images[0]
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A manifest `name` of people `ids`, each with the fixture face (a copy beside it).
fn manifest(home: &Home, name: &str, ids: impl Iterator<Item = String>) -> std::path::PathBuf {
    std::fs::copy(fixture("face.jpg"), home.path().join("face.jpg")).unwrap();
    let mut s = String::from("id,face\n");
    for id in ids {
        s.push_str(&format!("{id},face.jpg\n"));
    }
    let p = home.path().join(name);
    std::fs::write(&p, s).unwrap();
    p
}

/// Run batches over `manifests` at the same time, each its own process (and its own
/// journal) against the one embedded sandbox folder; their stdout, concatenated.
fn concurrent_batches(home: &Home, manifests: &[std::path::PathBuf]) -> String {
    let children: Vec<_> = manifests
        .iter()
        .map(|m| {
            home.std_cmd()
                .args(["--env", "sandbox", "enroll", "--from"])
                .arg(m)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut out = String::new();
    for child in children {
        let o = child.wait_with_output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8(o.stdout).unwrap(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        );
        assert!(
            stderr.contains("rows:") && !stderr.contains("panicked"),
            "{stderr}"
        );
        out.push_str(&stdout);
    }
    out
}

/// `(CustomID, BioPassID)` of each `enrolled` line of a batch's output.
fn enrolled(out: &str) -> Vec<(String, u64)> {
    out.lines()
        .filter_map(|l| {
            let cols: Vec<_> = l.split('\t').collect();
            (cols.get(1) == Some(&"enrolled"))
                .then(|| (cols[0].to_string(), cols[2].parse().unwrap()))
        })
        .collect()
}

fn persons(home: &Home) -> u64 {
    let (code, out, err) = run(home.cmd().args(["-o", "json", "sandbox", "status"]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["persons"].as_u64().unwrap()
}

#[test]
fn concurrent_processes_lose_no_enroll() {
    let home = Home::new();
    const N: usize = 80;
    let ms: Vec<_> = ["a", "b", "c"]
        .iter()
        .map(|p| {
            manifest(
                &home,
                &format!("{p}.csv"),
                (0..N).map(|i| format!("{p}{i}")),
            )
        })
        .collect();
    let out = concurrent_batches(&home, &ms);
    let got = enrolled(&out);
    assert_eq!(got.len(), 3 * N, "every row enrolled: {out}");
    // Every BioPassID handed out once: no process worked from a stale copy.
    let mut ids: Vec<u64> = got.iter().map(|(_, b)| *b).collect();
    ids.sort();
    assert_eq!(ids, (1..=3 * N as u64).collect::<Vec<_>>());
    assert_eq!(persons(&home), 3 * N as u64, "all present afterwards");
    assert_no_images(&home.path().join("sandbox"), &["face.jpg"]);
}

#[test]
fn the_same_id_from_two_processes_is_enrolled_once() {
    let home = Home::new();
    const N: usize = 80;
    let ms: Vec<_> = ["one.csv", "two.csv"]
        .iter()
        .map(|name| manifest(&home, name, (0..N).map(|i| format!("S{i}"))))
        .collect();
    let out = concurrent_batches(&home, &ms);
    let mut got = enrolled(&out);
    got.sort();
    let ids: Vec<_> = got.iter().map(|(id, _)| id.clone()).collect();
    let mut want: Vec<_> = (0..N).map(|i| format!("S{i}")).collect();
    want.sort();
    assert_eq!(ids, want, "each id enrolled by exactly one process: {out}");
    assert_eq!(
        out.lines()
            .filter(|l| l.contains("\talready_exists\t"))
            .count(),
        N,
        "the other process was told it exists: {out}"
    );
    assert_eq!(persons(&home), N as u64);
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

#[test]
fn a_crash_mid_append_loses_nothing_before_it() {
    let home = Home::new();
    let face = fixture("face.jpg").display().to_string();
    for id in ["T1", "T2"] {
        assert_eq!(
            sandbox_cmd(&home, &["enroll", "--id", id, "--face", &face]).0,
            0
        );
    }
    // What a process killed half-way through writing a record leaves behind.
    let log = home.path().join("sandbox/sandbox.log");
    let mut bytes = std::fs::read(&log).unwrap();
    // (Longer than the record that replaces it: a record with many fingers.)
    bytes.extend_from_slice(
        br#"{"enroll":{"id":"T3","biopass_id":3,"bio":{"faces":[],"fingers":{"1":""#,
    );
    bytes.extend_from_slice(&[b'a'; 300]);
    std::fs::write(&log, &bytes).unwrap();
    assert_eq!(persons(&home), 2, "the earlier records are read");
    let (code, out, err) = sandbox_cmd(&home, &["enroll", "--id", "T3", "--face", &face]);
    assert_eq!((code, out.trim()), (0, "3"), "{err}");
    assert_eq!(persons(&home), 3);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.ends_with('\n') && text.lines().count() == 4, "{text}");
    assert_eq!(
        sandbox_cmd(&home, &["verify", "--id", "T1", "--face", &face]).1,
        "match\n"
    );
}
