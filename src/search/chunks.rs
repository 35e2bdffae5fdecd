//! The text of each language's documents for snippets and phrase checks, loaded only for the
//! results a reader sees.

use std::fmt::Write as _;

use rayon::prelude::*;

use super::documents::SearchDoc;
use super::encode::{end_script, push_json, start_script};
use crate::render::OutputFile;

/// The text of one language's documents for snippets and phrase checks, a run of sections of
/// one document per file (`c/<k>/<d>-<c>.js`, `k` = `d` / 256). These are most of the index's
/// bytes, so `publish` makes each file when it writes it rather than holding them all.
pub struct TextChunks<'a> {
    pub(super) dir: String,
    pub(super) lang: String,
    /// Every document of the site in this language; `members` lists this index's.
    pub(super) docs: Vec<SearchDoc<'a>>,
    pub(super) members: Vec<u32>,
    /// Sections per file, and the size they make up about.
    pub(super) per_chunk: usize,
    pub(super) chunk_bytes: usize,
    /// Documents numbered from here on have nothing but a title: they share `c/tail.js`, which
    /// [`build`] writes with the other index files.
    pub(super) tail: usize,
}

impl<'a> TextChunks<'a> {
    /// Every chunk file's path, with its document and chunk number.
    pub fn each(&self) -> impl Iterator<Item = (String, usize, usize)> + '_ {
        (0..self.tail).flat_map(move |d| {
            let chunks = self.doc(d).sections.len().div_ceil(self.per_chunk);
            (0..chunks).map(move |c| (self.path(d, c), d, c))
        })
    }

    /// Every chunk file, made in parallel.
    pub fn files(&self) -> Vec<OutputFile> {
        let each: Vec<(usize, usize)> = self.each().map(|(_, d, c)| (d, c)).collect();
        each.into_par_iter().map(|(d, c)| self.file(d, c)).collect()
    }

    /// Chunk `c` of document `d`.
    pub fn file(&self, d: usize, c: usize) -> OutputFile {
        // Written straight into the file's text: the bulk of the index's bytes.
        let mut out = String::with_capacity(self.chunk_bytes * 5 / 4 + 256);
        start_script(&mut out, "chunk", &format!("{}/{d}-{c}", self.lang));
        self.push_chunk(&mut out, d, c);
        end_script(&mut out);
        OutputFile {
            path: self.path(d, c),
            bytes: out.into_bytes(),
        }
    }

    fn path(&self, d: usize, c: usize) -> String {
        format!("{}/c/{}/{d}-{c}.js", self.dir, d / 256)
    }

    fn doc(&self, d: usize) -> &SearchDoc<'_> {
        &self.docs[self.members[d] as usize]
    }

    /// Chunk `c` of document `d` as JSON: its title, address and kind, and its sections.
    pub(super) fn push_chunk(&self, out: &mut String, d: usize, c: usize) {
        let (doc, per_chunk) = (self.doc(d), self.per_chunk);
        out.push_str("{\"t\":");
        push_json(out, &doc.title);
        out.push_str(",\"u\":");
        push_json(out, &doc.path);
        let _ = write!(
            out,
            ",\"k\":\"{}\",\"z\":{}",
            doc.kind.code(),
            doc.sections.len()
        );
        if doc.lang != self.lang {
            out.push_str(",\"l\":");
            push_json(out, &doc.lang);
        }
        if doc.everywhere {
            out.push_str(",\"e\":1");
        }
        out.push_str(",\"s\":[");
        let sections = doc.sections.chunks(per_chunk).nth(c).unwrap_or_default();
        for (k, s) in sections.iter().enumerate() {
            let index = c * per_chunk + k;
            out.push_str(if k == 0 { "[" } else { ",[" });
            let _ = write!(out, "{index},");
            push_json(out, s.anchor);
            out.push(',');
            push_json(out, s.heading);
            out.push(',');
            if index == 0 {
                push_json(out, &join(&doc.summary, &s.text));
            } else {
                push_json(out, &s.text);
            }
            out.push(']');
        }
        out.push_str("]}");
    }
}

/// Two texts with a space between them, or the one that is not empty.
fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a} {b}"),
    }
}
