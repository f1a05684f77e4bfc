//! Just enough DER to read a certificate's issuer and expiry, for `doctor`'s
//! "issued by ISSUER, expires DATE" line.
//!
//! Written by hand instead of `x509-parser`: that crate (with `asn1-rs`,
//! `der-parser`, `nom`, `time` and two proc-macro crates) was a tenth of the
//! release build's CPU for this one call. The walk reads only the first five
//! fields of `tbsCertificate` (RFC 5280 4.1), checks every length against what is
//! left before slicing (so hostile bytes give an error, never a panic) and trusts
//! nothing: the server's certificate was already verified by rustls, this only
//! describes it.

/// One DER element: its tag byte and its contents.
struct Tlv<'a> {
    tag: u8,
    body: &'a [u8],
}

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const INTEGER: u8 = 0x02;
const OID: u8 = 0x06;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
/// `[0] EXPLICIT Version`.
const VERSION: u8 = 0xa0;

/// The element at the front of `input`, which then points past it.
fn next<'a>(input: &mut &'a [u8]) -> Result<Tlv<'a>, String> {
    let short = || "the certificate is truncated".to_string();
    let (&tag, rest) = input.split_first().ok_or_else(short)?;
    if tag & 0x1f == 0x1f {
        // High tag numbers never occur in the fields read here.
        return Err(format!("unexpected DER tag {tag:#04x}"));
    }
    let (&first, mut rest) = rest.split_first().ok_or_else(short)?;
    let len = match first {
        0..=0x7f => usize::from(first),
        0x81..=0x84 => {
            let n = usize::from(first & 0x7f);
            if rest.len() < n {
                return Err(short());
            }
            let (bytes, after) = rest.split_at(n);
            rest = after;
            bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
        }
        // 0x80 is BER's indefinite length, which DER forbids; longer forms would
        // describe more than 4 GiB.
        _ => return Err("the certificate is not DER (bad length)".to_string()),
    };
    if rest.len() < len {
        return Err(short());
    }
    let (body, after) = rest.split_at(len);
    *input = after;
    Ok(Tlv { tag, body })
}

/// The next element, which must have tag `tag`.
fn expect<'a>(input: &mut &'a [u8], tag: u8, what: &str) -> Result<&'a [u8], String> {
    let tlv = next(input)?;
    if tlv.tag != tag {
        return Err(format!(
            "the certificate is not X.509: expected {what}, found tag {:#04x}",
            tlv.tag
        ));
    }
    Ok(tlv.body)
}

/// The issuer (as `C=BR, O=Example, CN=Example CA`, the RFC 4514 short names in
/// the certificate's order) and the end of validity (`notAfter`, Unix seconds).
pub(crate) fn issuer_and_expiry(der: &[u8]) -> Result<(String, i64), String> {
    let mut input = der;
    let mut cert = expect(&mut input, SEQUENCE, "a certificate")?;
    let mut tbs = expect(&mut cert, SEQUENCE, "tbsCertificate")?;
    if tbs.first() == Some(&VERSION) {
        next(&mut tbs)?;
    }
    expect(&mut tbs, INTEGER, "the serial number")?;
    expect(&mut tbs, SEQUENCE, "the signature algorithm")?;
    let issuer = name(expect(&mut tbs, SEQUENCE, "the issuer")?)?;
    let mut validity = expect(&mut tbs, SEQUENCE, "the validity")?;
    next(&mut validity)?; // notBefore
    let not_after = next(&mut validity)?;
    Ok((issuer, time(&not_after)?))
}

/// `Name ::= SEQUENCE OF RelativeDistinguishedName`, each a SET of
/// `{ type OID, value }`: `C=BR, O=Example + OU=Unit, CN=Name`.
fn name(mut rdns: &[u8]) -> Result<String, String> {
    let mut parts = Vec::new();
    while !rdns.is_empty() {
        let mut set = expect(&mut rdns, SET, "a name component")?;
        let mut attrs = Vec::new();
        while !set.is_empty() {
            let mut attr = expect(&mut set, SEQUENCE, "a name attribute")?;
            let oid = oid(expect(&mut attr, OID, "an attribute type")?)?;
            let value = next(&mut attr)?;
            attrs.push(format!("{}={}", short_name(&oid), text(&value)));
        }
        parts.push(attrs.join(" + "));
    }
    Ok(parts.join(", "))
}

/// Dotted decimal: `2.5.4.3`.
fn oid(body: &[u8]) -> Result<String, String> {
    let mut arcs: Vec<u64> = Vec::new();
    let mut acc: u64 = 0;
    for (i, &b) in body.iter().enumerate() {
        if acc > u64::MAX >> 7 {
            return Err("an object identifier is too long".to_string());
        }
        acc = (acc << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (acc / 40).min(2);
                arcs.push(first);
                arcs.push(acc - first * 40);
            } else {
                arcs.push(acc);
            }
            acc = 0;
        } else if i + 1 == body.len() {
            return Err("an object identifier is truncated".to_string());
        }
    }
    if arcs.is_empty() {
        return Err("an object identifier is empty".to_string());
    }
    Ok(arcs
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join("."))
}

fn short_name(oid: &str) -> &str {
    match oid {
        "2.5.4.3" => "CN",
        "2.5.4.5" => "serialNumber",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "STREET",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        "1.2.840.113549.1.9.1" => "emailAddress",
        other => other,
    }
}

