//! `biopass report JOURNAL`, the batch's progress lines where no terminal is, and the
//! reasons on failed row lines and in the summary (issue 9, items 1, 2 and 6),
//! against `biopass sandbox serve`.

mod support;

use std::path::{Path, PathBuf};

use support::*;

const HEADER: &str =
    "line\tid\toutcome\tbiopass_id\tattempts\terror_kind\tmessage\tfinished_at\tpass";

fn write_manifest(dir: &Path, name: &str, rows: &[(&str, &str)]) -> PathBuf {
    std::fs::copy(fixture("face.jpg"), dir.join("face.jpg")).unwrap();
    let mut s = String::from("id,face\n");
    for (id, face) in rows {
        s.push_str(&format!("{id},{face}\n"));
    }
    let p = dir.join(name);
    std::fs::write(&p, s).unwrap();
    p
}

/// `2026-11-29T16:48:17Z`: RFC 3339, UTC, whole seconds, and not in the past century.
fn assert_rfc3339(s: &str) {
    let b = s.as_bytes();
    let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
    assert!(
        b.len() == 20
            && digits.iter().all(|i| b[*i].is_ascii_digit())
            && b[4] == b'-'
            && b[7] == b'-'
            && b[10] == b'T'
            && b[13] == b':'
            && b[16] == b':'
            && b[19] == b'Z'
            && s[..4].parse::<u32>().unwrap() >= 2024,
        "not an RFC 3339 UTC time: {s:?}"
    );
}

#[test]
fn report_lists_every_row_across_runs_and_failed_rows_say_why() {
    let home = Home::new();
    let s = serve(&home, &[]);
    // Someone else enrolled X1 already: our run will be refused for it.
    let other = write_manifest(home.path(), "other.csv", &[("X1", "face.jpg")]);
    assert_eq!(
        run(s.cmd(&home).args(["enroll", "--from"]).arg(&other)).0,
        0
    );

    let missing = format!(
        "cannot read image {}: no such file",
        home.path().join("missing.jpg").display()
    );
    // Run 1: two rows enrolled, one invalid (its image is missing).
    let m = write_manifest(
        home.path(),
        "people.csv",
        &[
            ("A1", "face.jpg"),
            ("A2", "face.jpg"),
            ("A3", "missing.jpg"),
        ],
    );
    let sum = home.path().join("s1.json");
    let (code, out, err) = run(s
        .cmd(&home)
        .args(["enroll", "--skip-invalid", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(&sum));
    assert_eq!(code, 1, "{err}");
    let invalid: Vec<_> = out.lines().filter(|l| l.contains("\tinvalid\t")).collect();
    assert_eq!(
        invalid,
        vec![format!("A3\tinvalid\tinvalid\t{missing}")],
        "{out}"
    );
    let v = summary(&sum);
    assert_eq!(v["errors"], serde_json::json!({"invalid": 1}), "{v}");
    assert_rfc3339(v["started_at"].as_str().unwrap());
    assert_rfc3339(v["finished_at"].as_str().unwrap());
    assert!(v["started_at"].as_str() <= v["finished_at"].as_str(), "{v}");
    // Every field scripts knew is still there.
    for k in [
        "op",
        "total",
        "succeeded",
        "failed",
        "invalid",
        "pending",
        "elapsed_secs",
        "exit_code",
    ] {
        assert!(v.get(k).is_some(), "{k} in {v}");
    }

    // Run 2, same journal, the manifest grown: A4 enrolled, X1 refused (already exists).
    let m = write_manifest(
        home.path(),
        "people.csv",
        &[
            ("A1", "face.jpg"),
            ("A2", "face.jpg"),
            ("A3", "missing.jpg"),
            ("A4", "face.jpg"),
            ("X1", "face.jpg"),
        ],
    );
    let sum = home.path().join("s2.json");
    let (code, out, err) = run(s
        .cmd(&home)
        .args(["-o", "json", "enroll", "--skip-invalid", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(&sum));
    assert_eq!(code, 1, "{err}");
    let x1: serde_json::Value = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["id"] == "X1")
        .expect("a row for X1");
    assert_eq!(x1["outcome"], "failed");
    assert_eq!(x1["error_kind"], "already_exists");
    assert!(
        x1["message"]
            .as_str()
            .unwrap()
            .starts_with("this CustomID is already enrolled"),
        "{x1}"
    );
    assert_eq!(x1["error"]["kind"], "already_exists", "the old field stays");
    assert_eq!(
        summary(&sum)["errors"],
        serde_json::json!({"already_exists": 1, "invalid": 1})
    );

    // Run 3 sends nothing, and still counts the earlier refusal by its kind.
    let sum = home.path().join("s3.json");
    let (code, out, err) = run(s
        .cmd(&home)
        .args(["enroll", "--skip-invalid", "--from"])
        .arg(&m)
        .arg("--summary-json")
        .arg(&sum));
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, format!("A3\tinvalid\tinvalid\t{missing}\n"), "{err}");
    assert_eq!(
        summary(&sum)["errors"],
        serde_json::json!({"already_exists": 1, "invalid": 1})
    );

    // The report: every row once, from every run; no key, no endpoint needed.
    let journal = home.path().join("people.csv.enroll.journal");
    let before = std::fs::read(&journal).unwrap();
    let (code, out, err) = run(home.cmd().arg("report").arg(&journal));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read(&journal).unwrap(),
        before,
        "report changes nothing"
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], HEADER);
    let rows: Vec<Vec<&str>> = lines[1..].iter().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 5, "{out}");
    assert!(rows.iter().all(|r| r.len() == 9), "{out}");
    let brief: Vec<_> = rows
        .iter()
        .map(|r| (r[0], r[1], r[2], r[4], r[5]))
        .collect();
    assert_eq!(
        brief,
        vec![
            ("2", "A1", "enrolled", "1", ""),
            ("3", "A2", "enrolled", "1", ""),
            ("4", "A3", "invalid", "0", "invalid"),
            ("5", "A4", "enrolled", "1", ""),
            ("6", "X1", "failed", "1", "already_exists"),
        ]
    );
    for r in &rows {
        assert_rfc3339(r[7]);
    }
    assert!(rows[0][3].parse::<u64>().is_ok(), "BioPassID: {out}");
    assert!(
        rows[4][6].starts_with("this CustomID is already enrolled"),
        "{out}"
    );
    assert_eq!(rows[2][6], missing);

    // The same as JSON Lines, with the same keys as the batch's rows.
    let (code, out, err) = run(home.cmd().args(["report", "-o", "json"]).arg(&journal));
    assert_eq!(code, 0, "{err}");
    let docs: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 5);
    let mut keys: Vec<_> = docs[4].as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "attempts",
            "biopass_id",
            "error_kind",
            "finished_at",
            "id",
            "line",
            "message",
            "outcome",
            "pass"
        ]
    );
    assert_eq!(docs[4]["id"], "X1");
    assert_eq!(docs[4]["line"], 6);
    assert_eq!(docs[4]["error_kind"], "already_exists");
    assert_eq!(docs[0]["error_kind"], serde_json::Value::Null);
    assert_eq!(docs[0]["biopass_id"], rows[0][3]);
}

