//! Reading an image's header without decoding its pixels ([`inspect`]): dimensions,
//! EXIF orientation and metadata (read leniently), resolution, and whether the file is
//! whole, by walking JPEG segments, PNG chunks and TIFF/WebP/BMP headers. Part of
//! preparation ([`super::prepare`]), which re-exports the public functions.

use std::io::{Cursor, Read, Seek, SeekFrom};

use crate::images::format::Format;

use super::header::{Code, Header, MIN_SIDE, Metadata, Problem, bad, be16, be32, cut, problem};

/// Read a header: dimensions, orientation, metadata, resolution, and whether the file
/// is whole. `r` is positioned anywhere; `len` is the file's size. Reads a few
/// kilobytes for most files (JPEG: the segments before the pixels and the end of the
/// file; PNG: the chunk headers), never decodes pixels.
pub fn inspect<R: Read + Seek>(r: &mut R, len: u64, format: Format) -> Result<Header, Problem> {
    r.seek(SeekFrom::Start(0)).map_err(bad)?;
    let h = match format {
        Format::Jpeg => jpeg(r, len)?,
        Format::Png => png(r, len)?,
        Format::Webp | Format::Tiff | Format::Bmp => other(r, len, format)?,
    };
    if h.width < MIN_SIDE || h.height < MIN_SIDE {
        return Err(problem(
            Code::TooSmall,
            format!(
                "is {}x{} pixels; images must be at least {MIN_SIDE} pixels on each side",
                h.width, h.height
            ),
        ));
    }
    Ok(h)
}

/// Record what an EXIF block (TIFF structure, without the `Exif\0\0` prefix) holds.
///
/// A file may carry more than one (two APP1 `Exif` segments, two `eXIf` chunks).
/// Readers (libjpeg-turbo's tools, exiftool, browsers) take the orientation from the
/// first, so only the first block's orientation, its readability and its resolution
/// count here; the metadata of every block (GPS, camera, comments, thumbnail) is
/// still reported, and every block is removed as before.
fn read_exif(tiff: Vec<u8>, h: &mut Header) {
    use exif::{Context, In, Tag};
    let first = !h.metadata.exif;
    h.metadata.exif = true;
    // Leniently: one malformed field (what some writers leave) must lose neither the
    // orientation nor the GPS finding. Fields that parse are kept; the errors only
    // matter when the orientation is not among them.
    let (ex, damaged) = match exif::Reader::new().continue_on_error(true).read_raw(tiff) {
        Ok(ex) => (ex, false),
        Err(exif::Error::PartialResult(p)) => (p.into_inner().0, true),
        Err(_) => {
            h.orientation_unknown |= first;
            return;
        }
    };
    let mut orientation_seen = false;
    let (mut x_res, mut unit) = (None, 2);
    for f in ex.fields() {
        if f.tag.context() == Context::Gps {
            h.metadata.gps = true;
        }
        if f.ifd_num == In::THUMBNAIL
            && matches!(f.tag, Tag::JPEGInterchangeFormat | Tag::StripOffsets)
        {
            h.metadata.thumbnail = true;
        }
        match f.tag {
            Tag::Make
            | Tag::Model
            | Tag::BodySerialNumber
            | Tag::LensSerialNumber
            | Tag::CameraOwnerName
            | Tag::LensMake
            | Tag::LensModel => h.metadata.camera = true,
            Tag::UserComment | Tag::ImageDescription => h.metadata.comments = true,
            Tag::XResolution if first && f.ifd_num == In::PRIMARY => {
                if let exif::Value::Rational(v) = &f.value
                    && let Some(r) = v.first()
                    && r.denom != 0
                {
                    x_res = Some(r.to_f64());
                }
            }
            Tag::ResolutionUnit if first && f.ifd_num == In::PRIMARY => {
                unit = f.value.get_uint(0).unwrap_or(2);
            }
            Tag::Orientation if first && f.ifd_num == In::PRIMARY => {
                orientation_seen = true;
                match f.value.get_uint(0).filter(|v| (1..=8).contains(v)) {
                    Some(v) => h.orientation = v as u16,
                    None => h.orientation_unknown = true,
                }
            }
            _ => {}
        }
    }
    if !first {
        return;
    }
    // A damaged block without the tag may have lost it with the damage.
    if damaged && !orientation_seen {
        h.orientation_unknown = true;
    }
    h.exif_dpi = x_res
        .map(|x| match unit {
            3 => x * 2.54,
            _ => x,
        })
        .filter(|d| (1.0..=65535.0).contains(d))
        .map(|d| d.round() as u32);
}

