//! Lossless metadata removal: the JPEG segments and PNG/WebP chunks that preparation
//! drops, without touching a pixel, and the resolution written back as JFIF density or
//! PNG pHYs when it was recorded only in the EXIF block that goes. Part of
//! preparation ([`super::prepare`]).

use crate::images::format::Format;

use super::header::{Header, Problem, bad, be16, cut};
use super::inspect::jpeg_end;

/// Whether lossless preparation keeps a JPEG segment: JFIF (density), the ICC
/// profile (colour), Adobe APP14 (colour transform) and every non-APP segment;
/// EXIF/XMP (APP1), IPTC (APP13), comments and other APPn go.
fn keep_jpeg_segment(marker: u8, contents: &[u8]) -> bool {
    match marker {
        0xE0 => contents.starts_with(b"JFIF\0"),
        0xE2 => contents.starts_with(b"ICC_PROFILE\0"),
        0xEE => true,
        0xE1 | 0xE3..=0xED | 0xEF | 0xFE => false,
        _ => true,
    }
}

/// A JPEG without the segments [`keep_jpeg_segment`] drops, before the first scan and
/// between scans, and without anything after its end marker: one pass over the
/// markers, moving the kept ranges down in place (no second buffer; the entropy-coded
/// data is copied, never parsed further than its markers). `None` when the file ends
/// before its end marker.
fn strip_jpeg(mut raw: Vec<u8>) -> Option<Vec<u8>> {
    raw.get(..2)?;
    // `w`: where the next kept byte goes; always at or before the reading position.
    let mut w = 2;
    let mut keep = |raw: &mut Vec<u8>, from: usize, to: usize| {
        raw.copy_within(from..to, w);
        w += to - from;
    };
    // The header, up to and including the first start-of-scan segment.
    let mut i = 2;
    loop {
        // Stray bytes between segments and fill bytes before a marker are dropped,
        // as decoders skip them.
        i += memchr::memchr(0xFF, raw.get(i..)?)?;
        while raw.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let m = *raw.get(i + 1)?;
        if matches!(m, 0x01 | 0xD0..=0xD8) {
            keep(&mut raw, i, i + 2);
            i += 2;
            continue;
        }
        let end = i + 2 + be16(raw.get(i + 2..i + 4)?) as usize;
        if keep_jpeg_segment(m, raw.get(i + 4..end)?) {
            keep(&mut raw, i, end);
        }
        i = end;
        if m == 0xDA {
            break;
        }
    }
    // Entropy-coded data, and the segments between the scans of a progressive JPEG.
    let mut from = i;
    loop {
        i += memchr::memchr(0xFF, raw.get(i..)?)?;
        match *raw.get(i + 1)? {
            0xFF => i += 1,
            0x00 | 0x01 | 0xD0..=0xD8 => i += 2,
            0xD9 => {
                keep(&mut raw, from, i + 2);
                raw.truncate(w);
                return Some(raw);
            }
            m => {
                let end = i + 2 + be16(raw.get(i + 2..i + 4)?) as usize;
                if !keep_jpeg_segment(m, raw.get(i + 4..end)?) {
                    keep(&mut raw, from, i);
                    from = end;
                }
                i = end;
            }
        }
    }
}

/// A stripped JPEG (no JFIF segment: the resolution was only in EXIF) with a JFIF
/// APP0 segment recording `dpi` right after its start marker.
fn with_jfif_density(mut raw: Vec<u8>, dpi: u32) -> Vec<u8> {
    let d = (dpi.min(u16::MAX as u32) as u16).to_be_bytes();
    // A JFIF segment without units (aspect ratio only) first: give it the density.
    if raw.len() > 18 && raw[2..4] == [0xFF, 0xE0] && &raw[6..11] == b"JFIF\0" {
        raw[13] = 1;
        raw[14..16].copy_from_slice(&d);
        raw[16..18].copy_from_slice(&d);
        return raw;
    }
    let app0 = [
        0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x02, 0x01, d[0], d[1], d[0],
        d[1], 0x00, 0x00,
    ];
    let mut out = Vec::with_capacity(raw.len() + app0.len());
    out.extend_from_slice(&raw[..2]);
    out.extend_from_slice(&app0);
    out.extend_from_slice(&raw[2..]);
    out
}