#[test]
fn report_of_an_old_journal_shows_pending_rows_and_no_times() {
    let home = Home::new();
    let j = home.path().join("old.journal");
    std::fs::write(
        &j,
        concat!(
            r#"{"event":"run","v":2,"op":"delete","manifest":"m.csv","shard":null,"pid":1,"at":5}"#,
            "\n",
            r#"{"event":"start","line":2,"id":"D1","fp":"f","attempt":1}"#,
            "\n",
            r#"{"event":"end","line":2,"id":"D1","fp":"f","attempt":1,"state":"done","status":200,"ms":3}"#,
            "\n",
            r#"{"event":"start","line":3,"id":"D2","fp":"f","attempt":1}"#,
            "\n",
            r#"{"event":"end","line":3,"id":"D2","fp":"f","attempt":1,"state":"ambiguous","kind":"unavailable","error":"HTTP 503\tbusy","ms":3}"#,
            "\n",
            r#"{"event":"start","line":3,"id":"D2","fp":"f","attempt":2}"#,
            "\n",
        ),
    )
    .unwrap();
    let (code, out, err) = run(home.cmd().arg("report").arg(&j));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        format!(
            "{HEADER}\n2\tD1\tdeleted\t\t1\t\t\t\t1\n3\tD2\tpending\t\t2\tunavailable\tHTTP 503 busy\t\t\n"
        )
    );
}

