//! The API key, in a type that cannot leak by accident.
//!
//! `Debug` prints `[REDACTED]`; there is no `Display` and no `Serialize`. The only
//! way to the characters is [`ApiKey::expose`], called in exactly one place: where
//! `client.rs` builds the (sensitive) header value.

use std::fmt;

#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    /// Accept a key read from a file or the environment: surrounding whitespace is
    /// trimmed; it must be non-empty printable ASCII (it travels in an HTTP header).
    /// The error completes a sentence that names the source ("the API key from X
    /// is empty") and never holds any of the key's characters.
    pub fn new(raw: &str) -> Result<ApiKey, &'static str> {
        let key = raw.trim();
        if key.is_empty() {
            return Err("is empty");
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("contains spaces, control or non-ASCII characters");
        }
        Ok(ApiKey(key.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The first characters only (at most 4, fewer for short keys), for `config show`.
    pub fn masked(&self) -> String {
        let shown = (self.0.len() / 4).min(4);
        format!("{}… ({} characters)", &self.0[..shown], self.0.len())
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_mask_hide_the_key() {
        let k = ApiKey::new("  0123456789abcdef0123\n").unwrap();
        assert_eq!(format!("{k:?}"), "[REDACTED]");
        assert_eq!(k.masked(), "0123… (20 characters)");
        assert_eq!(ApiKey::new("abc").unwrap().masked(), "… (3 characters)");
        assert!(ApiKey::new(" \n").is_err());
        assert!(ApiKey::new("a b").is_err());
    }
}