/// The container records no resolution but EXIF does: use it (and say so).
fn resolution_from_exif(h: &mut Header) {
    if h.dpi.is_none() && h.exif_dpi.is_some() {
        h.dpi = h.exif_dpi;
        h.dpi_from_exif = true;
    }
}

fn jpeg<R: Read + Seek>(r: &mut R, len: u64) -> Result<Header, Problem> {
    let mut h = Header {
        orientation: 1,
        ..Header::default()
    };
    let mut pos = skip(r, 2)?;
    loop {
        let mut b = [0u8; 1];
        let byte = |r: &mut R, b: &mut [u8; 1]| -> Result<u8, Problem> {
            r.read_exact(b)
                .map_err(|_| cut("no pixel data after the header"))?;
            Ok(b[0])
        };
        // Some writers leave stray bytes between segments; decoders skip them.
        let mut stray = 0u32;
        while byte(r, &mut b)? != 0xFF {
            stray += 1;
            if stray > 64 * 1024 {
                return Err(bad("no JPEG marker where one was expected"));
            }
        }
        pos += 1 + stray as u64;
        let mut m = byte(r, &mut b)?;
        pos += 1;
        while m == 0xFF {
            m = byte(r, &mut b)?;
            pos += 1;
        }
        match m {
            0x01 | 0xD0..=0xD8 => continue,
            0xD9 => return Err(bad("the JPEG ends before its pixel data")),
            _ => {}
        }
        let l = read_n(r, 2, "inside the header")?;
        let seg = be16(&l) as u64;
        if seg < 2 {
            return Err(bad("a JPEG segment has an impossible length"));
        }
        let n = seg - 2;
        pos += seg;
        if pos > len {
            return Err(cut("inside the header"));
        }
        let removable = seg + 2;
        match m {
            0xDA => {
                skip(r, n)?;
                h.scan_start = pos;
                break;
            }
            0xC0..=0xCF if !matches!(m, 0xC4 | 0xC8 | 0xCC) => {
                let p = read_n(r, n, "inside the header")?;
                if p.len() >= 5 {
                    h.height = be16(&p[1..3]);
                    h.width = be16(&p[3..5]);
                }
            }
            0xE0 => {
                let p = read_n(r, n, "inside the header")?;
                if p.starts_with(b"JFIF\0") && p.len() >= 12 {
                    let (unit, x) = (p[7], be16(&p[8..10]));
                    h.dpi = match unit {
                        1 => Some(x),
                        2 => Some((x as f64 * 2.54).round() as u32),
                        _ => None,
                    };
                } else {
                    // JFXX (a thumbnail) or something else in APP0.
                    h.metadata.thumbnail |= p.starts_with(b"JFXX\0");
                    h.metadata.other |= !p.starts_with(b"JFXX\0");
                    h.metadata.removable_bytes += removable;
                }
            }
            0xE1 => {
                let p = read_n(r, n, "inside the header")?;
                if let Some(tiff) = p.strip_prefix(b"Exif\0\0") {
                    read_exif(tiff.to_vec(), &mut h);
                } else if p.starts_with(b"http://ns.adobe.com/") {
                    h.metadata.xmp = true;
                } else {
                    h.metadata.other = true;
                }
                h.metadata.removable_bytes += removable;
            }
            0xE2 => {
                let p = read_n(r, n.min(12), "inside the header")?;
                skip(r, n - p.len() as u64)?;
                if !p.starts_with(b"ICC_PROFILE\0") {
                    h.metadata.other = true;
                    h.metadata.removable_bytes += removable;
                }
            }
            0xED => {
                skip(r, n)?;
                h.metadata.iptc = true;
                h.metadata.removable_bytes += removable;
            }
            0xFE => {
                skip(r, n)?;
                h.metadata.comments = true;
                h.metadata.removable_bytes += removable;
            }
            0xEE => {
                skip(r, n)?; // Adobe: colour transform, needed to decode
            }
            0xE3..=0xEF => {
                skip(r, n)?;
                h.metadata.other = true;
                h.metadata.removable_bytes += removable;
            }
            _ => {
                skip(r, n)?;
            }
        }
    }
    if h.width == 0 || h.height == 0 {
        return Err(bad("no image size before the pixel data"));
    }
    // The end marker: search back from the end of the file. Data after it is common
    // on phones (and removed by preparation); no end marker at all means the copy
    // was cut short.
    match eoi_backwards(r, h.scan_start, len)? {
        Some(at) => h.metadata.trailing_bytes = len - at - 2,
        None => return Err(cut("a JPEG without its end marker")),
    }
    resolution_from_exif(&mut h);
    Ok(h)
}

