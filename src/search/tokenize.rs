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
//! 4. The Arabic definite article is folded: a leading `ال`, or `وال` `بال` `كال` `فال` (the
//!    article after an attached "and", "with", "as", "so") or `لل` ("for the", the article's alef
//!    unwritten), is removed when at least two letters remain, so `الفساد` and `فساد` are one
//!    term. Two letters, as in Larkey's light stemmers (Lucene's Arabic stemmer): Arabic has
//!    common two-letter nouns (`الحق` "the right", `اليد`), and a longer minimum would fold them
//!    in some words and not others. The article's alef is written bare (hamzat wasl): a word
//!    that begins with `أ إ آ` (`آلية` "mechanism", `إلغاء` "repeal") keeps its letters.
//! 5. Words joined by hyphens (`-`, U+2010, U+2011) with nothing else between are also one term,
//!    their terms joined, emitted before the parts, when it holds a letter: `e-government` gives
//!    `egovernment e government`, so `egovernment`, `e-government` and `e government` all find
//!    it, and a phrase ending at the first part or starting at the last still matches.

use std::borrow::Cow;

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
    is_plain_letter(c) || c.is_alphanumeric() || is_combining_mark(c)
}

/// Letters of the scripts most non-ASCII text is in that normalizing leaves as they are:
/// Cyrillic lower case but й and ё (which fold to и and е), Arabic letters without hamza or
/// madda, and the CJK unified ideographs. A shortcut past the Unicode tables, which took a
/// fifth of a six-language index's time; a test checks it against them letter by letter.
fn is_plain_letter(c: char) -> bool {
    matches!(c,
        'а'..='и' | 'к'..='я'
        | '\u{0627}'..='\u{063A}' | '\u{0641}'..='\u{0648}' | '\u{064A}'
        | '\u{4E00}'..='\u{9FFF}')
}

/// Letters that word segmentation joins to ASCII letters and digits as it joins those to each
/// other (Latin-1 and Latin Extended-A and -B letters, basic Cyrillic, Arabic letters without
/// marks). None is a digit, mark or invisible character. A piece of text whose words are made
/// of these and ASCII alone splits into words without the segmentation tables (`letter_words`).
fn is_simple_letter(c: char) -> bool {
    matches!(c,
        'À'..='Ö' | 'Ø'..='ö' | 'ø'..='ɏ'
        | 'Ѐ'..='џ'
        | '\u{0620}'..='\u{063F}' | '\u{0641}'..='\u{064A}')
}

/// Invisible characters that neither belong to a word nor break it.
pub fn is_ignorable(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200C}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

fn in_bigram_run(c: char) -> bool {
    is_bigram_script(c) && is_word_char(c)
}

/// The normalized form of one word (see the module documentation).
pub fn normalize(word: &str) -> Cow<'_, str> {
    if word.is_ascii() {
        return if word.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(word.to_ascii_lowercase())
        } else {
            Cow::Borrowed(word)
        };
    }
    if word.chars().all(is_plain_letter) {
        return without_article(word);
    }
    if let Some(normal) = normalize_simple(word) {
        return Cow::Owned(normal);
    }
    if word.chars().all(is_stable) {
        return without_article(word);
    }
    Cow::Owned(normalize_by_tables(word))
}

/// A word already normal, without the Arabic article it may start with (its alef is bare: the
/// word has no marks).
fn without_article(word: &str) -> Cow<'_, str> {
    match article(word) {
        Some((len, _)) => Cow::Borrowed(&word[len..]),
        None => Cow::Borrowed(word),
    }
}

/// [`normalize`] by the Unicode tables, for any word.
fn normalize_by_tables(word: &str) -> String {
    without_article_if(fold_by_tables(word), |k| is_bare_alef(word, k))
}

