//! Relinking after notes change, for the dev server: the last good model, patched instead of
//! linked again from every document. Only the changed notes are placed and resolved, with the
//! documents that link to them; every other index is remapped, and the relations (backlinks,
//! each principle's and country's notes) are recomputed from the links, as [`link`] does.
//!
//! The result is the model [`link`] makes from the same files. Whatever a patch cannot do
//! exactly returns `None`, and the caller links everything: a changed note with translations,
//! an error anywhere (so errors are always reported by the full stage, in its words), or an
//! unchanged document the caller no longer has.
//!
//! [`link`]: super::link

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::{
    Owner, Placement, SeriesKey, body_of, check_unfinished, cite_countries, countries, place_note,
    pseudo_document, relate, resolve_links,
};
use crate::diagnostic::Diagnostics;
use crate::load::{Document, Failed, Meta};
use crate::markdown::{self, Analysis};
use crate::model::{Kind, Note, PrincipleMeta, Site, Target};

/// A note file that changed since the model was linked.
pub struct NoteEdit {
    /// From the project root: `notes/<slug>.md`.
    pub path: String,
    /// The file's new document and its body's analysis; `None` when the file was deleted.
    pub document: Option<(Document, Analysis)>,
}

/// A patched model.
pub struct Relinked {
    pub site: Site,
    /// Warnings about the changed notes.
    pub warnings: Diagnostics,
    /// For each note of the old model, its index in the new one; `None` for the changed notes.
    pub renumbered: Vec<Option<usize>>,
}

/// Where a note of the new model comes from.
enum From {
    Old(usize),
    New(usize),
}

