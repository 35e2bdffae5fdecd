//! Stage 4: the client-side search index, built from the `Site` (not from rendered HTML).
//!
//! Each configured language gets its own index under `search/<lang>/`. Every file is a classic
//! script that calls `guidanceSearch.register(kind, key, data)`, so the browser runtime
//! (`static/search.js`) loads exactly the files a query needs by adding `<script>` tags: this
//! works from `file://` as well as from any web server, with no `fetch`, modules, WASM or workers.
//!
//! ```text
//! search/<lang>/manifest.js       document count, impact scale, sections per chunk, where each
//!                                 term shard, vocabulary file and typo file starts (so a term's
//!                                 shard loads without anything else first), the language's
//!                                 stop words
//! search/<lang>/v<i>.js           terms in order with their document counts and term shards
//!                                 (completions of a short prefix, typo candidates)
//! search/<lang>/w<i>.js           terms ordered from their third character on, for typos in the
//!                                 first two characters
//! search/<lang>/t<i>.js           term shards: postings (documents, impacts, section masks)
//! search/<lang>/c/<k>/<d>-<c>.js  the text of a run of sections of document d, for snippets,
//!                                 loaded only for results shown
//! search/<lang>/facets.js         filter values (principle, pillar, country, SDG target), their
//!                                 names and document sets; loaded by the search page
//! ```
//!
//! The default language's index holds every document. Another language's holds only the pages
//! written in that language (translations, and the countries under their names in it); on its
//! pages the browser searches both and merges the results, so an untranslated note is found in
//! its original language without being indexed twice, and linked to its page in the reader's
//! language (which shows the original). For the merged results to rank on one scale, another
//! language's index is scored against every document its reader searches (`collection`).
//!
//! The index does not depend on the link style: the browser appends `index.html` to result
//! addresses when the page it runs in was built for `file://`.

mod chunks;
mod collection;
pub mod documents;
pub mod encode;
mod facets;
pub mod index;
pub mod stopwords;
mod terms;
pub mod tokenize;

use rayon::prelude::*;

pub use chunks::TextChunks;

/// Where the index goes in the site: a folder per language.
pub const FOLDER: &str = "search/";

use crate::model::Site;
use crate::render::OutputFile;

/// Every index file of the site, in every language, with the embedded theme's interface strings.
pub fn index(site: &Site) -> Vec<OutputFile> {
    index_with(site, index::LIMITS)
}

/// [`index`] with other file-size limits (benchmarks and tests).
pub fn index_with(site: &Site, limits: index::Limits) -> Vec<OutputFile> {
    let (mut files, texts) = index_but_text(site, limits, &documents::embedded_full_stops(site));
    files.extend(texts.iter().flat_map(TextChunks::files));
    files
}

