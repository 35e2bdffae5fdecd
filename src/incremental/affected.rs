//! Which pages an edit affects, found by comparing the old and the new model.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::model::{Body, Kind, Site, Target};
use crate::render::{DOWNLOAD_PAGE, HOME_PAGE, PageId};

/// The pages of the new model that an edit may have changed, or `None` when it may have changed
/// every page (the configuration, a principle or the set of pages changed).
pub(super) struct Affected {
    pages: BTreeSet<PageId>,
    /// The pages of the edited documents themselves (rendered before the swap).
    pub(super) first: BTreeSet<PageId>,
}

impl Affected {
    pub(super) fn contains(&self, id: &PageId) -> bool {
        self.pages.contains(id)
    }
}

/// `renumbered`, when the caller knows it, maps each old note's index to its index in the new
/// model, `None` for the notes whose files changed (a patched model comes with one); otherwise
/// notes are matched by slug and compared by text.
pub(super) fn affected_pages(
    old: &Site,
    new: &Site,
    renumbered: Option<&[Option<usize>]>,
) -> Option<Affected> {
    let same_text = |a: &crate::model::SourceFile, b: &crate::model::SourceFile| {
        Arc::ptr_eq(&a.text, &b.text) || a.text == b.text
    };
    if old.config != new.config
        || old.principles.len() != new.principles.len()
        || old
            .principles
            .iter()
            .zip(&new.principles)
            .any(|(a, b)| a.slug != b.slug || !same_text(&a.source, &b.source))
        || old.pages.len() != new.pages.len()
        || old
            .pages
            .iter()
            .zip(&new.pages)
            .any(|(a, b)| a.slug != b.slug)
        // A language's last translation, added or removed, changes every page's search box.
        || crate::render::languages_with_untranslated(old)
            != crate::render::languages_with_untranslated(new)
    {
        return None;
    }
    let mut pages = BTreeSet::new();
    let mut first = BTreeSet::new();
    // Notes whose translations changed count as changed notes.
    let mut translated: Vec<&str> = Vec::new();

    for (i, (a, b)) in old.pages.iter().zip(&new.pages).enumerate() {
        if !same_text(&a.source, &b.source) {
            let id = if b.slug == HOME_PAGE {
                PageId::Home
            } else {
                PageId::Page(i)
            };
            pages.insert(id);
            first.insert(id);
        }
    }
    let translations = |site: &Site| -> HashMap<(crate::model::Kind, String, String), Arc<str>> {
        site.translations
            .iter()
            .map(|t| {
                (
                    (t.kind, t.slug.clone(), t.lang.clone()),
                    Arc::clone(&t.source.text),
                )
            })
            .collect()
    };
    let (old_t, new_t) = (translations(old), translations(new));
    let keys: BTreeSet<_> = old_t.keys().chain(new_t.keys()).collect();
    for key in keys {
        if old_t.get(key) == new_t.get(key) {
            continue;
        }
        let (kind, slug, _) = key;
        match kind {
            crate::model::Kind::Principle => return None,
            crate::model::Kind::Note => {
                translated.push(slug);
            }
            crate::model::Kind::Page => {
                let i = new.page(slug)?;
                let id = if slug == HOME_PAGE {
                    PageId::Home
                } else {
                    PageId::Page(i)
                };
                pages.insert(id);
                first.insert(id);
            }
        }
    }

    // Which notes changed (in the old and in the new model), and where each unchanged note of
    // the new model was in the old one.
    let mut changed_old = vec![false; old.notes.len()];
    let mut changed_new = vec![false; new.notes.len()];
    let mut old_of_new: Vec<Option<usize>> = vec![None; new.notes.len()];
    match renumbered {
        Some(map) if map.len() == old.notes.len() => {
            for (j, at) in map.iter().enumerate() {
                match at {
                    Some(i) => old_of_new[*i] = Some(j),
                    None => changed_old[j] = true,
                }
            }
            for (i, was) in old_of_new.iter().enumerate() {
                changed_new[i] = was.is_none();
            }
        }
        _ => {
            let old_index = old.notes_by_slug();
            for (i, note) in new.notes.iter().enumerate() {
                match old_index.get(note.slug.as_str()) {
                    Some(&j) if same_text(&old.notes[j].source, &note.source) => {
                        old_of_new[i] = Some(j);
                    }
                    Some(&j) => {
                        changed_old[j] = true;
                        changed_new[i] = true;
                    }
                    None => changed_new[i] = true,
                }
            }
            let mut seen = vec![false; old.notes.len()];
            for j in old_of_new.iter().flatten() {
                seen[*j] = true;
            }
            for (j, seen) in seen.into_iter().enumerate() {
                // Deleted, or edited (then already marked).
                changed_old[j] |= !seen;
            }
        }
    }
    for slug in translated {
        if let Some(i) = new.note(slug) {
            changed_new[i] = true;
            old_of_new[i] = None;
            if let Some(j) = old.note(slug) {
                changed_old[j] = true;
            }
        }
    }
    let any_changed = changed_old.iter().chain(&changed_new).any(|&c| c);
    let country_codes = |site: &Site| {
        site.countries
            .iter()
            .map(|c| c.code.clone())
            .collect::<Vec<_>>()
    };
    if !any_changed && pages.is_empty() && country_codes(old) == country_codes(new) {
        return Some(Affected { pages, first });
    }

    // Pages that show no document list or summarise the notes: home, indexes, print, search...
    pages.extend(PageId::all(new).into_iter().filter(|id| {
        !matches!(
            id,
            PageId::Note(_) | PageId::Principle(_) | PageId::Country(_) | PageId::Page(_)
        )
    }));

    // Compared in order: a reordering counts as a change, which is safe.
    let same_notes = |a: &[usize], b: &[usize]| {
        a.len() == b.len() && a.iter().zip(b).all(|(&x, &y)| old_of_new[y] == Some(x))
    };
    // The note `offset` places after `i` in the new model came from `offset` places after `j`.
    let same_neighbour = |i: usize, j: usize, offset: isize| {
        let new_at = i
            .checked_add_signed(offset)
            .filter(|&k| k < new.notes.len());
        let old_at = j
            .checked_add_signed(offset)
            .filter(|&k| k < old.notes.len());
        match (new_at, old_at) {
            (None, None) => true,
            (Some(a), Some(b)) => old_of_new[a] == Some(b),
            _ => false,
        }
    };
    for (i, note) in new.notes.iter().enumerate() {
        let id = PageId::Note(i);
        if changed_new[i] {
            pages.insert(id);
            first.insert(id);
            continue;
        }
        let Some(j) = old_of_new[i] else {
            continue;
        };
        let was = &old.notes[j];
        let related_changed = note
            .links_to
            .iter()
            .chain(&note.linked_from)
            .chain(i.checked_sub(1).as_ref())
            .chain(Some(i + 1).filter(|&k| k < new.notes.len()).as_ref())
            .any(|&k| changed_new[k]);
        if related_changed
            || !same_neighbour(i, j, -1)
            || !same_neighbour(i, j, 1)
            || !same_notes(&was.links_to, &note.links_to)
            || !same_notes(&was.linked_from, &note.linked_from)
        {
            pages.insert(id);
        }
    }
    // The principles and countries that list an edited note, before and after the edit.
    for (site, changed) in [(old, &changed_old), (new, &changed_new)] {
        for (i, _) in changed.iter().enumerate().filter(|(_, c)| **c) {
            let note = &site.notes[i];
            for &p in std::iter::once(&note.principle).chain(&note.related_principles) {
                pages.insert(PageId::Principle(p));
            }
            for &c in &note.countries {
                if let Some(k) = new.country(&site.countries[c].code) {
                    pages.insert(PageId::Country(k));
                }
            }
        }
    }
    Some(Affected { pages, first })
}

