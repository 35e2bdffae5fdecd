//! Stage 2: turn loaded documents into a linked `Site`. Every reference (principles, strategies,
//! countries, in-body links and anchors) is resolved here; every problem is collected, and the
//! stage fails once with all of them.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Diagnostics, Span, did_you_mean};
use crate::load::{Document, Failed, Meta};
use crate::markdown::{self, Analysis};
use crate::model::*;

pub mod countries;
mod files;
pub mod patch;
mod resolve;
mod translation;

use resolve::{LinkError, Lookup, resolve_links};

/// Top-level output folders a page slug may not take.
pub const RESERVED: &[&str] = &[
    "notes",
    "principles",
    "countries",
    "search",
    "static",
    "api",
    "download",
    "print",
    "feeds",
    FILES_FOLDER,
    "404",
];

/// The slug that links to the data and feeds page (`page:api`), which the site makes itself,
/// and the ids of its sections.
const API_PAGE: &str = "api";
const API_PAGE_IDS: [&str; 3] = ["files", "feeds", "json-ld"];

/// The CEPA principles' official numbers.
const PRINCIPLE_NUMBERS: std::ops::RangeInclusive<u8> = 1..=11;

/// Links `documents` and the project's `files` (sorted by path) into a site. `failed` names
/// documents that exist but did not load (their problems already reported): links and
/// translations pointing at them are not reported again.
pub fn link(
    documents: Vec<Document>,
    files: Vec<ProjectFile>,
    config: Config,
    failed: &Failed,
) -> Result<(Site, Diagnostics), Diagnostics> {
    link_reusing(documents, files, config, failed, &|_| None)
}

