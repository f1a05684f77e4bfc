//! Configuration: precedence (flag > env > profile > default), profiles, key
//! masking in `config show`, and `config init`.

mod support;

use support::*;

fn show_json(cmd: &mut assert_cmd::Command) -> serde_json::Value {
    let (code, out, err) = run(cmd.args(["-o", "json", "config", "show"]));
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn precedence_flag_over_env_over_profile_over_default() {
    let home = Home::new();
    let v = show_json(&mut home.cmd());
    assert_eq!(
        v["settings"]["timeout"],
        serde_json::json!({"value": "120s", "source": "default"})
    );
    assert_eq!(v["settings"]["env"]["value"], "production");
    assert_eq!(
        v["settings"]["endpoint"]["value"],
        "https://api.biopassid.com"
    );
    assert_eq!(v["config"]["found"], false);

    home.write_config("[profiles.default]\ntimeout = 30\nenv = \"hml\"\n");
    let v = show_json(&mut home.cmd());
    assert_eq!(
        v["settings"]["timeout"],
        serde_json::json!({"value": "30s", "source": "profile"})
    );
    assert_eq!(
        v["settings"]["endpoint"]["value"],
        "https://hml-api.biopassid.com"
    );

    let v = show_json(home.cmd().env("BIOPASS_TIMEOUT", "20"));
    assert_eq!(
        v["settings"]["timeout"],
        serde_json::json!({"value": "20s", "source": "env BIOPASS_TIMEOUT"})
    );

    let v = show_json(
        home.cmd()
            .env("BIOPASS_TIMEOUT", "20")
            .args(["--timeout", "10"]),
    );
    assert_eq!(
        v["settings"]["timeout"],
        serde_json::json!({"value": "10s", "source": "flag --timeout"})
    );

    let v = show_json(home.cmd().env("BIOPASS_ENV", "production"));
    assert_eq!(
        v["settings"]["env"],
        serde_json::json!({"value": "production", "source": "env BIOPASS_ENV"})
    );
}

#[test]
fn named_profiles_and_default_profile() {
    let home = Home::new();
    home.write_config(
        "default_profile = \"work\"\n[profiles.work]\noutput = \"json\"\n[profiles.other]\nenv = \"sandbox\"\n",
    );
    let (code, out, _) = run(home.cmd().args(["config", "show"]));
    assert_eq!(code, 0);
    assert!(out.starts_with('{'), "profile output=json applies: {out}");
    let v = show_json(home.cmd().env("BIOPASS_PROFILE", "other"));
    assert_eq!(v["profile"], "other");
    assert_eq!(v["settings"]["env"]["value"], "sandbox");
    let (code, _, err) = run(home.cmd().args(["--profile", "nope", "config", "show"]));
    assert_eq!(code, 78);
    assert!(
        err.contains("no profile 'nope'") && err.contains("other, work"),
        "{err}"
    );
}

#[test]
fn config_show_masks_the_key_and_names_its_source() {
    let home = Home::new();
    let key = "k3yAbcdefghijklmnopqrstuvwxyz";
    home.write_config(&format!("[profiles.default]\napi_key = \"{key}\"\n"));
    let (code, out, _) = run(home.cmd().args(["config", "show"]));
    assert_eq!(code, 0);
    assert!(out.contains("k3yA… (29 characters)"), "{out}");
    assert!(
        !out.contains(&key[..5]),
        "only four characters shown: {out}"
    );
    assert!(out.contains("profile api_key"), "{out}");

    let kf = home.key_file("envKEYzzzzzzzzzzzzzzzzzzzz");
    let v = show_json(home.cmd().arg("--api-key-file").arg(&kf));
    assert!(
        v["settings"]["api_key"]["source"]
            .as_str()
            .unwrap()
            .starts_with("flag --api-key-file")
    );
    let v = show_json(
        home.cmd()
            .env("BIOPASS_API_KEY", "fromENVzzzzzzzzzzzzz")
            .arg("--api-key-file")
            .arg(&kf),
    );
    assert_eq!(v["settings"]["api_key"]["source"], "env BIOPASS_API_KEY");
    assert_eq!(v["settings"]["api_key"]["value"], "from… (20 characters)");
}

#[test]
fn api_key_file_from_profile_is_relative_to_the_config() {
    let home = Home::new();
    home.write_config("[profiles.default]\napi_key_file = \"my.key\"\n");
    let kf = home.config_dir().join("my.key");
    std::fs::write(&kf, "relKEYzzzzzzzzzzzzzzz\n").unwrap();
    set_mode(&kf, 0o600);
    let v = show_json(&mut home.cmd());
    assert_eq!(v["settings"]["api_key"]["value"], "relK… (21 characters)");
    set_mode(&kf, 0o604);
    // config show reports the problem; a command refuses the key.
    let v = show_json(&mut home.cmd());
    let problem = v["settings"]["api_key"]["problem"].as_str().unwrap();
    assert!(problem.contains("chmod 600"), "{v}");
    let (code, _, err) = run(home
        .cmd()
        .env("BIOPASS_ENDPOINT", "http://127.0.0.1:9")
        .args(["delete", "--id", "1"]));
    assert_eq!(code, 78);
    assert!(err.contains("chmod 600"), "{err}");
}

#[test]
fn api_key_from_stdin_only_with_dash() {
    let home = Home::new();
    let v = show_json(
        home.cmd()
            .args(["--api-key-file", "-"])
            .write_stdin("stdinKEYzzzzzzzzzzzz\n"),
    );
    assert_eq!(v["settings"]["api_key"]["value"], "stdi… (20 characters)");
}

#[test]
fn config_init_writes_a_private_file_without_prompting() {
    use std::os::unix::fs::PermissionsExt;
    let home = Home::new();
    let (code, out, err) = run(home.cmd().args(["config", "init"]));
    assert_eq!(code, 0, "{err}");
    let path = home.config_dir().join("config.toml");
    assert_eq!(out.trim(), path.display().to_string());
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml"))
            .unwrap()
    );
    // Until the key file it names exists, show says so (and still shows); then
    // the file parses.
    let (code, out, err) = run(home.cmd().args(["config", "show"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("(problem: ") && out.contains("biopass.key"),
        "{out}"
    );
    let kf = home.config_dir().join("biopass.key");
    std::fs::write(&kf, "initKEYzzzzzzzzzzzzz\n").unwrap();
    set_mode(&kf, 0o600);
    let (code, out, err) = run(home.cmd().args(["config", "show"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("init… (20 characters)"), "{out}");
    // A second init refuses to overwrite.
    let (code, _, err) = run(home.cmd().args(["config", "init"]));
    assert_eq!(code, 78);
    assert!(err.contains("--force"), "{err}");
    assert_eq!(run(home.cmd().args(["config", "init", "--force"])).0, 0);
}

#[test]
fn config_path_follows_flag_env_and_xdg() {
    let home = Home::new();
    let (_, out, _) = run(home.cmd().args(["config", "path"]));
    assert_eq!(
        out.trim(),
        home.config_dir().join("config.toml").display().to_string()
    );
    let (_, out, _) = run(home
        .cmd()
        .env("BIOPASS_CONFIG", "/tmp/x.toml")
        .args(["config", "path"]));
    assert_eq!(out.trim(), "/tmp/x.toml");
}

#[test]
fn zero_timeout_is_refused() {
    let home = Home::new();
    let (code, _, err) = run(home.cmd().args(["--timeout", "0", "config", "show"]));
    assert_eq!(code, 2, "a usage error, from clap");
    assert!(err.contains("cannot be turned off"), "{err}");
}

#[test]
fn choosing_an_env_by_flag_drops_the_profile_endpoint() {
    let home = Home::new();
    home.write_config(
        "[profiles.default]\nenv = \"hml\"\nendpoint = \"https://proxy.example/biopass\"\n",
    );
    let v = show_json(&mut home.cmd());
    assert_eq!(
        v["settings"]["endpoint"],
        serde_json::json!({"value": "https://proxy.example/biopass", "source": "profile"})
    );
    let v = show_json(home.cmd().args(["--env", "production"]));
    assert_eq!(
        v["settings"]["endpoint"],
        serde_json::json!({"value": "https://api.biopassid.com", "source": "default"})
    );
    let v = show_json(home.cmd().env("BIOPASS_ENV", "sandbox"));
    assert_eq!(
        v["settings"]["endpoint"]["value"],
        "in-process sandbox on 127.0.0.1"
    );
}

#[test]
fn an_empty_env_var_is_unset_and_the_flag_always_wins() {
    let home = Home::new();
    // Empty: as if unset, for every variable, with or without the flag.
    let empties = [
        "BIOPASS_ENV",
        "BIOPASS_ENDPOINT",
        "BIOPASS_OUTPUT",
        "BIOPASS_TIMEOUT",
        "BIOPASS_KEEP_METADATA",
        "BIOPASS_MAX_DIMENSION",
        "BIOPASS_PROFILE",
        "BIOPASS_API_KEY",
    ];
    let mut cmd = home.cmd();
    for v in empties {
        cmd.env(v, "");
    }
    let v = show_json(&mut cmd);
    for name in ["env", "endpoint", "timeout", "keep_metadata"] {
        assert_eq!(v["settings"][name]["source"], "default", "{name}: {v}");
    }
    let mut cmd = home.cmd();
    for v in empties {
        cmd.env(v, "");
    }
    let (code, out, err) = run(cmd.args(["--env", "sandbox", "delete", "--id", "1", "--dry-run"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("DELETE "), "{out}");

    // A bad value is never read when the flag is given.
    let v = show_json(
        home.cmd()
            .env("BIOPASS_ENV", "bogus")
            .env("BIOPASS_TIMEOUT", "abc")
            .env("BIOPASS_KEEP_METADATA", "maybe")
            .args(["--env", "hml", "--timeout", "5", "--keep-metadata"]),
    );
    assert_eq!(v["settings"]["env"]["source"], "flag --env", "{v}");
    assert_eq!(v["settings"]["timeout"]["value"], "5s", "{v}");
    let (code, _, err) = run(home.cmd().env("BIOPASS_OUTPUT", "yaml").args([
        "-qo",
        "text",
        "--env",
        "sandbox",
        "delete",
        "--id",
        "1",
        "--dry-run",
    ]));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn env_booleans_take_the_usual_spellings() {
    let home = Home::new();
    for (value, expected) in [
        ("1", "true"),
        ("0", "false"),
        ("true", "true"),
        ("FALSE", "false"),
        ("yes", "true"),
        ("no", "false"),
    ] {
        let v = show_json(home.cmd().env("BIOPASS_KEEP_METADATA", value));
        assert_eq!(
            v["settings"]["keep_metadata"]["value"]
                .to_string()
                .trim_matches('"'),
            expected,
            "BIOPASS_KEEP_METADATA={value}: {v}"
        );
    }
}

#[test]
fn a_bad_env_value_is_a_usage_error_naming_the_variable() {
    let home = Home::new();
    std::fs::copy(fixture("face.jpg"), home.path().join("face.jpg")).unwrap();
    let m = home.path().join("m.csv");
    std::fs::write(&m, "id,face\n1,face.jpg\n").unwrap();
    let face = fixture("face.jpg");
    let face = face.to_str().unwrap();
    let cases: [(&str, &str, Vec<&str>); 8] = [
        (
            "BIOPASS_TIMEOUT",
            "abc",
            vec!["--env", "sandbox", "delete", "--id", "1", "--dry-run"],
        ),
        (
            "BIOPASS_KEEP_METADATA",
            "maybe",
            vec![
                "--env",
                "sandbox",
                "enroll",
                "--id",
                "1",
                "--face",
                face,
                "--dry-run",
            ],
        ),
        ("BIOPASS_MAX_IMAGE_BYTES", "lots", vec!["check", face]),
        ("BIOPASS_TIMEOUT", "abc", vec!["check", "--remote", face]),
        ("BIOPASS_OUTPUT", "yaml", vec!["sandbox", "status"]),
        ("BIOPASS_ENV", "bogus", vec!["doctor"]),
        (
            "BIOPASS_ENV",
            "bogus",
            vec!["delete", "--id", "1", "--dry-run"],
        ),
        (
            "BIOPASS_PROGRESS_INTERVAL",
            "abc",
            vec![
                "--env",
                "sandbox",
                "enroll",
                "--dry-run",
                "--from",
                m.to_str().unwrap(),
            ],
        ),
    ];
    for (var, value, args) in cases {
        let (code, out, err) = run(home.cmd().env(var, value).args(&args));
        assert_eq!(code, 2, "{var}={value} {args:?}: {err}");
        // doctor's report is its result: the failed step names the variable there.
        let said = if args[0] == "doctor" { &out } else { &err };
        if args[0] != "doctor" {
            assert!(out.is_empty(), "{out}");
        }
        assert!(
            said.contains(&format!("environment variable {var}")) && said.contains(value),
            "{var}: {said}"
        );
    }
    // Under -o json, the error is the one JSON document on stdout.
    let (code, out, _) = run(home.cmd().env("BIOPASS_TIMEOUT", "abc").args([
        "-o",
        "json",
        "--env",
        "sandbox",
        "delete",
        "--id",
        "1",
        "--dry-run",
    ]));
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["error"]["kind"], "usage", "{v}");
}

#[test]
fn config_show_with_an_open_config_holding_a_key_prints_everything_and_names_it() {
    let home = Home::new();
    let p = home.write_config("[profiles.default]\napi_key = \"abcdefghijklmnop\"\ntimeout = 30\n");
    set_mode(&p, 0o644);
    let (code, out, err) = run(home.cmd().args(["config", "show"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("timeout          30s  (profile)"), "{out}");
    assert!(
        out.contains("problem          config file holding an api_key"),
        "{out}"
    );
    assert!(out.contains("chmod 600"), "{out}");
    let key = out.lines().find(|l| l.starts_with("api_key")).unwrap();
    assert!(key.contains("(problem: ") && !key.contains("abcd"), "{key}");
    assert!(
        !out.contains("abcd") && !err.contains("abcd"),
        "the key, even masked"
    );
    assert!(
        err.contains("warning") && err.contains("readable by others"),
        "{err}"
    );
    // JSON: the same, with config.problem.
    let v = show_json(&mut home.cmd());
    assert!(
        v["config"]["problem"]
            .as_str()
            .unwrap()
            .contains("chmod 600"),
        "{v}"
    );
    assert_eq!(v["settings"]["api_key"]["value"], serde_json::Value::Null);
    assert_eq!(v["settings"]["timeout"]["value"], "30s");
    // Every other command still refuses it.
    let (code, _, err) = run(home.cmd().args(["--dry-run", "delete", "--id", "1"]));
    assert_eq!(code, 78, "{err}");
    // Private again: no problem.
    set_mode(&p, 0o600);
    let v = show_json(&mut home.cmd());
    assert_eq!(v["config"]["problem"], serde_json::Value::Null);
}

#[test]
fn no_face_check_wins_over_a_bad_face_check_variable() {
    let home = Home::new();
    std::fs::copy(fixture("face.jpg"), home.path().join("face.jpg")).unwrap();
    let face = home.path().join("face.jpg");
    // Without the flag, the bad value is a usage error naming the variable...
    let (code, out, err) = run(home
        .cmd()
        .env("BIOPASS_FACE_CHECK", "maybe")
        .arg("check")
        .arg(&face));
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("BIOPASS_FACE_CHECK"), "{err}");
    // ...and with --no-face-check, the flag wins and the variable is not read.
    let (code, out, err) = run(home
        .cmd()
        .env("BIOPASS_FACE_CHECK", "maybe")
        .arg("--no-face-check")
        .arg("check")
        .arg(&face));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("face.jpg: ok"), "{out}");
}

#[test]
fn a_bad_env_value_breaks_only_the_commands_that_use_it() {
    let home = Home::new();
    let face = fixture("face.jpg");
    let face = face.to_str().unwrap();
    let journal = home.path().join("none.journal");
    let journal = journal.to_str().unwrap();
    // (args, exit code): none of these reads BIOPASS_ENV, BIOPASS_TIMEOUT or
    // BIOPASS_ENDPOINT (report's 66 is its own: the journal does not exist).
    let cases: [(Vec<&str>, i32); 8] = [
        (vec!["--version"], 0),
        (vec!["--help"], 0),
        (vec!["man"], 0),
        (vec!["completions", "bash"], 0),
        (vec!["report", journal], 66),
        (vec!["sandbox", "status"], 0),
        (vec!["config", "path"], 0),
        (vec!["check", face], 0),
    ];
    for (var, value) in [
        ("BIOPASS_ENV", "bogus"),
        ("BIOPASS_TIMEOUT", "abc"),
        ("BIOPASS_ENDPOINT", "notaurl"),
    ] {
        for (args, expected) in &cases {
            let (code, _, err) = run(home.cmd().env(var, value).args(args));
            assert_eq!(code, *expected, "{var}={value} {args:?}: {err}");
            assert!(!err.contains(var), "{var} {args:?}: {err}");
        }
    }
}

#[test]
fn config_show_shows_a_bad_env_value_and_its_problem() {
    let home = Home::new();
    let (code, out, err) = run(home
        .cmd()
        .env("BIOPASS_TIMEOUT", "abc")
        .args(["config", "show"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("timeout          abc  (env BIOPASS_TIMEOUT; problem: invalid value 'abc'"),
        "{out}"
    );
    assert!(out.contains("fix or unset BIOPASS_TIMEOUT)"), "{out}");
    assert!(
        err.contains("warning: environment variable BIOPASS_TIMEOUT: invalid value 'abc'"),
        "{err}"
    );
    let v = show_json(home.cmd().env("BIOPASS_ENV", "bogus"));
    assert_eq!(v["settings"]["env"]["value"], "bogus", "{v}");
    assert_eq!(v["settings"]["env"]["source"], "env BIOPASS_ENV", "{v}");
    let problem = v["settings"]["env"]["problem"].as_str().unwrap();
    assert!(problem.contains("invalid value 'bogus'"), "{v}");
    // Settings that are fine carry no problem.
    assert!(v["settings"]["timeout"].get("problem").is_none(), "{v}");
}

#[test]
fn a_bad_endpoint_in_the_environment_is_a_usage_error_naming_it() {
    let home = Home::new();
    for value in ["notaurl", "ftp://x"] {
        let (code, out, err) = run(home.cmd().env("BIOPASS_ENDPOINT", value).args([
            "delete",
            "--id",
            "1",
            "--dry-run",
        ]));
        assert_eq!(code, 2, "{value}: {err}");
        assert!(out.is_empty(), "{out}");
        assert!(
            err.contains("environment variable BIOPASS_ENDPOINT: endpoint"),
            "{value}: {err}"
        );
    }
    // Plain http to another host is well formed, refused by policy: 78, named.
    let (code, _, err) = run(home
        .cmd()
        .env("BIOPASS_ENDPOINT", "http://example.com")
        .args(["delete", "--id", "1", "--dry-run"]));
    assert_eq!(code, 78, "{err}");
    assert!(
        err.contains("environment variable BIOPASS_ENDPOINT: refusing plain http"),
        "{err}"
    );
    // In the config file, a bad endpoint stays a configuration error.
    home.write_config("[profiles.default]\nendpoint = \"notaurl\"\n");
    let (code, _, err) = run(home.cmd().args(["delete", "--id", "1", "--dry-run"]));
    assert_eq!(code, 78, "{err}");
    assert!(err.contains("endpoint 'notaurl' is not a URL"), "{err}");
}

#[test]
fn a_key_with_a_space_inside_is_refused_as_the_readme_says() {
    // README: "printable ASCII without spaces"; surrounding whitespace is trimmed.
    let home = Home::new();
    let (code, out, err) = run(home
        .cmd()
        .env("BIOPASS_API_KEY", "abcd efgh12345678")
        .args(["--endpoint", "https://127.0.0.1:9", "delete", "--id", "1"]));
    assert_eq!(code, 78, "{out}{err}");
    assert!(
        err.contains(
            "the API key from env BIOPASS_API_KEY contains spaces, control or non-ASCII characters"
        ),
        "{err}"
    );
    assert!(!err.contains("efgh"), "{err}");
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(readme.contains("printable ASCII without spaces"));
    assert!(
        !readme.contains("printable ASCII, 8"),
        "README still says any printable ASCII"
    );
}
