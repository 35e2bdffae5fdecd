//! Stage 4: the client-side search index, built from the `Site` (not from rendered HTML).
//!
//! Each configured language gets its own index under `search/<lang>/`. Every file is a classic
//! script that calls `guidanceSearch.register(kind, key, data)`, so the browser runtime
//! (`static/search.js`) loads exactly the files a query needs by adding `<script>` tags: this
//! works from `file://` as well as from any web server, with no `fetch`, modules, WASM or workers.
//!
//! ```text
//! search/<lang>/manifest.js       document count, impact scale, sections per chunk, where each
//!                                 vocabulary file starts
//! search/<lang>/v<i>.js           terms in order with their document counts and term shards
//!                                 (prefix completion and typo candidates without postings)
//! search/<lang>/t<i>.js           term shards: postings (documents, impacts, section masks)
//! search/<lang>/c/<k>/<d>-<c>.js  the text of a run of sections of document d, for snippets,
//!                                 loaded only for results shown
//! search/<lang>/facets.js         filter values (principle, pillar, country, SDG target), their
//!                                 names and document sets; loaded by the search page
//! ```
//!
//! The index does not depend on the link style: the browser appends `index.html` to result
//! addresses when the page it runs in was built for `file://`.

pub mod documents;
pub mod encode;
pub mod index;
pub mod tokenize;

use rayon::prelude::*;

use crate::model::Site;
use crate::render::OutputFile;

/// Every index file of the site, in every language.
pub fn index(site: &Site) -> Vec<OutputFile> {
    index_with(site, index::LIMITS)
}

/// [`index`] with other file-size limits (benchmarks and tests).
pub fn index_with(site: &Site, limits: index::Limits) -> Vec<OutputFile> {
    site.config
        .languages
        .par_iter()
        .flat_map_iter(|lang| index::build(site, lang, &documents::documents(site, lang), limits))
        .collect()
}