/// [`link`], taking a body's analysis from `reuse` when it has one for the document's text (the
/// dev server keeps the analyses of unchanged documents).
pub fn link_reusing(
    documents: Vec<Document>,
    files: Vec<ProjectFile>,
    config: Config,
    failed: &Failed,
    reuse: &(dyn Fn(&Document) -> Option<Analysis> + Sync),
) -> Result<(Site, Diagnostics), Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    // Notes that cannot be placed in the series join the documents that failed to load.
    let mut failed = failed.clone();
    let documents = drop_duplicates(documents, &mut diagnostics);
    let default_lang = config.default_language().to_string();
    let analyses: Vec<Analysis> = documents
        .par_iter()
        .map(|d| reuse(d).unwrap_or_else(|| markdown::analyse(&d.source.text[d.body.clone()])))
        .collect();

    let mut principles = Vec::new();
    let mut notes = Vec::new();
    let mut pages = Vec::new();
    let mut translations = Vec::new();
    for (doc, mut analysis) in documents.into_iter().zip(analyses) {
        let body = body_of(&doc, &mut analysis);
        if doc.lang != default_lang {
            translations.push((doc, analysis, body));
            continue;
        }
        match doc.meta.clone() {
            Meta::Principle(meta) => principles.push(Analysed::new(doc, analysis, body, meta)),
            Meta::Note(meta) => notes.push(Analysed::new(doc, analysis, body, meta)),
            Meta::Page(meta) => pages.push(Analysed::new(doc, analysis, body, meta)),
            Meta::Translation(_) => {}
        }
    }

    // Principles in official order; numbers must be unique.
    principles.sort_by(|a, b| (a.meta.number, &a.doc.slug).cmp(&(b.meta.number, &b.doc.slug)));
    let mut numbers: BTreeMap<u8, String> = BTreeMap::new();
    for Analysed { doc, meta, .. } in &principles {
        if !PRINCIPLE_NUMBERS.contains(&meta.number) {
            diagnostics.push(
                Diagnostic::error(
                    "bad-number",
                    format!("principle number {} is not a CEPA principle's", meta.number),
                )
                .at(doc.span(doc.front_matter.locate("number")))
                .help(
                    "CEPA numbers its 11 principles 1 to 11: use the principle's official number",
                ),
            );
        }
        if let Some(first) = numbers.insert(meta.number, doc.source.path.clone()) {
            diagnostics.push(
                Diagnostic::error(
                    "duplicate-number",
                    format!("principle number {} is already used", meta.number),
                )
                .at(doc.span(doc.front_matter.locate("number")))
                .help(format!(
                    "{first} has the same number; give each principle its own"
                )),
            );
        }
        check_sdg_targets(doc, &meta.sdg_targets, &mut diagnostics);
    }
    // Notes: resolve their principle and strategy first, because series order depends on them.
    let mut resolved_notes = Vec::new();
    // Notes without a principle: not published, but their countries and links are still checked.
    let mut unplaced = Vec::new();
    {
        let principle_refs: Vec<(&str, &PrincipleMeta)> = principles
            .iter()
            .map(|p| (p.doc.slug.as_str(), &p.meta))
            .collect();
        for note in notes {
            let (doc, body, meta) = (&note.doc, &note.body, &note.meta);
            check_unfinished(doc, meta, &body.headings, &body.sections, &mut diagnostics);
            match place_note(doc, meta, &principle_refs, &failed, &mut diagnostics) {
                Some(placement) => resolved_notes.push((note, placement)),
                None => unplaced.push(note),
            }
        }
    }
    for note in &unplaced {
        failed.insert((Kind::Note, note.doc.slug.clone()));
    }
    warn_repeated_titles(
        resolved_notes
            .iter()
            .map(|(note, _)| (&note.doc, note.meta.title.as_str())),
        &mut diagnostics,
    );
    resolved_notes.sort_by(|a, b| a.1.key.cmp(&b.1.key));
    pages.sort_by(|a, b| a.doc.slug.cmp(&b.doc.slug));
    for Analysed { doc, .. } in &pages {
        if RESERVED.contains(&doc.slug.as_str()) {
            diagnostics.push(
                Diagnostic::error(
                    "url-clash",
                    format!(
                        "page `{}` would have the same URL as the site's /{}/ pages",
                        doc.slug, doc.slug
                    ),
                )
                .at(doc.span(0..0))
                .help("rename the file"),
            );
        }
    }

    // Countries cited by notes, named in every language.
    let mut country_codes: BTreeSet<String> = BTreeSet::new();
    let cited = resolved_notes.iter().map(|(note, _)| note).chain(&unplaced);
    for note in cited {
        cite_countries(&note.doc, &note.meta, &mut country_codes, &mut diagnostics);
    }
    let countries = countries::countries(country_codes, &config);

    let mut site = Site {
        config,
        principles: Vec::with_capacity(principles.len()),
        notes: Vec::new(),
        pages: Vec::new(),
        countries,
        translations: Vec::new(),
        files,
    };

    // Bodies' analyses, kept by document for link resolution once every index is known.
    let mut pending: Vec<(Document, Analysis, Owner)> = Vec::new();
    for (i, p) in principles.into_iter().enumerate() {
        site.principles.push(Principle {
            slug: p.doc.slug.clone(),
            source: p.doc.source.clone(),
            strategy_notes: vec![Vec::new(); p.meta.strategies.len()],
            meta: p.meta,
            body: p.body,
            notes: Vec::new(),
            related_notes: Vec::new(),
        });
        pending.push((p.doc, p.analysis, Owner::Principle(i)));
    }
    for (i, (n, placement)) in resolved_notes.into_iter().enumerate() {
        let countries = n
            .meta
            .countries
            .iter()
            .filter_map(|c| site.country(c))
            .collect();
        site.notes.push(Note {
            slug: n.doc.slug.clone(),
            source: n.doc.source.clone(),
            meta: n.meta,
            body: n.body,
            principle: placement.principle,
            related_principles: placement.related,
            countries,
            strategy: placement.strategy,
            links_to: Vec::new(),
            linked_from: Vec::new(),
        });
        pending.push((n.doc, n.analysis, Owner::Note(i)));
    }
    for (i, p) in pages.into_iter().enumerate() {
        site.pages.push(Page {
            slug: p.doc.slug.clone(),
            source: p.doc.source.clone(),
            meta: p.meta,
            body: p.body,
        });
        pending.push((p.doc, p.analysis, Owner::Page(i)));
    }
    // In the order `Site::translation` looks them up in.
    translations
        .sort_by(|a, b| (a.0.kind, &a.0.slug, &a.0.lang).cmp(&(b.0.kind, &b.0.slug, &b.0.lang)));
    for (doc, analysis, body) in translations {
        translation::check_front_matter(&site, &doc, &mut diagnostics);
        let (title, summary, strategies) = match &doc.meta {
            Meta::Translation(map) => (
                string_field(map, "title"),
                string_field(map, "summary"),
                translation::strategies(&site, &doc, map),
            ),
            _ => (None, None, None),
        };
        let index = site.translations.len();
        site.translations.push(Translation {
            kind: doc.kind,
            slug: doc.slug.clone(),
            lang: doc.lang.clone(),
            source: doc.source.clone(),
            title,
            summary,
            strategies,
            body,
        });
        pending.push((doc, analysis, Owner::Translation(index)));
    }

    // Resolve every in-body link now that every document has its index (the unplaced notes'
    // links only for their problems).
    let lookup = Lookup::new(&site, &failed);
    let resolved: Vec<(Owner, BTreeMap<String, Target>, Diagnostics)> = pending
        .par_iter()
        .map(|(doc, analysis, owner)| {
            let mut problems = Diagnostics::default();
            let links = resolve_links(&site, &lookup, doc, analysis, &mut problems);
            (*owner, links, problems)
        })
        .collect();
    for note in &unplaced {
        resolve_links(&site, &lookup, &note.doc, &note.analysis, &mut diagnostics);
    }
    drop(lookup);
    for (owner, links, problems) in resolved {
        diagnostics.extend(problems);
        match owner {
            Owner::Note(i) => site.notes[i].body.links = links,
            Owner::Page(i) => site.pages[i].body.links = links,
            Owner::Principle(i) => site.principles[i].body.links = links,
            Owner::Translation(i) => site.translations[i].body.links = links,
        }
    }
    check_translations(&site, &failed, &mut diagnostics);

    relate(&mut site);

    diagnostics.into_result().map(|warnings| (site, warnings))
}

