//! One module per subcommand; each takes resolved settings and returns an exit code.

pub mod config;
pub mod person;
pub mod target;