/// The last `FF D9` between `from` and `len`, reading backwards in blocks.
fn eoi_backwards<R: Read + Seek>(r: &mut R, from: u64, len: u64) -> Result<Option<u64>, Problem> {
    const BLOCK: u64 = 64 * 1024;
    let mut end = len;
    // Sized to what is there: a small file must not cost a 64 KiB zeroed block.
    let mut buf = vec![0u8; BLOCK.min(len.saturating_sub(from)) as usize];
    while end > from + 1 {
        let start = end.saturating_sub(BLOCK).max(from);
        let n = (end - start) as usize;
        r.seek(SeekFrom::Start(start)).map_err(bad)?;
        r.read_exact(&mut buf[..n]).map_err(bad)?;
        if let Some(i) = buf[..n].windows(2).rposition(|w| w == [0xFF, 0xD9]) {
            return Ok(Some(start + i as u64));
        }
        if start == from {
            break;
        }
        end = start + 1; // a marker split across blocks
    }
    Ok(None)
}

/// The first end-of-image marker after the scan data starts at `from`, following
/// the marker structure (stuffed bytes, restart markers, segments between the scans
/// of a progressive JPEG). `None` when there is none.
pub fn jpeg_end(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + 1 < b.len() {
        match memchr::memchr(0xFF, &b[i..]) {
            Some(k) => i += k,
            None => return None,
        }
        let &m = b.get(i + 1)?;
        match m {
            0xFF => i += 1,
            0x00 | 0x01 | 0xD0..=0xD8 => i += 2,
            0xD9 => return Some(i),
            _ => {
                let l = b.get(i + 2..i + 4)?;
                i += 2 + be16(l) as usize;
            }
        }
    }
    None
}

fn png<R: Read + Seek>(r: &mut R, len: u64) -> Result<Header, Problem> {
    let mut h = Header {
        orientation: 1,
        ..Header::default()
    };
    let mut pos = skip(r, 8)?;
    let mut seen_ihdr = false;
    loop {
        if pos + 12 > len {
            return Err(cut("a PNG without its IEND chunk"));
        }
        let head = read_n(r, 8, "a PNG without its IEND chunk")?;
        let n = be32(&head[0..4]) as u64;
        let kind: [u8; 4] = head[4..8].try_into().expect("4 bytes");
        let end = pos + 12 + n;
        if end > len {
            return Err(cut("a PNG chunk runs past the end of the file"));
        }
        match &kind {
            b"IHDR" => {
                let p = read_n(r, n, "inside the header")?;
                if p.len() < 8 {
                    return Err(bad("a PNG header that is too short"));
                }
                h.width = be32(&p[0..4]);
                h.height = be32(&p[4..8]);
                seen_ihdr = true;
                skip(r, 4)?;
            }
            b"pHYs" => {
                let p = read_n(r, n, "inside the header")?;
                if p.len() >= 9 && p[8] == 1 {
                    h.dpi = Some((be32(&p[0..4]) as f64 * 0.0254).round() as u32);
                }
                skip(r, 4)?;
            }
            b"eXIf" => {
                let p = read_n(r, n, "inside the header")?;
                let tiff = p.strip_prefix(b"Exif\0\0").unwrap_or(&p).to_vec();
                read_exif(tiff, &mut h);
                h.metadata.removable_bytes += n + 12;
                skip(r, 4)?;
            }
            b"tEXt" | b"zTXt" | b"iTXt" => {
                let p = read_n(r, n.min(17), "inside a text chunk")?;
                skip(r, n - p.len() as u64 + 4)?;
                if p.starts_with(b"XML:com.adobe.xmp") {
                    h.metadata.xmp = true;
                } else {
                    h.metadata.comments = true;
                }
                h.metadata.removable_bytes += n + 12;
            }
            b"tIME" => {
                skip(r, n + 4)?;
                h.metadata.other = true;
                h.metadata.removable_bytes += n + 12;
            }
            b"IEND" => {
                h.metadata.trailing_bytes = len - end;
                break;
            }
            _ => {
                skip(r, n + 4)?;
            }
        }
        pos = end;
    }
    if !seen_ihdr {
        return Err(bad("a PNG without its header chunk"));
    }
    resolution_from_exif(&mut h);
    Ok(h)
}