/// Every index file but the text chunks, and each language's text chunks, to be made when they
/// are written. The default language's index is built first: the others are scored against it.
/// `full_stops` joins a principle's strategies into sentences.
pub fn index_but_text<'s>(
    site: &'s Site,
    limits: index::Limits,
    full_stops: &documents::FullStops,
) -> (Vec<OutputFile>, Vec<TextChunks<'s>>) {
    let default = site.config.default_language();
    let (files, texts, counts) = index::build(
        site,
        default,
        documents::documents_with(site, default, full_stops),
        None,
        limits,
    );
    let base = collection::Base {
        lang: default,
        counts: &counts,
    };
    // The default language is the first: the others follow it in their order.
    let others: Vec<(Vec<OutputFile>, TextChunks)> = site
        .config
        .languages
        .par_iter()
        .filter(|lang| *lang != default)
        .map(|lang| {
            let (files, texts, _) = index::build(
                site,
                lang,
                documents::documents_with(site, lang, full_stops),
                Some(&base),
                limits,
            );
            (files, texts)
        })
        .collect();
    let (mut files, mut texts) = (files, vec![texts]);
    for (more, text) in others {
        files.extend(more);
        texts.push(text);
    }
    (files, texts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Site {
        let root =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/search-site");
        crate::load_site(&root).unwrap_or_else(|d| panic!("{d}")).0
    }

    fn text(files: &[OutputFile], path: &str) -> String {
        let file = files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("no {path}"));
        String::from_utf8(file.bytes.clone()).unwrap()
    }

    #[test]
    fn every_file_is_a_registering_script_and_the_build_is_deterministic() {
        let site = fixture();
        let files = index(&site);
        assert_eq!(files, index(&site));
        for f in &files {
            assert!(
                f.path.starts_with("search/") && f.path.ends_with(".js"),
                "{}",
                f.path
            );
            let text = std::str::from_utf8(&f.bytes).unwrap();
            assert!(
                text.starts_with("guidanceSearch.register(\"") && text.ends_with(");\n"),
                "{}",
                f.path
            );
        }
        let manifest = text(&files, "search/en/manifest.js");
        assert!(
            manifest.contains("\"n\":18"),
            "7 notes, 3 principles, 2 pages, 6 countries: {manifest}"
        );
    }

    #[test]
    fn terms_are_folded_and_titles_stay_text() {
        let files = index(&fixture());
        let vocab: String = files
            .iter()
            .filter(|f| f.path.contains("/v"))
            .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
            .collect();
        for term in [
            "egalite",
            "治理",
            "理能",
            "حوكمة",
            "отчетность",
            "еще",
            "onerror",
        ] {
            assert!(
                vocab.split(['"', ' ']).any(|t| t == term),
                "{term} missing from the vocabulary"
            );
        }
        assert!(!vocab.contains("égalité") && !vocab.contains("ё"));
        let chunks: String = files
            .iter()
            .filter(|f| f.path.contains("/c/"))
            .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
            .collect();
        // JSON string data: the browser inserts it with textContent.
        assert!(
            chunks.contains("\"t\":\"<img src=x onerror=alert(1)>\""),
            "{chunks}"
        );
    }

    /// The data a file of the index registers.
    fn data(file: &OutputFile) -> serde_json::Value {
        let text = String::from_utf8_lossy(&file.bytes);
        let call = text
            .strip_prefix("guidanceSearch.register(")
            .and_then(|t| t.strip_suffix(");\n"))
            .unwrap();
        serde_json::from_str::<serde_json::Value>(&format!("[{call}]")).unwrap()[2].take()
    }

    /// Every posting of `term` in `lang`'s index files: the document (in the index's numbering)
    /// and its score, decoded from its impact as the browser does.
    fn scores(files: &[OutputFile], lang: &str, term: &str) -> Vec<(u64, f64)> {
        let in_lang = |prefix: &str| {
            let prefix = format!("search/{lang}/{prefix}");
            files.iter().filter(move |f| f.path.starts_with(&prefix))
        };
        let scale = in_lang("manifest").map(data).next().unwrap()["scale"]
            .as_f64()
            .unwrap();
        let entry = in_lang("t")
            .find_map(|f| data(f)[term].as_str().map(String::from))
            .unwrap_or_else(|| panic!("no {term} in {lang}"));
        let digits: Vec<u64> = entry
            .bytes()
            .map(|b| {
                encode::ALPHABET
                    .iter()
                    .position(|&a| a == b)
                    .map_or(u64::MAX, |d| d as u64)
            })
            .collect();
        let mut at = if entry.starts_with('~') { 1 } else { 0 };
        let number = |at: &mut usize| {
            let (mut value, mut shift) = (0, 0);
            loop {
                let d = digits[*at];
                *at += 1;
                value |= (d & 31) << shift;
                shift += 5;
                if d < 32 {
                    return value;
                }
            }
        };
        if at == 1 {
            number(&mut at);
        }
        let count = number(&mut at);
        assert_eq!(&entry[at..=at], "F", "{entry}");
        at += 1;
        let mut doc = None;
        (0..count)
            .map(|_| {
                let gap = number(&mut at);
                let d = doc.map_or(gap, |p: u64| p + gap + 1);
                doc = Some(d);
                let impact = digits[at] as f64;
                at += 1;
                at += number(&mut at) as usize;
                (d, (impact / scale).exp() - 1.0)
            })
            .collect()
    }

    #[test]
    fn a_translation_scores_as_its_original_when_it_says_the_same() {
        // Regression ("budget" on the French site): another language's index, a few
        // translations and country names, measured its terms within itself, where every word of
        // a translation is rare; its principles outranked the default language's notes about
        // budgets in the results the browser merges.
        use super::collection::Base;
        use super::documents::{DocKind, DocSection, Facets, SearchDoc};
        let site = fixture();
        let doc = |kind: DocKind, title: &str, body: String, local: bool| SearchDoc {
            kind,
            title: title.to_string(),
            summary: String::new(),
            path: String::new(),
            local,
            everywhere: true,
            lang: "en".into(),
            sections: vec![DocSection {
                anchor: "",
                heading: "",
                text: if local {
                    body.into()
                } else {
                    String::new().into()
                },
            }],
            facets: Facets::default(),
        };
        let filler = "public money is raised and spent by government for people ".repeat(12);
        let docs = |local: &dyn Fn(usize) -> bool| -> Vec<SearchDoc> {
            let mut docs = vec![
                doc(
                    DocKind::Note,
                    "Budget transparency",
                    format!("budget budget {filler}"),
                    local(0),
                ),
                doc(
                    DocKind::Note,
                    "Audit",
                    format!("audit budget {filler}"),
                    local(1),
                ),
                doc(
                    DocKind::Note,
                    "Open data",
                    format!("open data {filler}"),
                    local(2),
                ),
                doc(
                    DocKind::Principle,
                    "Participation",
                    format!("voice budget {filler}"),
                    local(3),
                ),
            ];
            for country in ["Brazil", "Chile", "Ghana", "Kenya", "Nepal", "Peru", "Togo"] {
                docs.push(doc(DocKind::Country, country, String::new(), true));
            }
            docs
        };
        let (english, _, counts) = index::build(&site, "en", docs(&|_| true), None, index::LIMITS);
        let base = Base {
            lang: "en",
            counts: &counts,
        };
        // The French index holds the principle, translated word for word, and the countries.
        let (french, _, _) =
            index::build(&site, "fr", docs(&|d| d == 3), Some(&base), index::LIMITS);
        let original = scores(&english, "en", "budget");
        let translation = scores(&french, "fr", "budget");
        assert_eq!(translation.len(), 1);
        let (en, fr) = (original[2].1, translation[0].1);
        assert!((fr / en - 1.0).abs() < 0.05, "French {fr}, English {en}");
        assert!(fr < original[0].1, "{translation:?} {original:?}");
        // The count the browser weighs completions by: the documents the French reader
        // searches that hold the word (three), not the index's own (one).
        let manifest = text(&french, "search/fr/manifest.js");
        assert!(
            manifest.contains("\"N\":11") && manifest.contains("\"n\":8"),
            "{manifest}"
        );
        let df = french
            .iter()
            .filter(|f| f.path.starts_with("search/fr/v"))
            .flat_map(|f| data(f).as_array().unwrap().clone())
            .find_map(|group| {
                let (words, dfs) = (group[1].as_str()?, group[2].as_str()?);
                let k = words.split(' ').position(|t| t == "budget")?;
                dfs.split(' ').nth(k).map(String::from)
            });
        assert_eq!(df.as_deref(), Some("3"));
    }

    #[test]
    fn every_configured_language_gets_an_index() {
        let mut site = fixture();
        site.config.languages = vec!["en".into(), "fr".into(), "ar".into()];
        let files = index(&site);
        for lang in ["en", "fr", "ar"] {
            assert!(
                files
                    .iter()
                    .any(|f| f.path == format!("search/{lang}/manifest.js"))
            );
        }
        // Another language indexes only its translations (the fixture has none) and its
        // countries, under their names in it, and points to the default language's index for
        // the rest; pages generated in every language are marked so the browser links to the
        // reader's language.
        let manifest = text(&files, "search/fr/manifest.js");
        assert!(
            manifest.contains("\"base\":\"en\"")
                && manifest.contains("\"N\":18")
                && manifest.contains("\"n\":6"),
            "{manifest}"
        );
        let tail = text(&files, "search/en/c/tail.js");
        assert!(
            tail.contains("\"e\":1") && tail.contains("\"u\":\"countries/bra/\""),
            "{tail}"
        );
        let french: String = files
            .iter()
            .filter(|f| f.path.starts_with("search/fr/c/"))
            .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
            .collect();
        assert!(
            french.contains("{\"t\":\"Brésil\",\"u\":\"fr/countries/bra/\",\"k\":\"country\""),
            "{french}"
        );
        assert!(!french.contains("Brazil"), "{french}");
    }
}
