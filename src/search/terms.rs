//! Inverting the documents: every term with its postings (document, counts per field, sections).
//!
//! A large site has tens of millions of term occurrences, so this avoids an allocation per term
//! per document: each document's distinct terms are counted in a small open-addressing table whose
//! keys live in one text buffer. Documents are read a block at a time, and each block's terms are
//! merged into parts (by hash) in parallel; each part sees the documents in order, so every
//! posting list comes out in document order.

use std::hash::Hasher;

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
        // The last bytes in one word (terms hold no NUL, so the padding cannot collide).
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let word = rest
                .iter()
                .enumerate()
                .fold(0u64, |w, (i, &b)| w | u64::from(b) << (8 * i));
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
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

/// Byte equality of two terms of the same length, eight bytes at a time (terms are short: a
/// call to `memcmp` costs more than the comparison).
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
    for (p, q) in (&mut x).zip(&mut y) {
        if p != q {
            return false;
        }
    }
    x.remainder().iter().zip(y.remainder()).all(|(p, q)| p == q)
}

/// A document's distinct terms while it is read: an open-addressing table whose slots hold an
/// entry's index + 1 (0 when free), the entries, and the terms' text in one buffer.
struct Counter {
    text: String,
    entries: Vec<Entry>,
    slots: Vec<u32>,
    lengths: [u32; 4],
}

impl Counter {
    fn new() -> Counter {
        Counter {
            text: String::with_capacity(8 * 1024),
            entries: Vec::with_capacity(512),
            slots: vec![0; 2048],
            lengths: [0; 4],
        }
    }

    #[inline(always)]
    fn add(&mut self, field: usize, section: usize, t: &str) {
        self.lengths[field] += 1;
        let h = hash(t);
        let wrap = self.slots.len() - 1;
        let mut i = h as usize & wrap;
        let index = loop {
            match self.slots[i] {
                0 => break self.insert(i, h, t),
                slot => {
                    let e = &self.entries[slot as usize - 1];
                    if e.hash == h
                        && (e.end - e.start) as usize == t.len()
                        && same(
                            &self.text.as_bytes()[e.start as usize..e.end as usize],
                            t.as_bytes(),
                        )
                    {
                        break slot as usize - 1;
                    }
                    i = (i + 1) & wrap;
                }
            }
        };
        let e = &mut self.entries[index];
        e.tf[field] = e.tf[field].saturating_add(1);
        e.mask[section / 64] |= 1 << (section % 64);
    }

    #[cold]
    fn insert(&mut self, slot: usize, h: u64, t: &str) -> usize {
        let start = self.text.len() as u32;
        self.text.push_str(t);
        self.entries.push(Entry {
            start,
            end: self.text.len() as u32,
            hash: h,
            tf: [0; 4],
            mask: [0; 2],
        });
        self.slots[slot] = self.entries.len() as u32;
        if self.entries.len() * 2 > self.slots.len() {
            let homes = self.entries.iter().map(|e| e.hash as usize);
            self.slots = rehashed(self.slots.len() * 2, homes);
        }
        self.entries.len() - 1
    }
}

/// Counts a document's terms per field and notes the sections holding each.
fn analyse(doc: &SearchDoc<'_>) -> DocTerms {
    let mut c = Counter::new();
    tokenize::each_term(&doc.title, |t| c.add(TITLE, 0, t));
    tokenize::each_term(&doc.summary, |t| c.add(SUMMARY, 0, t));
    for (i, s) in doc.sections.iter().enumerate() {
        tokenize::each_term(s.heading, |t| c.add(HEADINGS, i, t));
        tokenize::each_term(&s.text, |t| c.add(BODY, i, t));
    }
    // Entries grouped by part (a counting sort).
    let mut parts = [0u32; PARTS + 1];
    for e in &c.entries {
        parts[part(e.hash) + 1] += 1;
    }
    for p in 0..PARTS {
        parts[p + 1] += parts[p];
    }
    let mut next = parts;
    let mut entries = vec![EMPTY; c.entries.len()];
    for e in &c.entries {
        let p = part(e.hash);
        entries[next[p] as usize] = *e;
        next[p] += 1;
    }
    DocTerms {
        lengths: c.lengths,
        text: c.text,
        entries,
        parts,
    }
}

const EMPTY: Entry = Entry {
    start: 0,
    end: 0,
    hash: 0,
    tf: [0; 4],
    mask: [0; 2],
};

/// Every term with its postings.
pub type Inverted = Vec<(String, Postings)>;

/// A term's postings, packed as they are merged: per posting, the distance from the document
/// before, the four counts and the section mask, in varints. About a third of the size of
/// `Posting`s in a `Vec`, and every term's list at once was the largest part of a big build's
/// peak memory.
#[derive(Clone, Debug, Default)]
pub struct Postings {
    bytes: Vec<u8>,
    len: usize,
    last_doc: u32,
}

impl Postings {
    /// Adds a posting; documents come in increasing order.
    fn push(&mut self, p: Posting) {
        push_varint(&mut self.bytes, u128::from(p.doc - self.last_doc));
        self.bytes.extend_from_slice(&p.tf);
        push_varint(&mut self.bytes, p.mask());
        self.last_doc = p.doc;
        self.len += 1;
    }

