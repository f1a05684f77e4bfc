//! The manifest options that `--from` of the person commands and of `check` share.

use clap::{Args, ValueEnum};

/// How to read a manifest: flattened into the batch options and `check`'s.
#[derive(Debug, Args, Default)]
pub struct ManifestArgs {
    /// Manifest format [default: by extension: .csv, .tsv, .jsonl/.ndjson, .xlsx/.xlsm, .ods]
    #[arg(long, value_enum, requires = "from")]
    pub format: Option<ManifestFormat>,
    /// CSV delimiter: a character, or tab [default: Excel's sep= line, else told from the header: , ; or tab]
    #[arg(long, value_name = "CHAR", requires = "from", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// CSV text encoding [default: told from the bytes: a BOM, else UTF-8, else windows-1252]
    #[arg(long, value_enum, requires = "from")]
    pub encoding: Option<ManifestEncoding>,
    /// Workbook sheet to read [default: the first]
    #[arg(long, value_name = "NAME", requires = "from")]
    pub sheet: Option<String>,
}

impl ManifestArgs {
    /// The library's read options.
    pub fn options(&self) -> biopass::batch::manifest::Options {
        biopass::batch::manifest::Options {
            format: self.format.map(ManifestFormat::format),
            delimiter: self.delimiter,
            encoding: self.encoding.map(ManifestEncoding::encoding),
            sheet: self.sheet.clone(),
        }
    }
}

/// `--from`'s long help: the manifest's formats and the column table's columns.
pub(super) fn manifest_help() -> String {
    format!(
        "Manifest of people: CSV or TSV with a header (UTF-8, UTF-16 with a BOM, or Windows-1252), \
JSON Lines, or a workbook (.xlsx, .xlsm, .ods: the first sheet, or --sheet); - reads standard input (then --format is needed).\n{}",
        biopass::batch::manifest::columns::help()
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ManifestFormat {
    Csv,
    Tsv,
    Jsonl,
    Xlsx,
    Ods,
}

impl ManifestFormat {
    /// The library's format.
    pub fn format(self) -> biopass::batch::manifest::Format {
        use biopass::batch::manifest::Format;
        match self {
            ManifestFormat::Csv => Format::Csv,
            ManifestFormat::Tsv => Format::Tsv,
            ManifestFormat::Jsonl => Format::Jsonl,
            ManifestFormat::Xlsx => Format::Xlsx,
            ManifestFormat::Ods => Format::Ods,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ManifestEncoding {
    #[value(name = "utf-8")]
    Utf8,
    #[value(name = "utf-16")]
    Utf16,
    #[value(name = "windows-1252")]
    Windows1252,
}

impl ManifestEncoding {
    /// The library's encoding.
    pub fn encoding(self) -> biopass::batch::manifest::Encoding {
        use biopass::batch::manifest::Encoding;
        match self {
            ManifestEncoding::Utf8 => Encoding::Utf8,
            ManifestEncoding::Utf16 => Encoding::Utf16,
            ManifestEncoding::Windows1252 => Encoding::Windows1252,
        }
    }
}

/// A CSV delimiter: one ASCII character other than a quote or a line end, or `tab`
/// (`\t` is accepted too, as a shell passes it literally).
pub(super) fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "TAB" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() && !matches!(s, "\"" | "\n" | "\r") => {
            Ok(s.as_bytes()[0])
        }
        _ => Err(format!(
            "'{s}' is not a delimiter: give one character (, or ;) or tab"
        )),
    }
}