/// A document in the default language: what was loaded, its body's analysis (for its links,
/// resolved once every document has its index), the body made from it, and its front matter.
struct Analysed<M> {
    doc: Document,
    analysis: Analysis,
    body: Body,
    meta: M,
}

impl<M> Analysed<M> {
    fn new(doc: Document, analysis: Analysis, body: Body, meta: M) -> Analysed<M> {
        Analysed {
            doc,
            analysis,
            body,
            meta,
        }
    }
}

/// Where a note sits in the series: by principle number, the principle's order of strategies,
/// title, then slug (unique), so the order is total.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct SeriesKey(u8, usize, String, String);

/// A note's principle, strategy and related principles, resolved against `principles` (slug and
/// front matter, in official order).
struct Placement {
    key: SeriesKey,
    principle: usize,
    strategy: Option<usize>,
    related: Vec<usize>,
}

/// Resolves a note's front-matter references to principles. `None` when its principle does not
/// exist (reported, unless the principle's own file failed) or is unknown; the note's other
/// fields are checked either way.
fn place_note(
    doc: &Document,
    meta: &NoteMeta,
    principles: &[(&str, &PrincipleMeta)],
    failed: &Failed,
    diagnostics: &mut Diagnostics,
) -> Option<Placement> {
    let principle_slugs: Vec<&str> = principles.iter().map(|p| p.0).collect();
    let find_principle = |slug: &str| principle_slugs.iter().position(|s| *s == slug);
    let known_failure = |slug: &str| failed.contains(&(Kind::Principle, slug.to_string()));
    let principle = find_principle(&meta.principle);
    if principle.is_none() && !known_failure(&meta.principle) {
        let mut d = Diagnostic::error(
            "unknown-principle",
            format!("unknown principle \"{}\"", meta.principle),
        )
        .at(doc.span(doc.front_matter.locate("principle")));
        d = match did_you_mean(&meta.principle, principle_slugs.iter().copied()) {
            Some(s) => d.help(format!("did you mean \"{s}\"?")),
            None => d.help(format!(
                "use the slug of a file in principles/: {}",
                principle_slugs.join(", ")
            )),
        };
        diagnostics.push(d);
    }
    let mut related = Vec::new();
    let listed = &meta.related_principles;
    for (k, slug) in listed.iter().enumerate() {
        let Some(place) = list_item(
            doc,
            "related_principles",
            listed,
            k,
            "related principle",
            diagnostics,
        ) else {
            continue;
        };
        match find_principle(slug) {
            Some(i) if Some(i) == principle => diagnostics.push(
                Diagnostic::warning(
                    "redundant-related",
                    format!("\"{slug}\" is already the note's principle"),
                )
                .at(place)
                .help("remove it from related_principles"),
            ),
            Some(i) => related.push(i),
            None if known_failure(slug) => {}
            None => {
                let help = match did_you_mean(slug, principle_slugs.iter().copied()) {
                    Some(s) => format!("did you mean \"{s}\"?"),
                    None => format!(
                        "use slugs of files in principles/: {}",
                        principle_slugs.join(", ")
                    ),
                };
                diagnostics.push(
                    Diagnostic::error("unknown-principle", format!("unknown principle \"{slug}\""))
                        .at(place)
                        .help(help),
                );
            }
        }
    }
    check_sdg_targets(doc, &meta.sdg_targets, diagnostics);
    if let (Some(published), Some(updated)) = (meta.published, meta.updated)
        && updated < published
    {
        diagnostics.push(
            Diagnostic::warning(
                "date-order",
                format!("updated {updated} is before published {published}"),
            )
            .at(doc.span(doc.front_matter.locate("updated")))
            .help("check both dates: a note is updated after it is published"),
        );
    }
    for source in &meta.sources {
        if !(source.url.starts_with("https://") || source.url.starts_with("http://")) {
            diagnostics.push(
                Diagnostic::error(
                    "bad-url",
                    format!("source URL \"{}\" is not an http(s) address", source.url),
                )
                .at(doc.span(
                    doc.front_matter
                        .item("sources", &source.url)
                        .unwrap_or(doc.front_matter.locate("sources")),
                ))
                .help("write the full address, starting with https://"),
            );
        }
    }
    let principle = principle?;
    let strategies = &principles[principle].1.strategies;
    let strategy = match &meta.strategy {
        Some(name) => match strategies.iter().position(|s| s == name) {
            Some(i) => Some(i),
            None => {
                let mut d = Diagnostic::error(
                    "unknown-strategy",
                    format!(
                        "\"{name}\" is not one of {}'s strategies",
                        principles[principle].1.title
                    ),
                )
                .at(doc.span(doc.front_matter.locate("strategy")));
                d = match did_you_mean(name, strategies.iter().map(String::as_str)) {
                    Some(s) => d.help(format!("did you mean \"{s}\"?")),
                    None => d.help(format!(
                        "write the strategy exactly as principles/{}.md lists it",
                        principles[principle].0
                    )),
                };
                diagnostics.push(d);
                None
            }
        },
        None => strategies
            .iter()
            .position(|s| s.eq_ignore_ascii_case(meta.title.trim())),
    };
    let key = SeriesKey(
        principles[principle].1.number,
        strategy.unwrap_or(usize::MAX),
        meta.title.to_lowercase(),
        doc.slug.clone(),
    );
    Some(Placement {
        key,
        principle,
        strategy,
        related,
    })
}

