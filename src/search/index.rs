//! Builds one language's index files from its search documents.
//!
//! Every term gets, per document that holds it, an *impact*: its score (BM25F over headings,
//! summary and body, plus the title's own, see [`WEIGHT`]; a site page's scaled down, see
//! [`PAGE_PRIOR`]) quantized to 6 bits on a log scale, so a query's score is the sum of its terms'
//! impacts. With it goes a *mask* of the document's sections holding the
//! term, so results link to the right heading without any text being loaded. Another language's
//! index is scored against every document its reader searches (see [`Collection`]), so that its
//! results and the default language's rank together.
//!
//! A term's postings are written in full (`F`) while they are short; for a frequent term the file
//! holds the exact set of documents (`H`: for counts, filters and the AND of a query) and the
//! postings of only its highest-impact documents (ranking the top results, which is what a
//! reader sees); the rest of its documents rank below those with the lowest listed impact.

use rayon::prelude::*;
use serde_json::{Value, json};

use super::FOLDER;
use super::chunks::TextChunks;
use super::collection::{self, Base, Collection, Counts, DocumentCounts};
use super::documents::{DocKind, SearchDoc};
use super::encode::{
    ALPHABET, end_script, push_json, push_mask, push_number, push_set, push_six, script,
    script_json, start_script,
};
use super::facets::facets;
use super::stopwords;
use super::terms::{self, BODY, HEADINGS, Posting, TITLE};
use crate::model::Site;
use crate::render::OutputFile;

/// Sizes that decide how the index is split into files.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Target size of a term shard.
    pub shard_bytes: usize,
    /// Target size of a vocabulary file (terms, document counts and shard numbers).
    pub vocab_bytes: usize,
    /// Target size of a typo file (terms ordered from their third letter on).
    pub typo_bytes: usize,
    /// Target size of a text chunk (a run of sections of one document).
    pub chunk_bytes: usize,
    /// How many documents a frequent term lists with impacts and masks.
    pub head: usize,
}

pub const LIMITS: Limits = Limits {
    shard_bytes: 4 * 1024,
    vocab_bytes: 4 * 1024,
    typo_bytes: 3 * 1024,
    chunk_bytes: 5 * 1024,
    head: 48,
};

/// Format version, bumped when a file's layout changes.
pub const VERSION: u32 = 3;

/// Field weights (title > headings > summary > body) and length normalisation.
///
/// Headings, summary and body are scored together, BM25F-style: their weighted counts add up
/// before they saturate, so a term said often anywhere in a note counts once, fully. The title is
/// scored apart and added, with [`TITLE_WEIGHT`] times the saturation of its own count: were it
/// one more field of the sum, a title naming the term would add almost nothing to a body that
/// already says it a few times, and the note *about* a subject would rank among the notes that
/// mention it ("budget": "Fiscal and budget transparency" came tenth).
const WEIGHT: [f64; 4] = [1.0, 3.0, 2.0, 1.0];
const B: [f64; 4] = [0.3, 0.4, 0.5, 0.75];
const K1: f64 = 1.2;
/// The title's saturated score next to the other fields', which saturate at 1: a title match
/// alone outranks any body, headings or summary without one.
const TITLE_WEIGHT: f64 = 2.5;

/// A page of the site (home, about) helps fewer searches than a note or principle on the same
/// words: its text introduces and lists the others. Its scores are scaled by this.
const PAGE_PRIOR: f64 = 0.5;

struct Scorer {
    n: f64,
    lengths: Vec<[u32; 4]>,
    average: [f64; 4],
    /// Each document's score scale (see [`PAGE_PRIOR`]).
    priors: Vec<f64>,
}

impl Scorer {
    /// Each document's field weights divided by its length normalisation, and its prior,
    /// computed once.
    fn field_factors(&self) -> Vec<[f64; 5]> {
        self.lengths
            .iter()
            .zip(&self.priors)
            .map(|(lengths, &prior)| {
                let mut factors = [0.0, 0.0, 0.0, 0.0, prior];
                for f in 0..4 {
                    factors[f] =
                        WEIGHT[f] / (1.0 - B[f] + B[f] * f64::from(lengths[f]) / self.average[f]);
                }
                factors
            })
            .collect()
    }

    fn idf(&self, df: usize) -> f64 {
        let df = df as f64;
        (1.0 + (self.n - df + 0.5) / (df + 0.5)).ln()
    }

