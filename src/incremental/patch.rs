//! The fast way to the next model: when only note files changed since the last good build, read
//! just those and patch a copy of the last good model ([`crate::link::patch`]) instead of
//! loading and linking every document. The copy is made between rebuilds
//! ([`Project::prepare_next`]), off the way to the reload signal.

use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;

use rayon::prelude::*;

use super::{Kept, Project, within};
use crate::config::Config;
use crate::diagnostic::Diagnostics;
use crate::link::patch::{NoteEdit, Relinked, relink};
use crate::load::read_document;
use crate::markdown;
use crate::model::{FILES_FOLDER, Kind, Site};

/// A copy of the model of one build, for the next rebuild to patch, made on a thread of its own
/// (a big model takes a while to copy).
pub(super) struct Spare {
    generation: u64,
    copy: Copying,
}

enum Copying {
    Making(JoinHandle<Site>),
    Made(Box<Site>),
    Failed,
}

impl Spare {
    pub(super) fn of(generation: u64, site: &Arc<Site>) -> Spare {
        let site = Arc::clone(site);
        Spare {
            generation,
            copy: Copying::Making(std::thread::spawn(move || Site::clone(&site))),
        }
    }

    pub(super) fn generation(&self) -> u64 {
        self.generation
    }

    /// Waits until the copy is made.
    pub(super) fn finish(&mut self) {
        self.copy = match std::mem::replace(&mut self.copy, Copying::Failed) {
            Copying::Making(thread) => thread
                .join()
                .map_or(Copying::Failed, |site| Copying::Made(Box::new(site))),
            done => done,
        };
    }

    /// The copy (waiting for it if it is not made yet).
    fn into_site(mut self) -> Option<Site> {
        self.finish();
        match self.copy {
            Copying::Made(site) => Some(*site),
            _ => None,
        }
    }
}

impl Project {
    /// The model for the files as they are now, patched from the last good one, with its
    /// warnings and how its notes are renumbered; `None` when the changes since then are not
    /// only note files or the patch cannot be exact (the caller then loads and links everything).
    pub(super) fn patch(&mut self) -> Option<(Site, Diagnostics, Vec<Option<usize>>)> {
        let current = self.current.as_ref()?;
        if self.dirty_all
            || self
                .spare
                .as_ref()
                .is_none_or(|s| s.generation != current.generation)
        {
            return None;
        }
        let config = Config::load(&self.root).ok()?;
        if config != current.site.config || self.cache.config.as_ref() != Some(&config) {
            return None;
        }
        let look = |path: &String| examine(&self.root, path, &config, &current.site);
        // Many files (a checkout) are read in parallel; one is read at once.
        let changes: Vec<Option<NoteEdit>> = if self.dirty.len() > 8 {
            self.dirty.par_iter().map(look).collect::<Option<_>>()?
        } else {
            self.dirty.iter().map(look).collect::<Option<_>>()?
        };

        let spare = self.spare.take()?.into_site()?;
        let edits: Vec<NoteEdit> = changes
            .iter()
            .flatten()
            .map(|edit| NoteEdit {
                path: edit.path.clone(),
                document: edit.document.clone(),
            })
            .collect();
        let cache = &self.cache;
        let known = |path: &str| {
            let document = &cache.documents.get(path)?.value;
            let analysis = &cache.analyses.get(path)?.value;
            Arc::ptr_eq(&analysis.0, &document.source.text).then_some((document, &analysis.1))
        };
        let Relinked {
            site,
            warnings: fresh,
            renumbered,
        } = relink(spare, edits, &known)?;

        // What the files say now, for the next rebuild (a full one reads the cache).
        for change in changes {
            let Some(NoteEdit { path, document }) = change else {
                continue;
            };
            match document {
                Some((document, analysis)) => {
                    let text = Arc::clone(&document.source.text);
                    self.cache
                        .analyses
                        .insert(path.clone(), Kept::new((text, analysis)));
                    self.cache.documents.insert(path, Kept::new(document));
                }
                None => {
                    self.cache.documents.remove(&path);
                    self.cache.analyses.remove(&path);
                }
            }
        }

        // The warnings: the last good build's, except about the changed files, and the changed
        // notes' own.
        let mut warnings = Diagnostics(
            self.warnings
                .iter()
                .filter(|d| !d.file().is_some_and(|file| within(&self.dirty, file)))
                .cloned()
                .collect(),
        );
        warnings.extend(fresh);
        let warnings = warnings.into_result().ok()?;
        Some((site, warnings, renumbered))
    }
}

/// What one changed path (from the project root) is now: a note file read again or deleted, or
/// (`Some(None)`) something gone that made nothing in the model, such as an editor's temporary
/// file. `None` if it is anything else.
fn examine(root: &Path, path: &str, config: &Config, site: &Site) -> Option<Option<NoteEdit>> {
    // A file under `files/` changes what links resolve to: everything is linked again.
    if path == FILES_FOLDER || path.starts_with(&format!("{FILES_FOLDER}/")) {
        return None;
    }
    let note = path
        .strip_prefix("notes/")
        .and_then(|name| name.strip_suffix(".md"))
        .is_some_and(|stem| !stem.is_empty() && !stem.contains(['/', '.']));
    let file = root.join(path);
    match std::fs::metadata(&file) {
        Ok(metadata) if note && metadata.is_file() => {
            let document = read_document(root, Kind::Note, &file, config).ok()?;
            let analysis = markdown::analyse(&document.source.text[document.body.clone()]);
            Some(Some(NoteEdit {
                path: path.to_string(),
                document: Some((document, analysis)),
            }))
        }
        Ok(_) => None,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if note {
                return Some(Some(NoteEdit {
                    path: path.to_string(),
                    document: None,
                }));
            }
            let folder = format!("{path}/");
            let sources = site
                .principles
                .iter()
                .map(|p| &p.source)
                .chain(site.notes.iter().map(|n| &n.source))
                .chain(site.pages.iter().map(|p| &p.source))
                .chain(site.translations.iter().map(|t| &t.source));
            for source in sources {
                if source.path == path || source.path.starts_with(&folder) {
                    return None;
                }
            }
            Some(None)
        }
        Err(_) => None,
    }
}
