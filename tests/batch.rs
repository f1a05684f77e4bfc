//! Batch runs against `biopass sandbox serve`: faults, crashes, resumes, and the
//! promise that nobody is enrolled twice and nobody is skipped.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use support::*;

/// A manifest of `n` people (ids P0000...), every face a copy of the fixture.
fn manifest(dir: &Path, n: usize) -> PathBuf {
    std::fs::copy(fixture("face.jpg"), dir.join("face.jpg")).unwrap();
    std::fs::copy(fixture("finger1.png"), dir.join("ri.png")).unwrap();
    let mut s = String::from("id,face,right-index\n");
    for i in 0..n {
        let finger = if i % 3 == 0 { "ri.png" } else { "" };
        s.push_str(&format!("P{i:04},face.jpg,{finger}\n"));
    }
    let p = dir.join("people.csv");
    std::fs::write(&p, s).unwrap();
    p
}

fn enrolls(s: &Served) -> BTreeMap<String, u64> {
    serde_json::from_value(s.stats()["enrolls"].clone()).unwrap()
}

fn assert_exactly_once(s: &Served, n: usize) {
    let e = enrolls(s);
    assert_eq!(e.len(), n, "every row enrolled");
    let twice: Vec<_> = e.iter().filter(|(_, c)| **c != 1).collect();
    assert!(twice.is_empty(), "enrolled more than once: {twice:?}");
}

