//! Compact text encodings for the index files. Everything is written with a 64-character,
//! URL-safe alphabet so the data sits in plain JavaScript string literals; `static/search.js`
//! decodes the same formats.
//!
//! - A *number* is a little-endian sequence of 5-bit groups, one character each; a character
//!   `>= 32` means another group follows (numbers below 32 take one character).
//! - A *6-bit value* (an impact) is one character.
//! - A *mask* (the sections of a document holding a term) is a number `n` followed by `n`
//!   characters of 6 bits each, least significant first.
//! - A *set* of document numbers is one mode character and its payload: `L` then the ascending
//!   numbers as gaps (first number, then each difference minus one); `B` then a bitmap of all
//!   documents, 6 per character; `C` then the complement as an `L` list (count first).

use crate::render::OutputFile;

pub const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

pub fn push_number(out: &mut String, mut value: u64) {
    loop {
        let group = (value & 31) as usize;
        value >>= 5;
        if value == 0 {
            out.push(ALPHABET[group] as char);
            return;
        }
        out.push(ALPHABET[group | 32] as char);
    }
}

pub fn push_six(out: &mut String, value: u8) {
    out.push(ALPHABET[(value & 63) as usize] as char);
}

/// Sections as a bitmask: bit `i` set when section `i` holds the term.
pub fn push_mask(out: &mut String, mask: u128) {
    let groups = (128 - mask.leading_zeros()).div_ceil(6);
    push_number(out, u64::from(groups));
    for g in 0..groups {
        push_six(out, ((mask >> (6 * g)) & 63) as u8);
    }
}

/// A set of document numbers (ascending, distinct) among `total`, in its shortest encoding.
pub fn push_set(out: &mut String, docs: &[u32], total: u32) {
    let bitmap_len = (total as usize).div_ceil(6);
    // A list takes at least a character per number: only candidates that can beat the bitmap
    // are written out.
    let list = (docs.len() <= bitmap_len).then(|| gaps(docs));
    let missing = total as usize - docs.len();
    let complement = (missing < bitmap_len).then(|| {
        let mut absent = Vec::with_capacity(missing);
        let mut next = docs.iter().peekable();
        for d in 0..total {
            if next.peek() == Some(&&d) {
                next.next();
            } else {
                absent.push(d);
            }
        }
        let mut text = String::new();
        push_number(&mut text, absent.len() as u64);
        text.push_str(&gaps(&absent));
        text
    });
    let len = |t: &Option<String>| t.as_ref().map_or(usize::MAX, String::len);
    if len(&list) <= bitmap_len && len(&list) <= len(&complement) {
        out.push('L');
        out.push_str(&list.unwrap_or_default());
    } else if len(&complement) < bitmap_len {
        out.push('C');
        out.push_str(&complement.unwrap_or_default());
    } else {
        out.push('B');
        let mut bits = vec![0u8; bitmap_len];
        for &d in docs {
            bits[d as usize / 6] |= 1 << (d % 6);
        }
        out.extend(bits.into_iter().map(|b| ALPHABET[b as usize] as char));
    }
}

fn gaps(docs: &[u32]) -> String {
    let mut out = String::new();
    let mut previous: Option<u32> = None;
    for &d in docs {
        push_number(
            &mut out,
            u64::from(match previous {
                Some(p) => d - p - 1,
                None => d,
            }),
        );
        previous = Some(d);
    }
    out
}

/// A classic script that hands `data` (any JSON) to the search runtime.
pub fn script(path: String, kind: &str, key: &str, data: &serde_json::Value) -> OutputFile {
    script_json(
        path,
        kind,
        key,
        &serde_json::to_string(data).unwrap_or_default(),
    )
}

/// The start of a registering script, for data written straight after it (close with
/// [`end_script`]).
pub fn start_script(out: &mut String, kind: &str, key: &str) {
    out.push_str("guidanceSearch.register(");
    push_json(out, kind);
    out.push(',');
    push_json(out, key);
    out.push(',');
}

pub fn end_script(out: &mut String) {
    out.push_str(");\n");
}

