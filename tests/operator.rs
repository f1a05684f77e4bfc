//! Operator conveniences (issue 9): spreadsheet manifests, help and version, the man
//! page, sandbox reset and status, completions, packaging.

mod support;

use std::path::{Path, PathBuf};

use support::*;

/// Copy the face fixture into `dir` and write `text` as the manifest `name` there.
fn sheet(dir: &Path, name: &str, text: &str) -> PathBuf {
    std::fs::copy(fixture("face.jpg"), dir.join("face.jpg")).unwrap();
    std::fs::copy(fixture("finger1.png"), dir.join("ri.png")).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn enrolled(s: &Served) -> Vec<String> {
    let e: std::collections::BTreeMap<String, u64> =
        serde_json::from_value(s.stats()["enrolls"].clone()).unwrap();
    e.into_keys().collect()
}

#[test]
fn semicolon_csv_with_extra_columns_enrolls_and_warns_once() {
    let home = Home::new();
    let s = serve(&home, &[]);
    // A pt-BR spreadsheet export: BOM, semicolons, CRLF, a comma inside a value.
    let m = sheet(
        home.path(),
        "pessoas.csv",
        "\u{feff}id;nome;face;right-index;obs\r\nA1;Ana, a primeira;face.jpg;ri.png;x\r\nA2;Bia;face.jpg;;\r\n",
    );
    let (code, out, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 2, "{out}");
    assert_eq!(enrolled(&s), ["A1", "A2"]);
    let warnings: Vec<_> = err
        .lines()
        .filter(|l| l.contains("ignoring column"))
        .collect();
    assert_eq!(warnings.len(), 1, "one warning: {err}");
    assert!(
        warnings[0].contains("'nome', 'obs'"),
        "names the columns: {err}"
    );
}

#[test]
fn tsv_by_extension_and_delimiter_by_option() {
    let home = Home::new();
    let s = serve(&home, &[]);
    let m = sheet(home.path(), "people.tsv", "id\tface\nT1\tface.jpg\n");
    let (code, _, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
    assert_eq!(code, 0, "{err}");
    let m = sheet(home.path(), "pipes.csv", "id|face\nP1|face.jpg\n");
    let (code, _, err) = run(s
        .cmd(&home)
        .args(["enroll", "--delimiter", "|", "--from"])
        .arg(&m));
    assert_eq!(code, 0, "{err}");
    assert_eq!(enrolled(&s), ["P1", "T1"]);
    // Without it, "id|face" is one column and there is no id column: 65, nothing sent.
    let m = sheet(home.path(), "pipes2.csv", "id|face\nP2|face.jpg\n");
    let (code, _, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
    assert_eq!(code, 65, "{err}");
    assert_eq!(enrolled(&s), ["P1", "T1"]);
}

#[test]
fn misspelt_image_column_is_an_error_naming_what_it_meant() {
    let home = Home::new();
    let s = serve(&home, &[]);
    for (text, bad, meant) in [
        ("id,fcae\nX1,face.jpg\n", "fcae", "face"),
        (
            "id;face;rigth-index\nX1;face.jpg;ri.png\n",
            "rigth-index",
            "right-index",
        ),
    ] {
        let m = sheet(home.path(), "typo.csv", text);
        let (code, out, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
        assert_eq!(code, 65, "{text}: {err}");
        assert_eq!(out, "");
        assert!(
            err.contains(&format!("'{bad}': did you mean '{meant}'?")),
            "{text}: {err}"
        );
        let _ = std::fs::remove_file(home.path().join("typo.csv.enroll.journal"));
    }
    assert!(enrolled(&s).is_empty(), "nothing sent");
}

#[test]
fn delimiter_is_a_batch_option() {
    let home = Home::new();
    let (code, _, err) = run(home.cmd().args(["enroll", "--id", "1", "--delimiter", ";"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--delimiter is a batch option"), "{err}");
    let (code, _, err) = run(home
        .cmd()
        .args(["enroll", "--from", "m.csv", "--delimiter", "ab"]));
    assert_eq!(code, 2, "{err}");
}

fn sandbox_enroll(home: &Home, id: &str) -> (i32, String, String) {
    run(home
        .cmd()
        .args(["--env", "sandbox", "enroll", "--id", id, "--face"])
        .arg(fixture("face.jpg")))
}

#[test]
fn sandbox_status_and_reset_own_the_state_files_only() {
    let home = Home::new();
    let dir = home.path().join("sandbox");
    let (code, out, err) = run(home.cmd().args(["sandbox", "status"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        format!("dir\t{}\npersons\t0\nbytes\t0\nfiles\t0\n", dir.display())
    );
    for id in ["S1", "S2"] {
        assert_eq!(sandbox_enroll(&home, id).0, 0);
    }
    let (code, out, err) = run(home.cmd().args(["-o", "json", "sandbox", "status"]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["persons"], 2, "{v}");
    assert_eq!(v["dir"], dir.display().to_string());
    assert!(v["bytes"].as_u64().unwrap() > 0, "{v}");
    // Someone else's file in the folder survives a reset.
    std::fs::write(dir.join("mine.txt"), "keep").unwrap();
    let (code, out, err) = run(home.cmd().args(["sandbox", "reset"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("2 person(s)"), "{out}");
    assert!(dir.join("mine.txt").exists());
    assert!(!dir.join("sandbox.json").exists() && !dir.join("sandbox.lock").exists());
    // The same CustomID enrolls again: the state is gone, not just hidden.
    let (code, _, err) = sandbox_enroll(&home, "S1");
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = run(home.cmd().args(["-o", "json", "sandbox", "reset"]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["persons"], 1, "{v}");
    let (_, out, _) = run(home.cmd().args(["-o", "json", "sandbox", "reset"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["removed"], serde_json::json!([]), "reset twice: {v}");
}

#[test]
fn sandbox_reset_clears_a_corrupt_state() {
    let home = Home::new();
    let dir = home.path().join("sandbox");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("sandbox.json"), "{not json").unwrap();
    let (code, _, err) = sandbox_enroll(&home, "C1");
    assert_ne!(code, 0, "a corrupt state fails: {err}");
    let (code, out, err) = run(home.cmd().args(["sandbox", "status"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("persons\tunknown"), "{out}");
    assert!(err.contains("sandbox reset"), "says what to do: {err}");
    let (code, _, err) = run(home.cmd().args(["sandbox", "reset"]));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = sandbox_enroll(&home, "C1");
    assert_eq!(code, 0, "{err}");
}

/// What fish offers for `line`, with the generated script loaded.
fn fish_complete(script: &Path, line: &str) -> Option<Vec<String>> {
    let out = std::process::Command::new("fish")
        .arg("--no-config")
        .arg("-c")
        .arg(format!("source {}; complete -C '{line}'", script.display()))
        .output()
        .ok()?;
    assert!(out.status.success(), "{out:?}");
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect(),
    )
}

#[test]
fn fish_completes_global_option_values_before_a_subcommand() {
    let home = Home::new();
    let (code, script, err) = run(home.cmd().args(["completions", "fish"]));
    assert_eq!(code, 0, "{err}");
    // clap_complete's guard gave up ("or return") while a global option waited for
    // its value, so `biopass --env <TAB>` offered file names.
    assert!(
        script.contains("2>/dev/null\n    # Fails while a global option waits for its value: no subcommand yet.\n    or return 0\n"),
        "guard relaxed"
    );
    assert!(script.contains("printf '%s\\tfinger position\\n' right-thumb= right-index="));
    assert!(script.contains("-l finger -d 'Fingerprint"));
    let path = home.path().join("biopass.fish");
    std::fs::write(&path, &script).unwrap();
    // The rest needs fish itself; CI machines without it check the text above only.
    let Some(got) = fish_complete(&path, "biopass --env ") else {
        eprintln!("fish not installed: skipping the live checks");
        return;
    };
    assert_eq!(got, ["hml", "production", "sandbox"]);
    let got = fish_complete(&path, "biopass -o json --env sandbox en").unwrap();
    assert_eq!(got, ["enroll"]);
    let got = fish_complete(&path, "biopass --timeout 5 enroll --finger left-t").unwrap();
    assert_eq!(got, ["left-thumb="]);
    let got = fish_complete(&path, "biopass completions ").unwrap();
    assert!(got.contains(&"fish".to_string()), "{got:?}");
}

/// `doc/biopass.1` must match what `biopass man` prints today. Refresh it with:
/// BIOPASS_WRITE_MAN=1 cargo test --test operator man_page
#[test]
fn man_page_is_fresh() {
    let home = Home::new();
    let (code, out, err) = run(home.cmd().arg("man"));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(".ie \\n(.g .ds Aq \\(aq"),
        "roff: {}",
        &out[..80.min(out.len())]
    );
    for section in [
        ".SH \"BIOPASS ENROLL\"",
        ".SH \"BIOPASS SANDBOX RESET\"",
        ".SH EXAMPLES",
    ] {
        assert!(out.contains(section), "{section}");
    }
    // The global options have what `--help` gives them: a description, the default
    // and the environment variable.
    let globals = out
        .split(".SH \"GLOBAL OPTIONS\"")
        .nth(1)
        .and_then(|g| g.split(".SH ").next())
        .expect("a GLOBAL OPTIONS section");
    for (option, words, var) in [
        ("\\fB\\-\\-env\\fR", "API environment", Some("BIOPASS_ENV")),
        (
            "\\fB\\-\\-timeout\\fR",
            "[default: 120]",
            Some("BIOPASS_TIMEOUT"),
        ),
        (
            "\\fB\\-\\-keep\\-metadata\\fR",
            "Send images exactly as they are",
            Some("BIOPASS_KEEP_METADATA"),
        ),
        (
            "\\fB\\-\\-ca\\-cert\\fR",
            "Extra trusted root certificate",
            Some("BIOPASS_CA_CERT"),
        ),
        ("\\fB\\-\\-dry\\-run\\fR", "send nothing", None),
    ] {
        let entry = globals
            .split(".TP\n")
            .find(|e| e.starts_with(option))
            .unwrap_or_else(|| panic!("{option} in {globals}"));
        assert!(entry.contains(words), "{option}: {entry}");
        if let Some(var) = var {
            assert!(
                entry.contains(&format!("\\fB{var}\\fR environment variable")),
                "{option}: {entry}"
            );
        }
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("doc/biopass.1");
    if std::env::var_os("BIOPASS_WRITE_MAN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &out).unwrap();
    }
    assert!(
        std::fs::read_to_string(&path).ok().as_deref() == Some(out.as_str()),
        "doc/biopass.1 is stale: run `BIOPASS_WRITE_MAN=1 cargo test --test operator man_page` and commit"
    );
}

#[test]
fn help_has_own_options_first_globals_under_their_heading_and_examples() {
    let home = Home::new();
    for cmd in [
        "enroll",
        "update",
        "verify",
        "delete",
        "sandbox",
        "config",
        "completions",
        "man",
    ] {
        let (code, long, err) = run(home.cmd().args([cmd, "--help"]));
        assert_eq!(code, 0, "{cmd}: {err}");
        let examples = long
            .find("\nExamples:\n")
            .unwrap_or_else(|| panic!("{cmd}: {long}"));
        let globals = long.find("\nGlobal options:\n").expect("global heading");
        let own = long.find("\nOptions:\n").expect("own options");
        assert!(own < globals && globals < examples, "{cmd}: order");
        assert!(long[globals..].contains("--env <ENV>"), "{cmd}");
        assert!(
            !long[..globals].contains("--env <ENV>"),
            "{cmd}: --env among own options"
        );
        // -h is a summary: no globals, no examples, and it says where they are.
        let (code, short, _) = run(home.cmd().args([cmd, "-h"]));
        assert_eq!(code, 0);
        assert!(short.len() < long.len() / 2, "{cmd}: -h is short");
        assert!(
            !short.contains("Examples:") && !short.contains("--env"),
            "{cmd}: {short}"
        );
        assert!(short.contains("see more with '--help'"), "{cmd}: {short}");
    }
    for cmd in ["enroll", "update", "delete"] {
        let (_, long, _) = run(home.cmd().args([cmd, "--help"]));
        assert!(
            long.contains(&format!(
                "Usage: biopass {cmd} [OPTIONS] (--id <ID> | --from <MANIFEST>)\n"
            )),
            "{long}"
        );
    }
    let (_, long, _) = run(home.cmd().args(["verify", "--help"]));
    assert!(
        long.contains("1 right-thumb, 2 right-index") && long.contains("10 left-little"),
        "finger positions listed: {long}"
    );
    let (_, top, _) = run(home.cmd().arg("--help"));
    assert!(
        top.contains("Examples:") && top.contains("Exit codes"),
        "{top}"
    );
}

#[test]
fn each_person_command_offers_only_the_batch_options_it_accepts() {
    let home = Home::new();
    let help = |cmd: &str| {
        let (code, out, err) = run(home.cmd().args([cmd, "--help"]));
        assert_eq!(code, 0, "{err}");
        out
    };
    let enroll = help("enroll");
    assert!(enroll.contains("--skip-existing"), "{enroll}");
    assert!(!enroll.contains("--accept-changed"), "{enroll}");
    for cmd in ["update", "verify", "delete"] {
        let out = help(cmd);
        assert!(!out.contains("--skip-existing"), "{cmd}: {out}");
        assert!(out.contains("--accept-changed"), "{cmd}: {out}");
        // No list of commands that may be wrong for this one.
        assert!(!out.contains("(update, delete"), "{cmd}: {out}");
        // What is not offered is refused, saying why.
        let (code, _, err) = run(home.cmd().args([
            "--env",
            "sandbox",
            cmd,
            "--skip-existing",
            "--from",
            "m.csv",
        ]));
        assert_eq!(code, 2, "{cmd}: {err}");
        assert!(
            err.contains(&format!(
                "--skip-existing is for enroll: {cmd} enrolls nobody"
            )),
            "{err}"
        );
    }
    let (code, _, err) = run(home.cmd().args([
        "--env",
        "sandbox",
        "enroll",
        "--accept-changed",
        "--from",
        "m.csv",
    ]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--accept-changed does not apply to enroll"),
        "{err}"
    );
}

#[test]
fn version_names_commit_target_and_tls() {
    let home = Home::new();
    let (code, out, _) = run(home.cmd().arg("--version"));
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], concat!("biopass ", env!("CARGO_PKG_VERSION")));
    assert!(lines[1].starts_with("commit: "), "{out}");
    // Built from this package's own git checkout, the commit is HEAD's; otherwise
    // (no git, a tarball) build.rs says it is unknown.
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let own_checkout = git(&["rev-parse", "--show-toplevel"]).is_some_and(|top| {
        std::fs::canonicalize(top).ok() == std::fs::canonicalize(env!("CARGO_MANIFEST_DIR")).ok()
    });
    match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(head) if own_checkout => assert_eq!(lines[1], format!("commit: {head}"), "{out}"),
        _ => assert!(lines[1].starts_with("commit: unknown"), "{out}"),
    }
    assert!(lines[2].starts_with("target: ") && lines[2].len() > "target: ".len() + 5);
    assert!(lines[3].starts_with("tls: rustls"), "{out}");
    let (_, short, _) = run(home.cmd().arg("-V"));
    assert_eq!(short, concat!("biopass ", env!("CARGO_PKG_VERSION"), "\n"));
}
