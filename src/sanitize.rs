//! Making outside text safe for a terminal or a log line.
//!
//! Everything that comes from outside biopass (server messages, BioPassIDs, manifest ids
//! and column names, file names in messages) goes through here before a terminal sees
//! it: control characters (escapes, bells, newlines) and the Unicode bidirectional
//! controls (U+202A-202E, U+2066-2069, U+200E/200F, U+061C), which can make a line read
//! differently from what it holds, are removed. Results are cleaned but never shortened
//! ([`clean`]); diagnostic text is also cut to a length ([`sanitize`]).

/// Is this a character that may change how a line is displayed?
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
        )
}

/// A result (an id, a BioPassID) as shown: unsafe characters removed, nothing cut.
pub fn clean(s: &str) -> String {
    s.chars().filter(|c| !is_unsafe(*c)).collect()
}

/// Diagnostic text as shown: unsafe characters become spaces, runs of white space
/// collapse to one, and the result is cut to `max` characters with a trailing "…".
pub fn sanitize(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max.saturating_mul(4).saturating_add(4)));
    let mut count = 0;
    let mut pending_space = false;
    for c in s.chars() {
        let c = if is_unsafe(c) { ' ' } else { c };
        if c.is_whitespace() {
            pending_space = count > 0;
            continue;
        }
        if pending_space {
            if count == max {
                out.push('…');
                return out;
            }
            out.push(' ');
            count += 1;
            pending_space = false;
        }
        if count == max {
            out.push('…');
            return out;
        }
        out.push(c);
        count += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_strips_and_truncates() {
        assert_eq!(sanitize("a\x1b[2Jb\r\nc", 100), "a [2Jb c");
        assert_eq!(sanitize("abcdef", 3), "abc…");
        assert_eq!(sanitize("abc", 3), "abc");
        assert_eq!(sanitize("ab cd", 3), "ab …");
        assert_eq!(sanitize("  x  ", 10), "x");
    }

    #[test]
    fn bidi_controls_are_removed() {
        let evil = "pay\u{202E}gpj.exe\u{2066}x\u{2069}\u{200F}";
        assert_eq!(clean(evil), "paygpj.exex");
        assert!(!sanitize(evil, 100).chars().any(is_unsafe));
        assert_eq!(clean("id\x07\x1b[31m"), "id[31m");
    }

    #[test]
    fn results_are_never_cut() {
        let long = "9".repeat(256);
        assert_eq!(clean(&long), long);
    }
}