/// Two notes with the same title (in any case) look like one in every list and in search.
fn warn_repeated_titles<'a>(
    notes: impl Iterator<Item = (&'a Document, &'a str)>,
    diagnostics: &mut Diagnostics,
) {
    let mut seen: HashMap<String, &str> = HashMap::new();
    let mut notes: Vec<(&Document, &str)> = notes.collect();
    notes.sort_by(|a, b| a.0.source.path.cmp(&b.0.source.path));
    for (doc, title) in notes {
        let key = title.trim().to_lowercase();
        match seen.get(&key) {
            Some(first) => diagnostics.push(
                Diagnostic::warning(
                    "repeated-title",
                    format!("another note is titled \"{title}\""),
                )
                .at(doc.span(doc.front_matter.locate("title")))
                .help(format!(
                    "{first} has the same title; give each note its own"
                )),
            ),
            None => {
                seen.insert(key, &doc.source.path);
            }
        }
    }
}

/// The summary `guidance new note` writes: a note still holding it is unfinished.
pub const PLACEHOLDER_SUMMARY: &str =
    "One or two sentences shown in lists, search results and meta descriptions.";

/// Warns about what a note (as `guidance new note` scaffolds it) still lacks: a summary of its
/// own, and text under each heading.
fn check_unfinished(
    doc: &Document,
    meta: &NoteMeta,
    headings: &[Heading],
    sections: &[Section],
    diagnostics: &mut Diagnostics,
) {
    if meta.summary.trim() == PLACEHOLDER_SUMMARY {
        diagnostics.push(
            Diagnostic::warning(
                "placeholder-summary",
                "the summary is still the placeholder `guidance new` wrote",
            )
            .at(doc.span(doc.front_matter.locate("summary")))
            .help("say in one or two sentences what the note offers: lists, search results and search engines show it"),
        );
    }
    let body = &doc.source.text[doc.body.clone()];
    for (i, heading) in headings.iter().enumerate() {
        // The heading's first line, as written.
        let line = body[heading.offset..].lines().next().unwrap_or("");
        let start = doc.body.start + heading.offset;
        let place = start..start + line.trim_end().len();
        let has_subsections = headings
            .get(i + 1)
            .is_some_and(|next| next.level > heading.level);
        let empty = sections
            .iter()
            .find(|s| s.heading == Some(i))
            .is_none_or(|s| s.text.is_empty());
        if empty && !has_subsections {
            diagnostics.push(
                Diagnostic::warning(
                    "empty-section",
                    format!("section \"{}\" is empty", heading.text),
                )
                .at(doc.span(place))
                .help("write the section, or remove its heading"),
            );
        }
    }
}

