//! Build facts for `biopass --version`: the git commit, when built from a git
//! checkout with git installed (a crates.io package or a tarball has none, and
//! builds all the same), and the target triple.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=BIOPASS_BUILD_COMMIT");
    // A packager may name the commit; otherwise ask git, if this is a checkout.
    let commit = std::env::var("BIOPASS_BUILD_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| {
            // Only this package's own checkout: a source tarball unpacked inside some
            // other repository must not report that repository's commit.
            let top = git(&["rev-parse", "--show-toplevel"])?;
            let here = std::env::var("CARGO_MANIFEST_DIR").ok()?;
            let same = std::fs::canonicalize(top).ok()? == std::fs::canonicalize(here).ok()?;
            if same {
                git(&["rev-parse", "--short=12", "HEAD"])
            } else {
                None
            }
        });
    if commit.is_some() {
        // Rebuild when HEAD moves: HEAD itself (a checkout) and the branch it names (a
        // commit). Paths from git, so worktrees work too.
        for path in [
            Some("HEAD".to_string()),
            git(&["symbolic-ref", "-q", "HEAD"]),
        ]
        .into_iter()
        .flatten()
        {
            if let Some(p) = git(&["rev-parse", "--git-path", &path])
                && std::path::Path::new(&p).exists()
            {
                println!("cargo:rerun-if-changed={p}");
            }
        }
        if let Some(p) = git(&["rev-parse", "--git-path", "packed-refs"])
            && std::path::Path::new(&p).exists()
        {
            println!("cargo:rerun-if-changed={p}");
        }
    }
    println!(
        "cargo:rustc-env=BIOPASS_COMMIT={}",
        commit
            .as_deref()
            .unwrap_or("unknown (not built from a git checkout)")
    );
    println!(
        "cargo:rustc-env=BIOPASS_TARGET={}",
        std::env::var("TARGET").unwrap_or_else(|_| "unknown".into())
    );
}