/// A folded word without the Arabic article it starts with, if `bare_alef` says the original
/// word writes the article's alef (letter `k`) bare.
fn without_article_if(folded: String, bare_alef: impl Fn(usize) -> bool) -> String {
    match article(&folded) {
        Some((len, alef)) if alef.is_none_or(bare_alef) => folded[len..].to_string(),
        _ => folded,
    }
}

/// Step 3 of the module documentation: decomposed, lower case, marks removed, the special
/// folds, composed.
fn fold_by_tables(word: &str) -> String {
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

/// [`normalize_by_tables`] for a word of ASCII and simple letters, folded letter by letter from a
/// table: such letters fold to letters without marks, which compose with nothing, so a word
/// folds to its letters' folds in a row (a test checks every pair). Capitalised Russian,
/// accented French and Arabic words with hamza are most of the words not already normal.
/// `None` for other words.
fn normalize_simple(word: &str) -> Option<String> {
    static FOLDS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
        SIMPLE_BLOCKS
            .iter()
            .flat_map(|&(first, last)| first..=last)
            .map(|c| match char::from_u32(c) {
                Some(c) if is_simple_letter(c) => fold_by_tables(c.encode_utf8(&mut [0; 4])),
                _ => String::new(),
            })
            .collect()
    });
    let mut folded = String::with_capacity(word.len());
    for c in word.chars() {
        if c.is_ascii() {
            folded.push(c.to_ascii_lowercase());
        } else if is_simple_letter(c) {
            folded.push_str(&FOLDS[simple_slot(c)]);
        } else {
            return None;
        }
    }
    // The word has no marks: the article's alef is bare if it is the plain letter.
    Some(without_article_if(folded, |k| {
        word.chars().nth(k) == Some('ا')
    }))
}

/// The blocks simple letters are in, first and last code points: the fold table's slots.
const SIMPLE_BLOCKS: [(u32, u32); 3] = [(0xC0, 0x24F), (0x400, 0x45F), (0x620, 0x64A)];

/// The slot of simple letter `c` in the fold table.
fn simple_slot(c: char) -> usize {
    let c = c as u32;
    let mut start = 0;
    for (first, last) in SIMPLE_BLOCKS {
        if c <= last {
            return start + (c - first) as usize;
        }
        start += (last - first + 1) as usize;
    }
    unreachable!("{c:x} is no simple letter")
}

/// The Arabic definite article, alone or after an attached conjunction or preposition, with the
/// position (in letters) of its alef; `لل` ("for the") writes no alef.
const ARTICLES: [(&str, Option<usize>); 6] = [
    ("ال", Some(0)),
    ("وال", Some(1)),
    ("بال", Some(1)),
    ("كال", Some(1)),
    ("فال", Some(1)),
    ("لل", None),
];

/// The length in bytes of the article a normalized word starts with, if at least two letters
/// follow it, and the position of its alef.
fn article(folded: &str) -> Option<(usize, Option<usize>)> {
    // Every form starts with one of these letters, each two bytes in UTF-8.
    if !matches!(folded.as_bytes().first(), Some(0xD8 | 0xD9)) {
        return None;
    }
    ARTICLES.iter().find_map(|&(prefix, alef)| {
        let rest = folded.strip_prefix(prefix)?;
        (rest.chars().nth(1).is_some()).then_some((prefix.len(), alef))
    })
}

/// Whether letter `k` of `word` (not counting marks, tatweel or invisible characters) is an alef
/// written bare, without hamza or madda: as the article's alef is.
fn is_bare_alef(word: &str, k: usize) -> bool {
    let mut letters = word
        .nfkd()
        .filter(|&c| !is_ignorable(c) && c != 'ـ')
        .peekable();
    let mut seen = 0;
    while let Some(c) = letters.next() {
        if is_combining_mark(c) {
            continue;
        }
        if seen == k {
            if c != 'ا' && c != 'ٱ' {
                return false;
            }
            while let Some(&m) = letters.peek().filter(|&&m| is_combining_mark(m)) {
                if matches!(m, '\u{0653}'..='\u{0655}') {
                    return false;
                }
                letters.next();
            }
            return true;
        }
        seen += 1;
    }
    false
}

