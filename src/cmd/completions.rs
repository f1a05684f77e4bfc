//! `biopass completions SHELL`.
//!
//! clap_complete's scripts, with two repairs to the fish one (README "Install"):
//! - its guard for top-level completions runs `argparse` over the words typed so
//!   far and gives up when that fails, which it does exactly while a global option
//!   still waits for its value (`biopass --env <TAB>` offered file names): a line
//!   that cannot be parsed yet has no subcommand, so the guard now says so;
//! - `--finger POS=FILE` completes the positions (`right-index=`), then the file
//!   after the `=`, and `completions <TAB>` offers the shells.

use anyhow::Result;
use clap::{CommandFactory, ValueEnum};
use clap_complete::Shell;

use biopass::request::FINGER_NAMES;

use crate::cli::Cli;
use crate::render;

pub fn run(shell: Shell) -> Result<u8> {
    render::result_line(script(shell).trim_end())?;
    Ok(0)
}

/// The completion script for `shell`.
pub fn script(shell: Shell) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "biopass", &mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    match shell {
        Shell::Fish => fish_repairs(&text),
        _ => text,
    }
}

/// The guard line clap_complete writes after `argparse` in `__fish_biopass_needs_command`.
const FISH_GUARD: &str =
    "    argparse -s (__fish_biopass_global_optspecs) -- $cmd 2>/dev/null\n    or return\n";

fn fish_repairs(text: &str) -> String {
    // If clap_complete changes its script, the repair must be redone, not silently
    // lost: the completions test fails here first.
    assert!(
        text.contains(FISH_GUARD),
        "clap_complete's fish guard changed: update src/cmd/completions.rs"
    );
    let mut s = text.replace(
        FISH_GUARD,
        "    argparse -s (__fish_biopass_global_optspecs) -- $cmd 2>/dev/null\n    # Fails while a global option waits for its value: no subcommand yet.\n    or return 0\n",
    );
    let finger =
        "-l finger -d 'Fingerprint: POS is 1-10 or right-thumb ... left-little; repeatable' -r";
    s = s.replace(
        finger,
        &format!("{finger} -a \"(__fish_biopass_finger_positions)\""),
    );
    let names: Vec<String> = FINGER_NAMES.iter().map(|n| format!("{n}=")).collect();
    let shells: Vec<String> = Shell::value_variants()
        .iter()
        .filter_map(|v| v.to_possible_value())
        .map(|v| v.get_name().to_string())
        .collect();
    s.push_str(&format!(
        "\n# Added by biopass (src/cmd/completions.rs): finger positions, then the file.\n\
         function __fish_biopass_finger_positions\n\
         \x20   string match -q -- '*=*' (commandline -ct); and return\n\
         \x20   printf '%s\\tfinger position\\n' {}\n\
         end\n\
         complete -c biopass -n \"__fish_biopass_using_subcommand completions\" -f -a \"{}\"\n",
        names.join(" "),
        shells.join(" ")
    ));
    s
}
