//! `biopass completions SHELL` and `biopass man`: scripts and the manual page, both
//! generated from the clap definition (checked-in copies: `completions/`, `doc/`).
//!
//! clap_complete's scripts, with repairs (README "Install"). In bash and zsh,
//! `--finger POS=FILE` completes the positions (`right-index=`), then the file after
//! the `=` (clap_complete offers file names for the whole value). In fish:
//! - its guard for top-level completions runs `argparse` over the words typed so
//!   far and gives up when that fails, which it does exactly while a global option
//!   still waits for its value (`biopass --env <TAB>` offered file names): a line
//!   that cannot be parsed yet has no subcommand, so the guard now says so;
//! - `--finger POS=FILE` completes the positions (`right-index=`), then the file
//!   after the `=`, and `completions <TAB>` offers the shells.

use anyhow::Result;
use biopass::error::Status;
use clap::{CommandFactory, ValueEnum};
use clap_complete::Shell;

use biopass::request::FINGER_NAMES;

use crate::cli::Cli;
use crate::render;

pub fn run(shell: Shell) -> Result<Status> {
    render::result_line(script(shell).trim_end())?;
    Ok(Status::Success)
}

/// `biopass man`: the manual page, in roff, with every subcommand's page appended
/// (one file is simpler to install than eleven; `man biopass` then has it all).
pub fn man() -> Result<Status> {
    // The page is checked in: no commit or target in it (`--version` has those).
    // The page is the long form: global options (short-help-hidden, to keep `-h`
    // short) keep their descriptions, defaults and variables here, as in `--help`.
    let cmd = long_form(Cli::command().long_version(None));
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut out)
        .expect("writing to memory");
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        append_subcommand(&mut out, "biopass", sub);
    }
    // clap_mangen titles the after-help "EXTRA": here it holds the examples (and, on
    // the first page, the key sources and exit codes).
    let text = String::from_utf8(out)
        .expect("roff is UTF-8")
        .replacen(".SH EXTRA\n", ".SH \"EXAMPLES, API KEY, EXIT CODES\"\n", 1)
        .replace(".SH EXTRA\n", ".SH EXAMPLES\n");
    render::result_line(text.trim_end())?;
    Ok(Status::Success)
}

/// Every option of `cmd` and its subcommands with its help shown.
fn long_form(cmd: clap::Command) -> clap::Command {
    cmd.mut_args(|a| a.hide_short_help(false))
        .mut_subcommands(long_form)
}

/// A subcommand's section: its name as a heading, its about, usage and options.
fn append_subcommand(out: &mut Vec<u8>, parent: &str, sub: &clap::Command) {
    let name = format!("{parent} {}", sub.get_name());
    let mut cmd = sub.clone().bin_name(name.clone());
    cmd.build();
    out.extend_from_slice(format!(".SH \"{}\"\n", name.to_uppercase()).as_bytes());
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_description_section(out).expect("memory");
    man.render_synopsis_section(out).expect("memory");
    man.render_options_section(out).expect("memory");
    if cmd.get_after_long_help().is_some() {
        man.render_extra_section(out).expect("memory");
    }
    for s in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        append_subcommand(out, &name, s);
    }
}

/// The completion script for `shell`.
pub fn script(shell: Shell) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "biopass", &mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    match shell {
        Shell::Fish => fish_repairs(&text),
        Shell::Bash => bash_repairs(&text),
        Shell::Zsh => zsh_repairs(&text),
        _ => text,
    }
}