/// Whether normalizing leaves `c` as it is, whatever surrounds it: it has no compatibility
/// decomposition, is its own lower case, is no mark, invisible character or special fold, and
/// composes with nothing (conjoining Hangul jamo do). Most words of Cyrillic, Greek, Arabic or
/// CJK text are made of such characters only, and skip the normalization passes.
fn is_stable(c: char) -> bool {
    is_plain_letter(c) || is_stable_by_tables(c)
}

/// [`is_stable`] from the Unicode tables.
fn is_stable_by_tables(c: char) -> bool {
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
    let mut joined = Hyphenated::default();
    if text.is_ascii() {
        // No bigram scripts, no segmentation tables (see `words`).
        ascii_words(text, &mut String::new(), &mut joined, &mut emit);
        return joined.finish(&mut emit);
    }
    let mut rest = text;
    while !rest.is_empty() {
        // Split off the next run of bigram-script characters, and the text before it.
        let start = bigram_run_start(rest);
        words(&rest[..start], &mut joined, &mut emit);
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

/// Where the first bigram-script character of `text` is (its length if none). Every such
/// character is three bytes or more in UTF-8, so the others are passed over a byte at a time.
fn bigram_run_start(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] < 0xE0 {
            i += 1;
            continue;
        }
        let c = text[i..].chars().next().expect("a character starts here");
        if in_bigram_run(c) {
            return i;
        }
        i += c.len_utf8();
    }
    bytes.len()
}

/// Every term of `text`, in order.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_term(text, |t| out.push(t.to_string()));
    out
}

fn bigrams(run: &str, emit: &mut impl FnMut(&str)) {
    // The normalized characters one after another, and where each ends: a bigram is a slice.
    let mut units = String::with_capacity(run.len());
    let mut ends: Vec<usize> = Vec::with_capacity(run.len() / 3);
    for c in run.chars() {
        units.push_str(&normalize(c.encode_utf8(&mut [0; 4])));
        if units.len() > ends.last().copied().unwrap_or(0) {
            ends.push(units.len());
        }
    }
    match ends.len() {
        0 => {}
        1 => emit(&units),
        _ => {
            let mut start = 0;
            for pair in ends.windows(2) {
                emit(&units[start..pair[1]]);
                start = pair[0];
            }
        }
    }
}

/// Words joined by hyphens, held until the last is read (rule 5 of the module documentation).
/// Only a word followed by a hyphen is held: most words go straight through.
#[derive(Default)]
struct Hyphenated {
    parts: Vec<String>,
    /// Where the last part ends, in the text the words come from.
    end: usize,
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

impl Hyphenated {
    /// Takes the term of the word at `start..end` of `text`.
    #[inline(always)]
    fn word(
        &mut self,
        text: &str,
        start: usize,
        end: usize,
        term: &str,
        emit: &mut impl FnMut(&str),
    ) {
        let joins = !self.parts.is_empty() && {
            let mut between = text[self.end..start].chars();
            between.next().is_some_and(is_hyphen) && between.next().is_none()
        };
        if !joins {
            self.finish(emit);
        }
        if joins || text[end..].starts_with(is_hyphen) {
            self.parts.push(term.to_string());
            self.end = end;
        } else {
            emit(term);
        }
    }

