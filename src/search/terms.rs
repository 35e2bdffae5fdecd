//! Inverting the documents: every term with its postings (document, counts per field, sections).
//!
//! A large site has tens of millions of term occurrences, so this avoids an allocation per term
//! per document: each document's distinct terms are counted in a small open-addressing table whose
//! keys live in one text buffer, and the merge borrows the terms from those buffers. Terms are
//! merged in parts (by hash) in parallel; each part sees the documents in order, so every posting
//! list comes out in document order.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

use super::documents::SearchDoc;
use super::tokenize;

pub const TITLE: usize = 0;
pub const HEADINGS: usize = 1;
pub const SUMMARY: usize = 2;
pub const BODY: usize = 3;

/// One document holding one term.
#[derive(Clone, Copy, Debug)]
pub struct Posting {
    pub doc: u32,
    /// Occurrences in the title, headings, summary and body (saturating).
    pub tf: [u8; 4],
    /// The sections holding the term: bit `i` of the 128-bit mask, low word first.
    pub mask: [u64; 2],
}

impl Posting {
    pub fn mask(&self) -> u128 {
        (u128::from(self.mask[1]) << 64) | u128::from(self.mask[0])
    }
}

/// A multiplicative hash for short strings: much faster than the default SipHash for the tens of
/// millions of term lookups a large site needs (denial of service is no concern at build time).
#[derive(Clone, Copy, Default)]
struct TermHasher(u64);

impl Hasher for TermHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }
}

fn hash(term: &str) -> u64 {
    let mut h = TermHasher::default();
    h.write(term.as_bytes());
    h.finish()
}

/// Terms are merged in this many parts, in parallel.
const PARTS: usize = 16;

fn part(hash: u64) -> usize {
    (hash >> 32) as usize % PARTS
}

#[derive(Clone, Copy)]
struct Entry {
    start: u32,
    end: u32,
    hash: u64,
    tf: [u8; 4],
    mask: [u64; 2],
}

/// One document's distinct terms: their text in one buffer, entries sorted by part.
struct DocTerms {
    lengths: [u32; 4],
    text: String,
    entries: Vec<Entry>,
    /// `entries[parts[p]..parts[p + 1]]` are the terms of part `p`.
    parts: [u32; PARTS + 1],
}

impl DocTerms {
    fn term(&self, e: &Entry) -> &str {
        &self.text[e.start as usize..e.end as usize]
    }
}

/// Counts a document's terms per field and notes the sections holding each.
fn analyse(doc: &SearchDoc<'_>) -> DocTerms {
    let mut text = String::new();
    let mut entries: Vec<Entry> = Vec::new();
    // Open addressing: a slot holds an entry's index + 1, or 0 when free.
    let mut slots: Vec<u32> = vec![0; 1024];
    let mut lengths = [0u32; 4];
    let mut add = |field: usize, section: usize, t: &str| {
        lengths[field] += 1;
        let h = hash(t);
        let mut i = h as usize & (slots.len() - 1);
        let index = loop {
            match slots[i] {
                0 => {
                    let start = text.len() as u32;
                    text.push_str(t);
                    entries.push(Entry {
                        start,
                        end: text.len() as u32,
                        hash: h,
                        tf: [0; 4],
                        mask: [0; 2],
                    });
                    slots[i] = entries.len() as u32;
                    break entries.len() - 1;
                }
                slot => {
                    let e = &entries[slot as usize - 1];
                    if e.hash == h && &text[e.start as usize..e.end as usize] == t {
                        break slot as usize - 1;
                    }
                    i = (i + 1) & (slots.len() - 1);
                }
            }
        };
        let e = &mut entries[index];
        e.tf[field] = e.tf[field].saturating_add(1);
        e.mask[section / 64] |= 1 << (section % 64);
        if entries.len() * 2 > slots.len() {
            slots = vec![0; slots.len() * 2];
            for (k, e) in entries.iter().enumerate() {
                let mut i = e.hash as usize & (slots.len() - 1);
                while slots[i] != 0 {
                    i = (i + 1) & (slots.len() - 1);
                }
                slots[i] = k as u32 + 1;
            }
        }
    };
    tokenize::each_term(&doc.title, |t| add(TITLE, 0, t));
    tokenize::each_term(&doc.summary, |t| add(SUMMARY, 0, t));
    for (i, s) in doc.sections.iter().enumerate() {
        tokenize::each_term(s.heading, |t| add(HEADINGS, i, t));
        tokenize::each_term(&s.text, |t| add(BODY, i, t));
    }
    entries.sort_unstable_by_key(|e| part(e.hash));
    let mut parts = [0u32; PARTS + 1];
    for e in &entries {
        parts[part(e.hash) + 1] += 1;
    }
    for p in 0..PARTS {
        parts[p + 1] += parts[p];
    }
    DocTerms {
        lengths,
        text,
        entries,
        parts,
    }
}

