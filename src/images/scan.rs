//! Whether a baseline JPEG's first scan holds every block its frame needs
//! ([`jpeg_scan_complete`], for `check`): the one look at the entropy-coded data that
//! the header walkers of `inspect.rs` do not take. Part of preparation
//! ([`super::prepare`]), which re-exports it.

use super::header::be16;

/// Whether the first scan of a baseline Huffman JPEG holds every block its frame
/// needs: `Some(false)` when its entropy-coded data stops short (a copy cut short and
/// given an end marker after the cut, which decoders paint grey without a word).
/// Walks the Huffman codes without decoding a coefficient. `None` when it does not
/// apply (progressive or arithmetic coding, a scan of some components only) or the
/// headers are not what it expects.
pub fn jpeg_scan_complete(b: &[u8]) -> Option<bool> {
    // Huffman tables: (class, id) -> (maxcode, valptr-mincode offset, values) by length.
    #[derive(Clone, Default)]
    struct Table {
        maxcode: [i32; 17],
        delta: [i32; 17],
        vals: Vec<u8>,
    }
    let mut tables: [Option<Table>; 8] = Default::default();
    let mut comps: Vec<(u8, u32, u32)> = Vec::new(); // id, h, v
    let (mut width, mut height, mut restart) = (0u32, 0u32, 0u32);
    let mut i = 2;
    let scan = loop {
        i += memchr::memchr(0xFF, b.get(i..)?)?;
        let m = *b.get(i + 1)?;
        if m == 0xFF || matches!(m, 0x01 | 0xD0..=0xD8) {
            i += if m == 0xFF { 1 } else { 2 };
            continue;
        }
        let len = be16(b.get(i + 2..i + 4)?) as usize;
        let seg = b.get(i + 4..i + 2 + len)?;
        match m {
            0xC0 | 0xC1 => {
                height = be16(seg.get(1..3)?);
                width = be16(seg.get(3..5)?);
                let n = *seg.get(5)? as usize;
                for c in 0..n {
                    let p = seg.get(6 + 3 * c..9 + 3 * c)?;
                    comps.push((p[0], (p[1] >> 4) as u32, (p[1] & 15) as u32));
                }
            }
            0xC2 | 0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => return None,
            0xC4 => {
                let mut k = 0;
                while k < seg.len() {
                    let tc = *seg.get(k)?;
                    let counts = seg.get(k + 1..k + 17)?;
                    let total: usize = counts.iter().map(|&c| c as usize).sum();
                    let vals = seg.get(k + 17..k + 17 + total)?.to_vec();
                    let mut t = Table {
                        vals,
                        ..Table::default()
                    };
                    let (mut code, mut at) = (0i32, 0i32);
                    for l in 1..=16 {
                        let n = counts[l - 1] as i32;
                        t.delta[l] = at - code;
                        code += n;
                        at += n;
                        t.maxcode[l] = if n > 0 { code - 1 } else { -1 };
                        code <<= 1;
                    }
                    let slot = ((tc >> 4) & 1) as usize * 4 + (tc & 3) as usize;
                    tables[slot] = Some(t);
                    k += 17 + total;
                }
            }
            0xDD => restart = be16(seg.get(0..2)?),
            0xDA => break seg,
            0xD9 => return None,
            _ => {}
        }
        i += 2 + len;
    };
    let data = b.get(i + 2 + be16(b.get(i + 2..i + 4)?) as usize..)?;
    let ns = *scan.first()? as usize;
    if comps.is_empty() || ns != comps.len() || width == 0 || height == 0 {
        return None;
    }
    let hmax = comps.iter().map(|c| c.1).max()?.max(1);
    let vmax = comps.iter().map(|c| c.2).max()?.max(1);
    // Per component of the scan: blocks per MCU, DC table, AC table.
    let mut plan = Vec::new();
    for c in 0..ns {
        let p = scan.get(1 + 2 * c..3 + 2 * c)?;
        let comp = comps.iter().find(|k| k.0 == p[0])?;
        let dc = tables[(p[1] >> 4) as usize & 3].as_ref()?;
        let ac = tables[4 + (p[1] & 3) as usize].as_ref()?;
        plan.push((if ns == 1 { 1 } else { comp.1 * comp.2 }, dc, ac));
    }
    let mcus = if ns == 1 {
        let c = comps[0];
        (width * c.1).div_ceil(hmax).div_ceil(8) as u64
            * (height * c.2).div_ceil(vmax).div_ceil(8) as u64
    } else {
        width.div_ceil(8 * hmax) as u64 * height.div_ceil(8 * vmax) as u64
    };
    // The bits, stuffing removed; a marker other than a restart ends them.
    struct Bits<'a> {
        d: &'a [u8],
        pos: usize,
        cur: u32,
        left: u32,
    }
    impl Bits<'_> {
        fn bit(&mut self) -> Option<u32> {
            if self.left == 0 {
                let &byte = self.d.get(self.pos)?;
                if byte == 0xFF {
                    match self.d.get(self.pos + 1)? {
                        0x00 => self.pos += 1,
                        _ => return None, // a marker: the data ends here
                    }
                }
                self.pos += 1;
                self.cur = byte as u32;
                self.left = 8;
            }
            self.left -= 1;
            Some((self.cur >> self.left) & 1)
        }
        fn skip(&mut self, n: u32) -> Option<()> {
            for _ in 0..n {
                self.bit()?;
            }
            Some(())
        }
        fn symbol(&mut self, t: &Table) -> Option<u8> {
            let mut code = 0i32;
            for l in 1..=16 {
                code = (code << 1) | self.bit()? as i32;
                if code <= t.maxcode[l] {
                    return t.vals.get((code + t.delta[l]) as usize).copied();
                }
            }
            None
        }
        /// At a restart interval: the byte's last bits, then the RSTn marker.
        fn restart(&mut self) -> Option<()> {
            self.left = 0;
            let m = self.d.get(self.pos..self.pos + 2)?;
            if m[0] == 0xFF && (0xD0..=0xD7).contains(&m[1]) {
                self.pos += 2;
                Some(())
            } else {
                None
            }
        }
    }
    let mut r = Bits {
        d: data,
        pos: 0,
        cur: 0,
        left: 0,
    };
    let mut walk = || -> Option<()> {
        for mcu in 0..mcus {
            if restart > 0 && mcu > 0 && mcu % restart as u64 == 0 {
                r.restart()?;
            }
            for &(blocks, dc, ac) in &plan {
                for _ in 0..blocks {
                    let s = r.symbol(dc)?;
                    r.skip(s as u32 & 15)?;
                    let mut k = 1;
                    while k < 64 {
                        let rs = r.symbol(ac)?;
                        let (run, size) = (rs >> 4, rs & 15);
                        if size == 0 {
                            if run != 15 {
                                break;
                            }
                            k += 16;
                        } else {
                            k += run as u32 + 1;
                            r.skip(size as u32)?;
                        }
                    }
                }
            }
        }
        Some(())
    };
    Some(walk().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scan_cut_short_is_found_even_with_an_end_marker() {
        // image's encoder (4:2:0 colour) and a grey one, whole and cut at three points.
        let rgb = image::RgbImage::from_fn(203, 151, |x, y| {
            image::Rgb([(x * 3) as u8, (y * 5) as u8, (x ^ y) as u8])
        });
        let grey = image::DynamicImage::ImageRgb8(rgb.clone()).to_luma8();
        for img in [
            image::DynamicImage::ImageRgb8(rgb),
            image::DynamicImage::ImageLuma8(grey),
        ] {
            let mut j = Vec::new();
            img.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
                &mut j, 90,
            ))
            .unwrap();
            assert_eq!(jpeg_scan_complete(&j), Some(true));
            let sos = j.windows(2).rposition(|w| w == [0xFF, 0xDA]).unwrap();
            let start = sos + 2 + be16(&j[sos + 2..]) as usize;
            let n = j.len() - 2 - start;
            for keep in [n / 10, n / 2, n - 40] {
                let cut = [&j[..start + keep], &[0xFF, 0xD9][..]].concat();
                assert_eq!(jpeg_scan_complete(&cut), Some(false), "{keep} of {n}");
            }
        }
    }
}