    /// Emits the words held: the whole, then the parts.
    fn finish(&mut self, emit: &mut impl FnMut(&str)) {
        if self.parts.len() > 1 {
            let whole = self.parts.concat();
            if whole.chars().any(char::is_alphabetic) {
                emit(&whole);
            }
        }
        for part in self.parts.drain(..) {
            emit(&part);
        }
    }
}

fn words(span: &str, joined: &mut Hyphenated, emit: &mut impl FnMut(&str)) {
    // Word segmentation always breaks at white space, so each white-space-delimited piece can be
    // segmented alone, and a piece of plain ASCII needs no tables: its words are the runs of
    // letters and digits (with `.` and `,` between digits), exactly what the general rule gives.
    let mut word = String::new();
    for piece in span.split(|c: char| c.is_ascii_whitespace()) {
        if piece.is_ascii() {
            ascii_words(piece, &mut word, joined, emit);
        } else if piece.chars().all(is_simple_around) {
            letter_words(piece, joined, emit);
        } else {
            unicode_words(piece, &mut word, joined, emit);
        }
        joined.finish(emit);
    }
}

/// Whether `c` can be in a piece of text that `letter_words` reads as the segmentation tables
/// would: ASCII, a simple letter, or a character that is no part of a word (punctuation,
/// symbols, spaces). Segmentation never breaks between two letters or digits of these, nor
/// inside `1.5` or `1,000`, and every other character ends a word either way. Not a mark, a
/// letter or digit of another script, or an invisible character, which a word may hold.
fn is_simple_around(c: char) -> bool {
    c.is_ascii() || is_simple_letter(c) || !(is_word_char(c) || is_ignorable(c))
}

/// The words of a piece of text every character of which is [`is_simple_around`]: runs of
/// ASCII letters and digits and simple letters, with `.` and `,` between digits.
fn letter_words(piece: &str, joined: &mut Hyphenated, emit: &mut impl FnMut(&str)) {
    let in_word = |c: char| c.is_ascii_alphanumeric() || is_simple_letter(c);
    let mut chars = piece.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if !in_word(c) {
            continue;
        }
        let mut end = start + c.len_utf8();
        let mut after_digit = c.is_ascii_digit();
        while let Some(&(i, c)) = chars.peek() {
            let between_digits = (c == '.' || c == ',')
                && after_digit
                && piece.as_bytes().get(i + 1).is_some_and(u8::is_ascii_digit);
            if !(in_word(c) || between_digits) {
                break;
            }
            after_digit = c.is_ascii_digit();
            end = i + c.len_utf8();
            chars.next();
        }
        let term = normalize(&piece[start..end]);
        if !term.is_empty() {
            joined.word(piece, start, end, &term, emit);
        }
    }
}

#[inline(always)]
fn ascii_words(
    text: &str,
    word: &mut String,
    joined: &mut Hyphenated,
    emit: &mut impl FnMut(&str),
) {
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
            joined.word(text, start, i, word, emit);
        } else {
            joined.word(text, start, i, run, emit);
        }
    }
}

fn unicode_words(
    piece: &str,
    word: &mut String,
    joined: &mut Hyphenated,
    emit: &mut impl FnMut(&str),
) {
    word.clear();
    // Where the word being read starts and ends in `piece`.
    let mut span = (0, 0);
    for (at, segment) in piece.split_word_bound_indices() {
        if !segment
            .chars()
            .any(|c| is_plain_letter(c) || c.is_alphanumeric())
        {
            continue;
        }
        let chars: Vec<(usize, char)> = segment.char_indices().collect();
        let mut last_numeric = false;
        for (k, &(i, c)) in chars.iter().enumerate() {
            if is_ignorable(c) {
                continue;
            }
            if is_word_char(c) {
                if word.is_empty() {
                    span.0 = at + i;
                }
                word.push(c);
                span.1 = at + i + c.len_utf8();
                last_numeric = !is_plain_letter(c) && c.is_numeric();
            } else if (c == '.' || c == ',')
                && last_numeric
                && chars[k + 1..]
                    .iter()
                    .find(|&&(_, n)| !is_ignorable(n))
                    .is_some_and(|&(_, n)| n.is_numeric())
            {
                word.push(c);
                last_numeric = false;
            } else {
                flush(piece, span, word, joined, emit);
                last_numeric = false;
            }
        }
        flush(piece, span, word, joined, emit);
    }
}

