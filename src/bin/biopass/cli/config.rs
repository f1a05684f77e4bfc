//! `config`: the configuration file.

use clap::Subcommand;

pub(super) const CONFIG_EXAMPLES: &str = "Examples:
  # Write a starter config file, store the key (read from stdin), see every setting
  biopass config init
  pass show biopass | biopass config set-key
  biopass config show
  # Use a profile of it
  biopass --profile staging verify --id 1234 --face probe.jpg";

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the path of the config file in use
    Path,
    /// Print every effective setting and where it came from (key masked)
    Show,
    /// Write a starter config file (mode 0600); never prompts
    Init {
        /// Overwrite an existing file
        #[arg(long)]
        force: bool,
    },
    /// Store the API key, read from standard input, in a 0600 file beside the config
    /// file and point the profile's api_key_file at it (--profile chooses the profile)
    SetKey,
}
