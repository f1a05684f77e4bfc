//! The contract with scripts, where it used to break: journals bound to their target,
//! closed pipes, run-level failures in a batch, journals that are not journals, and
//! results printed whole. Each test runs the real binary against real servers on
//! 127.0.0.1.

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use support::*;

/// A manifest of `n` people (ids P0000...), every face a copy of the fixture.
fn manifest(dir: &Path, n: usize) -> PathBuf {
    std::fs::copy(fixture("face.jpg"), dir.join("face.jpg")).unwrap();
    let mut s = String::from("id,face\n");
    for i in 0..n {
        s.push_str(&format!("P{i:04},face.jpg\n"));
    }
    let p = dir.join("people.csv");
    std::fs::write(&p, s).unwrap();
    p
}

fn enrolls(s: &Served) -> BTreeMap<String, u64> {
    serde_json::from_value(s.stats()["enrolls"].clone()).unwrap()
}

fn journal_of(m: &Path) -> PathBuf {
    PathBuf::from(format!("{}.enroll.journal", m.display()))
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_journal_never_vouches_for_another_target() {
    let home = Home::new();
    let m = manifest(home.path(), 5);
    // All five enrolled in the embedded sandbox...
    let (code, _, err) = run(home
        .cmd()
        .args(["--env", "sandbox", "enroll", "--from"])
        .arg(&m));
    assert_eq!(code, 0, "{err}");
    // ... says nothing about another service: the run is refused, nothing is sent,
    // and the message names both targets and the way out.
    let s = serve(&home, &[]);
    let sum = home.path().join("s.json");
    // A loose mode and a torn tail: a refused run must change neither.
    let j = journal_of(&m);
    let mut bytes = std::fs::read(&j).unwrap();
    bytes.extend_from_slice(b"{\"event\":\"sta");
    std::fs::write(&j, &bytes).unwrap();
    set_mode(&j, 0o644);
    let (code, out, err) = run(s
        .cmd(&home)
        .args(["enroll", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(&sum));
    assert_eq!(code, 78, "{err}");
    assert!(
        std::fs::read(&j).unwrap() == bytes,
        "the refused journal was changed"
    );
    assert_eq!(mode(&j), 0o644, "the refused journal was chmod'ed");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("embedded sandbox") && err.contains(&s.url) && err.contains("--journal"),
        "{err}"
    );
    assert_eq!(s.stats()["requests"], 0, "nothing was sent");
    assert!(!sum.exists(), "refused before any row was looked at");
    // With a journal of its own, the other target gets everyone.
    let (code, _, err) = run(s
        .cmd(&home)
        .args(["enroll", "--from"])
        .arg(&m)
        .arg("--journal")
        .arg(home.path().join("served.journal")));
    assert_eq!(code, 0, "{err}");
    assert_eq!(enrolls(&s).len(), 5);
    // And the journal records where it was sent.
    let text = std::fs::read_to_string(journal_of(&m)).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["event"], "run");
    assert!(
        first["target"]
            .as_str()
            .unwrap()
            .starts_with("embedded sandbox"),
        "{first}"
    );
    assert_eq!(first["env"], "sandbox");
}

#[test]
fn a_closed_stdout_stops_the_batch_with_74_and_the_resume_finishes() {
    let home = Home::new();
    let m = manifest(home.path(), 200);
    // Every request is applied at once and answered 300 ms later; four are in
    // flight when the pipe closes.
    let s = serve(&home, &["--hang", "1", "--hang-ms", "300"]);
    let mut child = s
        .std_cmd(&home)
        .args(["enroll", "--jobs", "4", "--from"])
        .arg(&m)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `| head -1`: read one row, then close the pipe.
    let mut rows = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    rows.read_line(&mut first).unwrap();
    assert!(first.contains("\tenrolled\t"), "{first}");
    drop(rows);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(74), "{err}");
    assert!(err.contains("standard output"), "{err}");
    assert!(
        err.contains("pending"),
        "the summary is still printed: {err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    let sent = enrolls(&s).len();
    assert!(sent < 200, "stopped launching rows ({sent} enrolled)");
    // Nothing lost: the same command finishes the rest. The requests in flight when
    // the pipe closed were let finish and journaled, so the resume sends each
    // remaining row once and none meets "already exists" (no `reconciled` row whose
    // BioPassID would be lost, no `failed` duplicate).
    let (code, out, err) = run(s
        .cmd(&home)
        .args(["enroll", "--jobs", "8", "--from"])
        .arg(&m));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 200 - sent, "{err}");
    assert!(
        out.lines()
            .all(|l| l.split('\t').nth(1) == Some("enrolled")),
        "{out}"
    );
    assert_eq!(enrolls(&s).len(), 200);
    // Every row of the journal has its BioPassID.
    let (code, report, err) = run(home
        .cmd()
        .args(["-o", "json", "report"])
        .arg(journal_of(&m)));
    assert_eq!(code, 0, "{err}");
    let with_id = report
        .lines()
        .filter(|l| !l.contains("\"biopass_id\":null"))
        .count();
    assert_eq!(with_id, 200, "{report}");
}

