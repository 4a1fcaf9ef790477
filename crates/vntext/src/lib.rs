//! Text folding for search and keys (case- and diacritic-insensitive Vietnamese), and the hygiene rules every field shares: visible, invisible and direction-control characters.
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
        if is_combining_mark(c) || is_invisible(c) || is_bidi_control(c) {
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

/// Bidirectional embedding, override and isolate controls (and the marks
/// LRM, RLM, ALM): they reorder what is displayed.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

/// Zero-width and other default-ignorable characters that display as
/// nothing (zero-width space/joiners, word joiner and invisible operators,
/// BOM, soft hyphen, combining grapheme joiner, Hangul fillers, variation
/// selectors, tag characters).
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
            | '\u{00AD}'
            | '\u{034F}'
            | '\u{180E}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{3164}'
            | '\u{FFA0}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// Whether `c` shows something on its own: not whitespace, not a control,
/// not a combining mark (which only decorates another character), not
/// invisible or a direction control.
pub fn is_visible(c: char) -> bool {
    !c.is_whitespace()
        && !c.is_control()
        && !is_combining_mark(c)
        && !is_invisible(c)
        && !is_bidi_control(c)
}

/// Normalise user text for storage: NFC, trimmed, inner whitespace runs
/// collapsed to one space. Keeps case and diacritics.
pub fn clean(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text in ASCII for a font without Vietnamese glyphs: diacritics dropped
/// (đ → d), any other character outside ASCII shown as `?`.
pub fn ascii(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            c if c.is_ascii() => c,
            _ => '?',
        })
        .collect()
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
    fn invisible_and_direction_characters_are_known() {
        assert!(is_invisible('\u{200B}') && is_invisible('\u{FEFF}'));
        assert!(is_bidi_control('\u{202E}') && is_bidi_control('\u{2067}'));
        assert!(
            !is_visible('\u{0301}'),
            "a combining mark alone shows nothing"
        );
        assert!(is_visible('Đ') && is_visible('/'));
        assert_eq!(fold("125/QĐ-UBND\u{200B}"), fold("125/QĐ-UBND"));
    }

    #[test]
    fn cleans_and_escapes() {
        assert_eq!(clean("  Sở  Nội\nvụ "), "Sở Nội vụ");
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
