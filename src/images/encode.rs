//! Decoding and re-encoding: the whole image within [`MAX_PIXELS`] ([`decode`]), a
//! JPEG straight to grey for the face gate, turning pixels upright ([`upright`]) and
//! the one re-encode as JPEG of a face that is turned or downscaled. Part of
//! preparation ([`super::prepare`]), which re-exports the public functions.

use std::io::Cursor;

use crate::images::format::Format;

use super::header::{JPEG_QUALITY, MAX_PIXELS, Problem, bad};

/// The pixels turned upright from an EXIF orientation (1-8).
pub fn upright(mut img: image::DynamicImage, orientation: u16) -> image::DynamicImage {
    if let Some(o) = image::metadata::Orientation::from_exif(orientation as u8) {
        img.apply_orientation(o);
    }
    img
}

fn image_format(f: Format) -> image::ImageFormat {
    match f {
        Format::Jpeg => image::ImageFormat::Jpeg,
        Format::Png => image::ImageFormat::Png,
        Format::Tiff => image::ImageFormat::Tiff,
        Format::Bmp => image::ImageFormat::Bmp,
        Format::Webp => image::ImageFormat::WebP,
    }
}

/// Decode the whole image, if it is within [`MAX_PIXELS`] (checked on its header
/// before any pixel is decoded).
pub fn decode(raw: &[u8], format: Format) -> Result<image::DynamicImage, Problem> {
    let (w, h) = image::ImageReader::with_format(Cursor::new(raw), image_format(format))
        .into_dimensions()
        .map_err(bad)?;
    within_pixels(w, h)?;
    let mut reader = image::ImageReader::with_format(Cursor::new(raw), image_format(format));
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4 * 2);
    reader.limits(limits);
    reader.decode().map_err(bad)
}

/// A JPEG decoded straight to grey (what the face gate looks at), leniently as
/// [`decode`] is, within [`MAX_PIXELS`].
pub(super) fn decode_jpeg_grey(raw: &[u8]) -> Result<image::GrayImage, Problem> {
    let options = zune_core::options::DecoderOptions::default()
        .set_strict_mode(false)
        .set_max_width(u16::MAX as usize)
        .set_max_height(u16::MAX as usize)
        .jpeg_set_out_colorspace(zune_core::colorspace::ColorSpace::Luma);
    let mut d =
        zune_jpeg::JpegDecoder::new_with_options(zune_core::bytestream::ZCursor::new(raw), options);
    d.decode_headers().map_err(bad)?;
    let (w, h) = d.dimensions().ok_or_else(|| bad("no image size"))?;
    within_pixels(w as u32, h as u32)?;
    let px = d.decode().map_err(bad)?;
    image::GrayImage::from_raw(w as u32, h as u32, px)
        .ok_or_else(|| bad("the decoder returned fewer pixels than the image has"))
}

/// Refuse an image over [`MAX_PIXELS`] from its header's dimensions.
fn within_pixels(w: u32, h: u32) -> Result<(), Problem> {
    super::header::within_pixel_limit(w as u64, h as u64)
}

pub(super) fn reencode(
    raw: &[u8],
    format: Format,
    orientation: u16,
    resize: Option<(u32, u32)>,
    look: bool,
) -> Result<(Vec<u8>, Option<image::GrayImage>), Problem> {
    let mut img = upright(decode(raw, format)?, orientation);
    let grey = look.then(|| img.to_luma8());
    if let Some((w, h)) = resize {
        img = img.resize_exact(w, h, image::imageops::FilterType::Lanczos3);
    }
    let img = match img.color() {
        image::ColorType::L8 | image::ColorType::Rgb8 => img,
        c if c.has_color() => image::DynamicImage::ImageRgb8(img.to_rgb8()),
        _ => image::DynamicImage::ImageLuma8(img.to_luma8()),
    };
    let mut out = Vec::with_capacity(raw.len() / 2);
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
    img.write_with_encoder(enc).map_err(bad)?;
    Ok((out, grey))
}