/// An attribute value as text: the string types certificates use; anything else
/// as RFC 4514's `#hex`. (The caller sanitises it before it reaches a terminal.)
fn text(v: &Tlv) -> String {
    match v.tag {
        // UTF8String, PrintableString, IA5String, VisibleString
        0x0c | 0x13 | 0x16 | 0x1a => String::from_utf8_lossy(v.body).into_owned(),
        // TeletexString: in practice Latin-1.
        0x14 => v.body.iter().map(|&b| char::from(b)).collect(),
        // BMPString: UTF-16 big-endian.
        0x1e if v.body.len().is_multiple_of(2) => char::decode_utf16(
            v.body
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]])),
        )
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect(),
        _ => {
            let hex: String = v.body.iter().map(|b| format!("{b:02x}")).collect();
            format!("#{hex}")
        }
    }
}

/// `UTCTime` (`YYMMDDHHMMSSZ`, 50-99 being 19xx) or `GeneralizedTime`
/// (`YYYYMMDDHHMMSSZ`), the only forms RFC 5280 allows, as Unix seconds.
fn time(t: &Tlv) -> Result<i64, String> {
    let bad = || "the certificate's expiry date is malformed".to_string();
    let s = std::str::from_utf8(t.body).map_err(|_| bad())?;
    let digits = s.strip_suffix('Z').ok_or_else(bad)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let (year, rest) = match (t.tag, digits.len()) {
        (UTC_TIME, 12) => {
            let yy: i64 = digits[..2].parse().map_err(|_| bad())?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, &digits[2..])
        }
        (GENERALIZED_TIME, 14) => (digits[..4].parse().map_err(|_| bad())?, &digits[4..]),
        _ => return Err(bad()),
    };
    let n = |i: usize| rest[i..i + 2].parse::<u32>().map_err(|_| bad());
    let (month, day, hour, min, sec) = (n(0)?, n(2)?, n(4)?, n(6)?, n(8)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || min > 59 || sec > 60 {
        return Err(bad());
    }
    Ok(crate::time::unix_secs(year, month, day, hour, min, sec))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A certificate made by rcgen (an independent DER writer) with a known issuer
    /// and expiry.
    fn cert(not_after: (i32, u8, u8), dn: &[(rcgen::DnType, &str)]) -> Vec<u8> {
        let mut params = rcgen::CertificateParams::new(vec!["localhost".into()]).unwrap();
        let mut name = rcgen::DistinguishedName::new();
        for (k, v) in dn {
            name.push(k.clone(), *v);
        }
        params.distinguished_name = name;
        params.not_after = rcgen::date_time_ymd(not_after.0, not_after.1, not_after.2);
        let key = rcgen::KeyPair::generate().unwrap();
        params.self_signed(&key).unwrap().der().to_vec()
    }

    #[test]
    fn reads_issuer_and_expiry_in_both_time_forms() {
        let dn = [
            (rcgen::DnType::CountryName, "BR"),
            (rcgen::DnType::OrganizationName, "Exemplo Ltda"),
            (rcgen::DnType::CommonName, "São Paulo CA"),
        ];
        // Before 2050: UTCTime; from 2050: GeneralizedTime (RFC 5280 4.1.2.5).
        for (date, want) in [
            ((2031, 7, 9), "2031-07-09T00:00:00Z"),
            ((2061, 1, 31), "2061-01-31T00:00:00Z"),
        ] {
            let (issuer, secs) = issuer_and_expiry(&cert(date, &dn)).unwrap();
            assert_eq!(issuer, "C=BR, O=Exemplo Ltda, CN=São Paulo CA");
            assert_eq!(crate::time::rfc3339(secs), want);
        }
    }

    #[test]
    fn every_truncation_and_corruption_is_an_error_not_a_panic() {
        let der = cert((2030, 1, 1), &[(rcgen::DnType::CommonName, "x")]);
        for n in 0..der.len() {
            assert!(issuer_and_expiry(&der[..n]).is_err(), "cut at {n}");
        }
        // Each byte of the header and names flipped: an error or some answer,
        // never a panic or an endless loop.
        for i in 0..der.len().min(200) {
            let mut d = der.clone();
            d[i] ^= 0xff;
            let _ = issuer_and_expiry(&d);
        }
        assert!(issuer_and_expiry(b"not a certificate").is_err());
        // An indefinite (BER) length and a length past the end.
        assert!(issuer_and_expiry(&[0x30, 0x80, 0x00, 0x00]).is_err());
        assert!(issuer_and_expiry(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_err());
    }

    #[test]
    fn object_identifiers_and_string_types() {
        assert_eq!(oid(&[0x55, 0x04, 0x03]).unwrap(), "2.5.4.3");
        assert_eq!(
            oid(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01]).unwrap(),
            "1.2.840.113549.1.9.1"
        );
        assert!(oid(&[0x2a, 0x86]).is_err(), "truncated");
        assert!(oid(&[]).is_err());
        let bmp = Tlv {
            tag: 0x1e,
            body: &[0x00, 0x4a, 0x00, 0xe3],
        };
        assert_eq!(text(&bmp), "Jã");
        let teletex = Tlv {
            tag: 0x14,
            body: &[b'J', 0xe3],
        };
        assert_eq!(text(&teletex), "Jã");
        let other = Tlv {
            tag: 0x04,
            body: &[0xde, 0xad],
        };
        assert_eq!(text(&other), "#dead");
    }
}
