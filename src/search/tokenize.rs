//! The search tokenizer: how text becomes index terms. `static/search.js` implements exactly the
//! same rules for queries and snippets; `tests/search.rs` runs both over the same text and
//! compares.
//!
//! 1. Runs of characters from scripts written without spaces (Han, Hiragana, Katakana, Thai, Lao,
//!    Khmer, Myanmar) become overlapping bigrams of normalized characters (`治理能力` gives
//!    `治理 理能 能力`; a lone character is a term of its own).
//! 2. Everything else is split into words by Unicode word segmentation (UAX #29), then each word
//!    is split further at any character that is not a letter, digit or mark, except that `.` and
//!    `,` between digits stay (`16.7`, `1,000`). Apostrophes and hyphens therefore separate words
//!    (`l'égalité` gives `l` and `egalite`). Invisible format characters (soft hyphen, zero-width
//!    joiners) are skipped without breaking a word.
//! 3. Each word is normalized: compatibility decomposition (NFKD), lower case, combining marks
//!    removed (so `égalité` matches `egalite`, `ё` matches `е`, Arabic tashkeel disappears and
//!    `أ إ آ` become `ا`), then Arabic alef wasla to alef, alef maqsura to yaa, tatweel removed,
//!    Greek final sigma to sigma, and canonical composition (NFC).

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use unicode_segmentation::UnicodeSegmentation;

/// Characters of scripts written without spaces between words, indexed as bigrams.
pub fn is_bigram_script(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF          // Thai, Lao
        | 0x1000..=0x109F        // Myanmar
        | 0x1780..=0x17FF        // Khmer
        | 0x2E80..=0x2FDF        // CJK radicals, Kangxi radicals
        | 0x3005..=0x3007        // 々 〆 〇
        | 0x3021..=0x3029        // Hangzhou numerals
        | 0x3038..=0x303B
        | 0x3040..=0x30FF        // Hiragana, Katakana
        | 0x31F0..=0x31FF        // Katakana phonetic extensions
        | 0x3400..=0x4DBF        // CJK extension A
        | 0x4E00..=0x9FFF        // CJK unified ideographs
        | 0xF900..=0xFAFF        // CJK compatibility ideographs
        | 0xFF66..=0xFF9F        // half-width Katakana
        | 0x20000..=0x323AF) // CJK extensions B to H
}

/// Letters, digits and marks: what words are made of.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

/// Invisible characters that neither belong to a word nor break it.
pub fn is_ignorable(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200C}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

fn in_bigram_run(c: char) -> bool {
    is_bigram_script(c) && is_word_char(c)
}

/// The normalized form of one word (see the module documentation).
pub fn normalize(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    if word.chars().all(is_stable) {
        return word.to_string();
    }
    let mut folded = String::with_capacity(word.len());
    for c in word.nfkd().flat_map(char::to_lowercase) {
        if is_combining_mark(c) || is_ignorable(c) {
            continue;
        }
        match c {
            'ς' => folded.push('σ'),
            'ٱ' => folded.push('ا'),
            'ى' => folded.push('ي'),
            'ـ' => {}
            c => folded.push(c),
        }
    }
    folded.nfc().collect()
}

/// Whether normalizing leaves `c` as it is, whatever surrounds it: it has no compatibility
/// decomposition, is its own lower case, is no mark, invisible character or special fold, and
/// composes with nothing (conjoining Hangul jamo do). Most words of Cyrillic, Greek, Arabic or
/// CJK text are made of such characters only, and skip the normalization passes.
fn is_stable(c: char) -> bool {
    let mut lower = c.to_lowercase();
    lower.next() == Some(c)
        && lower.next().is_none()
        && !is_combining_mark(c)
        && !is_ignorable(c)
        && !matches!(c, 'ς' | 'ٱ' | 'ى' | 'ـ' | '\u{1100}'..='\u{11FF}' | '\u{A960}'..='\u{A97F}' | '\u{D7B0}'..='\u{D7FF}')
        && unicode_normalization::is_nfkd_quick(std::iter::once(c))
            == unicode_normalization::IsNormalized::Yes
}