#[test]
fn report_exit_codes_missing_and_not_a_journal() {
    let home = Home::new();
    let (code, out, err) = run(home
        .cmd()
        .arg("report")
        .arg(home.path().join("nope.journal")));
    assert_eq!((code, out.as_str()), (66, ""), "{err}");
    assert!(err.contains("nope.journal does not exist"), "{err}");

    let m = write_manifest(home.path(), "m.csv", &[("A1", "face.jpg")]);
    let before = std::fs::read(&m).unwrap();
    let (code, out, err) = run(home.cmd().arg("report").arg(&m));
    assert_eq!((code, out.as_str()), (74, ""), "{err}");
    assert!(err.contains("is not a biopass journal"), "{err}");
    assert_eq!(std::fs::read(&m).unwrap(), before, "left untouched");
}

fn progress_lines(err: &str) -> Vec<&str> {
    err.lines()
        .filter(|l| l.starts_with("biopass: progress: "))
        .collect()
}

#[test]
fn progress_lines_where_no_terminal_is() {
    let home = Home::new();
    let s = serve(&home, &["--latency-ms", "200"]);
    let rows: Vec<(String, &str)> = (0..12).map(|i| (format!("P{i:02}"), "face.jpg")).collect();
    let rows: Vec<(&str, &str)> = rows.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    let m = write_manifest(home.path(), "people.csv", &rows);
    // 12 rows, one at a time, 200 ms each: at least 2.4 s, so a 1 s interval prints.
    let (code, _, err) = run(s
        .cmd(&home)
        .args([
            "enroll",
            "--jobs",
            "1",
            "--progress-interval",
            "1",
            "--from",
        ])
        .arg(&m));
    assert_eq!(code, 0, "{err}");
    let lines = progress_lines(&err);
    assert!(!lines.is_empty(), "no progress line in {err}");
    for l in &lines {
        // biopass: progress: 5/12 rows: 5 enrolled; 4.1 rows/s; ETA 2s
        let rest = l.strip_prefix("biopass: progress: ").unwrap();
        let (done, rest) = rest.split_once('/').expect(l);
        let done: u64 = done.parse().expect(l);
        assert!(rest.starts_with("12 rows"), "{l}");
        assert!(done <= 12, "{l}");
        if done > 0 {
            assert!(rest.contains(&format!(": {done} enrolled;")), "{l}");
        }
        let rate = rest.split("; ").nth(1).expect(l);
        let rate = rate.strip_suffix(" rows/s").expect(l);
        let (_, decimals) = rate.split_once('.').unwrap_or((rate, ""));
        assert!(decimals.len() <= 2, "rounded: {l}");
        let rate: f64 = rate.parse().expect(l);
        // 200 ms a row, one at a time: never faster than 5 rows/s (plus rounding).
        assert!((0.0..=5.5).contains(&rate), "{l}");
        assert!(rest.contains("; ETA "), "{l}");
    }

    // -q: none; off: none.
    for (flags, journal) in [
        (&["-q"][..], "q.journal"),
        (&["--progress-interval", "off"][..], "off.journal"),
    ] {
        let (code, _, err) = run(s
            .cmd(&home)
            .args(["delete", "--jobs", "1", "--from"])
            .arg(&m)
            .arg("--journal")
            .arg(home.path().join(journal))
            .env("BIOPASS_PROGRESS_INTERVAL", "1")
            .args(flags));
        assert_eq!(code, 0, "{err}");
        assert!(progress_lines(&err).is_empty(), "{flags:?}: {err}");
        if flags == ["-q"] {
            assert_eq!(err, "", "-q prints nothing on success");
        }
        // Put everyone back for the next round.
        assert_eq!(
            run(s
                .cmd(&home)
                .args(["enroll", "--from"])
                .arg(&m)
                .arg("--journal")
                .arg(home.path().join(format!("re-{journal}"))))
            .0,
            0
        );
    }
}

