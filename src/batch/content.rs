//! A row's content: reading and checking its images, and the fingerprint the journal
//! knows it by. Shared by validation ([`super::plan`]) and sending ([`super::worker`]).

use std::hash::Hasher;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use super::manifest::Row;
use super::manifest::columns::{self, Holds};
use crate::images::prepare::{Options, Role};
use crate::images::{self, Source};
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

/// The first hash rows are compared by: FNV-1a of the CustomID. Debug builds can be
/// told to keep only its low `BIOPASS_TEST_ID_HASH_BITS` bits, so that tests can make
/// every id collide with others and show that a collision changes nothing.
pub fn id_hash(id: &str) -> u64 {
    let h = fnv1a(id);
    #[cfg(debug_assertions)]
    {
        static BITS: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
        let bits = *BITS.get_or_init(|| {
            std::env::var("BIOPASS_TEST_ID_HASH_BITS")
                .ok()
                .and_then(|b| b.parse().ok())
                .filter(|b| *b < 64)
                .unwrap_or(64)
        });
        if bits < 64 {
            return h & ((1u64 << bits) - 1);
        }
    }
    h
}

/// A CustomID as the journal's table keys it: [`id_hash`] and an independent
/// 64-bit SipHash of the same bytes.
pub fn id_key(id: &str) -> [u64; 2] {
    let mut s = std::hash::DefaultHasher::new();
    s.write(id.as_bytes());
    [id_hash(id), s.finish()]
}

/// The row's content fingerprint: operation, CustomID and each image's digest
/// ([`images::Image::content_digest`]: the SHA-256 of the file as read, plus the
/// preparation settings unless `--keep-metadata`).
pub fn fingerprint(op: Op, p: Option<&LoadedPerson>, id: &str) -> String {
    let faces: Vec<String> = p
        .map(|p| p.faces.iter().map(|i| i.content_digest()).collect())
        .unwrap_or_default();
    let fingers: Vec<(u8, String)> = p
        .map(|p| {
            p.fingers
                .iter()
                .map(|(s, i)| (*s, i.content_digest()))
                .collect()
        })
        .unwrap_or_default();
    digest(op, id, &faces, fingers)
}

/// The fingerprint of a row's columns, by the column table: each column it marks as
/// covered, in its order (id, faces in order, fingers by slot). The match over what a
/// column holds is exhaustive, so a new kind of column cannot be left out unnoticed.
/// The bytes hashed are those of every earlier version: journals written before
/// the column table resume without re-sending anyone.
fn digest(op: Op, id: &str, faces: &[String], fingers: Vec<(u8, String)>) -> String {
    let mut h = Sha256::new();
    h.update(op.name());
    h.update([0]);
    for column in columns::ALL.iter().filter(|c| c.fingerprinted) {
        match column.holds {
            Holds::Id => h.update(id),
            Holds::Face => {
                for (i, d) in faces.iter().enumerate() {
                    h.update(format!("\0Face-{}={d}", i + 1));
                }
            }
            Holds::Finger(slot) => {
                // A slot appears once at most (check_shape).
                if let Some((_, d)) = fingers.iter().find(|(s, _)| *s == slot) {
                    h.update(format!("\0Finger-{slot}={d}"));
                }
            }
        }
    }
    images::sha256_hex(&h.finalize())[..32].to_string()
}

/// Validate a row ([`check_row`]) and compute its fingerprint from the files
/// themselves, streaming: the same value [`fingerprint`] gives for the loaded row,
/// without preparing (decoding, re-encoding) any image.
pub fn row_fingerprint(op: Op, row: &Row, opts: &Options) -> Result<String, String> {
    check_row(op, row, opts)?;
    let file = |p: &PathBuf, role: Role| -> Result<String, String> {
        let (mut f, _) = crate::regular::open(p)
            .map_err(|e| format!("cannot read image {}: {e}", p.display()))?;
        let mut h = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = std::io::Read::read(&mut f, &mut buf)
                .map_err(|e| format!("cannot read image {}: {e}", p.display()))?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
        Ok(format!(
            "{}{}",
            images::hex(&h.finalize()),
            opts.fingerprint_tag(role)
        ))
    };
    if !op.spec().request.has_images() {
        return Ok(digest(op, &row.id, &[], vec![]));
    }
    let (faces, fingers) = each_image(row, file)?;
    Ok(digest(op, &row.id, &faces, fingers))
}