/// `site` (a model linked before, owned) with `edits` applied. `known` gives the document and
/// analysis of an unchanged file by path, for documents whose links must be resolved again
/// because they point at a changed note. `None` when only a full link can say what the files
/// make.
pub fn relink<'k>(
    mut site: Site,
    edits: Vec<NoteEdit>,
    known: &dyn Fn(&str) -> Option<(&'k Document, &'k Analysis)>,
) -> Option<Relinked> {
    let default_lang = site.config.default_language().to_string();
    let mut replaced = vec![false; site.notes.len()];
    let mut fresh: Vec<(Document, Analysis)> = Vec::new();
    let mut changed: HashSet<String> = HashSet::new();
    {
        let old_index = site.notes_by_slug();
        for edit in edits {
            let slug = edit.path.strip_prefix("notes/")?.strip_suffix(".md")?;
            if !changed.insert(slug.to_string()) {
                return None;
            }
            if let Some(&i) = old_index.get(slug) {
                if site.notes[i].source.path != edit.path {
                    return None; // the same slug in another file: a duplicate
                }
                replaced[i] = true;
            }
            if let Some((document, analysis)) = edit.document {
                let plain = document.kind == Kind::Note
                    && document.lang == default_lang
                    && document.slug == slug
                    && matches!(document.meta, Meta::Note(_));
                if !plain {
                    return None;
                }
                fresh.push((document, analysis));
            }
        }
    }
    if site
        .translations
        .iter()
        .any(|t| t.kind == Kind::Note && changed.contains(&t.slug))
    {
        return None;
    }

    // Place the changed notes in the series, as `link` does.
    let mut diagnostics = Diagnostics::default();
    let mut fresh_codes: BTreeSet<String> = BTreeSet::new();
    let mut placed: Vec<(Placement, Document, Analysis)> = Vec::new();
    {
        let principles: Vec<(&str, &PrincipleMeta)> = site
            .principles
            .iter()
            .map(|p| (p.slug.as_str(), &p.meta))
            .collect();
        for (document, analysis) in fresh {
            let Meta::Note(meta) = &document.meta else {
                return None;
            };
            check_unfinished(
                &document,
                meta,
                &analysis.headings,
                &analysis.sections,
                &mut diagnostics,
            );
            let placement = place_note(
                &document,
                meta,
                &principles,
                &Failed::new(),
                &mut diagnostics,
            )?;
            cite_countries(&document, meta, &mut fresh_codes, &mut diagnostics);
            placed.push((placement, document, analysis));
        }
    }
    if diagnostics.has_errors() {
        return None;
    }
    placed.sort_by(|a, b| a.0.key.cmp(&b.0.key));

    // The new series order: unchanged notes keep theirs, changed ones go where their keys say.
    let kept: Vec<usize> = (0..site.notes.len()).filter(|&i| !replaced[i]).collect();
    if kept.is_empty() && placed.is_empty() {
        return None; // no notes left: an error `link` reports
    }
    let key_of = |i: usize| {
        let note = &site.notes[i];
        SeriesKey(
            site.principles[note.principle].meta.number,
            note.strategy.unwrap_or(usize::MAX),
            note.meta.title.to_lowercase(),
            note.slug.clone(),
        )
    };
    let mut order: Vec<From> = Vec::with_capacity(kept.len() + placed.len());
    let mut at = 0;
    for (k, (placement, ..)) in placed.iter().enumerate() {
        let key = &placement.key;
        let end = at + kept[at..].partition_point(|&i| key_of(i) < *key);
        order.extend(kept[at..end].iter().map(|&i| From::Old(i)));
        order.push(From::New(k));
        at = end;
    }
    order.extend(kept[at..].iter().map(|&i| From::Old(i)));
    let mut note_of_old: Vec<Option<usize>> = vec![None; site.notes.len()];
    for (new, from) in order.iter().enumerate() {
        if let From::Old(i) = from {
            note_of_old[*i] = Some(new);
        }
    }

    // Countries: those the unchanged notes still cite, and the changed notes' ones.
    let mut cited = vec![false; site.countries.len()];
    for &i in &kept {
        for &c in &site.notes[i].countries {
            cited[c] = true;
        }
    }
    let country_of_old: Option<Vec<Option<usize>>> = {
        let known_codes: HashSet<&str> = site.countries.iter().map(|c| c.code.as_str()).collect();
        let same = cited.iter().all(|&c| c)
            && fresh_codes.iter().all(|c| known_codes.contains(c.as_str()));
        if same {
            None
        } else {
            let mut codes = fresh_codes;
            for (c, country) in site.countries.iter().enumerate() {
                if cited[c] {
                    codes.insert(country.code.clone());
                }
            }
            let countries = countries::countries(codes, &site.config);
            let index: HashMap<&str, usize> = countries
                .iter()
                .enumerate()
                .map(|(i, c)| (c.code.as_str(), i))
                .collect();
            let map = site
                .countries
                .iter()
                .map(|c| index.get(c.code.as_str()).copied())
                .collect();
            drop(index);
            site.countries = countries;
            Some(map)
        }
    };

    // The notes in their new order; the changed ones wait for their links.
    let mut old_notes: Vec<Option<Note>> = std::mem::take(&mut site.notes)
        .into_iter()
        .map(Some)
        .collect();
    let mut placed: Vec<Option<_>> = placed.into_iter().map(Some).collect();
    let mut pending: Vec<(usize, Document, Analysis)> = Vec::new();
    for (new, from) in order.into_iter().enumerate() {
        let note = match from {
            From::Old(i) => {
                let mut note = old_notes[i].take()?;
                if let Some(map) = &country_of_old {
                    for c in &mut note.countries {
                        *c = map[*c]?;
                    }
                }
                note
            }
            From::New(k) => {
                let (placement, document, mut analysis) = placed[k].take()?;
                let Meta::Note(meta) = document.meta.clone() else {
                    return None;
                };
                let countries = meta
                    .countries
                    .iter()
                    .filter_map(|c| site.country(c))
                    .collect();
                let note = Note {
                    slug: document.slug.clone(),
                    source: document.source.clone(),
                    body: body_of(&document, &mut analysis),
                    meta,
                    principle: placement.principle,
                    related_principles: placement.related,
                    countries,
                    strategy: placement.strategy,
                    links_to: Vec::new(),
                    linked_from: Vec::new(),
                };
                pending.push((new, document, analysis));
                note
            }
        };
        site.notes.push(note);
    }
    drop(old_notes);

    // Every other document's links, renumbered; those pointing at a changed note (or a country
    // no longer cited) are resolved again.
    let countries = country_of_old.as_deref();
    let mut stale: Vec<(Owner, String)> = Vec::new();
    let fresh_notes: HashSet<usize> = pending.iter().map(|p| p.0).collect();
    for (i, note) in site.notes.iter_mut().enumerate() {
        if !fresh_notes.contains(&i) && !renumber(&mut note.body.links, &note_of_old, countries) {
            stale.push((Owner::Note(i), note.source.path.clone()));
        }
    }
    for (i, page) in site.pages.iter_mut().enumerate() {
        if !renumber(&mut page.body.links, &note_of_old, countries) {
            stale.push((Owner::Page(i), page.source.path.clone()));
        }
    }
    for (i, principle) in site.principles.iter_mut().enumerate() {
        if !renumber(&mut principle.body.links, &note_of_old, countries) {
            stale.push((Owner::Principle(i), principle.source.path.clone()));
        }
    }
    for (i, translation) in site.translations.iter_mut().enumerate() {
        if !renumber(&mut translation.body.links, &note_of_old, countries) {
            stale.push((Owner::Translation(i), translation.source.path.clone()));
        }
    }

    let mut resolved: Vec<(Owner, BTreeMap<String, Target>)> = Vec::new();
    {
        // Only a model whose every file loaded is patched: nothing failed.
        let no_failures = Failed::new();
        let lookup = super::Lookup::new(&site, &no_failures);
        for (i, document, analysis) in &pending {
            let owner = Owner::Note(*i);
            let links = resolve_links(&site, &lookup, document, analysis, &mut diagnostics);
            resolved.push((owner, links));
        }
        for (owner, path) in stale {
            let links = match owner {
                Owner::Principle(i) => {
                    let p = &site.principles[i];
                    let analysis = markdown::analyse(Site::markdown(&p.source, &p.body));
                    let document =
                        pseudo_document(&p.source, &p.slug, Kind::Principle, p.body.range.clone());
                    resolve_links(&site, &lookup, &document, &analysis, &mut diagnostics)
                }
                _ => {
                    let (document, analysis) = known(&path)?;
                    let source = match owner {
                        Owner::Note(i) => &site.notes[i].source,
                        Owner::Page(i) => &site.pages[i].source,
                        Owner::Translation(i) => &site.translations[i].source,
                        Owner::Principle(_) => return None,
                    };
                    if !std::sync::Arc::ptr_eq(&document.source.text, &source.text) {
                        return None;
                    }
                    resolve_links(&site, &lookup, document, analysis, &mut diagnostics)
                }
            };
            resolved.push((owner, links));
        }
    }
    if diagnostics.has_errors() {
        return None;
    }
    for (owner, links) in resolved {
        match owner {
            Owner::Note(i) => site.notes[i].body.links = links,
            Owner::Page(i) => site.pages[i].body.links = links,
            Owner::Principle(i) => site.principles[i].body.links = links,
            Owner::Translation(i) => site.translations[i].body.links = links,
        }
    }
    relate(&mut site);
    Some(Relinked {
        site,
        warnings: diagnostics,
        renumbered: note_of_old,
    })
}

/// Renumbers a body's links to notes and countries for the new model. `false` when one points at
/// a note that changed or a country that is gone (the body must be resolved again).
fn renumber(
    links: &mut BTreeMap<String, Target>,
    notes: &[Option<usize>],
    countries: Option<&[Option<usize>]>,
) -> bool {
    for target in links.values_mut() {
        match target {
            Target::Note { index, .. } => match notes[*index] {
                Some(new) => *index = new,
                None => return false,
            },
            Target::Country { index } => {
                if let Some(map) = countries {
                    match map[*index] {
                        Some(new) => *index = new,
                        None => return false,
                    }
                }
            }
            _ => {}
        }
    }
    true
}
