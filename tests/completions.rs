//! The files in `completions/` must match what the binary generates today.
//! Refresh them with: BIOPASS_WRITE_COMPLETIONS=1 cargo test --test completions

mod support;

use support::*;

const FILES: [(&str, &str); 5] = [
    ("bash", "biopass.bash"),
    ("zsh", "_biopass"),
    ("fish", "biopass.fish"),
    ("powershell", "_biopass.ps1"),
    ("elvish", "biopass.elv"),
];

#[test]
fn completions_are_fresh() {
    let home = Home::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let write = std::env::var_os("BIOPASS_WRITE_COMPLETIONS").is_some();
    let mut stale = vec![];
    for (shell, file) in FILES {
        let (code, out, err) = run(home.cmd().args(["completions", shell]));
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("biopass") && out.contains("enroll"), "{shell}");
        let path = dir.join(file);
        if write {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &out).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(out.as_str()) {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "completions/{stale:?} are stale: run `BIOPASS_WRITE_COMPLETIONS=1 cargo test --test completions` and commit"
    );
}

/// The script `biopass completions SHELL` prints, written to `dir/file`.
fn script_file(home: &Home, shell: &str, dir: &std::path::Path, file: &str) -> std::path::PathBuf {
    let (code, out, err) = run(home.cmd().args(["completions", shell]));
    assert_eq!(code, 0, "{err}");
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(file);
    std::fs::write(&path, out).unwrap();
    path
}

/// A folder to complete file names in: `face.jpg`, `fp.png`, `sub/`.
fn files_dir(home: &Home) -> std::path::PathBuf {
    let cwd = home.path().join("cwd");
    std::fs::create_dir_all(cwd.join("sub")).unwrap();
    std::fs::write(cwd.join("face.jpg"), b"x").unwrap();
    std::fs::write(cwd.join("fp.png"), b"x").unwrap();
    cwd
}

/// The words bash gives a completion function for `line` (cursor at the end):
/// split at blanks, then at `=` (in COMP_WORDBREAKS, so `a=b` is `a`, `=`, `b`).
fn bash_words(line: &str) -> Vec<String> {
    let mut words = vec![];
    for token in line.split_whitespace() {
        let mut word = String::new();
        for c in token.chars() {
            if (c == '=') != word.ends_with('=') && !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            word.push(c);
        }
        words.push(word);
    }
    if line.ends_with(' ') {
        words.push(String::new());
    }
    words
}

/// What the bash script's `_biopass` puts in COMPREPLY for `line`, run in a real
/// bash the way `complete -F` runs it (COMP_LINE, COMP_POINT, COMP_WORDS,
/// COMP_CWORD; arguments: command, current word, previous word), sorted.
fn bash_complete(script: &std::path::Path, cwd: &std::path::Path, line: &str) -> Vec<String> {
    let out = std::process::Command::new("bash")
        .current_dir(cwd)
        .args(["--norc", "--noprofile", "-c"])
        .arg(
            r#"source "$1"; COMP_LINE="$2"; COMP_POINT=${#COMP_LINE}; shift 2
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
_biopass biopass "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}""#,
        )
        .arg("bash")
        .arg(script)
        .arg(line)
        .args(bash_words(line))
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "{line}: {out:?}");
    let mut got: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    got.sort();
    got
}

#[test]
fn bash_completes_finger_positions_then_the_file() {
    let home = Home::new();
    let script = script_file(&home, "bash", home.path(), "biopass.bash");
    let cwd = files_dir(&home);
    assert_eq!(
        bash_words("biopass --finger=a=b "),
        ["biopass", "--finger", "=", "a", "=", "b", ""]
    );
    let cases: [(&str, &[&str]); 9] = [
        // clap_complete offered file names here (none match `right-i`).
        ("biopass enroll --id 1 --finger right-i", &["right-index="]),
        (
            "biopass verify --finger left-",
            &[
                "left-index=",
                "left-little=",
                "left-middle=",
                "left-ring=",
                "left-thumb=",
            ],
        ),
        ("biopass update --finger=right-t", &["right-thumb="]),
        // After the `=`: files; bash replaces only the part after it...
        (
            "biopass enroll --finger right-index=f",
            &["face.jpg", "fp.png"],
        ),
        ("biopass enroll --finger=left-thumb=fa", &["face.jpg"]),
        // ... or the `=` itself, right after it.
        (
            "biopass enroll --finger 2=",
            &["=face.jpg", "=fp.png", "=sub"],
        ),
        // Everything else is clap_complete's, as before.
        ("biopass enroll --face f", &["face.jpg", "fp.png"]),
        ("biopass enroll --fing", &["--finger"]),
        ("biopass --env s", &["sandbox"]),
    ];
    for (line, want) in cases {
        assert_eq!(bash_complete(&script, &cwd, line), want, "{line}");
    }
    // All ten positions after a bare `--finger `.
    assert_eq!(
        bash_complete(&script, &cwd, "biopass enroll --finger ").len(),
        10
    );
}

/// What zsh's completion system offers for `line` (tests/support/zsh_complete.zsh),
/// or None without zsh.
fn zsh_complete(fpath: &std::path::Path, cwd: &std::path::Path, line: &str) -> Option<Vec<String>> {
    std::process::Command::new("zsh")
        .arg("--version")
        .output()
        .ok()?;
    let driver =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/zsh_complete.zsh");
    let mut child = std::process::Command::new("zsh")
        .current_dir(cwd)
        .arg("-f")
        .arg(driver)
        .arg(fpath)
        .arg(line)
        .env("HOME", cwd)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("zsh runs");
    // The driver waits for its end marker; a broken script would hang it, so it
    // gets a deadline (generous: this is not a timing assertion).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("zsh never finished completing {line:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{line}: {out:?}");
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
    )
}

#[test]
fn zsh_completes_finger_positions_then_the_file() {
    let home = Home::new();
    let fpath = home.path().join("zfunc");
    let script = script_file(&home, "zsh", &fpath, "_biopass");
    let text = std::fs::read_to_string(script).unwrap();
    // Every `--finger` spec calls the helper, which adds positions with an `=`.
    assert!(
        !text.contains(":POS=FILE:_default'"),
        "no --finger left with plain files"
    );
    assert_eq!(text.matches(":POS=FILE:_biopass_finger'").count(), 3);
    assert!(text.contains("compadd -S '=' -a positions"));
    let cwd = files_dir(&home);
    // The rest needs zsh itself; CI installs it (.ci/run).
    let Some(got) = zsh_complete(&fpath, &cwd, "biopass enroll --finger right-i") else {
        eprintln!("zsh not installed: skipping the live checks");
        return;
    };
    assert_eq!(got, ["right-index"]);
    let cases: [(&str, &[&str]); 5] = [
        (
            "biopass verify --id 1 --finger r",
            &[
                "right-index",
                "right-little",
                "right-middle",
                "right-ring",
                "right-thumb",
            ],
        ),
        ("biopass update --finger=left-l", &["left-little"]),
        (
            "biopass enroll --finger right-index=",
            &["face.jpg", "fp.png", "sub"],
        ),
        (
            "biopass enroll --finger=left-thumb=f",
            &["face.jpg", "fp.png"],
        ),
        ("biopass --env ", &["hml", "production", "sandbox"]),
    ];
    for (line, want) in cases {
        assert_eq!(zsh_complete(&fpath, &cwd, line).unwrap(), want, "{line}");
    }
}
