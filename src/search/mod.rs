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
//!                                 shard loads without anything else first)
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
//! language (which shows the original).
//!
//! The index does not depend on the link style: the browser appends `index.html` to result
//! addresses when the page it runs in was built for `file://`.

pub mod documents;
pub mod encode;
pub mod index;
mod terms;
pub mod tokenize;

use rayon::prelude::*;

pub use index::TextChunks;

/// Where the index goes in the site: a folder per language.
pub const FOLDER: &str = "search/";

use crate::model::Site;
use crate::render::OutputFile;

/// Every index file of the site, in every language.
pub fn index(site: &Site) -> Vec<OutputFile> {
    index_with(site, index::LIMITS)
}

/// [`index`] with other file-size limits (benchmarks and tests).
pub fn index_with(site: &Site, limits: index::Limits) -> Vec<OutputFile> {
    let (mut files, texts) = index_but_text(site, limits);
    files.extend(texts.iter().flat_map(TextChunks::files));
    files
}

/// Every index file but the text chunks, and each language's text chunks, to be made when they
/// are written.
pub fn index_but_text(
    site: &Site,
    limits: index::Limits,
) -> (Vec<OutputFile>, Vec<TextChunks<'_>>) {
    let default = site.config.default_language();
    let (files, texts): (Vec<Vec<OutputFile>>, Vec<TextChunks>) = site
        .config
        .languages
        .par_iter()
        .map(|lang| {
            let base = (lang != default).then_some(default);
            index::build(site, lang, documents::documents(site, lang), base, limits)
        })
        .unzip();
    (files.into_iter().flatten().collect(), texts)
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