/// Spawn with stdout a pipe whose reading end is already closed.
fn with_closed_stdout(cmd: &mut std::process::Command) -> (Option<i32>, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_stdout_is_never_exit_0() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::json(
        200,
        r#"{"Person":{"ClientID":"c","CustomID":"1","BioPassID":"77"}}"#,
    )]);
    // A result that cannot be delivered: 74, one line on stderr.
    let mut enroll = home.std_cmd();
    enroll
        .env("BIOPASS_ENDPOINT", &srv.url)
        .env("BIOPASS_API_KEY", TEST_KEY)
        .args(["enroll", "--id", "1", "--face"])
        .arg(fixture("face.jpg"));
    let (code, err) = with_closed_stdout(&mut enroll);
    assert_eq!(code, Some(74), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // An error whose JSON document cannot be written keeps its own code.
    let mut no_key = home.std_cmd();
    no_key
        .env("BIOPASS_ENDPOINT", &srv.url)
        .args(["-o", "json", "delete", "--id", "1"]);
    let (code, err) = with_closed_stdout(&mut no_key);
    assert_eq!(code, Some(78), "{err}");
}

#[test]
fn a_wrong_base_path_stops_the_batch_and_leaves_rows_pending() {
    let home = Home::new();
    let m = manifest(home.path(), 50);
    let gateway = Recorder::start(vec![Canned::json(
        404,
        r#"{"statusCode":404,"message":"Resource not found"}"#,
    )]);
    let sum = home.path().join("s.json");
    let (code, _, err) = run(home
        .cmd_at(&gateway.url)
        .args(["enroll", "--jobs", "2", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(&sum));
    assert_eq!(code, 78, "{err}");
    assert!(err.contains("check --endpoint"), "{err}");
    assert!(gateway.requests().len() <= 2, "stopped at once");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sum).unwrap()).unwrap();
    assert_eq!(
        (v["pending"].as_u64(), v["failed"].as_u64()),
        (Some(50), Some(0))
    );
    assert_eq!(v["stopped"], "config");
    assert_eq!(v["exit_code"], 78);
    let journal = std::fs::read_to_string(journal_of(&m)).unwrap();
    assert!(!journal.contains("\"state\":\"failed\""), "{journal}");
    // The endpoint fixed: the same command (same journal) sends everyone, without
    // --retry-failed. A journal that vouches for nothing may change target.
    let s = serve(&home, &[]);
    let (code, out, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 50);
    assert_eq!(enrolls(&s).len(), 50);
}

#[test]
fn a_redirect_stops_the_batch_with_76() {
    let home = Home::new();
    let m = manifest(home.path(), 30);
    let srv = Recorder::start(vec![
        Canned::text(307, "").header("Location", "https://elsewhere.example/enroll"),
    ]);
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .args(["enroll", "--jobs", "2", "--from"])
        .arg(&m));
    assert_eq!(code, 76, "{err}");
    assert!(srv.requests().len() <= 2, "stopped at once");
    assert!(err.contains("30 pending"), "{err}");
}

