//! `biopass doctor` and `biopass config set-key`, end to end against real servers on
//! 127.0.0.1; and `-o json` for the config commands that print a path.

mod support;

use support::hostile::*;
use support::*;

/// The steps of a text report: (status, step) per line, the verdict line left out.
fn steps(out: &str) -> Vec<(String, String)> {
    out.lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let (status, step) = (w.next()?, w.next()?);
            ["ok", "fail", "skipped"]
                .contains(&status)
                .then(|| (status.to_string(), step.to_string()))
        })
        .collect()
}

fn line<'a>(out: &'a str, step: &str) -> &'a str {
    out.lines()
        .find(|l| l.split_whitespace().nth(1) == Some(step))
        .unwrap_or_else(|| panic!("no {step} line in:\n{out}"))
}

fn s(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn doctor_against_a_served_sandbox_is_all_well_and_enrolls_nobody() {
    let home = Home::new();
    let served = serve(&home, &[]);
    let (code, out, err) = run(served.cmd(&home).arg("doctor"));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        steps(&out),
        s(&[
            ("ok", "settings"),
            ("ok", "key"),
            ("skipped", "dns"),
            ("ok", "connect"),
            ("skipped", "tls"),
            ("ok", "auth"),
        ]),
        "{out}"
    );
    assert!(line(&out, "tls").contains("plain http"), "{out}");
    assert!(line(&out, "auth").contains("Invalid JSON format"), "{out}");
    assert!(
        line(&out, "settings").contains("(env BIOPASS_ENDPOINT)"),
        "{out}"
    );
    assert!(out.ends_with("all well\n"), "{out}");
    let stats = served.stats();
    assert_eq!(stats["persons"], 0, "{stats}");
    assert_eq!(
        stats["requests"], 1,
        "the probe reached the sandbox: {stats}"
    );
}

#[test]
fn doctor_with_a_rejected_key_is_77() {
    let home = Home::new();
    let served = serve(&home, &[]);
    let (code, out, err) = run(served
        .cmd(&home)
        .env("BIOPASS_API_KEY", "not-the-sandbox-key")
        .arg("doctor"));
    assert_eq!(code, 77, "{out}{err}");
    let auth = line(&out, "auth");
    assert!(auth.starts_with("fail"), "{out}");
    assert!(
        auth.contains("401") && auth.contains("next: ") && auth.contains("set-key"),
        "{auth}"
    );
    assert_eq!(served.stats()["persons"], 0);
}

#[test]
fn doctor_against_a_closed_port_is_69() {
    let home = Home::new();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (code, out, err) = run(home
        .cmd_at(&format!("http://127.0.0.1:{port}"))
        .arg("doctor"));
    assert_eq!(code, 69, "{out}{err}");
    assert_eq!(
        steps(&out),
        s(&[
            ("ok", "settings"),
            ("ok", "key"),
            ("skipped", "dns"),
            ("fail", "connect"),
            ("skipped", "tls"),
            ("skipped", "auth"),
        ]),
        "{out}"
    );
    assert!(line(&out, "connect").contains("next: "), "{out}");
}

#[test]
fn doctor_without_a_key_is_78_and_sends_nothing() {
    let home = Home::new();
    let served = serve(&home, &[]);
    let (code, out, err) = run(home
        .cmd()
        .env("BIOPASS_ENDPOINT", &served.url)
        .arg("doctor"));
    assert_eq!(code, 78, "{out}{err}");
    let key = line(&out, "key");
    assert!(
        key.starts_with("fail") && key.contains("config set-key"),
        "{key}"
    );
    assert_eq!(
        line(&out, "auth").split_whitespace().next(),
        Some("skipped")
    );
    assert_eq!(served.stats()["requests"], 0);
}

#[test]
fn doctor_with_a_key_file_others_can_read_is_78() {
    let home = Home::new();
    let served = serve(&home, &[]);
    let kf = home.key_file(&served.key);
    set_mode(&kf, 0o644);
    let (code, out, err) = run(home
        .cmd()
        .env("BIOPASS_ENDPOINT", &served.url)
        .arg("--api-key-file")
        .arg(&kf)
        .arg("doctor"));
    assert_eq!(code, 78, "{out}{err}");
    assert!(line(&out, "key").contains("chmod 600"), "{out}");
    // Made private, the same file passes, and the report says so.
    set_mode(&kf, 0o600);
    let (code, out, err) = run(home
        .cmd()
        .env("BIOPASS_ENDPOINT", &served.url)
        .arg("--api-key-file")
        .arg(&kf)
        .arg("doctor"));
    assert_eq!(code, 0, "{out}{err}");
    assert!(line(&out, "key").contains("private"), "{out}");
}