/// Adds the valid country codes a note cites to `codes`; reports the others.
fn cite_countries(
    doc: &Document,
    meta: &NoteMeta,
    codes: &mut BTreeSet<String>,
    diagnostics: &mut Diagnostics,
) {
    for (i, code) in meta.countries.iter().enumerate() {
        let Some(span) = list_item(doc, "countries", &meta.countries, i, "country", diagnostics)
        else {
            continue;
        };
        if countries::is_country(code) {
            codes.insert(code.clone());
        } else {
            diagnostics.push(
                Diagnostic::error(
                    "unknown-country",
                    format!("unknown country code \"{code}\""),
                )
                .at(span)
                .help(country_code_help(code)),
            );
        }
    }
}

/// What to write instead of `code`, which is not an ISO 3166-1 alpha-3 code.
fn country_code_help(code: &str) -> String {
    use isocountry::CountryCode;
    let upper = code.trim().to_uppercase();
    if upper != code && countries::is_country(&upper) {
        return format!("country codes are upper case: did you mean {upper}?");
    }
    if let Ok(country) = CountryCode::for_alpha2(&upper) {
        return format!(
            "{upper} is a two-letter code; {}'s three-letter code is {}",
            country.name(),
            country.alpha3()
        );
    }
    let named = CountryCode::iter().find(|c| c.name().eq_ignore_ascii_case(code.trim()));
    if let Some(country) = named {
        return format!("write the country's code: {}", country.alpha3());
    }
    // The same letters in another order (GYU for GUY), when only one code has them.
    let letters = |text: &str| {
        let mut l: Vec<char> = text.chars().collect();
        l.sort_unstable();
        l
    };
    let mut anagrams = CountryCode::iter().filter(|c| letters(c.alpha3()) == letters(&upper));
    if let (Some(country), None) = (anagrams.next(), anagrams.next()) {
        return format!("did you mean {} ({})?", country.alpha3(), country.name());
    }
    "use an ISO 3166-1 alpha-3 code, e.g. GUY for Guyana".to_string()
}

/// A body for the model from a document's analysis (the sections move, not copy: the link stage
/// needs only the headings and links).
fn body_of(doc: &Document, analysis: &mut Analysis) -> Body {
    Body {
        range: doc.body.clone(),
        headings: analysis.headings.clone(),
        sections: std::mem::take(&mut analysis.sections),
        text: std::mem::take(&mut analysis.text),
        links: BTreeMap::new(),
        has_code: analysis.has_code,
    }
}