#[test]
fn progress_interval_env_var_and_bad_values() {
    let home = Home::new();
    let (code, _, err) =
        run(home
            .cmd()
            .args(["enroll", "--from", "m.csv", "--progress-interval", "soon"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("'soon' is not a number of seconds"), "{err}");
    let (code, _, err) = run(home.cmd().args([
        "enroll",
        "--id",
        "1",
        "--face",
        "f.jpg",
        "--progress-interval",
        "1",
    ]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--progress-interval is a batch option"),
        "{err}"
    );
    // The variable, set for a whole CI job, does not trouble single commands...
    std::fs::copy(fixture("face.jpg"), home.path().join("face.jpg")).unwrap();
    let (code, out, err) = run(home
        .cmd()
        .env("BIOPASS_PROGRESS_INTERVAL", "5")
        .args(["--dry-run", "enroll", "--id", "1", "--face"])
        .arg(home.path().join("face.jpg")));
    assert_eq!(code, 0, "{err}");
    assert!(!out.is_empty());
    // ... but a batch refuses a value it cannot read, before sending anything.
    let m = write_manifest(home.path(), "m.csv", &[("A1", "face.jpg")]);
    let (code, _, err) = run(home
        .cmd_at("http://127.0.0.1:9")
        .env("BIOPASS_PROGRESS_INTERVAL", "soon")
        .args(["enroll", "--from"])
        .arg(&m));
    // A usage error (2), as for every variable (issue 14; it was 78).
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("environment variable BIOPASS_PROGRESS_INTERVAL: 'soon'"),
        "{err}"
    );
    assert!(!home.path().join("m.csv.enroll.journal").exists());
}

/// Issue 16: a verify journal records the service's details, and `report` shows
/// them (text: two more columns; JSON: as on verify's batch rows).
#[test]
fn report_of_a_verify_journal_shows_the_match_details() {
    let home = Home::new();
    let m = write_manifest(
        home.path(),
        "m.csv",
        &[("V1", "face.jpg"), ("V2", "face.jpg"), ("V3", "face.jpg")],
    );
    let r = Recorder::start(vec![
        Canned::json(
            200,
            r#"{"Person":{"CustomID":"V1","Match":true,"MatchDetails":{"FaceMatched":true,"NonMatchedFingers":[]}}}"#,
        ),
        Canned::json(
            200,
            r#"{"Person":{"CustomID":"V2","Match":false,"MatchDetails":{"FaceMatched":false,"NonMatchedFingers":["Finger-2","Finger-7"]}}}"#,
        ),
        // No details at all.
        Canned::json(200, r#"{"Person":{"CustomID":"V3","Match":true}}"#),
    ]);
    let (code, out, err) = run(home
        .cmd_at(&r.url)
        .args(["verify", "--jobs", "1", "--from"])
        .arg(&m));
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "V1\tmatch\nV2\tno_match\nV3\tmatch\n");
    let j = format!("{}.verify.journal", m.display());
    let (code, out, err) = run(home.cmd().arg("report").arg(&j));
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        format!("{HEADER}\tface_matched\tnon_matched_fingers")
    );
    let cols = |i: usize| -> Vec<&str> { lines[i].split('\t').collect() };
    let shown = |i: usize| {
        let c = cols(i);
        (c[1], c[2], c[9], c[10])
    };
    assert_eq!(shown(1), ("V1", "match", "true", ""));
    assert_eq!(shown(2), ("V2", "no_match", "false", "Finger-2,Finger-7"));
    assert_eq!(shown(3), ("V3", "match", "", ""));
    assert_eq!(lines.len(), 4);

    let (code, out, err) = run(home.cmd().args(["report", "-o", "json"]).arg(&j));
    assert_eq!(code, 0, "{err}");
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let details: Vec<_> = rows
        .iter()
        .map(|v| (v["face_matched"].clone(), v["non_matched_fingers"].clone()))
        .collect();
    use serde_json::json;
    assert_eq!(
        details,
        vec![
            (json!(true), json!([])),
            (json!(false), json!(["Finger-2", "Finger-7"])),
            (json!(null), json!(null)),
        ]
    );
}

/// A verify journal written before details were recorded (version 4, `matched`
/// only) still reports its verdicts, with the details empty.
#[test]
fn report_of_a_verify_journal_without_details_shows_them_empty() {
    let home = Home::new();
    let j = home.path().join("old.journal");
    std::fs::write(
        &j,
        concat!(
            r#"{"event":"run","v":4,"op":"verify","manifest":"m.csv","target":"http://127.0.0.1:9","env":"production","shard":null,"pid":1,"at":5}"#,
            "\n",
            r#"{"event":"start","line":2,"id":"V1","fp":"f","attempt":1}"#,
            "\n",
            r#"{"event":"end","line":2,"id":"V1","fp":"f","attempt":1,"state":"done","status":200,"ms":3,"at":1700000000,"matched":false}"#,
            "\n",
        ),
    )
    .unwrap();
    let (code, out, err) = run(home.cmd().arg("report").arg(&j));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        format!(
            "{HEADER}\tface_matched\tnon_matched_fingers\n2\tV1\tno_match\t\t1\t\t\t2023-11-14T22:13:20Z\t1\t\t\n"
        )
    );
    let (_, out, _) = run(home.cmd().args(["report", "-o", "json"]).arg(&j));
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["outcome"], "no_match");
    assert!(
        v["face_matched"].is_null() && v["non_matched_fingers"].is_null(),
        "{v}"
    );
}