fn other<R: Read + Seek>(r: &mut R, len: u64, format: Format) -> Result<Header, Problem> {
    use image::ImageDecoder;
    let mut head = [0u8; 12];
    r.read_exact(&mut head[..len.min(12) as usize])
        .map_err(bad)?;
    r.seek(SeekFrom::Start(0)).map_err(bad)?;
    // The container's own size, where it has one, says whether the file is whole.
    let declared = match format {
        Format::Webp => u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as u64 + 8,
        Format::Bmp => u32::from_le_bytes([head[2], head[3], head[4], head[5]]) as u64,
        _ => 0,
    };
    if declared > len {
        return Err(cut("the file is shorter than its header says"));
    }
    let mut h = Header {
        orientation: 1,
        ..Header::default()
    };
    if format == Format::Tiff {
        h.dpi = tiff_dpi(r, &mut h.metadata).ok().flatten();
        r.seek(SeekFrom::Start(0)).map_err(bad)?;
    }
    let r = std::io::BufReader::new(r);
    let (dims, orientation, exif) = match format {
        Format::Webp => {
            let mut d = image::codecs::webp::WebPDecoder::new(r).map_err(bad)?;
            let exif = d.exif_metadata().ok().flatten();
            (d.dimensions(), d.orientation().ok(), exif)
        }
        Format::Tiff => {
            let mut d = image::codecs::tiff::TiffDecoder::new(r).map_err(bad)?;
            (d.dimensions(), d.orientation().ok(), None)
        }
        _ => {
            let mut d = image::codecs::bmp::BmpDecoder::new(r).map_err(bad)?;
            (d.dimensions(), d.orientation().ok(), None)
        }
    };
    (h.width, h.height) = dims;
    if let Some(tiff) = exif {
        read_exif(tiff, &mut h);
    }
    if let Some(o) = orientation {
        h.orientation = o.to_exif() as u16;
    }
    Ok(h)
}

/// A TIFF's horizontal resolution in dpi, from the first IFD's XResolution (282) and
/// ResolutionUnit (296: 2 inch, the default; 3 centimetre).
/// Also records the metadata tags of that IFD in `m` (TIFF files are sent as they
/// are: `check` says so).
fn tiff_dpi<R: Read + Seek>(r: &mut R, m: &mut Metadata) -> std::io::Result<Option<u32>> {
    let mut head = [0u8; 8];
    r.seek(SeekFrom::Start(0))?;
    r.read_exact(&mut head)?;
    let le = &head[0..2] == b"II";
    let u16_ = |b: &[u8]| {
        if le {
            u16::from_le_bytes([b[0], b[1]])
        } else {
            u16::from_be_bytes([b[0], b[1]])
        }
    };
    let u32_ = |b: &[u8]| {
        if le {
            u32::from_le_bytes([b[0], b[1], b[2], b[3]])
        } else {
            u32::from_be_bytes([b[0], b[1], b[2], b[3]])
        }
    };
    r.seek(SeekFrom::Start(u32_(&head[4..8]) as u64))?;
    let mut n = [0u8; 2];
    r.read_exact(&mut n)?;
    let count = u16_(&n).min(512) as usize;
    let mut entries = vec![0u8; count * 12];
    r.read_exact(&mut entries)?;
    let (mut x_at, mut unit) = (None, 2u16);
    for e in entries.chunks_exact(12) {
        match u16_(&e[0..2]) {
            282 if u16_(&e[2..4]) == 5 => x_at = Some(u32_(&e[8..12]) as u64),
            296 => unit = u16_(&e[8..10]),
            // Make, Model, Artist, Copyright, HostComputer
            271 | 272 | 315 | 33432 | 316 => m.camera = true,
            270 => m.comments = true, // ImageDescription
            700 => m.xmp = true,
            33723 | 34377 => m.iptc = true, // IPTC, Photoshop
            34853 => m.gps = true,
            34665 => m.exif = true,
            305 | 306 => m.other = true, // Software, DateTime
            _ => {}
        }
    }
    let Some(at) = x_at else {
        return Ok(None);
    };
    let mut rat = [0u8; 8];
    r.seek(SeekFrom::Start(at))?;
    r.read_exact(&mut rat)?;
    let (num, den) = (u32_(&rat[0..4]) as f64, u32_(&rat[4..8]) as f64);
    if den == 0.0 {
        return Ok(None);
    }
    let per_unit = num / den;
    Ok(match unit {
        2 => Some(per_unit.round() as u32),
        3 => Some((per_unit * 2.54).round() as u32),
        _ => None,
    })
}

