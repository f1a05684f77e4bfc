//! `check`: images checked before sending, from files or a manifest.

use std::path::PathBuf;

use clap::Args;

use super::manifest::{ManifestArgs, manifest_help};

pub(super) const CHECK_EXAMPLES: &str = "Examples:
  # Before sending: format, size, orientation, metadata and problems, one line per image
  biopass check face.jpg
  biopass check --fingerprints right-index.png left-thumb.png
  # Every image of a manifest (faces and fingers by their columns), as JSON Lines
  biopass check --from people.csv -o json
  # What --max-dimension would do to large phone photos
  biopass --max-dimension 1920 check photos/*.jpg";

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Image files to check (faces, unless --fingerprints); standard input (-) is not read
    #[arg(
        value_name = "FILE",
        required_unless_present = "from",
        conflicts_with = "from"
    )]
    pub files: Vec<PathBuf>,
    /// The FILEs are fingerprint scans: never re-encoded, checked for 500 dpi
    #[arg(long, conflicts_with = "from")]
    pub fingerprints: bool,
    /// Check every image of a manifest (faces and fingers by their columns)
    #[arg(long, value_name = "MANIFEST", long_help = manifest_help())]
    pub from: Option<String>,
    #[command(flatten)]
    pub read: ManifestArgs,
    /// Face findings that only warn (FACE_TOO_SMALL, FACE_OFF_CENTRE, BLURRY, TOO_DARK,
    /// OVEREXPOSED) block too: exit 65
    #[arg(long)]
    pub strict: bool,
    /// Also ask the service's own quality checks (faces: face detect, ICAO, liveness;
    /// fingerprints: NFIQ); whether these calls are billed is not documented
    #[arg(
        long,
        long_help = "Also send each image that could be sent to the service's own quality checks: faces to face detect, the ICAO check and liveness; fingerprints to the NFIQ check. Uses the same key, endpoint, timeouts and retries as every other call. Whether BioPassID bills these calls as transactions is NOT documented: count on each being billed. A failed check is a REMOTE_ERROR finding; a refused key (77), a missing operation (78), a redirect (76) or an untrusted certificate stops at once. Without --remote, check sends nothing."
    )]
    pub remote: bool,
}