    fn score_with(p: &Posting, factors: &[[f64; 5]], idf: f64) -> f64 {
        let factors = &factors[p.doc as usize];
        let saturate = |weighted: f64| weighted * (K1 + 1.0) / (K1 + weighted);
        let title = f64::from(p.tf[TITLE]) * factors[TITLE];
        let rest: f64 = (HEADINGS..=BODY)
            .map(|f| f64::from(p.tf[f]) * factors[f])
            .sum();
        factors[4] * idf * (TITLE_WEIGHT * saturate(title) + saturate(rest))
    }

    #[cfg(test)]
    fn score(&self, p: &Posting, df: usize) -> f64 {
        Scorer::score_with(p, &self.field_factors(), self.idf(df))
    }
}

/// UTF-16 order, which is how JavaScript compares strings. It is the order of the UTF-8 bytes
/// except between a character above U+FFFF and one from U+E000 to U+FFFF, which can only
/// first differ in their lead bytes (0xF0 and up against 0xEE or 0xEF).
pub(super) fn utf16_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    match a.bytes().zip(b.bytes()).find(|(x, y)| x != y) {
        Some((x, y)) if x >= 0xEE || y >= 0xEE => a.encode_utf16().cmp(b.encode_utf16()),
        Some((x, y)) => x.cmp(&y),
        None => a.len().cmp(&b.len()),
    }
}