/// Whether two models have the same documents, countries and translations in the same order.
pub(super) fn same_structure(old: &Site, new: &Site) -> bool {
    old.config.languages == new.config.languages
        && old
            .notes
            .iter()
            .map(|n| &n.slug)
            .eq(new.notes.iter().map(|n| &n.slug))
        && old
            .principles
            .iter()
            .map(|p| &p.slug)
            .eq(new.principles.iter().map(|p| &p.slug))
        && old
            .pages
            .iter()
            .map(|p| &p.slug)
            .eq(new.pages.iter().map(|p| &p.slug))
        && old
            .countries
            .iter()
            .map(|c| &c.code)
            .eq(new.countries.iter().map(|c| &c.code))
        && old
            .translations
            .iter()
            .map(|t| (t.kind, &t.slug, &t.lang))
            .eq(new.translations.iter().map(|t| (t.kind, &t.slug, &t.lang)))
}

/// The files under `files/` added, removed or changed between two models, by path.
pub(super) fn changed_project_files(old: &Site, new: &Site) -> BTreeSet<String> {
    let mut changed = BTreeSet::new();
    for file in &new.files {
        match old.file(&file.path) {
            Some(was) if Arc::ptr_eq(&was.bytes, &file.bytes) || was.bytes == file.bytes => {}
            _ => {
                changed.insert(file.path.clone());
            }
        }
    }
    let removed = old.files.iter().filter(|f| new.file(&f.path).is_none());
    changed.extend(removed.map(|f| f.path.clone()));
    changed
}

/// The pages of `site` that show or link one of `files` (paths from the root): the pages of the
/// documents whose bodies do in any language, the print edition when one of them is a principle
/// or a note, and the pages of the countries such a note cites (their excerpts quote it). Their
/// HTML does not change with the file's bytes, but a browser showing one reloads to show them.
pub(super) fn pages_using(site: &Site, files: &BTreeSet<String>) -> BTreeSet<PageId> {
    let mut pages = BTreeSet::new();
    if files.is_empty() {
        return pages;
    }
    let uses = |body: &Body| {
        body.links
            .values()
            .any(|t| matches!(t, Target::File { path, .. } if files.contains(path)))
    };
    let page_of = |i: usize| match site.pages[i].slug.as_str() {
        HOME_PAGE => PageId::Home,
        DOWNLOAD_PAGE => PageId::Download,
        _ => PageId::Page(i),
    };
    let note = |i: usize, pages: &mut BTreeSet<PageId>| {
        pages.insert(PageId::Note(i));
        pages.insert(PageId::Print);
        pages.extend(site.notes[i].countries.iter().map(|&c| PageId::Country(c)));
    };
    for (i, n) in site.notes.iter().enumerate() {
        if uses(&n.body) {
            note(i, &mut pages);
        }
    }
    for (i, p) in site.principles.iter().enumerate() {
        if uses(&p.body) {
            pages.extend([PageId::Principle(i), PageId::Print]);
        }
    }
    for (i, p) in site.pages.iter().enumerate() {
        if uses(&p.body) {
            pages.insert(page_of(i));
        }
    }
    for t in site.translations.iter().filter(|t| uses(&t.body)) {
        match t.kind {
            Kind::Note => {
                if let Some(i) = site.note(&t.slug) {
                    note(i, &mut pages);
                }
            }
            Kind::Principle => {
                if let Some(i) = site.principle(&t.slug) {
                    pages.extend([PageId::Principle(i), PageId::Print]);
                }
            }
            Kind::Page => {
                if let Some(i) = site.page(&t.slug) {
                    pages.insert(page_of(i));
                }
            }
        }
    }
    pages
}
