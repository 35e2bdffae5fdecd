//! What a language's scores are measured against: the documents its reader searches.
//!
//! BM25 weighs a term by how few documents hold it (idf) and a field by its length next to the
//! average field. The default language's index holds every document and measures against all of
//! them. Another language's index holds only its own documents (translations, country names); its
//! pages also search the default language's index for the rest, and merge the two lists by score.
//! Measured within its own few documents, every word of a translation would be rare and every
//! score high: the French index had 20 documents, "budget" weighed 4.5 times what it does in the
//! English index, and the French principles that mention budgets ranked above the notes about
//! them. So another language's index is measured against the collection its reader searches: its
//! own documents, and the default language's text of every other, which is what the default
//! language's index counts. The two lists then rank on one scale.

use std::collections::HashMap;

use super::documents::SearchDoc;
use super::index::utf16_cmp;
use super::terms;

/// The default language's index, as another language's measures against it.
pub struct Base<'a> {
    pub lang: &'a str,
    /// Every document of the site, in the default language (the same order in every language).
    pub docs: &'a [SearchDoc<'a>],
    pub counts: &'a Counts,
}

/// The default language's collection: its field lengths and its terms' document counts.
#[derive(Debug, Default)]
pub struct Counts {
    /// The field lengths of all its documents, added up.
    pub lengths: [u64; 4],
    /// Every term with the number of documents holding it, in the index's term order.
    pub terms: Vec<(String, usize)>,
}

impl Counts {
    fn df(&self, term: &str) -> usize {
        self.terms
            .binary_search_by(|(t, _)| utf16_cmp(t, term))
            .map_or(0, |i| self.terms[i].1)
    }
}

/// Collection statistics for one index.
pub struct Collection<'a> {
    /// How many documents the reader searches.
    pub n: usize,
    /// Average field lengths (title, headings, summary, body) over them.
    pub average: [f64; 4],
    /// The default language's counts, and its counts over this index's own documents, which
    /// the reader searches in this index's language instead.
    base: Option<(&'a Counts, HashMap<String, usize>)>,
}

impl<'a> Collection<'a> {
    /// The statistics of an index of documents `members` of the site (`lengths` are their field
    /// lengths), measured against `base` when the default language's index holds the others.
    pub fn new(lengths: &[[u32; 4]], members: &[u32], base: Option<&Base<'a>>) -> Self {
        let mut sums = sum(lengths);
        let mut n = lengths.len();
        let base = base.map(|base| {
            // The default language's text of this index's own documents is not what its reader
            // searches: it comes out of the default language's counts.
            let own: Vec<&SearchDoc> = members.iter().map(|&g| &base.docs[g as usize]).collect();
            let (own_lengths, own_terms) = terms::invert(&own);
            let own_sums = sum(&own_lengths);
            for f in 0..4 {
                sums[f] += base.counts.lengths[f].saturating_sub(own_sums[f]);
            }
            n = base.docs.len();
            let own_df = own_terms
                .into_iter()
                .map(|(t, postings)| (t, postings.len()))
                .collect();
            (base.counts, own_df)
        });
        let mut average = [1.0; 4];
        for (avg, total) in average.iter_mut().zip(sums) {
            if total > 0 {
                *avg = total as f64 / n as f64;
            }
        }
        Collection { n, average, base }
    }

    /// How many documents the reader searches hold `term`, `own` of them in this index.
    pub fn df(&self, term: &str, own: usize) -> usize {
        match &self.base {
            None => own,
            Some((counts, own_df)) => {
                (own + counts.df(term)).saturating_sub(own_df.get(term).copied().unwrap_or(0))
            }
        }
    }
}

/// Field lengths added up.
pub fn sum(lengths: &[[u32; 4]]) -> [u64; 4] {
    let mut sums = [0u64; 4];
    for l in lengths {
        for f in 0..4 {
            sums[f] += u64::from(l[f]);
        }
    }
    sums
}