/// The index files of `lang`, under `search/<lang>/`, but the text chunks, which come back to be
/// made when they are written (see [`TextChunks`]), and the counts another language's index
/// measures against. `all` is every document of the site in `lang` (the same documents, in the
/// same order, in every language). The default language's index holds them all; another
/// language's (`base` is the default's) holds only the documents local to it, numbered in their
/// own sequence, and the browser searches the default language's index for the rest. Filters
/// count over the global numbering.
pub fn build<'a>(
    site: &Site,
    lang: &str,
    all: Vec<SearchDoc<'a>>,
    base: Option<&Base>,
    limits: Limits,
) -> (Vec<OutputFile>, TextChunks<'a>, Counts) {
    let dir = format!("{FOLDER}{lang}");
    let members: Vec<u32> = (0..all.len())
        .filter(|&g| base.is_none() || all[g].local)
        .map(|g| g as u32)
        .collect();
    let docs: Vec<&SearchDoc> = members.iter().map(|&g| &all[g as usize]).collect();
    let n = docs.len();
    let (lengths, mut terms) = terms::invert(&docs);
    terms.par_sort_unstable_by(|a, b| utf16_cmp(&a.0, &b.0));
    let collection = Collection::new(&lengths, &members, base);
    let totals = collection::sum(&lengths);
    // The other languages take their own documents out of the default language's counts.
    let documents = (base.is_none() && site.config.languages.len() > 1).then(|| {
        let mut per_document = vec![Vec::new(); n];
        for (t, (_, postings)) in terms.iter().enumerate() {
            for p in postings.iter() {
                per_document[p.doc as usize].push(t as u32);
            }
        }
        DocumentCounts {
            lengths: lengths.clone(),
            terms: per_document,
        }
    });
    let dfs: Vec<usize> = terms
        .par_iter()
        .map(|(term, ps)| collection.df(term, ps.len()))
        .collect();
    let scorer = Scorer {
        n: collection.n as f64,
        lengths,
        average: collection.average,
        priors: docs
            .iter()
            .map(|d| match d.kind {
                DocKind::Page => PAGE_PRIOR,
                _ => 1.0,
            })
            .collect(),
    };
    // Impacts: ln(1 + score) on a 6-bit scale up to the highest score in the index. Scores are
    // computed twice (for the highest, then for each term's impacts) rather than all held.
    let factors = scorer.field_factors();
    let score = |p: &Posting, idf: f64| (1.0 + Scorer::score_with(p, &factors, idf)).ln() as f32;
    let max = terms
        .par_iter()
        .zip(&dfs)
        .map(|((_, ps), &df)| {
            let idf = scorer.idf(df);
            ps.iter().map(|p| score(&p, idf)).fold(0.0, f32::max)
        })
        .reduce(|| 0.0, f32::max);
    let scale = 63.0 / f64::from(max).max(1e-9);
    // Each term's postings are dropped once encoded; what follows needs only its document count.
    let (terms, encoded): (Vec<(String, usize)>, Vec<String>) = terms
        .into_par_iter()
        .zip(dfs)
        .map(|((term, packed), df)| {
            let ps: Vec<Posting> = packed.iter().collect();
            let idf = scorer.idf(df);
            let impacts: Vec<u8> = ps
                .iter()
                .map(|p| (f64::from(score(p, idf)) * scale).round().clamp(1.0, 63.0) as u8)
                .collect();
            let encoded = encode_term(&ps, &impacts, df, n as u32, limits.head);
            ((term, df), encoded)
        })
        .unzip();

    let mut files = Vec::new();
    // Term shards, by size, in term order, each written straight into its file's text.
    let mut shard_of = Vec::with_capacity(terms.len());
    let mut shards: Vec<String> = Vec::new();
    // Where each shard after the first starts, for the manifest.
    let mut bounds: Vec<&str> = Vec::new();
    let mut size = usize::MAX;
    for (i, ((term, _), data)) in terms.iter().zip(encoded).enumerate() {
        let entry = term.len() + data.len() + 6;
        if size.saturating_add(entry) > limits.shard_bytes && size != 0 {
            if i > 0 {
                bounds.push(separator(&terms[i - 1].0, term));
            }
            let mut shard = String::with_capacity(limits.shard_bytes + 512);
            start_script(&mut shard, "terms", &format!("{lang}/{}", shards.len()));
            shards.push(shard);
            size = 0;
        }
        shard_of.push(shards.len() - 1);
        let shard = shards.last_mut().expect("a shard was started");
        shard.push(if size == 0 { '{' } else { ',' });
        size += entry;
        push_json(shard, term);
        shard.push(':');
        push_json(shard, &data);
    }
    for (i, mut shard) in shards.into_iter().enumerate() {
        shard.push('}');
        end_script(&mut shard);
        files.push(OutputFile {
            path: format!("{dir}/t{i}.js"),
            bytes: shard.into_bytes(),
        });
    }

    // Vocabulary: every term with its document count (base 36) and shard, in term order.
    let mut vocab_starts: Vec<String> = Vec::new();
    let mut vocab_files: Vec<Vec<(usize, String, String)>> = Vec::new();
    let mut size = usize::MAX;
    for (i, (term, df)) in terms.iter().enumerate() {
        let df = base36(*df);
        let entry = term.len() + df.len() + 2;
        if size.saturating_add(entry) > limits.vocab_bytes && size != 0 {
            vocab_starts.push(if vocab_files.is_empty() {
                String::new()
            } else {
                term.clone()
            });
            vocab_files.push(Vec::new());
            size = 0;
        }
        size += entry;
        let groups = vocab_files
            .last_mut()
            .expect("a vocabulary file was started");
        match groups.last_mut() {
            Some((shard, words, counts)) if *shard == shard_of[i] => {
                words.push(' ');
                words.push_str(term);
                counts.push(' ');
                counts.push_str(&df);
            }
            _ => groups.push((shard_of[i], term.clone(), df)),
        }
    }
    for (i, groups) in vocab_files.iter().enumerate() {
        let data: Vec<Value> = groups
            .iter()
            .map(|(shard, words, counts)| json!([shard, words, counts]))
            .collect();
        files.push(script(
            format!("{dir}/v{i}.js"),
            "vocab",
            &format!("{lang}/{i}"),
            &Value::Array(data),
        ));
    }

    // Typo files: terms of four letters or more ordered by what follows their first two letters,
    // so that a word mistyped in its first letters still finds its neighbours.
    let typo_starts = typo_files(&terms, &dir, lang, limits.typo_bytes, &mut files);

    // Text chunks: runs of sections of one document, for snippets and phrase checks. Documents
    // with nothing but a title (country pages, at the end) share one file.
    let section_bytes: usize = docs
        .iter()
        .flat_map(|d| &d.sections)
        .map(|s| s.heading.len() + s.text.len() + 16)
        .sum();
    let section_count: usize = docs.iter().map(|d| d.sections.len()).sum::<usize>().max(1);
    let per_chunk = (limits.chunk_bytes * section_count / section_bytes.max(1)).max(1);
    let title_only = |d: &&&SearchDoc| {
        d.summary.is_empty()
            && d.sections
                .iter()
                .all(|s| s.heading.is_empty() && s.text.is_empty())
    };
    let tail = n - docs.iter().rev().take_while(title_only).count();
    drop(docs);
    let texts = TextChunks {
        dir: dir.clone(),
        lang: lang.to_string(),
        docs: all,
        members: members.clone(),
        per_chunk,
        chunk_bytes: limits.chunk_bytes,
        tail,
    };
    if tail < n {
        let mut data = String::from("[");
        for (k, d) in (tail..n).enumerate() {
            if k > 0 {
                data.push(',');
            }
            texts.push_chunk(&mut data, d, 0);
        }
        data.push(']');
        files.push(script_json(
            format!("{dir}/c/tail.js"),
            "chunk",
            &format!("{lang}/tail"),
            &data,
        ));
    }

    files.push(script(
        format!("{dir}/facets.js"),
        "facets",
        lang,
        &facets(site, lang, &texts.docs),
    ));
    let mut manifest = json!({
        "v": VERSION,
        "lang": lang,
        "n": n,
        "N": texts.docs.len(),
        "scale": scale,
        "chunk": per_chunk,
        "tail": tail,
        "vocab": vocab_starts,
        "shards": front_code(&bounds),
        "typo": typo_starts,
    });
    let stop = stopwords::words(lang);
    if !stop.is_empty() {
        manifest["stop"] = json!(stop.join(" "));
    }
    if let Some(base) = base {
        let mut global = String::new();
        push_number(&mut global, members.len() as u64);
        push_set(&mut global, &members, texts.docs.len() as u32);
        manifest["base"] = json!(base.lang);
        manifest["g"] = json!(global);
    }
    files.push(script(
        format!("{dir}/manifest.js"),
        "manifest",
        lang,
        &manifest,
    ));
    // Only the default language's counts are measured against.
    let counts = Counts {
        lengths: totals,
        terms: if base.is_none() { terms } else { Vec::new() },
        documents,
    };
    (files, texts, counts)
}