    /// How many documents hold the term.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn iter(&self) -> impl Iterator<Item = Posting> + '_ {
        let mut at = 0;
        let mut doc = 0;
        std::iter::from_fn(move || {
            if at >= self.bytes.len() {
                return None;
            }
            doc += read_varint(&self.bytes, &mut at) as u32;
            let tf = self.bytes[at..at + 4].try_into().unwrap_or_default();
            at += 4;
            let mask = read_varint(&self.bytes, &mut at);
            Some(Posting {
                doc,
                tf,
                mask: [mask as u64, (mask >> 64) as u64],
            })
        })
    }
}

fn push_varint(out: &mut Vec<u8>, mut v: u128) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn read_varint(bytes: &[u8], at: &mut usize) -> u128 {
    let (mut v, mut shift) = (0u128, 0);
    loop {
        let b = bytes[*at];
        *at += 1;
        v |= u128::from(b & 0x7f) << shift;
        if b < 0x80 {
            return v;
        }
        shift += 7;
    }
}

/// An open-addressing table of `len` slots (a power of two) holding entry `k + 1` at the first
/// free slot from `homes[k]` (masked to the table): how both term tables grow.
fn rehashed(len: usize, homes: impl Iterator<Item = usize>) -> Vec<u32> {
    let mut slots = vec![0; len];
    let wrap = len - 1;
    for (k, home) in homes.enumerate() {
        let mut i = home & wrap;
        while slots[i] != 0 {
            i = (i + 1) & wrap;
        }
        slots[i] = k as u32 + 1;
    }
    slots
}

/// Documents analysed together before their terms are merged: enough to keep both cores busy,
/// few enough that their term tables are a small part of memory (all of them at once were the
/// largest part of a big build's peak).
const BLOCK: usize = 256;

/// Field lengths of every document, and every term with its postings (terms in no order).
pub fn invert(docs: &[&SearchDoc<'_>]) -> (Vec<[u32; 4]>, Inverted) {
    let mut lengths = Vec::with_capacity(docs.len());
    let mut parts: Vec<Part> = (0..PARTS).map(|_| Part::new()).collect();
    for (b, block) in docs.chunks(BLOCK).enumerate() {
        let analysed: Vec<DocTerms> = block.par_iter().map(|d| analyse(d)).collect();
        lengths.extend(analysed.iter().map(|a| a.lengths));
        let first = (b * BLOCK) as u32;
        parts
            .par_iter_mut()
            .enumerate()
            .for_each(|(p, part)| part.merge(&analysed, p, first));
    }
    let terms = parts.into_iter().flat_map(|part| part.lists).collect();
    (lengths, terms)
}

/// The terms of one part (by hash) with their postings so far: an open-addressing table whose
/// slots hold a list's index + 1 (0 when free).
struct Part {
    slots: Vec<u32>,
    hashes: Vec<u64>,
    lists: Vec<(String, Postings)>,
}

impl Part {
    fn new() -> Part {
        Part {
            slots: vec![0; 1 << 12],
            hashes: Vec::new(),
            lists: Vec::new(),
        }
    }

    /// Adds part `p` of each document of a block, in order; `first` is the block's first
    /// document, so every posting list stays in document order.
    fn merge(&mut self, block: &[DocTerms], p: usize, first: u32) {
        for (d, a) in block.iter().enumerate() {
            for e in &a.entries[a.parts[p] as usize..a.parts[p + 1] as usize] {
                let id = self.find_or_insert(a.term(e), e.hash);
                self.lists[id].1.push(Posting {
                    doc: first + d as u32,
                    tf: e.tf,
                    mask: e.mask,
                });
            }
        }
    }

    fn find_or_insert(&mut self, term: &str, hash: u64) -> usize {
        let wrap = self.slots.len() - 1;
        let mut i = hash.rotate_left(17) as usize & wrap;
        loop {
            match self.slots[i] {
                0 => break,
                slot => {
                    let k = slot as usize - 1;
                    if self.hashes[k] == hash && same(self.lists[k].0.as_bytes(), term.as_bytes()) {
                        return k;
                    }
                    i = (i + 1) & wrap;
                }
            }
        }
        self.lists.push((term.to_string(), Postings::default()));
        self.hashes.push(hash);
        self.slots[i] = self.lists.len() as u32;
        if self.lists.len() * 2 > self.slots.len() {
            let homes = self.hashes.iter().map(|h| h.rotate_left(17) as usize);
            self.slots = rehashed(self.slots.len() * 2, homes);
        }
        self.lists.len() - 1
    }
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
                .map(|(_, p)| p.iter().collect::<Vec<_>>())
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

    #[test]
    fn packed_postings_read_back_as_written() {
        let written = [
            Posting {
                doc: 0,
                tf: [0, 0, 0, 1],
                mask: [1, 0],
            },
            Posting {
                doc: 7,
                tf: [255, 3, 0, 255],
                mask: [u64::MAX, 1 << 63],
            },
            Posting {
                doc: 300_000,
                tf: [1, 1, 1, 1],
                mask: [0, 1],
            },
        ];
        let mut packed = Postings::default();
        for p in written {
            packed.push(p);
        }
        assert_eq!(packed.len(), 3);
        let read: Vec<Posting> = packed.iter().collect();
        assert_eq!(format!("{read:?}"), format!("{written:?}"));
    }
}