/// The relations that follow from the notes' front matter and links: each principle's notes,
/// strategies' notes and related notes, each country's notes, and notes' links and backlinks,
/// all in series order. Recomputed from scratch (any earlier lists are cleared).
fn relate(site: &mut Site) {
    for principle in &mut site.principles {
        principle.notes.clear();
        principle.related_notes.clear();
        principle.strategy_notes.iter_mut().for_each(Vec::clear);
    }
    for country in &mut site.countries {
        country.notes.clear();
    }
    for note in &mut site.notes {
        note.linked_from.clear();
    }
    for i in 0..site.notes.len() {
        let note = &site.notes[i];
        let mut targets: Vec<usize> = note
            .body
            .links
            .values()
            .filter_map(|t| match t {
                Target::Note { index, .. } if *index != i => Some(*index),
                _ => None,
            })
            .collect();
        targets.sort_unstable();
        targets.dedup();
        let principle = note.principle;
        let related = note.related_principles.clone();
        let countries = note.countries.clone();
        let strategy = note.strategy;
        for &t in &targets {
            site.notes[t].linked_from.push(i);
        }
        site.notes[i].links_to = targets;
        site.principles[principle].notes.push(i);
        if let Some(s) = strategy {
            site.principles[principle].strategy_notes[s].push(i);
        }
        for r in related {
            site.principles[r].related_notes.push(i);
        }
        for c in countries {
            site.countries[c].notes.push(i);
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Owner {
    Principle(usize),
    Note(usize),
    Page(usize),
    Translation(usize),
}

fn pseudo_document(source: &SourceFile, slug: &str, kind: Kind, body: Range<usize>) -> Document {
    Document {
        kind,
        slug: slug.to_string(),
        lang: String::new(),
        source: source.clone(),
        meta: Meta::Translation(Default::default()),
        front_matter: Default::default(),
        body,
    }
}

fn string_field(map: &serde_yaml::Mapping, key: &str) -> Option<String> {
    map.get(key).and_then(|v| v.as_str()).map(str::to_string)
}

/// Only title and summary may differ in a translation; other keys must repeat the original.
fn check_translations(site: &Site, failed: &Failed, diagnostics: &mut Diagnostics) {
    for t in &site.translations {
        let exists = match t.kind {
            Kind::Principle => site.principle(&t.slug).is_some(),
            Kind::Note => site.note(&t.slug).is_some(),
            Kind::Page => site.page(&t.slug).is_some(),
        };
        if !exists && !failed.contains(&(t.kind, t.slug.clone())) {
            let slugs: Vec<&str> = match t.kind {
                Kind::Principle => site.principles.iter().map(|p| p.slug.as_str()).collect(),
                Kind::Note => site.notes.iter().map(|n| n.slug.as_str()).collect(),
                Kind::Page => site.pages.iter().map(|p| p.slug.as_str()).collect(),
            };
            let help = match did_you_mean(&t.slug, slugs) {
                Some(close) => format!(
                    "did you mean `{}/{close}.{}.md`, the translation of `{close}.md`?",
                    t.kind.folder(),
                    t.lang
                ),
                None => format!(
                    "a translation needs an original `{}/{}.md`",
                    t.kind.folder(),
                    t.slug
                ),
            };
            diagnostics.push(
                Diagnostic::error(
                    "orphan-translation",
                    format!("translation of `{}`, which does not exist", t.slug),
                )
                .in_file(&t.source.path)
                .help(help),
            );
        }
    }
}

/// Two files with the same slug would publish to the same URL: keep one, report the others. The
/// one kept is the plainest: a file named without the default language's suffix before one named
/// with it (`x.md` before `x.en.md`), a file at the top of the folder before one in a subfolder.
fn drop_duplicates(documents: Vec<Document>, diagnostics: &mut Diagnostics) -> Vec<Document> {
    let plainness = |doc: &Document| {
        let name = doc.source.path.rsplit('/').next().unwrap_or_default();
        let explicit_lang = name.trim_end_matches(".md").contains('.');
        (
            explicit_lang,
            doc.source.path.matches('/').count(),
            doc.source.path.clone(),
        )
    };
    let mut first: BTreeMap<(Kind, String, String), (bool, usize, String)> = BTreeMap::new();
    for doc in &documents {
        let key = (doc.kind, doc.slug.clone(), doc.lang.clone());
        let rank = plainness(doc);
        match first.get(&key) {
            Some(best) if *best <= rank => {}
            _ => {
                first.insert(key, rank);
            }
        }
    }
    let mut kept = Vec::new();
    for doc in documents {
        let key = (doc.kind, doc.slug.clone(), doc.lang.clone());
        let keeper = &first[&key].2;
        if *keeper == doc.source.path {
            kept.push(doc);
            continue;
        }
        // Pages are published at the root (`about/`), the others under their folder.
        let url = match doc.kind {
            Kind::Page => format!("{}/", doc.slug),
            kind => format!("{}/{}/", kind.folder(), doc.slug),
        };
        let explicit_lang = plainness(&doc).0;
        let diagnostic = if explicit_lang {
            Diagnostic::error("duplicate-url", format!("`{}` would be published at the same URL as {keeper}", doc.source.path))
                .at(doc.span(0..0))
                .help(format!(
                    "`.{}` is the default language, so both files are {url}; delete one, or rename it to another language",
                    doc.lang
                ))
        } else {
            Diagnostic::error("duplicate-slug", format!("`{}` has the same slug as {keeper}", doc.source.path))
                .at(doc.span(0..0))
                .help(format!("both would be published at {url}; slugs must be unique across subfolders, so rename one of them"))
        };
        diagnostics.push(diagnostic);
    }
    kept
}

fn check_sdg_targets(doc: &Document, targets: &[String], diagnostics: &mut Diagnostics) {
    for (i, target) in targets.iter().enumerate() {
        let Some(place) = list_item(doc, "sdg_targets", targets, i, "SDG target", diagnostics)
        else {
            continue;
        };
        if let Some(help) = sdg_target_problem(target) {
            diagnostics.push(
                Diagnostic::error(
                    "bad-sdg-target",
                    format!("\"{target}\" is not an SDG target"),
                )
                .at(place)
                .help(help),
            );
        }
    }
}

/// Where item `i` of the front-matter list `key` is written (a repeated item at its own place),
/// or `None`, with a warning, when an earlier item is the same (`what` names the items).
fn list_item(
    doc: &Document,
    key: &str,
    items: &[String],
    i: usize,
    what: &str,
    diagnostics: &mut Diagnostics,
) -> Option<Span> {
    let item = &items[i];
    let earlier = items[..i].iter().filter(|x| *x == item).count();
    let place = doc.span(
        doc.front_matter
            .items(key, item)
            .nth(earlier)
            .unwrap_or(doc.front_matter.locate(key)),
    );
    if earlier == 0 {
        return Some(place);
    }
    diagnostics.push(
        Diagnostic::warning("repeated-item", format!("\"{item}\" is listed twice"))
            .at(place)
            .help(format!("list each {what} once")),
    );
    None
}

/// What is wrong with `target` as an SDG target (`16.6`, `16.10`, `16.b`), if anything: goals
/// run from 1 to 17, targets from 1 to 19 and from a to d.
fn sdg_target_problem(target: &str) -> Option<String> {
    let is_target = |text: &str| {
        text.split_once('.').is_some_and(|(goal, t)| {
            let goal_ok =
                !goal.starts_with('0') && goal.parse::<u8>().is_ok_and(|g| (1..=17).contains(&g));
            let number =
                !t.starts_with('0') && t.parse::<u8>().is_ok_and(|n| (1..=19).contains(&n));
            let letter = t.len() == 1 && ('a'..='d').contains(&t.chars().next().unwrap_or(' '));
            goal_ok && (number || letter)
        })
    };
    if is_target(target) {
        return None;
    }
    let trimmed = target.trim();
    let bare = trimmed
        .strip_prefix("SDG")
        .or_else(|| trimmed.strip_prefix("sdg"))
        .map(str::trim_start)
        .unwrap_or(trimmed);
    Some(if trimmed != target && is_target(trimmed) {
        format!("remove the spaces: \"{trimmed}\"")
    } else if bare != trimmed && is_target(bare) {
        format!("write the target alone: \"{bare}\"")
    } else if let Some((goal_and_target, _)) = trimmed.rsplit_once('.')
        && trimmed.matches('.').count() == 2
        && is_target(goal_and_target)
    {
        format!("that is an indicator; write its target, \"{goal_and_target}\"")
    } else if is_target(&trimmed.to_lowercase()) {
        format!(
            "write the letter in lower case: \"{}\"",
            trimmed.to_lowercase()
        )
    } else {
        "write targets as quoted strings like \"16.6\" or \"16.b\": goals 1 to 17, targets 1 to 19 or a to d".to_string()
    })
}