/// Every term with its postings.
pub type Inverted = Vec<(String, Vec<Posting>)>;

/// Field lengths of every document, and every term with its postings (terms in no order).
pub fn invert(docs: &[&SearchDoc<'_>]) -> (Vec<[u32; 4]>, Inverted) {
    let analysed: Vec<DocTerms> = docs.par_iter().map(|d| analyse(d)).collect();
    let lengths = analysed.iter().map(|a| a.lengths).collect();
    let terms = (0..PARTS)
        .into_par_iter()
        .flat_map_iter(|p| {
            let mut ids: HashMap<&str, usize, BuildHasherDefault<TermHasher>> = HashMap::default();
            let mut lists: Vec<(&str, Vec<Posting>)> = Vec::new();
            for (d, a) in analysed.iter().enumerate() {
                for e in &a.entries[a.parts[p] as usize..a.parts[p + 1] as usize] {
                    let term = a.term(e);
                    let id = *ids.entry(term).or_insert_with(|| {
                        lists.push((term, Vec::new()));
                        lists.len() - 1
                    });
                    lists[id].1.push(Posting {
                        doc: d as u32,
                        tf: e.tf,
                        mask: e.mask,
                    });
                }
            }
            lists
                .into_iter()
                .map(|(t, l)| (t.to_string(), l))
                .collect::<Vec<_>>()
        })
        .collect();
    (lengths, terms)
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::search::documents::{DocKind, DocSection, Facets};

    fn doc<'a>(title: &'a str, sections: &[&'a str]) -> SearchDoc<'a> {
        SearchDoc {
            kind: DocKind::Note,
            title: title.to_string(),
            summary: String::new(),
            path: String::new(),
            local: true,
            everywhere: false,
            lang: "en".into(),
            sections: sections
                .iter()
                .map(|t| DocSection {
                    anchor: "",
                    heading: "",
                    text: Cow::Borrowed(*t),
                })
                .collect(),
            facets: Facets::default(),
        }
    }

    #[test]
    fn postings_count_fields_and_sections_in_document_order() {
        let many: String = (0..3000).map(|i| format!("w{i} ")).collect();
        let docs = [
            doc("Budget rules", &["budget budget", "open data"]),
            doc("Data", &["", "", &many, "budget"]),
        ];
        let refs: Vec<&SearchDoc> = docs.iter().collect();
        let (lengths, terms) = invert(&refs);
        assert_eq!(lengths[0], [2, 0, 0, 4]);
        let find = |t: &str| {
            terms
                .iter()
                .find(|(term, _)| term == t)
                .map(|(_, p)| p.clone())
                .unwrap()
        };
        let budget = find("budget");
        assert_eq!(budget.iter().map(|p| p.doc).collect::<Vec<_>>(), [0, 1]);
        assert_eq!(budget[0].tf, [1, 0, 0, 2]);
        assert_eq!(budget[0].mask(), 1);
        assert_eq!(budget[1].mask(), 1 << 3);
        assert_eq!(find("data")[0].mask(), 0b10);
        // The table grows past its first size without losing counts.
        assert_eq!(find("w2999")[0].tf, [0, 0, 0, 1]);
        assert_eq!(terms.len(), 4 + 3000);
    }
}
