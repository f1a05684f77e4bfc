//! `biopass completions SHELL`.

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::Cli;
use crate::render;

pub fn run(shell: clap_complete::Shell) -> Result<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "biopass", &mut out);
    render::result_line(String::from_utf8_lossy(&out).trim_end())?;
    Ok(0)
}