#[test]
fn doctor_json_is_one_document() {
    let home = Home::new();
    let served = serve(&home, &[]);
    let (code, out, err) = run(served.cmd(&home).args(["-o", "json", "doctor"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["exit_code"], 0);
    let names: Vec<&str> = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["settings", "key", "dns", "connect", "tls", "auth"]);
    for st in v["steps"].as_array().unwrap() {
        let keys: Vec<&String> = st.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["detail", "next", "status", "step"], "{st}");
        assert!(st["detail"].is_string(), "{st}");
    }
    assert_eq!(v["steps"][4]["status"], "skipped");
    assert_eq!(v["steps"][5]["status"], "ok");

    let (code, out, _) = run(home
        .cmd()
        .env("BIOPASS_ENDPOINT", &served.url)
        .args(["-o", "json", "doctor"]));
    assert_eq!(code, 78);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["ok"].clone(), v["exit_code"].clone()),
        (false.into(), 78.into())
    );
    assert_eq!(v["steps"][1]["status"], "fail");
    assert!(v["steps"][1]["next"].is_string(), "{v}");
}

#[test]
fn doctor_on_the_embedded_sandbox() {
    let home = Home::new();
    let (code, out, err) = run(home.cmd().args(["--env", "sandbox", "doctor"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(line(&out, "connect").contains("embedded sandbox"), "{out}");
    assert!(line(&out, "auth").starts_with("ok"), "{out}");
}

fn invalid_json_400() -> Vec<u8> {
    answer(
        400,
        &[("Content-Type", "text/plain")],
        "Invalid JSON format",
    )
}

#[test]
fn doctor_over_tls_shows_issuer_and_expiry_with_ca_cert() {
    let home = Home::new();
    let pki = Pki::new(home.path());
    let srv = TlsServer::start(&pki, invalid_json_400());
    let (code, out, err) = run(home
        .cmd_at(&srv.url)
        .arg("--ca-cert")
        .arg(&pki.ca_pem)
        .arg("doctor"));
    assert_eq!(code, 0, "{out}{err}");
    let tls = line(&out, "tls");
    assert!(tls.starts_with("ok"), "{out}");
    assert!(
        tls.contains("biopass test private CA") && tls.contains("expires"),
        "{tls}"
    );
}

#[test]
fn doctor_over_tls_without_the_ca_is_78_and_names_ca_cert() {
    let home = Home::new();
    let pki = Pki::new(home.path());
    let srv = TlsServer::start(&pki, invalid_json_400());
    let (code, out, err) = run(home.cmd_at(&srv.url).arg("doctor"));
    assert_eq!(code, 78, "{out}{err}");
    let tls = line(&out, "tls");
    assert!(tls.starts_with("fail") && tls.contains("next: "), "{out}");
    assert!(tls.contains("--ca-cert"), "{tls}");
    assert_eq!(
        line(&out, "auth").split_whitespace().next(),
        Some("skipped")
    );
}

#[test]
fn doctor_over_tls_with_a_certificate_for_another_name_says_so() {
    let home = Home::new();
    let pki = Pki::for_names(home.path(), &["api.other.example"]);
    let srv = TlsServer::start(&pki, invalid_json_400());
    let (code, out, err) = run(home
        .cmd_at(&srv.url)
        .arg("--ca-cert")
        .arg(&pki.ca_pem)
        .arg("doctor"));
    assert_eq!(code, 78, "{out}{err}");
    let tls = line(&out, "tls");
    assert!(tls.starts_with("fail"), "{out}");
    assert!(
        tls.contains("127.0.0.1") && tls.contains("it holds api.other.example"),
        "{tls}"
    );
    let next = tls.split("next: ").nth(1).unwrap();
    assert!(
        !next.contains("--ca-cert") && next.contains("--endpoint"),
        "{tls}"
    );
}

fn mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn set_key_stores_the_key_privately_and_commands_use_it() {
    let home = Home::new();
    let key = "piped-key-0123456789";
    let (code, out, err) = run(home
        .cmd()
        .args(["config", "set-key"])
        .write_stdin(format!("{key}\n")));
    assert_eq!(code, 0, "{err}");
    let key_file = home.config_dir().join("biopass.key");
    let config = home.config_dir().join("config.toml");
    assert_eq!(out, format!("{}\n", key_file.display()));
    assert!(!out.contains(key) && !err.contains(key), "{out}{err}");
    assert_eq!(
        std::fs::read_to_string(&key_file).unwrap(),
        format!("{key}\n")
    );
    assert_eq!((mode(&key_file), mode(&config)), (0o600, 0o600));
    assert!(
        std::fs::read_to_string(&config)
            .unwrap()
            .contains("api_key_file = \"biopass.key\""),
    );

    let (code, out, err) = run(home.cmd().args(["-o", "json", "config", "show"]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let shown = &v["settings"]["api_key"];
    assert_eq!(shown["value"], "pipe… (20 characters)", "{v}");
    assert!(
        shown["source"]
            .as_str()
            .unwrap()
            .contains(&key_file.display().to_string()),
        "{v}"
    );

    // A real command against a sandbox that takes only this key uses it.
    let served = serve(&home, &["--key", key]);
    let (code, out, err) = run(home
        .cmd()
        .env("BIOPASS_ENDPOINT", &served.url)
        .args(["enroll", "--id", "p1", "--face"])
        .arg(fixture("face.jpg")));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(served.stats()["persons"], 1);
}

#[test]
fn set_key_through_a_symlinked_config_writes_the_key_beside_the_link() {
    let home = Home::new();
    let dotfiles = home.path().join("dotfiles");
    std::fs::create_dir_all(&dotfiles).unwrap();
    let real = dotfiles.join("biopass.toml");
    std::fs::write(
        &real,
        "# tracked in git\n[profiles.default]\ntimeout = 30\n",
    )
    .unwrap();
    set_mode(&real, 0o600);
    std::fs::create_dir_all(home.config_dir()).unwrap();
    let link = home.config_dir().join("config.toml");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let key = "linked-key-0123456789";
    let (code, out, err) = run(home
        .cmd()
        .args(["config", "set-key"])
        .write_stdin(format!("{key}\n")));
    assert_eq!(code, 0, "{err}");
    let key_file = home.config_dir().join("biopass.key");
    assert_eq!(out, format!("{}\n", key_file.display()));
    assert_eq!(
        std::fs::read_to_string(&key_file).unwrap(),
        format!("{key}\n")
    );
    assert!(
        !dotfiles.join("biopass.key").exists(),
        "the key went into the dotfiles"
    );
    // The link is still a link, and the file it points at was edited.
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let text = std::fs::read_to_string(&real).unwrap();
    assert!(
        text.contains("# tracked in git") && text.contains("api_key_file"),
        "{text}"
    );
    // And commands find the key there.
    let (code, out, err) = run(home.cmd().args(["-o", "json", "config", "show"]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["settings"]["api_key"]["value"], "link… (21 characters)",
        "{v}"
    );
}

#[test]
fn set_key_keeps_comments_and_writes_the_named_profile() {
    let home = Home::new();
    let text = "# my settings\ndefault_profile = \"work\" # chosen\n\n[profiles.work]\n# staging first\nenv = \"hml\"\napi_key_file = \"old.key\" # was here\n";
    let config = home.write_config(text);
    let (code, out, err) = run(home
        .cmd()
        .args(["-o", "json", "config", "set-key", "--profile", "work"])
        .write_stdin("work-key-1"));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let key_file = home.config_dir().join("work.key");
    assert_eq!(
        v,
        serde_json::json!({
            "key_file": key_file.display().to_string(),
            "config": config.display().to_string(),
            "profile": "work",
        })
    );
    let after = std::fs::read_to_string(&config).unwrap();
    assert_eq!(
        after,
        text.replace("\"old.key\" # was here", "\"work.key\" # was here"),
        "{after}"
    );
    assert_eq!(mode(&key_file), 0o600);
}

#[test]
fn set_key_refuses_an_invalid_key_and_writes_nothing() {
    let home = Home::new();
    let (code, out, err) = run(home
        .cmd()
        .args(["config", "set-key"])
        .write_stdin("two words\n"));
    assert_eq!(code, 78, "{err}");
    assert_eq!(out, "");
    assert!(err.contains("spaces"), "{err}");
    assert!(!err.contains("two words"), "{err}");
    assert!(!home.config_dir().exists(), "nothing may be written");

    let text = "# keep\n[profiles.default]\nenv = \"hml\"\n";
    let config = home.write_config(text);
    let (code, _, _) = run(home.cmd().args(["config", "set-key"]).write_stdin(""));
    assert_eq!(code, 78);
    assert_eq!(std::fs::read_to_string(&config).unwrap(), text);
    let entries: Vec<_> = std::fs::read_dir(home.config_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, ["config.toml"]);
}

#[test]
fn config_path_and_init_honour_json() {
    let home = Home::new();
    let config = home.config_dir().join("config.toml");
    let (code, out, _) = run(home.cmd().args(["-o", "json", "config", "path"]));
    assert_eq!(code, 0);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap(),
        serde_json::json!({"path": config.display().to_string()})
    );
    let (code, out, err) = run(home.cmd().args(["-o", "json", "config", "init"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap(),
        serde_json::json!({
            "path": config.display().to_string(),
            "key_file": home.config_dir().join("biopass.key").display().to_string(),
        })
    );
    // A profile's `output = "json"` counts too.
    home.write_config("[profiles.default]\noutput = \"json\"\n");
    let (_, out, _) = run(home.cmd().args(["config", "path"]));
    assert!(out.starts_with("{\"path\":"), "{out}");
}

/// On a terminal, set-key prompts on stderr and the key typed is not echoed.
#[test]
fn set_key_on_a_terminal_prompts_and_does_not_echo() {
    use std::io::{Read, Write};
    use std::os::fd::FromRawFd;
    let home = Home::new();
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty fills two descriptors we then own.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0, "openpty");
    // SAFETY: each descriptor is owned by exactly one File from here on.
    let mut master = unsafe { std::fs::File::from_raw_fd(master) };
    let slave = unsafe { std::fs::File::from_raw_fd(slave) };
    let child = home
        .std_cmd()
        .args(["config", "set-key"])
        .stdin(slave.try_clone().unwrap())
        .stderr(slave)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The parent's copies of the slave are gone (moved into the command, which
    // dropped them after spawning), so the master reads EIO once the child exits.
    let (tx, rx) = std::sync::mpsc::channel();
    let mut reader = master.try_clone().unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 256];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !String::from_utf8_lossy(&seen).contains("input hidden") {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let chunk = rx.recv_timeout(left).expect("the prompt never appeared");
        seen.extend(chunk);
    }
    master.write_all(b"tty-key-abcdef123\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    while let Ok(chunk) = rx.recv_timeout(std::time::Duration::from_secs(2)) {
        seen.extend(chunk);
    }
    let terminal = String::from_utf8_lossy(&seen);
    assert!(!terminal.contains("tty-key"), "echoed: {terminal:?}");
    let key_file = home.config_dir().join("biopass.key");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}\n", key_file.display())
    );
    assert_eq!(
        std::fs::read_to_string(key_file).unwrap(),
        "tty-key-abcdef123\n"
    );
}

#[test]
fn doctor_resolves_a_host_name_and_fails_on_one_that_does_not_exist() {
    let home = Home::new();
    let served = serve(&home, &[]);
    let url = served.url.replace("127.0.0.1", "localhost");
    let (code, out, err) = run(served
        .cmd(&home)
        .env("BIOPASS_ENDPOINT", &url)
        .arg("doctor"));
    assert_eq!(code, 0, "{out}{err}");
    let dns = line(&out, "dns");
    assert!(
        dns.starts_with("ok") && dns.contains("localhost is "),
        "{dns}"
    );

    // `.invalid` never resolves (RFC 6761); a resolver that cannot be reached ends
    // at the connect timeout, which is the same failure.
    let (code, out, err) = run(home.cmd_at("https://biopass-doctor-test.invalid").args([
        "--connect-timeout",
        "5",
        "doctor",
    ]));
    assert_eq!(code, 69, "{out}{err}");
    let dns = line(&out, "dns");
    assert!(dns.starts_with("fail") && dns.contains("next: "), "{dns}");
    assert_eq!(
        line(&out, "connect").split_whitespace().next(),
        Some("skipped")
    );
}
