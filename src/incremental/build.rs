//! A build in memory: every file by its site path, pages rendered on first request or by a
//! background pass, the data files made together when first needed.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use crate::diagnostic::Diagnostics;
use crate::model::Site;
use crate::render::{PageId, RenderOptions, Renderer};
use crate::theme::Theme;

/// One file of a build, with the tag browsers revalidate against.
#[derive(Debug)]
pub struct Entry {
    pub bytes: Vec<u8>,
    /// A hash of the bytes, for `ETag`.
    pub hash: u64,
}

impl Entry {
    pub(super) fn new(bytes: Vec<u8>) -> Arc<Entry> {
        let mut hasher = DefaultHasher::new();
        bytes.hash(&mut hasher);
        Arc::new(Entry {
            hash: hasher.finish(),
            bytes,
        })
    }
}

pub(super) type Rendered = Result<Arc<Entry>, Diagnostics>;

/// A page that is rendered when first needed. Shared between consecutive builds while an edit
/// does not affect it (its bytes are then the same for both models).
#[derive(Debug, Default)]
pub(super) struct Pending {
    pub(super) cell: OnceLock<Rendered>,
    /// What the last good build served, kept in case rendering for the new model fails.
    pub(super) fallback: Option<Arc<Entry>>,
}

#[derive(Clone, Debug)]
pub(super) enum Slot {
    Ready(Arc<Entry>),
    Pending(Arc<Pending>),
}

/// What a lookup in a build found.
#[derive(Debug)]
pub enum Lookup {
    Found(Arc<Entry>),
    Missing,
    /// Rendering failed; `fallback` is the last good version of the file, if there was one.
    Failed {
        diagnostics: Diagnostics,
        fallback: Option<Arc<Entry>>,
    },
}

/// The site in memory: pages and theme assets by path, plus the data files (feeds, JSON export,
/// sitemap) made together on first request.
pub struct Build {
    pub generation: u64,
    pub(super) site: Arc<Site>,
    pub(super) theme: Arc<Theme>,
    pub(super) options: RenderOptions,
    /// Every page path of this model, with the page and language it renders.
    pub(super) pages: Arc<HashMap<String, (PageId, String)>>,
    pub(super) files: HashMap<String, Slot>,
    /// Pages to render first in [`Build::warm`]: those of the documents just edited.
    pub(super) first: Vec<String>,
    pub(super) data: OnceLock<Result<HashMap<String, Arc<Entry>>, Diagnostics>>,
    pub(super) superseded: AtomicBool,
}

impl Build {
    /// The file at `path` (a site path such as `notes/x/index.html`), rendering it if needed.
    pub fn get(&self, path: &str) -> Lookup {
        match self.files.get(path) {
            Some(Slot::Ready(entry)) => Lookup::Found(Arc::clone(entry)),
            Some(Slot::Pending(pending)) => {
                match pending.cell.get_or_init(|| self.render_one(path, None)) {
                    Ok(entry) => Lookup::Found(Arc::clone(entry)),
                    Err(diagnostics) => Lookup::Failed {
                        diagnostics: diagnostics.clone(),
                        fallback: pending.fallback.clone(),
                    },
                }
            }
            None => match self.data_files() {
                Ok(files) => files
                    .get(path)
                    .map_or(Lookup::Missing, |e| Lookup::Found(Arc::clone(e))),
                Err(diagnostics) => Lookup::Failed {
                    diagnostics: diagnostics.clone(),
                    fallback: None,
                },
            },
        }
    }

