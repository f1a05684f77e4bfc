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
