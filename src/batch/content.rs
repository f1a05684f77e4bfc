//! A row's content: reading and checking its images, and the fingerprint the journal
//! knows it by. Shared by validation ([`super::plan`]) and sending ([`super::worker`]).

use std::path::PathBuf;

use sha2::{Digest, Sha256};

use super::manifest::Row;
use crate::image::{self, Source};
use crate::request::{LoadedPerson, Op};

/// FNV-1a, 64-bit: small, stable across platforms and versions, documented.
pub fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// The row's content fingerprint: operation, CustomID and each image's digest.
pub fn fingerprint(op: Op, p: Option<&LoadedPerson>, id: &str) -> String {
    let mut h = Sha256::new();
    h.update(op.name());
    h.update([0]);
    h.update(id);
    if let Some(p) = p {
        for (i, img) in p.faces.iter().enumerate() {
            h.update(format!("\0Face-{}={}", i + 1, img.sha256()));
        }
        let mut fingers: Vec<_> = p.fingers.iter().collect();
        fingers.sort_by_key(|(s, _)| *s);
        for (slot, img) in fingers {
            h.update(format!("\0Finger-{slot}={}", img.sha256()));
        }
    }
    image::sha256_hex(&h.finalize())[..32].to_string()
}

/// The row's own rules: enroll/update rows need an image, and no slot twice.
fn check_shape(op: Op, row: &Row) -> Result<(), String> {
    if op == Op::Delete {
        return Ok(());
    }
    if row.faces.is_empty() && row.fingers.is_empty() {
        return Err("no image: the row needs a face or a finger".into());
    }
    let mut seen = [false; 11];
    for (slot, _) in &row.fingers {
        if std::mem::replace(&mut seen[*slot as usize], true) {
            return Err(format!("finger slot {slot} given twice"));
        }
    }
    Ok(())
}

/// Validate a row without reading whole images: each file's size and first bytes.
pub fn check_row(op: Op, row: &Row, max_bytes: u64) -> Result<(), String> {
    check_shape(op, row)?;
    if op == Op::Delete {
        return Ok(());
    }
    let paths = row.faces.iter().chain(row.fingers.iter().map(|(_, p)| p));
    for p in paths {
        image::peek_file(p, max_bytes).map_err(|f| f.message)?;
    }
    Ok(())
}

/// Read and check a row's images (enroll/update), as the single commands do.
pub fn load_row(op: Op, row: &Row, max_bytes: u64) -> Result<Option<LoadedPerson>, String> {
    check_shape(op, row)?;
    if op == Op::Delete {
        return Ok(None);
    }
    let load =
        |p: &PathBuf| image::load(&Source::File(p.clone()), max_bytes).map_err(|f| f.message);
    let faces = row.faces.iter().map(load).collect::<Result<Vec<_>, _>>()?;
    let fingers = row
        .fingers
        .iter()
        .map(|(s, p)| Ok((*s, load(p)?)))
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Some(LoadedPerson {
        custom_id: row.id.clone(),
        faces,
        fingers,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_covers_images() {
        let img = |b: &[u8]| image::check(&Source::File("x".into()), b.to_vec(), 100).unwrap();
        let p = |b: &[u8]| LoadedPerson {
            custom_id: "1".into(),
            faces: vec![img(b)],
            fingers: vec![],
        };
        let a = fingerprint(Op::Enroll, Some(&p(b"\xff\xd8\xffA")), "1");
        assert_eq!(a, fingerprint(Op::Enroll, Some(&p(b"\xff\xd8\xffA")), "1"));
        assert_ne!(a, fingerprint(Op::Enroll, Some(&p(b"\xff\xd8\xffB")), "1"));
        assert_ne!(a, fingerprint(Op::Update, Some(&p(b"\xff\xd8\xffA")), "1"));
        assert_ne!(a, fingerprint(Op::Enroll, Some(&p(b"\xff\xd8\xffA")), "2"));
    }
}