    /// Every path this build serves, sorted (makes the data files if they are not made yet).
    pub fn paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self.files.keys().cloned().collect();
        if let Ok(data) = self.data_files() {
            paths.extend(data.keys().cloned());
        }
        paths.sort();
        paths
    }

    /// The model this build was made from.
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// How many pages this build publishes.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Whether `path` is a page or an asset of this build (without rendering anything).
    pub fn has_page(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// Renders every page not rendered yet, the edited documents' pages first, then makes the
    /// data files. Stops early once a newer build has replaced this one. Returns what failed.
    pub fn warm(&self) -> Diagnostics {
        let mut problems = Diagnostics::default();
        let renderer = match Renderer::new(&self.site, &self.theme, self.options.clone()) {
            Ok(renderer) => renderer,
            Err(diagnostics) => return diagnostics,
        };
        let mut order: Vec<&str> = self.first.iter().map(String::as_str).collect();
        let mut rest: Vec<&str> = self
            .files
            .iter()
            .filter(|(_, slot)| matches!(slot, Slot::Pending(p) if p.cell.get().is_none()))
            .map(|(path, _)| path.as_str())
            .collect();
        // The big listing pages last: a request for one of them renders it at once anyway.
        rest.sort_by_key(|path| (path.matches('/').count() < 2, *path));
        order.extend(rest);
        let failures: Vec<Diagnostics> = order
            .par_iter()
            .filter_map(|path| {
                if self.superseded.load(Ordering::Relaxed) {
                    return None;
                }
                let Some(Slot::Pending(pending)) = self.files.get(*path) else {
                    return None;
                };
                pending
                    .cell
                    .get_or_init(|| self.render_one(path, Some(&renderer)))
                    .as_ref()
                    .err()
                    .cloned()
            })
            .collect();
        for failure in failures {
            problems.extend(failure);
        }
        if !self.superseded.load(Ordering::Relaxed)
            && let Err(diagnostics) = self.data_files()
        {
            problems.extend(diagnostics.clone());
        }
        problems.into_result().err().unwrap_or_default()
    }

    /// Pages rendered after the build was swapped in (on request or by [`Build::warm`]) whose
    /// bytes differ from what the last good build served, sorted: browsers showing them reload.
    /// A page whose earlier bytes are unknown counts as changed.
    pub fn changed_since_swap(&self) -> Vec<String> {
        let mut changed: Vec<String> = self
            .files
            .iter()
            .filter_map(|(path, slot)| match slot {
                Slot::Pending(p) => match (p.cell.get(), &p.fallback) {
                    (Some(Ok(now)), Some(before)) if now.bytes == before.bytes => None,
                    (Some(Ok(_)), _) => Some(path.clone()),
                    _ => None,
                },
                Slot::Ready(_) => None,
            })
            .collect();
        changed.sort();
        changed
    }

    /// Whether a newer build has replaced this one.
    pub fn is_superseded(&self) -> bool {
        self.superseded.load(Ordering::Relaxed)
    }

    /// Marks the build as replaced, so [`Build::warm`] stops.
    pub fn supersede(&self) {
        self.superseded.store(true, Ordering::Relaxed);
    }

    /// Whether every page is rendered and the data files are made.
    pub fn is_warm(&self) -> bool {
        self.rendered().1 == 0 && self.data.get().is_some()
    }

    /// How many pages are rendered, and how many are still waiting for a request or the warmer.
    pub fn rendered(&self) -> (usize, usize) {
        let pending = self
            .files
            .values()
            .filter(|s| matches!(s, Slot::Pending(p) if p.cell.get().is_none()))
            .count();
        (self.files.len() - pending, pending)
    }

    fn render_one(&self, path: &str, renderer: Option<&Renderer>) -> Rendered {
        let (id, lang) = &self.pages[path];
        let file = match renderer {
            Some(renderer) => renderer.render_in(*id, lang)?,
            None => Renderer::new(&self.site, &self.theme, self.options.clone())?
                .render_in(*id, lang)?,
        };
        Ok(Entry::new(file.bytes))
    }

    fn data_files(&self) -> &Result<HashMap<String, Arc<Entry>>, Diagnostics> {
        self.data.get_or_init(|| {
            let renderer = Renderer::new(&self.site, &self.theme, self.options.clone())?;
            let mut files = renderer.site_files();
            files.extend(crate::data_files(&self.site, &renderer));
            Ok(files
                .into_iter()
                .map(|f| (f.path, Entry::new(f.bytes)))
                .collect())
        })
    }
}

/// The bytes a slot holds now, or the last good ones.
pub(super) fn ready(slot: &Slot) -> Option<Arc<Entry>> {
    match slot {
        Slot::Ready(entry) => Some(Arc::clone(entry)),
        Slot::Pending(p) => p
            .cell
            .get()
            .and_then(|r| r.as_ref().ok())
            .cloned()
            .or_else(|| p.fallback.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_hash_their_bytes() {
        assert_eq!(
            Entry::new(b"a".to_vec()).hash,
            Entry::new(b"a".to_vec()).hash
        );
        assert_ne!(
            Entry::new(b"a".to_vec()).hash,
            Entry::new(b"b".to_vec()).hash
        );
    }
}
