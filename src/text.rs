//! Text folding for search and keys: case- and diacritic-insensitive Vietnamese.
//!
//! Unicode decomposition removes tone and vowel marks (ế → e) but not the
//! stroke of đ/Đ, which is a separate letter; it is mapped to d by hand.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Fold `s` for matching: NFD, drop combining marks, đ/Đ → d, lower case,
/// and collapse runs of whitespace to one space.
///
/// `fold("Sở Nội vụ")` is `"so noi vu"`; `fold("ĐÀ NẴNG")` is `"da nang"`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            // Other letters with strokes or ligatures that NFD keeps whole.
            'ð' | 'Ð' => 'd',
            c => c,
        };
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Normalise user text for storage: NFC, trimmed, inner whitespace runs
/// collapsed to one space. Keeps case and diacritics.
pub fn clean(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Escape `%`, `_` and the escape character itself for a SQL `LIKE … ESCAPE '\'`.
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Sở Nội vụ"), "so noi vu");
        assert_eq!(fold("ĐÀ NẴNG"), "da nang");
        assert_eq!(fold("Quyết định"), "quyet dinh");
        assert_eq!(fold("  Ủy   ban\tnhân dân "), "uy ban nhan dan");
        assert_eq!(fold("42/QĐ-SNV"), "42/qd-snv");
        // Precomposed and decomposed input fold alike.
        assert_eq!(fold("Vie\u{0323}\u{0302}t"), fold("Việt"));
    }

    #[test]
    fn cleans_and_escapes() {
        assert_eq!(clean("  Sở  Nội\nvụ "), "Sở Nội vụ");
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