/// Calls `emit` with every term of `text`, in order. `scratch` is reused between words.
pub fn each_term(text: &str, mut emit: impl FnMut(&str)) {
    if text.is_ascii() {
        // No bigram scripts, no segmentation tables (see `words`).
        return ascii_words(text, &mut String::new(), &mut emit);
    }
    let mut rest = text;
    while !rest.is_empty() {
        // Split off the next run of bigram-script characters, and the text before it.
        let start = rest
            .char_indices()
            .find(|&(_, c)| in_bigram_run(c))
            .map_or(rest.len(), |(i, _)| i);
        words(&rest[..start], &mut emit);
        rest = &rest[start..];
        if rest.is_empty() {
            break;
        }
        let end = rest
            .char_indices()
            .find(|&(_, c)| !in_bigram_run(c))
            .map_or(rest.len(), |(i, _)| i);
        bigrams(&rest[..end], &mut emit);
        rest = &rest[end..];
    }
}

/// Every term of `text`, in order.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_term(text, |t| out.push(t.to_string()));
    out
}

fn bigrams(run: &str, emit: &mut impl FnMut(&str)) {
    let units: Vec<String> = run
        .chars()
        .map(|c| normalize(c.encode_utf8(&mut [0; 4])))
        .filter(|u| !u.is_empty())
        .collect();
    match units.len() {
        0 => {}
        1 => emit(&units[0]),
        _ => {
            let mut pair = String::new();
            for window in units.windows(2) {
                pair.clear();
                pair.push_str(&window[0]);
                pair.push_str(&window[1]);
                emit(&pair);
            }
        }
    }
}

fn words(span: &str, emit: &mut impl FnMut(&str)) {
    // Word segmentation always breaks at white space, so each white-space-delimited piece can be
    // segmented alone, and a piece of plain ASCII needs no tables: its words are the runs of
    // letters and digits (with `.` and `,` between digits), exactly what the general rule gives.
    let mut word = String::new();
    for piece in span.split(|c: char| c.is_ascii_whitespace()) {
        if piece.is_ascii() {
            ascii_words(piece, &mut word, emit);
        } else {
            unicode_words(piece, &mut word, emit);
        }
    }
}

#[inline(always)]
fn ascii_words(text: &str, word: &mut String, emit: &mut impl FnMut(&str)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        let mut upper = false;
        while i < bytes.len() {
            let c = bytes[i];
            let between_digits = (c == b'.' || c == b',')
                && bytes[i - 1].is_ascii_digit()
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
            if c.is_ascii_alphanumeric() || between_digits {
                upper |= c.is_ascii_uppercase();
                i += 1;
            } else {
                break;
            }
        }
        let run = &text[start..i];
        if upper {
            word.clear();
            word.push_str(run);
            word.make_ascii_lowercase();
            emit(word);
        } else {
            emit(run);
        }
    }
}

fn unicode_words(piece: &str, word: &mut String, emit: &mut impl FnMut(&str)) {
    word.clear();
    for segment in piece.split_word_bounds() {
        if !segment.chars().any(char::is_alphanumeric) {
            continue;
        }
        let chars: Vec<char> = segment.chars().collect();
        let mut last_numeric = false;
        for (i, &c) in chars.iter().enumerate() {
            if is_ignorable(c) {
                continue;
            }
            if is_word_char(c) {
                word.push(c);
                last_numeric = c.is_numeric();
            } else if (c == '.' || c == ',')
                && last_numeric
                && chars[i + 1..]
                    .iter()
                    .find(|&&n| !is_ignorable(n))
                    .is_some_and(|n| n.is_numeric())
            {
                word.push(c);
                last_numeric = false;
            } else {
                flush(word, emit);
                last_numeric = false;
            }
        }
        flush(word, emit);
    }
}