/// [`script`] with the data already written as JSON text.
pub fn script_json(path: String, kind: &str, key: &str, json: &str) -> OutputFile {
    let mut text = String::with_capacity(json.len() + key.len() + 40);
    text.push_str("guidanceSearch.register(");
    push_json(&mut text, kind);
    text.push(',');
    push_json(&mut text, key);
    text.push(',');
    text.push_str(json);
    text.push_str(");\n");
    OutputFile {
        path,
        bytes: text.into_bytes(),
    }
}

/// Whether `text` holds a byte JSON escapes (a control character, `"` or `\\`), eight bytes at a
/// time: the section text of a large site is hundreds of megabytes.
fn needs_escape(text: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGH != 0;
    let mut words = text.chunks_exact(8);
    for chunk in &mut words {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        // A byte below 0x20, or equal to '"' or '\\'.
        if w.wrapping_sub(ONES * 0x20) & !w & HIGH != 0
            || has_zero(w ^ (ONES * u64::from(b'"')))
            || has_zero(w ^ (ONES * u64::from(b'\\')))
        {
            return true;
        }
    }
    words
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

/// Appends `text` as a JSON string literal.
pub fn push_json(out: &mut String, text: &str) {
    out.push('"');
    if !needs_escape(text.as_bytes()) {
        out.push_str(text);
        out.push('"');
        return;
    }
    let mut plain = 0;
    // Only ASCII characters need escaping, so byte positions are always character boundaries.
    for (i, &b) in text.as_bytes().iter().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&text[plain..i]);
        if escape.is_empty() {
            out.push_str(&format!("\\u{b:04x}"));
        } else {
            out.push_str(escape);
        }
        plain = i + 1;
    }
    out.push_str(&text[plain..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(v: u64) -> String {
        let mut s = String::new();
        push_number(&mut s, v);
        s
    }

    #[test]
    fn numbers_take_one_character_below_32() {
        assert_eq!(number(0), "A");
        assert_eq!(number(31), "f");
        assert_eq!(number(32), "gB");
        assert_eq!(number(1023).len(), 2);
        assert_eq!(number(1024).len(), 3);
    }

    #[test]
    fn sets_choose_the_shortest_encoding() {
        let mut sparse = String::new();
        push_set(&mut sparse, &[3, 40], 1000);
        assert_eq!(sparse, format!("L{}{}", number(3), number(36)));
        let mut dense = String::new();
        let all_but_one: Vec<u32> = (0..1000).filter(|&d| d != 500).collect();
        push_set(&mut dense, &all_but_one, 1000);
        assert_eq!(dense, format!("C{}{}", number(1), number(500)));
        let mut half = String::new();
        let evens: Vec<u32> = (0..1000).step_by(2).collect();
        push_set(&mut half, &evens, 1000);
        assert!(half.starts_with('B'));
        assert_eq!(half.len(), 1 + 167);
    }

    #[test]
    fn json_strings_match_serde() {
        for text in [
            "plain",
            "quote \" back \\ slash",
            "lines\n\r\ttab \u{1} \u{1f}",
            "égalité 治理 \u{2028}",
        ] {
            let mut out = String::new();
            push_json(&mut out, text);
            assert_eq!(out, serde_json::to_string(text).unwrap());
        }
    }

    #[test]
    fn escapes_are_found_at_every_position() {
        for len in 0..20 {
            let plain = "a".repeat(len);
            assert!(!needs_escape(plain.as_bytes()));
            assert!(!needs_escape("é治 \u{7f}~!#[]".as_bytes()));
            for at in 0..len {
                for bad in [b'"', b'\\', b'\n', 0u8, 0x1f] {
                    let mut bytes = plain.clone().into_bytes();
                    bytes[at] = bad;
                    assert!(needs_escape(&bytes), "{bytes:?}");
                }
            }
        }
    }

    #[test]
    fn masks_are_six_bits_per_character() {
        let mut s = String::new();
        push_mask(&mut s, 0b1000001);
        assert_eq!(s, "CBB");
        let mut empty = String::new();
        push_mask(&mut empty, 0);
        assert_eq!(empty, "A");
    }
}