#[test]
fn clean_run_prints_a_line_per_row_and_rerun_sends_nothing() {
    let home = Home::new();
    let m = manifest(home.path(), 20);
    let s = serve(&home, &[]);
    let sum = home.path().join("summary.json");
    let (code, out, err) = run(s
        .cmd(&home)
        .args(["enroll", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(&sum));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 20);
    for line in out.lines() {
        let cols: Vec<_> = line.split('\t').collect();
        assert_eq!(cols.len(), 3, "{line}");
        assert_eq!(cols[1], "enrolled");
        assert!(cols[2].parse::<u64>().is_ok(), "BioPassID in {line}");
    }
    assert!(
        err.contains(&format!("journal: {}.enroll.journal", m.display())),
        "{err}"
    );
    let v = summary(&sum);
    assert_eq!(
        (
            v["total"].as_u64(),
            v["succeeded"].as_u64(),
            v["exit_code"].as_u64()
        ),
        (Some(20), Some(20), Some(0))
    );
    assert_adds_up(&v);
    assert_exactly_once(&s, 20);

    let before = s.stats()["requests"].as_u64().unwrap();
    let (code, out, err) = run(s
        .cmd(&home)
        .args(["enroll", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(&sum));
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("nothing to do"), "{err}");
    assert_eq!(
        s.stats()["requests"].as_u64().unwrap(),
        before,
        "a re-run after success sends nothing"
    );
    assert_eq!(summary(&sum)["already_done"], 20);

    // The journal is private and holds no image data.
    use std::os::unix::fs::PermissionsExt;
    let j = PathBuf::from(format!("{}.enroll.journal", m.display()));
    assert_eq!(
        std::fs::metadata(&j).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let text = std::fs::read_to_string(&j).unwrap();
    assert!(!text.contains(&b64(&fixture_bytes("face.jpg"))[..40]));
    assert!(!text.contains(&s.key));
}

#[test]
fn json_lines_output_and_jsonl_manifest() {
    let home = Home::new();
    std::fs::copy(fixture("face.jpg"), home.path().join("f.jpg")).unwrap();
    std::fs::copy(fixture("finger2.png"), home.path().join("li.png")).unwrap();
    let m = home.path().join("m.jsonl");
    std::fs::write(&m, "{\"id\":\"a\",\"face\":[\"f.jpg\"],\"fingers\":{\"left-index\":\"li.png\"}}\n{\"id\":\"b\",\"face\":\"f.jpg\"}\n").unwrap();
    let s = serve(&home, &[]);
    let (code, out, err) = run(s
        .cmd(&home)
        .args(["-o", "json", "enroll", "--from"])
        .arg(&m));
    assert_eq!(code, 0, "{err}");
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    for r in &rows {
        assert_eq!(r["outcome"], "enrolled");
        assert!(r["biopass_id"].is_string() && r["error"].is_null() && r["line"].is_u64());
    }
    // Then verify the person, single-command, to prove the finger went to slot 7.
    let (code, _, err) = run(s
        .cmd(&home)
        .args(["verify", "--id", "a", "--finger"])
        .arg(format!("7={}", fixture("finger2.png").display())));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn invalid_manifest_sends_nothing_and_lists_every_problem() {
    let home = Home::new();
    std::fs::copy(fixture("face.jpg"), home.path().join("face.jpg")).unwrap();
    std::fs::copy(fixture("not-an-image.txt"), home.path().join("notes.txt")).unwrap();
    let m = home.path().join("bad.csv");
    std::fs::write(
        &m,
        "id,face\n1,face.jpg\n2,missing.jpg\n3,notes.txt\n1,face.jpg\n4,\n5,face.jpg\n",
    )
    .unwrap();
    let s = serve(&home, &[]);
    let (code, out, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
    assert_eq!(code, 65, "{err}");
    assert!(out.is_empty());
    for needle in [
        ":3:",
        "missing.jpg",
        ":4:",
        "notes.txt",
        ":5:",
        "duplicate id '1' (first on line 2)",
        ":6:",
        "no image",
    ] {
        assert!(err.contains(needle), "{needle} in {err}");
    }
    assert_eq!(s.stats()["requests"], 0, "nothing sent");
    assert!(
        !home.path().join("bad.csv.enroll.journal").exists(),
        "no journal left behind"
    );

    // --skip-invalid records them as failed and runs the rest: exit 1.
    let sum = home.path().join("s.json");
    let (code, out, err) = run(s
        .cmd(&home)
        .args(["enroll", "--skip-invalid", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(&sum));
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        out.lines().filter(|l| l.contains("\tenrolled\t")).count(),
        2
    );
    assert_eq!(out.lines().filter(|l| l.contains("\tinvalid\t")).count(), 4);
    let v = summary(&sum);
    assert_eq!(
        (v["succeeded"].as_u64(), v["invalid"].as_u64()),
        (Some(2), Some(4))
    );
    assert_adds_up(&v);
}

#[test]
fn mixed_faults_end_with_everyone_enrolled_exactly_once() {
    let home = Home::new();
    let n = 300;
    let m = manifest(home.path(), n);
    let s = serve(
        &home,
        &[
            "--seed",
            "7",
            "--fail-503",
            "0.08",
            "--fail-429",
            "0.05",
            "--retry-after",
            "1",
            "--reset",
            "0.08",
            "--hang",
            "0.03",
            "--hang-ms",
            "1500",
            "--latency-ms",
            "2",
        ],
    );
    let sum = home.path().join("s.json");
    let mut codes = vec![];
    for _ in 0..8 {
        let (code, _, err) = run(s
            .cmd(&home)
            .args(["--timeout", "0.7", "enroll", "--jobs", "8", "--from"])
            .arg(&m)
            .arg("--summary-json")
            .arg(&sum));
        assert!(
            [0, 75].contains(&code),
            "only success or resumable stop: {code} {err}"
        );
        assert_adds_up(&summary(&sum));
        codes.push(code);
        if code == 0 {
            break;
        }
    }
    eprintln!("exit codes of the runs: {codes:?}");
    assert_eq!(codes.last(), Some(&0), "finished within 8 runs: {codes:?}");
    assert_exactly_once(&s, n);
    let stats = s.stats();
    for fault in ["503", "429", "reset", "hang"] {
        assert!(
            stats["faults"][fault].as_u64().unwrap() > 0,
            "{fault} was injected: {stats}"
        );
    }
    // Resets and hangs landed enrolls whose answers were lost: reconciled, not failed.
    let journal = std::fs::read_to_string(format!("{}.enroll.journal", m.display())).unwrap();
    assert!(
        journal.contains("\"state\":\"reconciled\""),
        "some rows were reconciled"
    );
}

#[test]
fn kill_9_at_several_points_then_resume_enrolls_everyone_once() {
    let home = Home::new();
    let n = 120;
    let m = manifest(home.path(), n);
    let s = serve(
        &home,
        &["--latency-ms", "20", "--seed", "3", "--reset", "0.05"],
    );
    for i in 0..6u64 {
        let mut child = s
            .std_cmd(&home)
            .args(["-q", "enroll", "--jobs", "4", "--from"])
            .arg(&m)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(60 + 45 * i));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
    }
    let (code, _, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
    let code = if code == 75 {
        run(s.cmd(&home).args(["enroll", "--from"]).arg(&m)).0
    } else {
        code
    };
    assert_eq!(code, 0, "{err}");
    assert_exactly_once(&s, n);
    // The journal loads: a re-run has nothing to do.
    let (code, _, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
    assert_eq!(code, 0);
    assert!(err.contains("nothing to do"), "{err}");
}

#[test]
fn torn_journal_tail_is_tolerated() {
    let home = Home::new();
    let m = manifest(home.path(), 10);
    let s = serve(&home, &[]);
    assert_eq!(run(s.cmd(&home).args(["enroll", "--from"]).arg(&m)).0, 0);
    let j = PathBuf::from(format!("{}.enroll.journal", m.display()));
    let mut text = std::fs::read_to_string(&j).unwrap();
    text.push_str("{\"event\":\"start\",\"line\":3,\"id\":\"P00");
    std::fs::write(&j, text).unwrap();
    let (code, _, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("torn line"), "{err}");
    // Damage in the middle is an error, and leaves the file as it was.
    let mut lines: Vec<String> = std::fs::read_to_string(&j)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    lines[1].insert_str(0, "garbage");
    let damaged = lines.join("\n") + "\n";
    std::fs::write(&j, &damaged).unwrap();
    let (code, _, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
    assert_eq!(code, 74, "{err}");
    assert!(err.contains("line 2 is damaged"), "{err}");
    assert_eq!(std::fs::read_to_string(&j).unwrap(), damaged);
}

#[test]
fn a_second_process_on_the_same_journal_is_refused() {
    let home = Home::new();
    let m = manifest(home.path(), 40);
    let s = serve(&home, &["--latency-ms", "200"]);
    let mut first = s
        .std_cmd(&home)
        .args(["-q", "enroll", "--jobs", "1", "--from"])
        .arg(&m)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while s.stats()["requests"].as_u64().unwrap() == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let (code, _, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
    let _ = first.kill();
    let _ = first.wait();
    assert_eq!(code, 75, "{err}");
    assert!(err.contains("lock held"), "{err}");
}

#[test]
fn a_changed_row_is_refused_unless_accepted() {
    let home = Home::new();
    let m = manifest(home.path(), 5);
    let s = serve(&home, &[]);
    assert_eq!(
        run(s.cmd(&home).args(["update", "--from"]).arg(&m)).0,
        1,
        "update of unknown people fails"
    );
    assert_eq!(run(s.cmd(&home).args(["enroll", "--from"]).arg(&m)).0, 0);
    std::fs::copy(fixture("face2.jpg"), home.path().join("face2.jpg")).unwrap();
    let text = std::fs::read_to_string(&m)
        .unwrap()
        .replace("P0002,face.jpg", "P0002,face2.jpg");
    std::fs::write(&m, text).unwrap();
    let before = s.stats()["requests"].as_u64().unwrap();
    let (code, _, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
    assert_eq!(code, 65, "{err}");
    assert!(
        err.contains(":4:") && err.contains("P0002") && err.contains("changed"),
        "{err}"
    );
    assert_eq!(s.stats()["requests"].as_u64().unwrap(), before);
    // The summary says what to do, not "run the same command again" (which would be
    // refused the same way), and the error points enroll to update.
    assert!(!err.contains("run the same command again"), "{err}");
    assert!(err.contains("restore those rows"), "{err}");
    assert!(err.contains("biopass update --from"), "{err}");
    // Accepting a changed row is refused for enroll: re-sending it could only fail
    // "already exists" and hide the earlier success.
    let (code, out, err) = run(s
        .cmd(&home)
        .args(["enroll", "--accept-changed", "--from"])
        .arg(&m));
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("update --from"), "{err}");
    assert_eq!(s.stats()["requests"].as_u64().unwrap(), before);
    // The journal still shows everyone enrolled, P0002 with its BioPassID.
    let (code, out, err) = run(s
        .cmd(&home)
        .arg("report")
        .arg(home.path().join("people.csv.enroll.journal")));
    assert_eq!(code, 0, "{err}");
    let p2 = out.lines().find(|l| l.contains("\tP0002\t")).unwrap();
    assert!(p2.contains("\tenrolled\t"), "{out}");
}

#[test]
fn pending_rows_always_say_why_and_what_to_do() {
    let home = Home::new();
    let m = manifest(home.path(), 3);
    let sum = home.path().join("s.json");
    // Nothing listens on the discard port: every row's retries run out. One pass, so
    // the rows' own retries end the run (more passes would spend the run's retry
    // budget first: that case says `retry_budget`, checked just below).
    let (code, _, err) = run(home
        .cmd_at("http://127.0.0.1:9")
        .args(["enroll", "--passes", "1", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(&sum));
    assert_eq!(code, 75, "{err}");
    let v = summary(&sum);
    assert_eq!(v["pending"], 3);
    assert_eq!(v["stopped"], "retries_exhausted", "{v}");
    assert!(
        err.contains("run the same command again to resume"),
        "{err}"
    );
    assert_adds_up(&v);
    // With the default passes, the same rows end the run on the retry budget.
    let (code, _, err) = run(home
        .cmd_at("http://127.0.0.1:9")
        .args(["enroll", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(&sum));
    assert_eq!(code, 75, "{err}");
    let v = summary(&sum);
    assert_eq!(v["pending"], 3);
    assert_eq!(v["stopped"], "retry_budget", "{v}");
    assert!(
        err.contains("run the same command again to resume"),
        "{err}"
    );
    assert_adds_up(&v);

    // An invalid manifest: pending rows, and the summary says why and what to do.
    std::fs::write(&m, "id,face\nP1,face.jpg\nP2,missing.jpg\n").unwrap();
    let s = serve(&home, &[]);
    let (code, _, err) = run(s
        .cmd(&home)
        .args(["enroll", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(&sum));
    assert_eq!(code, 65, "{err}");
    let v = summary(&sum);
    assert_eq!(
        (v["pending"].as_u64(), v["invalid"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(v["stopped"], "invalid_rows", "{v}");
    assert_eq!(v["exit_code"], 65);
    assert!(!err.contains("run the same command again"), "{err}");
    assert!(err.contains("--skip-invalid to send the others"), "{err}");
}

#[test]
fn an_unwritable_summary_path_is_found_before_the_first_request() {
    let home = Home::new();
    let m = manifest(home.path(), 2);
    let s = serve(&home, &[]);
    for bad in [
        home.path().join("no-such-dir").join("s.json"),
        home.path().to_path_buf(),
    ] {
        let (code, out, err) = run(s
            .cmd(&home)
            .args(["enroll", "--from"])
            .arg(&m)
            .arg("--summary-json")
            .arg(&bad));
        assert_eq!(code, 74, "{err}");
        assert!(out.is_empty(), "{out}");
        assert!(
            err.contains("cannot write summary") && err.contains("nothing was sent"),
            "{err}"
        );
        assert_eq!(s.stats()["requests"], 0, "nothing sent");
        assert!(!home.path().join("people.csv.enroll.journal").exists());
    }
    // A writable one is not left behind by the check when the run is refused early.
    let fresh = home.path().join("fresh.json");
    let (code, _, err) = run(s
        .cmd(&home)
        .args(["enroll", "--accept-changed", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(&fresh));
    assert_eq!(code, 2, "{err}");
    assert!(!fresh.exists());
}

#[test]
fn a_rejected_key_stops_the_run() {
    let home = Home::new();
    let m = manifest(home.path(), 50);
    let s = serve(&home, &["--key", "the-right-key"]);
    let sum = home.path().join("s.json");
    let (code, _, err) = run(home
        .cmd()
        .env("BIOPASS_ENDPOINT", &s.url)
        .env("BIOPASS_API_KEY", "a-wrong-key-zzzz")
        .args(["enroll", "--jobs", "2", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(&sum));
    assert_eq!(code, 77, "{err}");
    assert!(err.contains("invalid subscription key"), "{err}");
    assert!(!err.contains("a-wrong-key"), "{err}");
    assert!(
        s.stats()["requests"].as_u64().unwrap() <= 3,
        "stopped at once"
    );
    let v = summary(&sum);
    assert_eq!(v["pending"], 50);
    assert_adds_up(&v);
    // With the right key, the same command resumes and finishes.
    let (code, _, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
    assert_eq!(code, 0, "{err}");
    assert_exactly_once(&s, 50);
}

#[test]
fn a_long_retry_after_stops_resumably() {
    let home = Home::new();
    let m = manifest(home.path(), 30);
    let limited = serve(&home, &["--fail-429", "1", "--retry-after", "120"]);
    let started = Instant::now();
    let sum = home.path().join("s.json");
    let (code, _, err) = run(limited
        .cmd(&home)
        .args(["enroll", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(&sum));
    assert_eq!(code, 75, "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "did not sit out 120 s"
    );
    assert!(
        err.contains("Rate limit") && err.contains("resume"),
        "{err}"
    );
    assert_adds_up(&summary(&sum));
    let port = limited.port();
    drop(limited);
    let s = serve_at(&home, port, &[]);
    assert_eq!(run(s.cmd(&home).args(["enroll", "--from"]).arg(&m)).0, 0);
    assert_exactly_once(&s, 30);
}

#[test]
fn shards_split_the_manifest_without_overlap() {
    let home = Home::new();
    let m = manifest(home.path(), 60);
    let s = serve(&home, &[]);
    let mut total = 0;
    for k in 0..3 {
        let sum = home.path().join(format!("s{k}.json"));
        let (code, out, err) = run(s
            .cmd(&home)
            .args(["enroll", "--shard", &format!("{k}/3"), "--from"])
            .arg(&m)
            .arg("--summary-json")
            .arg(&sum));
        assert_eq!(code, 0, "{err}");
        assert!(err.contains(&format!("shard-{k}-of-3.journal")), "{err}");
        total += out.lines().count();
        assert_eq!(summary(&sum)["shard"], format!("{k}/3"));
    }
    assert_eq!(total, 60);
    assert_exactly_once(&s, 60);
}

#[test]
fn batch_delete_then_rerun() {
    let home = Home::new();
    let m = manifest(home.path(), 10);
    let s = serve(&home, &[]);
    assert_eq!(run(s.cmd(&home).args(["enroll", "--from"]).arg(&m)).0, 0);
    let (code, out, err) = run(s.cmd(&home).args(["delete", "--from"]).arg(&m));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.lines().filter(|l| l.ends_with("\tdeleted\t")).count(),
        10,
        "{out}"
    );
    assert_eq!(s.stats()["persons"], 0);
}

#[test]
fn ctrl_c_ends_the_run_within_a_second_then_the_resume_finishes_everyone_once() {
    let home = Home::new();
    let m = manifest(home.path(), 40);
    // Answers take 2 s: a Ctrl-C that waited for the requests in flight would show.
    let s = serve(&home, &["--latency-ms", "2000"]);
    let child = s
        .std_cmd(&home)
        .args(["enroll", "--jobs", "2", "--from"])
        .arg(&m)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while s.stats()["requests"].as_u64().unwrap() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let signalled = Instant::now();
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let took = signalled.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        took < Duration::from_millis(1500),
        "Ctrl-C took {took:?} with answers due in 2 s: {err}"
    );
    assert!(
        err.contains("interrupted") && err.contains("pending"),
        "{err}"
    );
    let printed = String::from_utf8_lossy(&out.stdout).lines().count();
    assert!(printed < 40);
    // The abandoned requests have their start records: the resume sends them again
    // and reconciles any that had landed. Everyone once, every row reported once.
    let (code, out, err) = run(s
        .cmd(&home)
        .args(["enroll", "--jobs", "8", "--from"])
        .arg(&m));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 40 - printed, "{err}");
    assert_exactly_once(&s, 40);
}

#[test]
fn photo_rows_prepared_ahead_are_not_journaled_until_sent_and_a_ctrl_c_leaves_them_pending() {
    // Photos: each slot prepares its next row while its request is in flight. A row
    // prepared but not sent has no start record, and a Ctrl-C leaves it pending: the
    // resume prepares and sends it, everyone once.
    let home = Home::new();
    std::fs::copy(
        fixture("faces/photo-1280.jpg"),
        home.path().join("photo.jpg"),
    )
    .unwrap();
    let mut text = String::from("id,face\n");
    for i in 0..12 {
        text.push_str(&format!("P{i:04},photo.jpg\n"));
    }
    let m = home.path().join("photos.csv");
    std::fs::write(&m, text).unwrap();
    let s = serve(&home, &["--latency-ms", "2000"]);
    let child = s
        .std_cmd(&home)
        .args(["enroll", "--jobs", "2", "--from"])
        .arg(&m)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while s.stats()["requests"].as_u64().unwrap() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("12 pending"), "{err}");
    let journal = std::fs::read_to_string(home.path().join("photos.csv.enroll.journal")).unwrap();
    let starts = journal
        .lines()
        .filter(|l| l.contains("\"event\":\"start\""))
        .count();
    assert_eq!(
        starts as u64,
        s.stats()["requests"].as_u64().unwrap(),
        "a start record for each request sent, none for rows only prepared: {journal}"
    );
    let (code, out, err) = run(s
        .cmd(&home)
        .args(["enroll", "--jobs", "8", "--from"])
        .arg(&m));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 12, "{err}");
    assert_exactly_once(&s, 12);
}

#[test]
fn rate_caps_the_pace_and_stdin_manifest_needs_a_journal() {
    let home = Home::new();
    let m = manifest(home.path(), 10);
    let s = serve(&home, &[]);
    let text = std::fs::read_to_string(&m)
        .unwrap()
        .replace(
            "face.jpg",
            &home.path().join("face.jpg").display().to_string(),
        )
        .replace("ri.png", &home.path().join("ri.png").display().to_string());
    let (code, _, err) = run(s
        .cmd(&home)
        .args(["enroll", "--format", "csv", "--from", "-"])
        .write_stdin(text.clone()));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--journal"), "{err}");
    let started = Instant::now();
    let (code, out, err) = run(s
        .cmd(&home)
        .args([
            "enroll",
            "--format",
            "csv",
            "--rate",
            "20",
            "--jobs",
            "8",
            "--from",
            "-",
            "--journal",
        ])
        .arg(home.path().join("j"))
        .write_stdin(text));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 10);
    assert!(
        started.elapsed() >= Duration::from_millis(450),
        "10 rows at 20/s take at least 0.45 s"
    );
}

#[test]
fn duplicate_invalid_row_does_not_disturb_the_valid_one() {
    let home = Home::new();
    let m = manifest(home.path(), 3);
    let mut text = std::fs::read_to_string(&m).unwrap();
    text.push_str("P0001,face.jpg,\n");
    std::fs::write(&m, text).unwrap();
    let s = serve(&home, &[]);
    assert_eq!(
        run(s
            .cmd(&home)
            .args(["enroll", "--skip-invalid", "--from"])
            .arg(&m))
        .0,
        1
    );
    let before = s.stats()["requests"].as_u64().unwrap();
    let (code, _, err) = run(s
        .cmd(&home)
        .args(["enroll", "--skip-invalid", "--from"])
        .arg(&m));
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains("changed"), "{err}");
    assert_eq!(s.stats()["requests"].as_u64().unwrap(), before);
}

#[test]
fn a_second_ctrl_c_exits_at_once_and_the_journal_still_loads() {
    let home = Home::new();
    let m = manifest(home.path(), 8);
    let s = serve(&home, &["--latency-ms", "2000"]);
    let mut child = s
        .std_cmd(&home)
        .args(["-q", "enroll", "--jobs", "4", "--from"])
        .arg(&m)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while s.stats()["requests"].as_u64().unwrap() < 4 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = child.id().to_string();
    let sent = Instant::now();
    std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(
        sent.elapsed() < Duration::from_millis(2500),
        "did not wait for the 3 s answers"
    );
    // The four in-flight enrolls landed without their answers: the resume reconciles them.
    std::thread::sleep(Duration::from_millis(3200));
    let (code, out, err) = run(s
        .cmd(&home)
        .args(["-o", "json", "enroll", "--jobs", "8", "--from"])
        .arg(&m));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.lines().filter(|l| l.contains("\"reconciled\"")).count(),
        4,
        "{out}"
    );
    assert_exactly_once(&s, 8);
}

#[test]
fn a_journal_that_cannot_be_written_stops_the_run_with_74() {
    let home = Home::new();
    let m = manifest(home.path(), 30);
    let s = serve(&home, &[]);
    // `ulimit -f 4`: the journal cannot grow past 2-4 KiB, so an append fails (EFBIG)
    // after a few records, as it would on a full disk.
    let bin = assert_cmd::cargo::cargo_bin("biopass");
    let hermetic = s.std_cmd(&home); // for its environment only
    let env: Vec<_> = hermetic
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
        .collect();
    let sh = std::process::Command::new("sh")
        .args([
            "-c",
            "ulimit -f 4 && exec \"$0\" enroll --jobs 2 --from \"$1\"",
        ])
        .arg(&bin)
        .arg(&m)
        .env_clear()
        .envs(env)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&sh.stderr);
    assert_eq!(sh.status.code(), Some(74), "{err}");
    assert!(
        err.contains("stopped: journal") && err.contains("write failed"),
        "{err}"
    );
    assert!(
        err.contains("30 rows:"),
        "the summary is still printed: {err}"
    );
    // Without the limit the same command resumes and finishes, each person once.
    let (code, _, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
    assert_eq!(code, 0, "{err}");
    assert_exactly_once(&s, 30);
}

#[test]
fn dry_run_lists_the_plan_and_sends_nothing() {
    let home = Home::new();
    let m = manifest(home.path(), 6);
    let s = serve(&home, &[]);
    // The first three rows are done first, through a shorter manifest sharing the journal.
    let text = std::fs::read_to_string(&m).unwrap();
    let first: String = text.lines().take(4).map(|l| format!("{l}\n")).collect();
    let part = home.path().join("part.csv");
    std::fs::write(&part, first).unwrap();
    let journal = home.path().join("j");
    assert_eq!(
        run(s
            .cmd(&home)
            .args(["enroll", "--from"])
            .arg(&part)
            .arg("--journal")
            .arg(&journal))
        .0,
        0
    );
    let before = s.stats()["requests"].as_u64().unwrap();
    let (code, out, err) = run(home
        .cmd()
        .env("BIOPASS_ENDPOINT", &s.url)
        .args(["--dry-run", "enroll", "--from"])
        .arg(&m)
        .arg("--journal")
        .arg(&journal)
        .arg("--summary-json")
        .arg(home.path().join("dry.json")));
    assert_eq!(code, 0, "{err}");
    let v = summary(&home.path().join("dry.json"));
    assert_eq!(v["dry_run"], true, "{v}");
    assert_eq!(
        (v["requests"].as_u64(), v["total"].as_u64()),
        (Some(0), Some(6)),
        "{v}"
    );
    assert_eq!(out, "P0003\tplanned\nP0004\tplanned\nP0005\tplanned\n");
    assert!(
        err.contains("nothing was sent; 3 of 6 rows would be sent (3 already done"),
        "{err}"
    );
    assert_eq!(s.stats()["requests"].as_u64().unwrap(), before);
    let (code, _, _) = run(home
        .cmd()
        .env("BIOPASS_ENDPOINT", &s.url)
        .args(["--dry-run", "enroll", "--from"])
        .arg(&m));
    assert_eq!(code, 0);
    assert!(
        !PathBuf::from(format!("{}.enroll.journal", m.display())).exists(),
        "a dry run leaves no journal"
    );
}

#[test]
fn one_bad_csv_row_does_not_hide_the_rest() {
    let home = Home::new();
    let m = manifest(home.path(), 4);
    let mut text = std::fs::read_to_string(&m).unwrap().replace('\n', "\r\n");
    text.insert_str(text.find("P0001").unwrap(), "X1,face.jpg,,extra\r\n\r\n");
    std::fs::write(&m, text).unwrap();
    let s = serve(&home, &[]);
    let (code, _, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
    assert_eq!(code, 65, "{err}");
    assert!(
        err.contains(":3: invalid: 4 fields where the header has 3"),
        "{err}"
    );
    let sum = home.path().join("s.json");
    let (code, out, err) = run(s
        .cmd(&home)
        .args(["enroll", "--skip-invalid", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(&sum));
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        out.lines().filter(|l| l.contains("\tenrolled\t")).count(),
        4,
        "{out}"
    );
    let v = summary(&sum);
    assert_eq!(
        (v["total"].as_u64(), v["invalid"].as_u64()),
        (Some(5), Some(1))
    );
    assert_adds_up(&v);
}

#[test]
fn a_5xx_with_a_long_retry_after_is_reconciled_on_resume() {
    // The server enrolls, then answers 503 with Retry-After: 120; the resume's re-send
    // meets "already exists": that is our own enroll.
    let home = Home::new();
    let m = manifest(home.path(), 1);
    let srv = Recorder::start(vec![
        Canned::json(503, r#"{"statusCode":503,"message":"Service Unavailable"}"#)
            .header("Retry-After", "120"),
        Canned::text(400, "Person with this CustomID already exists"),
    ]);
    let (code, _, err) = run(home.cmd_at(&srv.url).args(["enroll", "--from"]).arg(&m));
    assert_eq!(code, 75, "{err}");
    let (code, out, err) = run(home.cmd_at(&srv.url).args(["enroll", "--from"]).arg(&m));
    assert_eq!((code, out.as_str()), (0, "P0000\treconciled\t\n"), "{err}");
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].body, reqs[1].body, "the re-send is the same bytes");
}

#[test]
fn a_sandbox_dir_spelt_with_a_trailing_slash_is_the_same_target() {
    let home = Home::new();
    let m = manifest(home.path(), 2);
    let (code, _, err) = run(home
        .cmd()
        .current_dir(home.path())
        .env("BIOPASS_SANDBOX_DIR", "sbx")
        .args(["--env", "sandbox", "enroll", "--from"])
        .arg(&m));
    assert_eq!(code, 0, "{err}");
    for spelling in [
        "sbx/",
        "./sbx//",
        home.path().join("sbx/").to_str().unwrap(),
    ] {
        let (code, out, err) = run(home
            .cmd()
            .current_dir(home.path())
            .env("BIOPASS_SANDBOX_DIR", spelling)
            .args(["--env", "sandbox", "enroll", "--from"])
            .arg(&m));
        assert_eq!(code, 0, "{spelling}: {err}");
        assert!(
            out.is_empty() && err.contains("nothing to do"),
            "{spelling}: {out}{err}"
        );
    }
    // Another folder is still another target.
    let (code, _, err) = run(home
        .cmd()
        .current_dir(home.path())
        .env("BIOPASS_SANDBOX_DIR", "sbx2")
        .args(["--env", "sandbox", "enroll", "--from"])
        .arg(&m));
    assert_eq!(code, 78, "{err}");
}

#[test]
fn sigterm_stops_a_batch_like_ctrl_c_and_the_summary_says_interrupted() {
    let home = Home::new();
    let m = manifest(home.path(), 20);
    let sum = home.path().join("s.json");
    let s = serve(&home, &["--latency-ms", "2000"]);
    let child = s
        .std_cmd(&home)
        .args(["enroll", "--jobs", "2", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(&sum)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while s.stats()["requests"].as_u64().unwrap() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted: stopping"), "{err}");
    let v = summary(&sum);
    assert_eq!(v["stopped"], "interrupted", "{v}");
    assert_eq!(v["exit_code"], 130, "{v}");
    assert_adds_up(&v);
}

#[test]
fn a_second_signal_during_sandbox_serve_exits_130_at_once() {
    // The first signal asks the server to stop and save (exit 0, as
    // tests/sandbox.rs checks): it stops listening, and waits up to 2 s for the
    // request in flight (answered after 3 s). A second signal then is the user
    // insisting: 130 at once, through the one exit path.
    let home = Home::new();
    let mut s = serve(&home, &["--latency-ms", "3000"]);
    let m = manifest(home.path(), 1);
    let mut client = s
        .std_cmd(&home)
        .args(["enroll", "--from"])
        .arg(&m)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while s.stats()["requests"].as_u64().unwrap() < 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = s.child.id().to_string();
    let kill = || {
        std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
    };
    kill();
    // Stopped listening: the first signal was taken.
    let addr = s.url.strip_prefix("http://").unwrap().to_string();
    while std::net::TcpStream::connect(&addr).is_ok() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    kill();
    let status = s.child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{status:?}");
    let _ = client.kill();
    let _ = client.wait();
}

/// Passes are for transient errors only. A 200 that is not the API's JSON (a captive
/// portal's page) is a protocol error: at `--jobs 1`, two in a row with no real
/// answer between stop the run with 76 (`stopped: protocol`), without further passes or the retry
/// budget; an enroll that may have landed stays pending as ambiguous, and the
/// resume reconciles it.
#[test]
fn a_captive_portal_stops_the_batch_with_76_not_more_passes() {
    let home = Home::new();
    let m = manifest(home.path(), 3);
    let portal = || {
        Canned::text(200, "<html><body>Sign in to the Wi-Fi</body></html>")
            .header("content-type", "text/html")
    };
    for op in ["enroll", "verify"] {
        // After the portal, for the enroll's resume: the real service, where the
        // first row's earlier attempt had landed.
        let r = Recorder::start(vec![
            portal(),
            portal(),
            Canned::text(400, "Person already exists"),
            Canned::json(200, r#"{"Person":{"CustomID":"P0001","BioPassID":"71"}}"#),
            Canned::json(200, r#"{"Person":{"CustomID":"P0002","BioPassID":"72"}}"#),
        ]);
        let sum = home.path().join(format!("{op}.json"));
        let (code, out, err) = run(home
            .cmd_at(&r.url)
            .args([op, "--jobs", "1", "--from"])
            .arg(&m)
            .arg("--summary-json")
            .arg(&sum));
        assert_eq!(code, 76, "{op}: {err}");
        assert_eq!(out, "", "{op}");
        assert!(!err.contains("pass 2 of"), "{op}: {err}");
        assert!(err.contains("not with JSON"), "{op}: {err}");
        assert!(err.contains("captive portal"), "{op}: {err}");
        assert_eq!(r.requests().len(), 2, "{op}: stopped at the second");
        let v = summary(&sum);
        assert_adds_up(&v);
        assert_eq!(v["stopped"], "protocol", "{op}: {v}");
        assert_eq!(v["exit_code"], 76, "{op}: {v}");
        assert_eq!(v["pending"], 3, "{op}: {v}");
        assert_eq!(v["requests"], 2, "{op}: {v}");
        if op == "verify" {
            continue;
        }
        // The enroll that may have landed is journaled ambiguous; the resume
        // reconciles it ("already exists" is its own earlier attempt).
        let journal = std::fs::read_to_string(format!("{}.enroll.journal", m.display())).unwrap();
        assert!(journal.contains("\"state\":\"ambiguous\""), "{journal}");
        let (code, out, err) = run(home
            .cmd_at(&r.url)
            .args(["enroll", "--jobs", "1", "--from"])
            .arg(&m));
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            out,
            "P0000\treconciled\t\nP0001\tenrolled\t71\nP0002\tenrolled\t72\n"
        );
    }
}

/// The protocol stop scales with the rows in flight: at `--jobs 4` it takes 8
/// protocol errors in a row (2 x jobs), so a service that sometimes answers wrongly
/// does not stop a long run on two unlucky answers; a portal still stops it within
/// one round of requests.
#[test]
fn the_protocol_stop_takes_twice_the_rows_in_flight() {
    let home = Home::new();
    let m = manifest(home.path(), 40);
    let r = Recorder::start(vec![
        Canned::text(200, "<html>portal</html>").header("content-type", "text/html"),
    ]);
    let sum = home.path().join("s.json");
    let (code, _, err) = run(home
        .cmd_at(&r.url)
        .args(["verify", "--jobs", "4", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(&sum));
    assert_eq!(code, 76, "{err}");
    assert!(err.contains("8 times with no answer from the API"), "{err}");
    let sent = r.requests().len();
    // The 8th error stops the run; at most the other 3 in flight were already sent.
    assert!((8..=11).contains(&sent), "{sent} requests");
    let v = summary(&sum);
    assert_adds_up(&v);
    assert_eq!(v["stopped"], "protocol", "{v}");
}

/// `passes` counts the rows each pass settled by a sent request: a face the gate
/// refuses at send time is invalid, like a row validation refused, and no pass's.
#[test]
fn passes_count_only_rows_settled_by_a_request() {
    let home = Home::new();
    std::fs::copy(fixture("face.jpg"), home.path().join("face.jpg")).unwrap();
    std::fs::copy(fixture("faces/no-face.jpg"), home.path().join("none.jpg")).unwrap();
    let m = home.path().join("m.csv");
    std::fs::write(&m, "id,face\nA,face.jpg\nB,none.jpg\n").unwrap();
    let r = Recorder::start(vec![Canned::json(
        200,
        r#"{"Person":{"CustomID":"A","BioPassID":"70"}}"#,
    )]);
    let sum = home.path().join("s.json");
    let (_, out, err) = run(home
        .cmd_at(&r.url)
        .args(["enroll", "--jobs", "1", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(&sum));
    assert!(out.contains("A\tenrolled\t70\n"), "{out}{err}");
    assert!(out.contains("B\tinvalid\t"), "{out}{err}");
    let v = summary(&sum);
    assert_adds_up(&v);
    assert_eq!(v["invalid"], 1, "{v}");
    assert_eq!(v["requests"], 1, "{v}");
    assert_eq!(v["passes"], serde_json::json!([1]), "{v}");
}
