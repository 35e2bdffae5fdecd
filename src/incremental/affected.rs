//! Which pages an edit affects, found by comparing the old and the new model.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use crate::model::Site;
use crate::render::{HOME_PAGE, PageId};

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

pub(super) fn affected_pages(old: &Site, new: &Site) -> Option<Affected> {
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
    {
        return None;
    }
    let mut pages = BTreeSet::new();
    let mut first = BTreeSet::new();
    let mut changed: HashSet<&str> = HashSet::new();

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
                if let Some(i) = new.note(slug) {
                    changed.insert(new.notes[i].slug.as_str());
                }
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

    let old_index: HashMap<&str, usize> = old
        .notes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.slug.as_str(), i))
        .collect();
    let new_index: HashMap<&str, usize> = new
        .notes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.slug.as_str(), i))
        .collect();
    for note in &old.notes {
        match new_index.get(note.slug.as_str()) {
            Some(&j) if same_text(&note.source, &new.notes[j].source) => {}
            _ => {
                changed.insert(note.slug.as_str());
            }
        }
    }
    for note in &new.notes {
        if !old_index.contains_key(note.slug.as_str()) {
            changed.insert(note.slug.as_str());
        }
    }
    let country_codes = |site: &Site| {
        site.countries
            .iter()
            .map(|c| c.code.clone())
            .collect::<Vec<_>>()
    };
    if changed.is_empty() && pages.is_empty() && country_codes(old) == country_codes(new) {
        return Some(Affected { pages, first });
    }

    // Pages that show no document list or summarise the notes: home, indexes, print, search...
    pages.extend(PageId::all(new).into_iter().filter(|id| {
        !matches!(
            id,
            PageId::Note(_) | PageId::Principle(_) | PageId::Country(_) | PageId::Page(_)
        )
    }));

    // Compared in order, without allocating: a reordering counts as a change, which is safe.
    let same_notes = |a: &[usize], b: &[usize]| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(&x, &y)| old.notes[x].slug == new.notes[y].slug)
    };
    for (i, note) in new.notes.iter().enumerate() {
        let id = PageId::Note(i);
        if changed.contains(note.slug.as_str()) {
            pages.insert(id);
            first.insert(id);
            continue;
        }
        let Some(&j) = old_index.get(note.slug.as_str()) else {
            continue;
        };
        let was = &old.notes[j];
        let (before, after) = neighbours(new, i);
        let related_changed = note
            .links_to
            .iter()
            .chain(&note.linked_from)
            .any(|&k| changed.contains(new.notes[k].slug.as_str()))
            || before
                .into_iter()
                .chain(after)
                .any(|slug| changed.contains(slug));
        if related_changed
            || neighbours(old, j) != neighbours(new, i)
            || !same_notes(&was.links_to, &note.links_to)
            || !same_notes(&was.linked_from, &note.linked_from)
        {
            pages.insert(id);
        }
    }
    // The principles and countries that list an edited note, before and after the edit.
    for (site, index) in [(old, &old_index), (new, &new_index)] {
        for slug in &changed {
            let Some(&i) = index.get(slug) else { continue };
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

/// The slugs of the notes before and after note `i` (what its previous/next links show).
fn neighbours(site: &Site, i: usize) -> (Option<&str>, Option<&str>) {
    let slug = |k: Option<usize>| k.and_then(|k| site.notes.get(k)).map(|n| n.slug.as_str());
    (slug(i.checked_sub(1)), slug(Some(i + 1)))
}