#[test]
fn a_rejected_key_then_the_right_one_resumes_on_the_same_journal() {
    let home = Home::new();
    let m = manifest(home.path(), 20);
    let s = serve(&home, &["--key", "the-right-key"]);
    let (code, _, err) = run(home
        .cmd()
        .env("BIOPASS_ENDPOINT", &s.url)
        .env("BIOPASS_API_KEY", "a-wrong-key-zzzz")
        .args(["enroll", "--from"])
        .arg(&m));
    assert_eq!(code, 77, "{err}");
    let (code, _, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
    assert_eq!(code, 0, "{err}");
    assert_eq!(enrolls(&s).len(), 20);
}

#[test]
fn a_file_that_is_not_a_journal_is_left_untouched() {
    let home = Home::new();
    let m = manifest(home.path(), 3);
    let s = serve(&home, &[]);
    let precious = home.path().join("notes.txt");
    std::fs::write(&precious, "my notes, no newline at the end").unwrap();
    set_mode(&precious, 0o644);
    let (code, _, err) = run(s
        .cmd(&home)
        .args(["enroll", "--from"])
        .arg(&m)
        .arg("--journal")
        .arg(&precious));
    assert_eq!(code, 74, "{err}");
    assert!(err.contains("not a biopass journal"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&precious).unwrap(),
        "my notes, no newline at the end"
    );
    assert_eq!(mode(&precious), 0o644, "not chmod'ed");
    // Through a symbolic link: refused, and the file it points at keeps its mode.
    let link = home.path().join("link.journal");
    std::os::unix::fs::symlink(&precious, &link).unwrap();
    let (code, _, err) = run(s
        .cmd(&home)
        .args(["enroll", "--from"])
        .arg(&m)
        .arg("--journal")
        .arg(&link));
    assert_eq!(code, 74, "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(mode(&precious), 0o644, "not chmod'ed through the link");
    assert_eq!(s.stats()["requests"], 0);
}

#[test]
fn a_dry_run_writes_nothing_but_its_summary() {
    let home = Home::new();
    let m = manifest(home.path(), 4);
    let s = serve(&home, &[]);
    assert_eq!(run(s.cmd(&home).args(["enroll", "--from"]).arg(&m)).0, 0);
    let j = journal_of(&m);
    let mut text = std::fs::read(&j).unwrap();
    text.extend_from_slice(b"{\"event\":\"start\",\"li");
    std::fs::write(&j, &text).unwrap();
    set_mode(&j, 0o644);
    let (code, out, err) = run(s.cmd(&home).args(["--dry-run", "enroll", "--from"]).arg(&m));
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("torn line"), "{err}");
    // Nothing else is written; the summary asked for is (it is the dry run's result).
    let sum = home.path().join("dry-summary.json");
    let (code, _, err) = run(s
        .cmd(&home)
        .args(["--dry-run", "enroll", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(&sum));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sum).unwrap()).unwrap();
    assert_eq!(v["dry_run"], true, "{v}");
    assert_eq!(v["exit_code"], 0, "{v}");
    assert_eq!(v["requests"], 0, "{v}");
    assert_eq!(
        std::fs::read(&j).unwrap(),
        text,
        "the torn tail is still there"
    );
    assert_eq!(mode(&j), 0o644, "not chmod'ed");
}

#[test]
fn an_unreachable_service_is_named_in_the_summary() {
    let home = Home::new();
    let m = manifest(home.path(), 3);
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sum = home.path().join("s.json");
    let (code, _, err) = run(home
        .cmd_at(&format!("http://127.0.0.1:{port}"))
        .args(["--connect-timeout", "1", "enroll", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(&sum));
    assert_eq!(code, 75, "{err}");
    assert!(
        err.contains("3 pending") && err.contains("cannot connect"),
        "{err}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sum).unwrap()).unwrap();
    assert!(
        v["last_error"].as_str().unwrap().contains("cannot connect"),
        "{v}"
    );
}

#[test]
fn the_summary_is_written_when_the_manifest_is_invalid() {
    let home = Home::new();
    let m = home.path().join("bad.csv");
    std::fs::write(&m, "id,face\n1,missing.jpg\n").unwrap();
    let sum = home.path().join("s.json");
    let (code, _, err) = run(home
        .cmd()
        .args(["--env", "sandbox", "enroll", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(&sum));
    assert_eq!(code, 65, "{err}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sum).unwrap()).unwrap();
    assert_eq!(
        (v["exit_code"].as_u64(), v["invalid"].as_u64()),
        (Some(65), Some(1))
    );
    assert!(!journal_of(&m).exists(), "a refused run leaves no journal");
}

#[test]
fn results_are_printed_whole_and_outside_text_is_clean() {
    let home = Home::new();
    let long_id = "7".repeat(250);
    let srv = Recorder::start(vec![
        Canned::json(
            200,
            &format!(r#"{{"Person":{{"ClientID":"c","CustomID":"1","BioPassID":"{long_id}"}}}}"#),
        ),
        Canned::text(400, "Bad \u{202E}txet\u{2066} here\x1b[31m"),
    ]);
    let (code, out, err) = run(home
        .cmd_at(&srv.url)
        .args(["enroll", "--id", "1", "--face"])
        .arg(fixture("face.jpg")));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, format!("{long_id}\n"), "the whole BioPassID");
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .args(["enroll", "--id", "2", "--face"])
        .arg(fixture("face.jpg")));
    assert_eq!(code, 65, "{err}");
    for c in ['\u{202E}', '\u{2066}', '\x1b'] {
        assert!(!err.contains(c), "{c:?} reached the terminal: {err:?}");
    }
}

#[test]
fn a_biopassid_that_would_print_differently_is_not_a_result() {
    let home = Home::new();
    for bid in ["\\u202e", "\\u0007\\u0007", "16\\u000748"] {
        let srv = Recorder::start(vec![Canned::json(
            200,
            &format!(r#"{{"Person":{{"ClientID":"c","CustomID":"1","BioPassID":"{bid}"}}}}"#),
        )]);
        let (code, out, err) = run(home
            .cmd_at(&srv.url)
            .args(["enroll", "--id", "1", "--face"])
            .arg(fixture("face.jpg")));
        assert_eq!(code, 76, "{bid}: {out:?} {err}");
        assert!(out.is_empty(), "{bid}: {out:?}");
    }
}

#[test]
fn the_key_is_scrubbed_from_json_keys_and_from_behind_control_characters() {
    let home = Home::new();
    let split = format!("{}\u{7}{}", &TEST_KEY[..6], &TEST_KEY[6..]);
    let srv = Recorder::start(vec![
        Canned::json(
            200,
            &format!(
                r#"{{"Person":{{"ClientID":"c","CustomID":"1","BioPassID":"9"}},"{TEST_KEY}":1}}"#
            ),
        ),
        Canned::text(400, &format!("bad key {split}")),
    ]);
    for _ in 0..2 {
        let (_, out, err) = run(home
            .cmd_at(&srv.url)
            .args(["-o", "json", "enroll", "--id", "1", "--face"])
            .arg(fixture("face.jpg")));
        for (name, text) in [("stdout", &out), ("stderr", &err)] {
            assert!(!text.contains(TEST_KEY), "{name}: {text}");
            assert!(!text.contains(&TEST_KEY[6..]), "{name}: {text}");
        }
    }
}

#[test]
fn a_plain_404_stops_the_batch_as_a_wrong_endpoint() {
    let home = Home::new();
    let m = manifest(home.path(), 10);
    let srv = Recorder::start(vec![Canned::text(404, "<html>Not Found</html>")]);
    let (code, _, err) = run(home
        .cmd_at(&srv.url)
        .args(["enroll", "--jobs", "1", "--from"])
        .arg(&m));
    assert_eq!(code, 78, "{err}");
    assert_eq!(srv.requests().len(), 1, "stopped at once");
    assert!(err.contains("10 pending"), "{err}");
}

#[test]
fn a_closed_stderr_does_not_abort() {
    let home = Home::new();
    let m = manifest(home.path(), 5);
    let s = serve(&home, &[]);
    let mut child = s
        .std_cmd(&home)
        .args(["enroll", "--from"])
        .arg(&m)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 5);
}

#[test]
fn delete_prints_the_id_asked_for_and_json_escapes_bidi_controls() {
    let home = Home::new();
    // An answer about someone else is refused (issue 14, item 6: it used to print the
    // id asked for and exit 0).
    let srv = Recorder::start(vec![Canned::json(
        200,
        r#"{"Person":{"CustomID":"someone-else\u202e"}}"#,
    )]);
    let (code, out, err) = run(home.cmd_at(&srv.url).args(["delete", "--id", "1234"]));
    assert_eq!((code, out.as_str()), (76, ""), "{err}");
    assert!(!err.contains('\u{202e}'), "{err:?}");
    let srv = Recorder::start(vec![Canned::json(
        200,
        r#"{"Person":{"CustomID":"1234"},"Note":"\u202e"}"#,
    )]);
    let (code, out, err) = run(home.cmd_at(&srv.url).args(["delete", "--id", "1234"]));
    assert_eq!((code, out.as_str()), (0, "1234\n"), "{err}");
    let (code, out, err) = run(home
        .cmd_at(&srv.url)
        .args(["-o", "json", "delete", "--id", "1234"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        !out.contains('\u{202e}') && out.contains("\\u202e"),
        "{out:?}"
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["Note"], "\u{202e}");
}

#[test]
fn config_init_never_writes_through_a_link() {
    let home = Home::new();
    let dir = home.config_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let target = home.path().join("elsewhere.toml");
    std::os::unix::fs::symlink(&target, dir.join("config.toml")).unwrap();
    // A dangling link counts as an existing file...
    let (code, _, err) = run(home.cmd().args(["config", "init"]));
    assert_eq!(code, 78, "{err}");
    assert!(!target.exists(), "created through the link");
    // ... and --force replaces the link itself.
    let (code, _, err) = run(home.cmd().args(["config", "init", "--force"]));
    assert_eq!(code, 0, "{err}");
    assert!(!target.exists(), "written through the link");
    assert!(
        !std::fs::symlink_metadata(dir.join("config.toml"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn a_summary_that_cannot_be_written_does_not_hide_the_error() {
    let home = Home::new();
    let m = home.path().join("bad.csv");
    std::fs::write(&m, "id,face\n1,missing.jpg\n").unwrap();
    let (code, _, err) = run(home
        .cmd()
        .args(["--env", "sandbox", "enroll", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(home.path()));
    assert_eq!(code, 65, "{err}");
    assert!(
        err.contains("invalid row") && err.contains("cannot write summary"),
        "{err}"
    );
}