/// PNG chunks lossless preparation removes: text, EXIF, modification time.
const PNG_DROPPED: [[u8; 4]; 5] = [*b"tEXt", *b"zTXt", *b"iTXt", *b"eXIf", *b"tIME"];

/// Remove metadata without touching pixels. TIFF and BMP are sent as they are.
pub(super) fn strip(raw: Vec<u8>, format: Format, h: &Header) -> Result<Vec<u8>, Problem> {
    let nothing = h.metadata.removable_bytes == 0 && h.metadata.trailing_bytes == 0;
    match format {
        Format::Jpeg => {
            if nothing
                && jpeg_end(&raw, h.scan_start as usize).is_some_and(|end| end + 2 == raw.len())
            {
                return Ok(raw);
            }
            let out = strip_jpeg(raw).ok_or_else(|| cut("a JPEG without its end marker"))?;
            Ok(match (h.dpi_from_exif, h.dpi) {
                (true, Some(dpi)) => with_jfif_density(out, dpi),
                _ => out,
            })
        }
        Format::Png => {
            if nothing {
                return Ok(raw);
            }
            let mut p = img_parts::png::Png::from_bytes(raw.into()).map_err(bad)?;
            for kind in PNG_DROPPED {
                p.remove_chunks_by_type(kind);
            }
            if let (true, Some(dpi)) = (h.dpi_from_exif, h.dpi) {
                // pHYs: pixels per metre, both axes, unit 1 (metre); after IHDR.
                let ppm = (dpi as f64 / 0.0254).round() as u32;
                let mut c = Vec::with_capacity(9);
                c.extend_from_slice(&ppm.to_be_bytes());
                c.extend_from_slice(&ppm.to_be_bytes());
                c.push(1);
                let chunk = img_parts::png::PngChunk::new(*b"pHYs", c.into());
                p.chunks_mut().insert(1, chunk);
            }
            Ok(p.encoder().bytes().to_vec())
        }
        Format::Webp => {
            use img_parts::ImageEXIF;
            let mut w = img_parts::webp::WebP::from_bytes(raw.into()).map_err(bad)?;
            w.remove_chunks_by_id(*b"XMP ");
            w.set_exif(None); // also fixes the VP8X flags
            Ok(w.encoder().bytes().to_vec())
        }
        Format::Tiff | Format::Bmp => Ok(raw),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_stripping_matches_img_parts_segment_removal() {
        // The hand-written pass (one copy, no parse of the entropy data) must remove
        // exactly what img-parts' segment list would, on every fixture JPEG.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
        let mut seen = 0;
        for sub in ["", "/images"] {
            for e in std::fs::read_dir(format!("{dir}{sub}")).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    continue;
                }
                let raw = std::fs::read(&path).unwrap();
                if !raw.starts_with(&[0xFF, 0xD8]) || path.ends_with("truncated.jpg") {
                    continue;
                }
                let end = jpeg_end(&raw, 2).unwrap();
                let whole = bytes::Bytes::from(raw.clone()).slice(..end + 2);
                let mut j = img_parts::jpeg::Jpeg::from_bytes(whole).unwrap();
                j.segments_mut()
                    .retain(|s| keep_jpeg_segment(s.marker(), s.contents()));
                let want = j.encoder().bytes().to_vec();
                assert_eq!(strip_jpeg(raw).unwrap(), want, "{}", path.display());
                seen += 1;
            }
        }
        assert!(seen >= 4, "{seen} JPEG fixtures");
        let mut cut = std::fs::read(format!("{dir}/face.jpg")).unwrap();
        cut.truncate(cut.len() - 2);
        assert_eq!(strip_jpeg(cut), None);
    }
}