fn flush(word: &mut String, emit: &mut impl FnMut(&str)) {
    if !word.is_empty() {
        let term = normalize(word);
        if !term.is_empty() {
            emit(&term);
        }
        word.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_words_are_lowercased_and_folded() {
        assert_eq!(
            terms("Égalité réelle, ÉGALITÉ!"),
            ["egalite", "reelle", "egalite"]
        );
        assert_eq!(
            terms("l'égalité des chances"),
            ["l", "egalite", "des", "chances"]
        );
        assert_eq!(terms("don’t e-government"), ["don", "t", "e", "government"]);
        assert_eq!(
            terms("Ñandú façade naïve Øre"),
            ["nandu", "facade", "naive", "øre"]
        );
    }

    #[test]
    fn numbers_keep_their_separators_between_digits() {
        assert_eq!(
            terms("SDG 16.7 and 1,000 people; e.g. v.2"),
            ["sdg", "16.7", "and", "1,000", "people", "e", "g", "v", "2"]
        );
        assert_eq!(terms("targets 16.6, 16.7."), ["targets", "16.6", "16.7"]);
    }

    #[test]
    fn cjk_becomes_overlapping_bigrams() {
        assert_eq!(terms("治理能力"), ["治理", "理能", "能力"]);
        assert_eq!(terms("国"), ["国"]);
        assert_eq!(
            terms("参与式预算 (participatory budgeting) 很重要。"),
            [
                "参与",
                "与式",
                "式预",
                "预算",
                "participatory",
                "budgeting",
                "很重",
                "重要"
            ]
        );
        // Half-width katakana and voiced marks fold like Latin accents.
        assert_eq!(terms("ｶﾞ"), terms("カ"));
    }

    #[test]
    fn arabic_is_normalised() {
        // With and without tashkeel, alef forms, alef maqsura, tatweel.
        let plain = terms("الحوكمة الرشيدة");
        assert_eq!(terms("الحَوْكَمَةُ الرَّشِيدَةُ"), plain);
        assert_eq!(
            terms("أحمد إلى آمن ٱلعامة"),
            ["احمد", "الي", "امن", "العامة"]
        );
        assert_eq!(terms("مـــدينة"), ["مدينة"]);
        assert_eq!(terms("مستوى"), ["مستوي"]);
    }

    #[test]
    fn words_already_normal_are_kept_and_others_still_fold() {
        for word in ["отчетность", "治", "الحوكمة", "οδοσ", "øre", "한국"]
        {
            assert_eq!(normalize(word), word);
        }
        // Characters that look stable but are not: decomposable, upper case, final sigma,
        // conjoining jamo (they compose), full-width forms.
        assert_eq!(normalize("é"), "e");
        assert_eq!(normalize("Отчет"), "отчет");
        assert_eq!(normalize("οδός"), "οδοσ");
        assert_eq!(normalize("\u{1100}\u{1161}"), "\u{AC00}");
        assert_eq!(normalize("ＡＢＣ"), "abc");
        assert_eq!(normalize("ё"), "е");
    }

    #[test]
    fn russian_yo_is_ye_and_greek_sigma_folds() {
        assert_eq!(terms("Ёлка ещё"), ["елка", "еще"]);
        assert_eq!(terms("ΟΔΟΣ οδός"), ["οδοσ", "οδοσ"]);
    }

    #[test]
    fn invisible_characters_do_not_split_words() {
        assert_eq!(
            terms("co\u{00AD}operation word\u{2060}joiner"),
            ["cooperation", "wordjoiner"]
        );
        // A zero-width space separates words, as a space does.
        assert_eq!(terms("zero\u{200B}width"), ["zero", "width"]);
        assert_eq!(terms("ﬁnance ＡＢＣ"), ["finance", "abc"]);
    }

    #[test]
    fn punctuation_and_markup_characters_are_not_terms() {
        assert_eq!(
            terms("<img src=x onerror=alert(1)>"),
            ["img", "src", "x", "onerror", "alert", "1"]
        );
        assert!(terms(" — … !? ").is_empty());
    }
}
