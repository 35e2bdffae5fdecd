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

use super::index::utf16_cmp;

/// The default language's index, as another language's measures against it.
pub struct Base<'a> {
    pub lang: &'a str,
    pub counts: &'a Counts,
}

/// The default language's collection: its field lengths and its terms' document counts.
#[derive(Debug, Default)]
pub struct Counts {
    /// The field lengths of all its documents, added up.
    pub lengths: [u64; 4],
    /// Every term with the number of documents holding it, in the index's term order.
    pub terms: Vec<(String, usize)>,
    /// Each document's field lengths and terms (positions in `terms`), kept when other
    /// languages are indexed: they take their own documents out of these counts.
    pub documents: Option<DocumentCounts>,
}

/// What each of the default language's documents (every document of the site, in the same
/// order in every language) adds to its counts.
#[derive(Debug, Default)]
pub struct DocumentCounts {
    pub lengths: Vec<[u32; 4]>,
    pub terms: Vec<Vec<u32>>,
}

impl Counts {
    fn position(&self, term: &str) -> Option<usize> {
        self.terms
            .binary_search_by(|(t, _)| utf16_cmp(t, term))
            .ok()
    }
}

/// Collection statistics for one index.
pub struct Collection<'a> {
    /// How many documents the reader searches.
    pub n: usize,
    /// Average field lengths (title, headings, summary, body) over them.
    pub average: [f64; 4],
    /// The default language's counts, and its counts over this index's own documents (by term
    /// position), which the reader searches in this index's language instead.
    base: Option<(&'a Counts, Vec<u32>)>,
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
            let documents = base.counts.documents.as_ref().expect(
                "the default language keeps each document's terms when other languages are indexed",
            );
            let own_lengths: Vec<[u32; 4]> = members
                .iter()
                .map(|&g| documents.lengths[g as usize])
                .collect();
            let own_sums = sum(&own_lengths);
            let mut own_df = vec![0u32; base.counts.terms.len()];
            for &g in members {
                for &t in &documents.terms[g as usize] {
                    own_df[t as usize] += 1;
                }
            }
            for f in 0..4 {
                sums[f] += base.counts.lengths[f].saturating_sub(own_sums[f]);
            }
            n = documents.lengths.len();
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
            Some((counts, own_df)) => match counts.position(term) {
                Some(i) => (own + counts.terms[i].1).saturating_sub(own_df[i] as usize),
                None => own,
            },
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