fn flush(
    piece: &str,
    (start, end): (usize, usize),
    word: &mut String,
    joined: &mut Hyphenated,
    emit: &mut impl FnMut(&str),
) {
    if !word.is_empty() {
        let term = normalize(word);
        if !term.is_empty() {
            joined.word(piece, start, end, &term, emit);
        }
        word.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_letters_are_what_the_unicode_tables_say() {
        let plain: Vec<char> = (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| is_plain_letter(c))
            .collect();
        assert!(plain.len() > 20_000, "{}", plain.len());
        for c in plain {
            assert!(is_stable_by_tables(c), "{c:?} is not stable");
            assert!(c.is_alphabetic() && !c.is_numeric(), "{c:?}");
            assert_eq!(normalize(&c.to_string()), c.to_string(), "{c:?}");
        }
        assert!(!is_plain_letter('й') && !is_plain_letter('ё') && !is_plain_letter('أ'));
    }

    /// Every simple letter, in code point order.
    fn simple_letters() -> Vec<char> {
        SIMPLE_BLOCKS
            .iter()
            .flat_map(|&(first, last)| first..=last)
            .filter_map(char::from_u32)
            .filter(|&c| is_simple_letter(c))
            .collect()
    }

    #[test]
    fn simple_letters_join_letters_and_digits_as_the_tables_say() {
        let letters = simple_letters();
        assert_eq!(letters.len(), 398 + 96 + 42);
        for c in letters {
            assert!(
                c.is_alphabetic() && !c.is_numeric() && is_word_char(c),
                "{c:?}"
            );
            assert!(
                !is_ignorable(c) && !is_combining_mark(c) && !in_bigram_run(c),
                "{c:?}"
            );
            let piece = format!("a{c}1{c}{c}b");
            assert_eq!(piece.split_word_bounds().count(), 1, "{c:?}");
        }
    }

    #[test]
    fn simple_words_normalize_letter_by_letter_as_by_the_tables() {
        let mut letters = simple_letters();
        letters.extend(['A', 'z', '7']);
        let check = |word: &str| {
            if let Some(normal) = normalize_simple(word) {
                assert_eq!(normal, normalize_by_tables(word), "{word:?}");
            }
        };
        for &x in &letters {
            for &y in &letters {
                check(&format!("{x}{y}"));
            }
        }
        // The Arabic article, its alef bare or not, before every pair of Arabic letters.
        let arabic: Vec<char> = letters
            .iter()
            .copied()
            .filter(|c| ('\u{0620}'..='\u{064A}').contains(c))
            .collect();
        for &x in &arabic {
            for &y in &arabic {
                for prefix in ["ال", "أل", "وال", "وأل", "لل", "ل"] {
                    check(&format!("{prefix}{x}{y}"));
                }
            }
        }
        // The table is what normalizes capitalised, accented and hamza-bearing words.
        assert_eq!(
            normalize_simple("Правительство").as_deref(),
            Some("правительство")
        );
        assert_eq!(normalize_simple("Égalité").as_deref(), Some("egalite"));
        assert_eq!(normalize_simple("الأمم").as_deref(), Some("امم"));
        assert_eq!(normalize_simple("ألعاب").as_deref(), Some("العاب"));
    }

    /// The terms `letter_words` or `unicode_words` find in one piece of text.
    fn piece_terms(piece: &str, by_tables: bool) -> Vec<String> {
        let mut out = Vec::new();
        let mut emit = |t: &str| out.push(t.to_string());
        let mut joined = Hyphenated::default();
        if by_tables {
            unicode_words(piece, &mut String::new(), &mut joined, &mut emit);
        } else {
            letter_words(piece, &mut joined, &mut emit);
        }
        joined.finish(&mut emit);
        out
    }

    proptest::proptest! {
        #[test]
        fn letter_words_splits_as_the_segmentation_tables_do(
            picks in proptest::collection::vec((0usize..4, 0usize..1000), 0..24)
        ) {
            // ASCII letters, digits and punctuation; simple letters; punctuation, symbols and
            // format characters from elsewhere, which end words either way.
            let letters = simple_letters();
            let ascii: Vec<char> = "aZ09.,-'_:/".chars().collect();
            let around = ['«', '»', '’', '“', '—', '–', '…', '\u{a0}', '\u{202a}', '\u{600}', '\u{1f3fb}', '€', '×'];
            let piece: String = picks
                .iter()
                .map(|&(kind, k)| match kind {
                    0 | 1 => ascii[k % ascii.len()],
                    2 => letters[k % letters.len()],
                    _ => around[k % around.len()],
                })
                .collect();
            proptest::prop_assert!(piece.chars().all(is_simple_around));
            proptest::prop_assert_eq!(piece_terms(&piece, false), piece_terms(&piece, true), "{:?}", piece);
        }
    }

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
        assert_eq!(
            terms("don’t e-government"),
            ["don", "t", "egovernment", "e", "government"]
        );
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
        assert_eq!(plain, ["حوكمة", "رشيدة"]);
        assert_eq!(terms("أحمد إلى آمن ٱلعامة"), ["احمد", "الي", "امن", "عامة"]);
        assert_eq!(terms("مـــدينة"), ["مدينة"]);
        assert_eq!(terms("مستوى"), ["مستوي"]);
    }

    #[test]
    fn the_arabic_article_is_folded_when_two_letters_remain() {
        for (with, without) in [
            ("الفساد", "فساد"),
            ("المساءلة", "مساءلة"),
            ("والمساءلة", "مساءلة"),
            ("بالشفافية", "شفافية"),
            ("كالمعتاد", "معتاد"),
            ("فالحكومة", "حكومة"),
            ("للمواطنين", "مواطنين"),
            ("الحق", "حق"),
            ("الْفَسَادُ", "فساد"),
            ("الـفساد", "فساد"),
        ] {
            assert_eq!(terms(with), [without], "{with}");
        }
        // One letter left, or no article: the word stays.
        for word in ["الم", "والي", "بالغ", "لله", "الا", "فساد", "ال"] {
            assert_eq!(terms(word), [word], "{word}");
        }
        // An alef with hamza or madda is no article's.
        assert_eq!(terms("آلية إلغاء ألعاب"), ["الية", "الغاء", "العاب"]);
        assert_eq!(terms("وإلغاء"), ["والغاء"]);
        assert_eq!(terms("الآلية"), ["الية"]);
    }

    #[test]
    fn hyphenated_words_are_one_term_and_their_parts() {
        assert_eq!(
            terms("e-government services"),
            ["egovernment", "e", "government", "services"]
        );
        assert_eq!(
            terms("State-of-the-Art, long\u{2011}term"),
            [
                "stateoftheart",
                "state",
                "of",
                "the",
                "art",
                "longterm",
                "long",
                "term"
            ]
        );
        assert_eq!(
            terms("Égalité-réelle"),
            ["egalitereelle", "egalite", "reelle"]
        );
        assert_eq!(
            terms("covid-19 2015-2030"),
            ["covid19", "covid", "19", "2015", "2030"]
        );
        // Anything else between words, or around a lone hyphen, keeps them apart.
        assert_eq!(
            terms("a - b a--b a-\u{00AD}b x- y -z"),
            ["a", "b", "a", "b", "a", "b", "x", "y", "z"]
        );
        assert_eq!(terms("en–dash 治理-能力"), ["en", "dash", "治理", "能力"]);
    }

    #[test]
    fn words_already_normal_are_kept_and_others_still_fold() {
        for word in ["отчетность", "治", "حوكمة", "οδοσ", "øre", "한국"] {
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