/// The row's own rules: enroll/update rows need an image, and no slot twice.
pub fn check_shape(op: Op, row: &Row) -> Result<(), String> {
    if !op.spec().request.has_images() {
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

/// Validate a row without reading whole images: each file's size, header and (JPEG)
/// end marker, streaming; no pixel is decoded.
pub fn check_row(op: Op, row: &Row, opts: &Options) -> Result<(), String> {
    check_shape(op, row)?;
    if !op.spec().request.has_images() {
        return Ok(());
    }
    let roles = row.faces.iter().map(|p| (p, Role::Face));
    let roles = roles.chain(row.fingers.iter().map(|(_, p)| (p, Role::Finger)));
    for (p, role) in roles {
        images::peek_file(p, role, opts).map_err(|f| f.message)?;
    }
    Ok(())
}

/// Something of each of a row's images: the faces in order, and the fingers with
/// their slots.
type PerImage<T> = (Vec<T>, Vec<(u8, T)>);

/// `f` of each of the row's images. The first error stops it.
fn each_image<T>(
    row: &Row,
    f: impl Fn(&PathBuf, Role) -> Result<T, String>,
) -> Result<PerImage<T>, String> {
    let faces = row
        .faces
        .iter()
        .map(|p| f(p, Role::Face))
        .collect::<Result<Vec<_>, _>>()?;
    let fingers = row
        .fingers
        .iter()
        .map(|(s, p)| Ok((*s, f(p, Role::Finger)?)))
        .collect::<Result<Vec<_>, String>>()?;
    Ok((faces, fingers))
}

/// Read, check and prepare a row's images (enroll/update), as the single commands do.
pub fn load_row(op: Op, row: &Row, opts: &Options) -> Result<Option<LoadedPerson>, String> {
    check_shape(op, row)?;
    if !op.spec().request.has_images() {
        return Ok(None);
    }
    let load = |p: &PathBuf, role: Role| {
        images::load(&Source::File(p.clone()), role, opts).map_err(|f| f.message)
    };
    let (faces, fingers) = each_image(row, load)?;
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
        let img = |b: &[u8]| images::check(&Source::File("x".into()), b.to_vec(), 100).unwrap();
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

    #[test]
    fn the_fingerprint_hashes_what_it_always_did() {
        // The formula of every version before the column table, written out: a
        // journal of theirs must find its rows unchanged.
        let before = |op: Op, id: &str, faces: &[&str], fingers: &[(u8, &str)]| {
            let mut h = Sha256::new();
            h.update(op.name());
            h.update([0]);
            h.update(id);
            for (i, d) in faces.iter().enumerate() {
                h.update(format!("\0Face-{}={d}", i + 1));
            }
            let mut fingers = fingers.to_vec();
            fingers.sort_by_key(|(s, _)| *s);
            for (slot, d) in fingers {
                h.update(format!("\0Finger-{slot}={d}"));
            }
            images::sha256_hex(&h.finalize())[..32].to_string()
        };
        let owned = |f: &[(u8, &str)]| f.iter().map(|(s, d)| (*s, d.to_string())).collect();
        for (op, id, faces, fingers) in [
            (
                Op::Enroll,
                "A1",
                &["aa", "bb"][..],
                &[(7u8, "cc"), (2, "dd"), (10, "ee")][..],
            ),
            (Op::Update, "Jo\u{e3}o", &[][..], &[(1, "x")][..]),
            (Op::Delete, "9", &[][..], &[][..]),
        ] {
            let faces_owned: Vec<String> = faces.iter().map(|f| f.to_string()).collect();
            assert_eq!(
                digest(op, id, &faces_owned, owned(fingers)),
                before(op, id, faces, fingers)
            );
        }
        // A value from a journal written before (tests/fixtures/legacy).
        assert_eq!(
            digest(Op::Delete, "A001", &[], vec![]),
            "dac88df9b955638d637eff6430478eeb"
        );
    }

    #[test]
    fn validation_and_sending_agree_on_the_fingerprint() {
        // Validation hashes the files streaming; the worker fingerprints what it
        // loaded and prepared. A resumed run compares the two.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let row = Row {
            line: 2,
            id: "A1".into(),
            faces: vec![dir.join("images/sideways-gps.jpg")],
            fingers: vec![(2, dir.join("images/finger-500dpi.png"))],
        };
        for (keep, max) in [(false, None), (false, Some(100)), (true, None)] {
            let opts = Options {
                max_bytes: 1 << 20,
                keep_metadata: keep,
                face_check: false, // these photos are geometry, not faces
                max_dimension: max,
            };
            let loaded = load_row(Op::Enroll, &row, &opts).unwrap();
            assert_eq!(
                row_fingerprint(Op::Enroll, &row, &opts).unwrap(),
                fingerprint(Op::Enroll, loaded.as_ref(), "A1"),
                "{opts:?}"
            );
        }
    }
}