/// The shortest prefix of `next` that sorts after `previous` (in UTF-16 order): where a shard
/// starting at `next` begins, for any string looked up.
fn separator<'t>(previous: &str, next: &'t str) -> &'t str {
    next.char_indices()
        .map(|(i, c)| &next[..i + c.len_utf8()])
        .find(|prefix| utf16_cmp(prefix, previous).is_gt())
        .unwrap_or(next)
}

/// Sorted strings in one string: each is the count of UTF-16 units it shares with the one before
/// (one character of the encoding alphabet, at most 63) and the rest, separated by spaces.
fn front_code(strings: &[&str]) -> String {
    let mut out = String::new();
    let mut previous = "";
    for s in strings {
        let mut shared_chars = 0;
        let mut shared_units = 0;
        for (a, b) in previous.chars().zip(s.chars()) {
            if a != b || shared_units + b.len_utf16() > 63 {
                break;
            }
            shared_chars += b.len_utf8();
            shared_units += b.len_utf16();
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push(ALPHABET[shared_units] as char);
        out.push_str(&s[shared_chars..]);
        previous = s;
    }
    out
}

/// Writes the typo files `w<i>.js`: every term of four characters or more as its first two
/// characters and the rest (the key), with its document count, ordered by key; returns the key
/// each file starts with. A term typed with a wrong, missing, extra or swapped first or second
/// letter shares its key, or the key less a letter, with the term meant. Terms sharing a key are
/// never split between files.
fn typo_files(
    terms: &[(String, usize)],
    dir: &str,
    lang: &str,
    limit: usize,
    files: &mut Vec<OutputFile>,
) -> Vec<String> {
    let mut entries: Vec<(&str, &str, usize)> = terms
        .iter()
        .filter_map(|(term, df)| {
            let (split, _) = term.char_indices().nth(2)?;
            (term[split..].chars().nth(1).is_some()).then(|| (&term[split..], &term[..split], *df))
        })
        .collect();
    entries.sort_unstable_by(|a, b| utf16_cmp(a.0, b.0).then_with(|| utf16_cmp(a.1, b.1)));
    let mut starts = Vec::new();
    let mut file: [String; 3] = Default::default();
    let mut write = |file: &mut [String; 3], starts: &mut Vec<String>| {
        let data = json!(file);
        files.push(script(
            format!("{dir}/w{}.js", starts.len() - 1),
            "typo",
            &format!("{lang}/{}", starts.len() - 1),
            &data,
        ));
        *file = Default::default();
    };
    for (i, &(key, head, df)) in entries.iter().enumerate() {
        let size = file[0].len() + file[1].len() + file[2].len();
        let new_key = i == 0 || entries[i - 1].0 != key;
        if i == 0 || (size + key.len() > limit && new_key) {
            if i > 0 {
                write(&mut file, &mut starts);
            }
            starts.push(if i == 0 {
                String::new()
            } else {
                key.to_string()
            });
        }
        for (part, text) in file.iter_mut().zip([key, head, &base36(df)]) {
            if !part.is_empty() {
                part.push(' ');
            }
            part.push_str(text);
        }
    }
    if !entries.is_empty() {
        write(&mut file, &mut starts);
    }
    starts
}

/// A term's postings: document count, then `F` and every posting in document order, or `H`, the
/// set of documents and the `head` highest-impact postings, whichever is more useful per byte.
/// In another language's index, a term some documents outside it hold too starts with `~` and
/// `df`, the count its idf was measured with (see [`Collection`]), which the browser weighs
/// completions and corrections by.
fn encode_term(postings: &[Posting], impacts: &[u8], df: usize, total: u32, head: usize) -> String {
    let encoded = postings_of(postings, impacts, total, head);
    if df == postings.len() {
        return encoded;
    }
    let mut out = String::with_capacity(encoded.len() + 4);
    out.push('~');
    push_number(&mut out, df as u64);
    out.push_str(&encoded);
    out
}

/// A term's postings, in either form (see [`encode_term`]).
fn postings_of(postings: &[Posting], impacts: &[u8], total: u32, head: usize) -> String {
    // Complete postings rank every document exactly; pay a little for them. Past a few times the
    // head's length they are always longer than the set and the head.
    let full = (postings.len() <= head * 8).then(|| {
        let mut full = String::new();
        push_number(&mut full, postings.len() as u64);
        full.push('F');
        let mut previous: Option<u32> = None;
        for (p, &q) in postings.iter().zip(impacts) {
            push_number(
                &mut full,
                u64::from(previous.map_or(p.doc, |prev| p.doc - prev - 1)),
            );
            previous = Some(p.doc);
            push_six(&mut full, q);
            push_mask(&mut full, p.mask());
        }
        full
    });
    if postings.len() <= head {
        return full.unwrap_or_default();
    }
    let by_impact = |&a: &usize, &b: &usize| {
        impacts[b]
            .cmp(&impacts[a])
            .then(postings[a].doc.cmp(&postings[b].doc))
    };
    let mut order: Vec<usize> = (0..postings.len()).collect();
    order.select_nth_unstable_by(head - 1, by_impact);
    order.truncate(head);
    order.sort_unstable_by(by_impact);
    let mut short = String::new();
    push_number(&mut short, postings.len() as u64);
    short.push('H');
    let docs: Vec<u32> = postings.iter().map(|p| p.doc).collect();
    push_set(&mut short, &docs, total);
    push_number(&mut short, head as u64);
    for &i in &order {
        push_number(&mut short, u64::from(postings[i].doc));
        push_six(&mut short, impacts[i]);
        push_mask(&mut short, postings[i].mask());
    }
    match full {
        Some(full) if full.len() <= short.len() + 512 => full,
        _ => short,
    }
}

fn base36(mut n: usize) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[n % 36]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::terms::SUMMARY;

    fn scorer(docs: usize) -> Scorer {
        Scorer {
            n: docs as f64,
            lengths: vec![[4, 4, 20, 200]; docs],
            average: [4.0, 4.0, 20.0, 200.0],
            priors: vec![1.0; docs],
        }
    }

    #[test]
    fn field_weights_rank_title_over_headings_over_summary_over_body() {
        let s = scorer(100);
        let in_field = |f: usize| {
            let mut tf = [0; 4];
            tf[f] = 1;
            s.score(
                &Posting {
                    doc: 0,
                    tf,
                    mask: [1, 0],
                },
                10,
            )
        };
        let (title, headings, summary, body) = (
            in_field(TITLE),
            in_field(HEADINGS),
            in_field(SUMMARY),
            in_field(BODY),
        );
        assert!(
            title > headings && headings > summary && summary > body,
            "{title} {headings} {summary} {body}"
        );
    }

    #[test]
    fn a_title_match_outranks_mentions_without_one_and_pages_rank_lower() {
        let s = scorer(100);
        let p = |tf: [u8; 4]| Posting {
            doc: 0,
            tf,
            mask: [1, 0],
        };
        let titled = s.score(&p([1, 0, 0, 0]), 10);
        let mentioned = s.score(&p([0, 3, 3, 60]), 10);
        assert!(titled > mentioned, "{titled} {mentioned}");
        assert!(s.score(&p([1, 0, 0, 3]), 10) > titled);
        let mut pages = scorer(100);
        pages.priors[0] = PAGE_PRIOR;
        assert!(pages.score(&p([0, 0, 1, 3]), 10) < s.score(&p([0, 0, 1, 3]), 10));
    }

    #[test]
    fn rarer_terms_and_more_occurrences_score_higher() {
        let s = scorer(100);
        let p = |body: u8| Posting {
            doc: 0,
            tf: [0, 0, 0, body],
            mask: [1, 0],
        };
        assert!(
            s.score(&p(1), 2) > s.score(&p(1), 50),
            "a rare term weighs more"
        );
        assert!(
            s.score(&p(3), 10) > s.score(&p(1), 10),
            "more occurrences weigh more"
        );
        // ...but saturate: the tenth occurrence adds less than the second.
        let gain = |a: u8, b: u8| s.score(&p(b), 10) - s.score(&p(a), 10);
        assert!(gain(9, 10) < gain(1, 2));
        // A longer body dilutes an occurrence.
        let mut long = scorer(100);
        long.lengths[0][BODY] = 2000;
        assert!(long.score(&p(1), 10) < s.score(&p(1), 10));
    }

    #[test]
    fn shard_bounds_are_the_shortest_separators_front_coded() {
        assert_eq!(separator("budget", "budgeting"), "budgeti");
        assert_eq!(separator("apple", "banana"), "b");
        assert_eq!(separator("治理", "治能"), "治能");
        assert_eq!(
            front_code(&["budgeti", "budgets", "c", "égal"]),
            format!("Abudgeti {}s Ac Aégal", ALPHABET[6] as char)
        );
        // An astral character counts two UTF-16 units, as in JavaScript.
        assert_eq!(front_code(&["𠀀a", "𠀀b"]), "A𠀀a Cb");
    }

    #[test]
    fn typo_files_order_terms_from_their_third_character() {
        let term = |t: &str, df: usize| (t.to_string(), df);
        let terms = [term("abc", 1), term("budget", 40), term("nudget", 2)];
        let mut files = Vec::new();
        let starts = typo_files(&terms, "search/en", "en", 1024, &mut files);
        assert_eq!(starts, [""]);
        assert_eq!(
            String::from_utf8(files[0].bytes.clone()).unwrap(),
            "guidanceSearch.register(\"typo\",\"en/0\",[\"dget dget\",\"bu nu\",\"14 2\"]);\n"
        );
        // Terms sharing a key stay in one file.
        let mut files = Vec::new();
        let starts = typo_files(&terms, "search/en", "en", 1, &mut files);
        assert_eq!(starts, [""]);
        let many = [term("aaxy", 1), term("bbxy", 1), term("ccxz", 1)];
        let mut files = Vec::new();
        assert_eq!(typo_files(&many, "d", "en", 1, &mut files), ["", "xz"]);
    }

    #[test]
    fn terms_sort_as_javascript_compares_them() {
        let mut terms = vec![
            "\u{FF41}",
            "𠀀",
            "b",
            "ab",
            "a",
            "é",
            "治",
            "\u{E000}x",
            "𠀁",
        ];
        let mut expected = terms.clone();
        expected.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
        terms.sort_by(|a, b| utf16_cmp(a, b));
        assert_eq!(terms, expected);
        assert_eq!(expected[..3], ["a", "ab", "b"]);
        assert_eq!(
            expected.last(),
            Some(&"\u{FF41}"),
            "U+FF41 sorts after U+20000 in UTF-16"
        );
    }

    #[test]
    fn base36_counts() {
        assert_eq!(base36(0), "0");
        assert_eq!(base36(35), "z");
        assert_eq!(base36(36), "10");
    }

    #[test]
    fn frequent_terms_keep_their_set_and_head() {
        let postings: Vec<Posting> = (0..1000)
            .map(|d| Posting {
                doc: d,
                tf: [0, 0, 0, 1],
                mask: [1, 0],
            })
            .collect();
        let mut impacts = vec![5u8; 1000];
        impacts[700] = 60;
        let text = encode_term(&postings, &impacts, 1000, 1000, 4);
        // 1000 documents of 1000: the set is the empty complement; the head starts with 700.
        let mut expected = String::new();
        push_number(&mut expected, 1000);
        expected.push_str("HCA");
        push_number(&mut expected, 4);
        push_number(&mut expected, 700);
        assert!(text.starts_with(&expected), "{text}");
        let rare = encode_term(&postings[..3], &impacts[..3], 3, 1000, 4);
        assert!(rare.contains('F'));
    }
}
