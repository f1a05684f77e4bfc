//! enroll, update, verify and delete: one person from flags, or many with `--from`.

use clap::Args;

use super::batch::BatchArgs;
use biopass::request::parse_finger_pos;

pub(super) const ENROLL_EXAMPLES: &str = "Examples:
  # Face and fingerprints; prints the BioPassID alone on stdout
  id=$(biopass enroll --id 1234 --face face.jpg --finger right-index=ri.png --finger 7=li.png)
  # See exactly what would be sent (key and images redacted); sends nothing
  biopass --dry-run enroll --id 1234 --face face.jpg
  # Everyone in a manifest (CSV, ; or tab separated, or JSON Lines); rerun to resume
  biopass enroll --from people.csv --jobs 8 --rate 20";
pub(super) const UPDATE_EXAMPLES: &str = "Examples:
  # Replace a person's images; prints the BioPassID
  biopass update --id 1234 --face new-face.jpg
  # Many people from a manifest
  biopass update --from people.csv";
pub(super) const VERIFY_EXAMPLES: &str = "Examples:
  # Prints \"match\" (exit 0) or \"no match\" (exit 1); -v adds details on stderr
  if biopass verify --id 1234 --face probe.jpg; then echo welcome; fi
  # Image from standard input (at most one \"-\" per command)
  camera-capture | biopass verify --id 1234 --face -
  # A fingerprint, in the slot it was enrolled in
  biopass verify --id 1234 --finger right-index=probe-ri.png
  # Everyone in a manifest (a proof-of-life campaign): ID<TAB>match, ID<TAB>no_match
  # or ID<TAB>failed<TAB>KIND<TAB>MESSAGE per row; a new campaign needs a new --journal
  biopass verify --from people.csv --journal campaign-2027.journal";
pub(super) const DELETE_EXAMPLES: &str = "Examples:
  # Prints the CustomID
  biopass delete --id 1234
  # Everyone in a manifest (only the id column is read)
  biopass delete --from people.csv";

/// `--finger`'s long help: the positions, as possible values of POS.
const FINGER_LONG_HELP: &str = "Fingerprint: POS=FILE, repeatable. POS is a slot 1-10 or its name:
  1 right-thumb, 2 right-index, 3 right-middle, 4 right-ring, 5 right-little,
  6 left-thumb, 7 left-index, 8 left-middle, 9 left-ring, 10 left-little
(underscores for hyphens and any case are accepted). Use the same slot at enroll and verify.";

/// enroll, update and verify: one person from flags, or a batch from a manifest.
#[derive(Debug, Args)]
pub struct WriteArgs {
    /// The person's CustomID
    #[arg(
        long,
        value_name = "ID",
        required_unless_present = "from",
        conflicts_with = "from"
    )]
    pub id: Option<String>,
    /// Face image (JPEG, PNG, TIFF, BMP, WebP), or - for stdin; repeat for Face-2, ...
    #[arg(long, value_name = "FILE", conflicts_with = "from")]
    pub face: Vec<String>,
    /// Fingerprint: POS is 1-10 or right-thumb ... left-little; repeatable
    #[arg(long, value_name = "POS=FILE", value_parser = parse_finger, conflicts_with = "from", long_help = FINGER_LONG_HELP)]
    pub finger: Vec<(u8, String)>,
    #[command(flatten)]
    pub batch: BatchArgs,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The person's CustomID
    #[arg(
        long,
        value_name = "ID",
        required_unless_present = "from",
        conflicts_with = "from"
    )]
    pub id: Option<String>,
    #[command(flatten)]
    pub batch: BatchArgs,
}

fn parse_finger(s: &str) -> Result<(u8, String), String> {
    let (pos, file) = s
        .split_once('=')
        .ok_or_else(|| format!("expected POS=FILE (e.g. right-index=ri.png), got '{s}'"))?;
    if file.is_empty() {
        return Err(format!("no file after '{pos}='"));
    }
    Ok((parse_finger_pos(pos)?, file.to_string()))
}

#[cfg(test)]
mod tests {
    use crate::cli::{Cli, Command};
    use clap::Parser;

    #[test]
    fn fingers_by_name_and_number() {
        let cli = Cli::try_parse_from([
            "biopass",
            "enroll",
            "--id",
            "1",
            "--finger",
            "right-index=a.png",
            "--finger",
            "10=b.png",
        ])
        .unwrap();
        let Command::Enroll(p) = cli.command else {
            panic!()
        };
        assert_eq!(p.finger, vec![(2, "a.png".into()), (10, "b.png".into())]);
    }

    #[test]
    fn bad_finger_is_a_usage_error() {
        for bad in ["thumb=a.png", "11=a.png", "0=a.png", "a.png", "2="] {
            let e = Cli::try_parse_from(["biopass", "enroll", "--id", "1", "--finger", bad])
                .unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
        }
    }
}