/// Dimensions only (for reporting an image refused as too small).
pub fn header_only(raw: &[u8], format: Format) -> Result<Header, Problem> {
    let mut c = Cursor::new(raw);
    match format {
        Format::Jpeg => jpeg(&mut c, raw.len() as u64),
        Format::Png => png(&mut c, raw.len() as u64),
        f => other(&mut c, raw.len() as u64, f),
    }
}

/// Read `n` bytes, or say the file ends first.
fn read_n<R: Read>(r: &mut R, n: u64, what: &str) -> Result<Vec<u8>, Problem> {
    let mut v = Vec::with_capacity(n.min(1 << 20) as usize);
    r.take(n).read_to_end(&mut v).map_err(bad)?;
    if (v.len() as u64) < n {
        return Err(cut(what));
    }
    Ok(v)
}

fn skip<R: Seek>(r: &mut R, n: u64) -> Result<u64, Problem> {
    r.seek(SeekFrom::Current(n as i64)).map_err(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_end_marker_follows_the_marker_structure() {
        // FF00 (stuffed), a restart marker, a DHT between scans, then EOI, then junk.
        let b = [
            0x01, 0xFF, 0x00, 0x02, 0xFF, 0xD3, 0xFF, 0xC4, 0x00, 0x04, 0xFF, 0xD9, 0x07, 0xFF,
            0xD9, 0x00,
        ];
        assert_eq!(jpeg_end(&b, 0), Some(13));
        assert_eq!(jpeg_end(&b[..13], 0), None);
    }

    #[test]
    fn tiff_resolution_is_read() {
        let img = image::GrayImage::from_fn(80, 90, |x, y| image::Luma([(x ^ y) as u8]));
        let mut buf = Cursor::new(Vec::new());
        use image::ImageEncoder as _;
        image::codecs::tiff::TiffEncoder::new(&mut buf)
            .write_image(img.as_raw(), 80, 90, image::ExtendedColorType::L8)
            .unwrap();
        let mut b = buf.into_inner();
        // The encoder writes no resolution: none is reported.
        let h = inspect(&mut Cursor::new(&b[..]), b.len() as u64, Format::Tiff).unwrap();
        assert_eq!((h.width, h.height, h.dpi), (80, 90, None));
        // Append an IFD with XResolution 500/1 (inch) and point the header at it.
        let ifd = b.len() as u32;
        let rat = ifd + 2 + 12 + 4;
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&282u16.to_le_bytes());
        b.extend_from_slice(&5u16.to_le_bytes());
        b.extend_from_slice(&1u32.to_le_bytes());
        b.extend_from_slice(&rat.to_le_bytes());
        b.extend_from_slice(&0u32.to_le_bytes());
        b.extend_from_slice(&500u32.to_le_bytes());
        b.extend_from_slice(&1u32.to_le_bytes());
        assert_eq!(&b[0..2], b"II");
        b[4..8].copy_from_slice(&ifd.to_le_bytes());
        assert_eq!(
            tiff_dpi(&mut Cursor::new(&b[..]), &mut Metadata::default()).unwrap(),
            Some(500)
        );
    }
}