/// `right-thumb right-index ...`, each followed by `suffix`.
fn positions(suffix: &str) -> String {
    FINGER_NAMES
        .iter()
        .map(|n| format!("{n}{suffix}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The start of clap_complete's bash function, where the finger hook goes.
const BASH_START: &str = "_biopass() {\n    local i cur prev opts cmd\n    COMPREPLY=()\n";

/// bash: a function that answers when the word being completed is a `--finger`
/// value (`--finger VALUE` or `--finger=VALUE`), called first by `_biopass`.
///
/// It reads the line up to the cursor (`COMP_LINE`), not `COMP_WORDS`, because
/// bash splits words at `=` (COMP_WORDBREAKS): `right-index=fa` arrives as three
/// words. The reply replaces only what bash calls the current word (`$2`), so what
/// is kept before it is the part of the value bash left out.
fn bash_repairs(text: &str) -> String {
    assert!(
        text.contains(BASH_START),
        "clap_complete's bash function changed: update src/bin/biopass/cmd/completions.rs"
    );
    let hook = format!(
        "# Added by biopass (src/bin/biopass/cmd/completions.rs): `--finger POS=FILE` completes the\n\
         # positions, then the file after the `=`. 0 when it answered.\n\
         _biopass_finger() {{\n\
         \x20   local line=\"${{COMP_LINE:0:COMP_POINT}}\"\n\
         \x20   local word=\"${{line##*[[:space:]]}}\"\n\
         \x20   local head=\"${{line%\"$word\"}}\"\n\
         \x20   head=\"${{head%\"${{head##*[![:space:]]}}\"}}\"\n\
         \x20   local value\n\
         \x20   if [[ \"$word\" == --finger=* ]]; then\n\
         \x20       value=\"${{word#--finger=}}\"\n\
         \x20   elif [[ \"${{head##*[[:space:]]}}\" == --finger ]]; then\n\
         \x20       value=\"$word\"\n\
         \x20   else\n\
         \x20       return 1\n\
         \x20   fi\n\
         \x20   local cur=\"${{2-${{COMP_WORDS[COMP_CWORD]}}}}\" keep want i\n\
         \x20   if [[ \"$value\" == *=* ]]; then\n\
         \x20       want=\"${{value#*=}}\"\n\
         \x20       keep=\"${{cur%\"$want\"}}\"\n\
         \x20       COMPREPLY=($(compgen -f -- \"$want\"))\n\
         \x20       [[ -z \"$keep\" ]] && compopt -o filenames 2>/dev/null\n\
         \x20   else\n\
         \x20       keep=\"${{cur%\"$value\"}}\"\n\
         \x20       COMPREPLY=($(compgen -W \"{}\" -- \"$value\"))\n\
         \x20       compopt -o nospace 2>/dev/null\n\
         \x20   fi\n\
         \x20   for i in \"${{!COMPREPLY[@]}}\"; do\n\
         \x20       COMPREPLY[i]=\"$keep${{COMPREPLY[i]}}\"\n\
         \x20   done\n\
         \x20   return 0\n\
         }}\n\n",
        positions("=")
    );
    format!(
        "{hook}{}",
        text.replacen(
            BASH_START,
            &format!("{BASH_START}    _biopass_finger \"$@\" && return 0\n"),
            1,
        )
    )
}

/// The action clap_complete gives `--finger`'s value in zsh (any file).
const ZSH_FINGER: &str = ":POS=FILE:_default'";
/// The end of clap_complete's zsh script, before which the helper goes.
const ZSH_END: &str = "\nif [ \"$funcstack[1]\" = \"_biopass\" ]; then\n";

/// zsh: `--finger`'s value completes with `_biopass_finger`: the positions, each
/// with its `=` (no space after it), then, once the word holds an `=`, the files.
fn zsh_repairs(text: &str) -> String {
    assert!(
        text.contains(ZSH_FINGER) && text.contains(ZSH_END),
        "clap_complete's zsh script changed: update src/bin/biopass/cmd/completions.rs"
    );
    let helper = format!(
        "\n# Added by biopass (src/bin/biopass/cmd/completions.rs): `--finger POS=FILE` completes the\n\
         # positions, then the file after the `=`.\n\
         (( $+functions[_biopass_finger] )) ||\n\
         _biopass_finger() {{\n\
         \x20   if compset -P '*='; then\n\
         \x20       _files\n\
         \x20   else\n\
         \x20       local expl\n\
         \x20       local -a positions\n\
         \x20       positions=({})\n\
         \x20       _wanted finger-positions expl 'finger position' compadd -S '=' -a positions\n\
         \x20   fi\n\
         }}\n",
        positions("")
    );
    text.replace(ZSH_FINGER, ":POS=FILE:_biopass_finger'")
        .replacen(ZSH_END, &format!("{helper}{ZSH_END}"), 1)
}

/// The guard line clap_complete writes after `argparse` in `__fish_biopass_needs_command`.
const FISH_GUARD: &str =
    "    argparse -s (__fish_biopass_global_optspecs) -- $cmd 2>/dev/null\n    or return\n";

fn fish_repairs(text: &str) -> String {
    // If clap_complete changes its script, the repair must be redone, not silently
    // lost: the completions test fails here first.
    assert!(
        text.contains(FISH_GUARD),
        "clap_complete's fish guard changed: update src/bin/biopass/cmd/completions.rs"
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
    let shells: Vec<String> = Shell::value_variants()
        .iter()
        .filter_map(|v| v.to_possible_value())
        .map(|v| v.get_name().to_string())
        .collect();
    s.push_str(&format!(
        "\n# Added by biopass (src/bin/biopass/cmd/completions.rs): finger positions, then the file.\n\
         function __fish_biopass_finger_positions\n\
         \x20   string match -q -- '*=*' (commandline -ct); and return\n\
         \x20   printf '%s\\tfinger position\\n' {}\n\
         end\n\
         complete -c biopass -n \"__fish_biopass_using_subcommand completions\" -f -a \"{}\"\n",
        positions("="),
        shells.join(" ")
    ));
    s
}
