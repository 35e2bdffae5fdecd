//! Links written in document bodies: `principle:`, `note:`, `page:` and `country:` targets,
//! relative `.md` links, files and `#anchors`, each resolved to a [`Target`] or reported at its
//! place, with a suggestion when a slug or anchor is close to one that exists.

use std::collections::{BTreeMap, HashMap};

use super::{API_PAGE, API_PAGE_IDS, countries, files};
use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::load::{Document, Failed};
use crate::markdown::Analysis;
use crate::model::*;

/// Slug -> index maps, so resolving a link costs the same in a site of 20 notes or 20,000.
pub(super) struct Lookup<'a> {
    principles: HashMap<&'a str, usize>,
    notes: HashMap<&'a str, usize>,
    pages: HashMap<&'a str, usize>,
    countries: HashMap<&'a str, usize>,
    /// Documents whose own problems are reported: a link to one is not a problem of its own.
    failed: &'a Failed,
}

impl<'a> Lookup<'a> {
    pub(super) fn new(site: &'a Site, failed: &'a Failed) -> Lookup<'a> {
        fn index<'a>(slugs: impl Iterator<Item = &'a str>) -> HashMap<&'a str, usize> {
            let mut map = HashMap::new();
            for (i, slug) in slugs.enumerate() {
                map.entry(slug).or_insert(i);
            }
            map
        }
        Lookup {
            principles: index(site.principles.iter().map(|p| p.slug.as_str())),
            notes: index(site.notes.iter().map(|n| n.slug.as_str())),
            pages: index(site.pages.iter().map(|p| p.slug.as_str())),
            countries: index(site.countries.iter().map(|c| c.code.as_str())),
            failed,
        }
    }

    /// The index of the document of `kind` called `slug`; a [`LinkError`] when there is none.
    fn find(&self, kind: Kind, slug: &str, site: &Site) -> Result<usize, LinkError> {
        let index = match kind {
            Kind::Principle => &self.principles,
            Kind::Note => &self.notes,
            Kind::Page => &self.pages,
        };
        if let Some(&i) = index.get(slug) {
            return Ok(i);
        }
        if self.failed.contains(&(kind, slug.to_string())) {
            return Err(LinkError::TargetFailed);
        }
        // Only a link that fails needs the slugs to suggest from: those of the site, and those
        // of the documents that failed (they exist; their own errors are reported).
        let mut slugs: Vec<&str> = match kind {
            Kind::Principle => site.principles.iter().map(|p| p.slug.as_str()).collect(),
            Kind::Note => site.notes.iter().map(|n| n.slug.as_str()).collect(),
            Kind::Page => site.pages.iter().map(|p| p.slug.as_str()).collect(),
        };
        let failed = self.failed.iter().filter(|(k, _)| *k == kind);
        slugs.extend(failed.map(|(_, slug)| slug.as_str()));
        let help = match did_you_mean(slug, slugs) {
            Some(s) => format!("did you mean \"{s}\"?"),
            None => format!("use the slug of a file in {}/", kind.folder()),
        };
        let code = match kind {
            Kind::Principle => "unknown-principle",
            _ => "unknown-link",
        };
        Err(LinkError::Problem(
            code,
            format!("unknown {} \"{slug}\"", kind.name()),
            help,
        ))
    }
}

pub(super) fn resolve_links(
    site: &Site,
    lookup: &Lookup,
    doc: &Document,
    analysis: &Analysis,
    diagnostics: &mut Diagnostics,
) -> BTreeMap<String, Target> {
    let mut links = BTreeMap::new();
    for reference in &analysis.undefined_references {
        let start = doc.body.start + reference.range.start;
        diagnostics.push(
            Diagnostic::warning(
                "undefined-reference",
                format!("no link called [{}]: the text shows as written", reference.dest),
            )
            .at(doc.span(start..doc.body.start + reference.range.end))
            .help(format!(
                "add a line `[{}]: <address>` below the paragraph, or write the link as [text](address)",
                reference.dest
            )),
        );
    }
    let own_ids: Vec<&str> = analysis.headings.iter().map(|h| h.id.as_str()).collect();
    for link in &analysis.links {
        // Point at the destination inside `[text](dest)`, not at the whole link.
        let start = doc.body.start + link.range.start;
        let source = &doc.source.text[start..doc.body.start + link.range.end];
        let found = (!link.dest.is_empty())
            .then(|| source.rfind(&link.dest))
            .flatten();
        let span = match found {
            Some(i) => start + i..start + i + link.dest.len(),
            None => start..start + source.len(),
        };
        if let Some(target) = links.get(&link.dest) {
            if link.image
                && let Some(problem) = image_problem(target, &link.dest)
            {
                diagnostics.push(problem.at(doc.span(span)));
            }
            continue;
        }
        match resolve(site, lookup, doc, &own_ids, &link.dest) {
            Ok(target) => {
                if let Some(warning) = anchor_lost_in_translation(site, &target) {
                    diagnostics.push(warning.at(doc.span(span.clone())));
                }
                if link.image
                    && let Some(problem) = image_problem(&target, &link.dest)
                {
                    diagnostics.push(problem.at(doc.span(span)));
                }
                links.insert(link.dest.clone(), target);
            }
            Err(LinkError::TargetFailed) => {}
            Err(LinkError::Problem(code, message, help)) => {
                diagnostics.push(
                    Diagnostic::error(code, message)
                        .at(doc.span(span))
                        .help(help),
                );
            }
        }
    }
    links
}

/// The problem (to be placed) with an image's destination: a page rather than a file, which the
/// browser would show as a broken image (an error), or another site, which readers of the
/// offline copy or without a network do not see (a warning).
fn image_problem(target: &Target, dest: &str) -> Option<Diagnostic> {
    match target {
        Target::File { .. } => None,
        Target::External(_) => Some(
            Diagnostic::warning(
                "external-image",
                format!("image \"{dest}\" loads from another site: it does not show offline"),
            )
            .help(format!(
                "save it in {FILES_FOLDER}/ and show it from there: ![text](../{FILES_FOLDER}/<name>)"
            )),
        ),
        _ => Some(
            Diagnostic::error("bad-image", format!("image \"{dest}\" is a page, not a file"))
                .help(format!(
                    "an image shows a file from {FILES_FOLDER}/: put it there and write ![text](../{FILES_FOLDER}/<name>); link a page with [text]({dest})"
                )),
        ),
    }
}

/// A warning (to be placed) when a link leads to a heading that some translation of its target
/// has nothing for: pages in that language link to the top of the translation instead.
fn anchor_lost_in_translation(site: &Site, target: &Target) -> Option<Diagnostic> {
    let (kind, slug, body, anchor) = match target {
        Target::Note {
            index,
            anchor: Some(a),
        } => (
            Kind::Note,
            &site.notes[*index].slug,
            &site.notes[*index].body,
            a,
        ),
        Target::Principle {
            index,
            anchor: Some(a),
        } => {
            let principle = &site.principles[*index];
            (Kind::Principle, &principle.slug, &principle.body, a)
        }
        Target::Page {
            index,
            anchor: Some(a),
        } => (
            Kind::Page,
            &site.pages[*index].slug,
            &site.pages[*index].body,
            a,
        ),
        _ => return None,
    };
    let lost: Vec<&str> = site
        .translations
        .iter()
        .filter(|t| t.kind == kind && t.slug == *slug)
        .filter(|t| site.anchor_in(kind, slug, body, anchor, &t.lang).is_none())
        .map(|t| t.lang.as_str())
        .collect();
    if lost.is_empty() {
        return None;
    }
    Some(
        Diagnostic::warning(
            "anchor-not-translated",
            format!(
                "\"#{anchor}\" has no heading to lead to in the {} translation{} of {slug}: pages in {} link to its top",
                lost.join(", "),
                if lost.len() == 1 { "" } else { "s" },
                if lost.len() == 1 { "that language" } else { "those languages" },
            ),
        )
        .help(format!(
            "give the heading there the original's id, `## … {{#{anchor}}}`, or keep the translation's headings one for one with the original's"
        )),
    )
}

/// Why a link does not resolve.
pub(super) enum LinkError {
    /// A problem to report: its code, message and help.
    Problem(&'static str, String, String),
    /// The target exists but its own file has problems, reported there.
    TargetFailed,
}

fn resolve(
    site: &Site,
    lookup: &Lookup,
    doc: &Document,
    own_ids: &[&str],
    dest: &str,
) -> Result<Target, LinkError> {
    const EXTERNAL: &[&str] = &["https://", "http://", "mailto:", "tel:"];
    if let Some(scheme) = EXTERNAL.iter().find(|p| dest.starts_with(**p)) {
        let address = &dest[scheme.len()..];
        if address.is_empty() || address.starts_with(['/', '?', '#']) {
            return Err(LinkError::Problem(
                "bad-link",
                format!("link \"{dest}\" has no address after {scheme}"),
                "write the whole address, e.g. https://www.un.org/".to_string(),
            ));
        }
        return Ok(Target::External(dest.to_string()));
    }
    if dest.is_empty() {
        return Err(LinkError::Problem(
            "bad-link",
            "empty link".to_string(),
            "write where it goes between the parentheses: [text](note:<slug>) or [text](https://...)"
                .to_string(),
        ));
    }
    if dest.starts_with("www.") {
        return Err(LinkError::Problem(
            "bad-link",
            format!("link \"{dest}\" has no https://"),
            format!("write the whole address: https://{dest}"),
        ));
    }
    let (path, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(a.to_string())),
        None => (dest, None),
    };
    if path.is_empty() {
        let anchor = anchor.unwrap_or_default();
        check_anchor(&anchor, own_ids, "this page")?;
        return Ok(Target::Anchor(anchor));
    }
    if let Some((scheme, slug)) = path.split_once(':') {
        return match scheme {
            "principle" => {
                let index = lookup.find(Kind::Principle, slug, site)?;
                check_target_anchor(&anchor, &site.principles[index].body, slug)?;
                Ok(Target::Principle { index, anchor })
            }
            "note" => {
                let index = lookup.find(Kind::Note, slug, site)?;
                check_target_anchor(&anchor, &site.notes[index].body, slug)?;
                Ok(Target::Note { index, anchor })
            }
            "page" if slug == API_PAGE => {
                if let Some(a) = &anchor {
                    check_anchor(a, &API_PAGE_IDS, "the data and feeds page")?;
                }
                Ok(Target::Api { anchor })
            }
            "page" => {
                let index = lookup.find(Kind::Page, slug, site)?;
                check_target_anchor(&anchor, &site.pages[index].body, slug)?;
                Ok(Target::Page { index, anchor })
            }
            "country" => match lookup.countries.get(slug) {
                Some(&index) => Ok(Target::Country { index }),
                None => {
                    let help = if countries::is_country(slug) {
                        format!(
                            "no note cites {slug}; add it to a note's `countries` so it gets a page"
                        )
                    } else {
                        "use the ISO 3166-1 alpha-3 code of a country that a note cites, e.g. country:GUY".to_string()
                    };
                    Err(LinkError::Problem(
                        "unknown-country",
                        format!("unknown country \"{slug}\""),
                        help,
                    ))
                }
            },
            _ => Err(LinkError::Problem(
                "bad-link",
                format!("unsupported link \"{dest}\""),
                format!(
                    "link with principle:<slug>, note:<slug>, page:<slug>, country:<ISO3>, a relative .md file, a file in {FILES_FOLDER}/ (../{FILES_FOLDER}/<name>), or https://"
                ),
            )),
        };
    }
    if path.ends_with(".md") {
        return resolve_relative(site, lookup, doc, path, anchor);
    }
    files::resolve_file(site, doc, path, anchor)
}

fn check_target_anchor(anchor: &Option<String>, body: &Body, slug: &str) -> Result<(), LinkError> {
    match anchor {
        Some(a) => {
            let ids: Vec<&str> = body.headings.iter().map(|h| h.id.as_str()).collect();
            check_anchor(a, &ids, slug)
        }
        None => Ok(()),
    }
}

fn check_anchor(anchor: &str, ids: &[&str], page: &str) -> Result<(), LinkError> {
    if ids.contains(&anchor) {
        return Ok(());
    }
    let help = match did_you_mean(anchor, ids.iter().copied()) {
        Some(s) => format!("did you mean \"#{s}\"?"),
        None if ids.is_empty() => format!("{page} has no headings to link to"),
        None => format!(
            "headings in {page}: {}",
            ids.iter()
                .map(|i| format!("#{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Err(LinkError::Problem(
        "unknown-anchor",
        format!("no heading \"#{anchor}\" in {page}"),
        help,
    ))
}

/// `other.md`, `../principles/integrity.md`: resolved against the linking file's folder;
/// `/notes/other.md` against the project's root.
fn resolve_relative(
    site: &Site,
    lookup: &Lookup,
    doc: &Document,
    path: &str,
    anchor: Option<String>,
) -> Result<Target, LinkError> {
    // Above the project folder is nowhere: reported as a missing file below.
    let joined = files::join(&doc.source.path, path).unwrap_or_default();
    let scheme = match joined.split('/').next() {
        Some("principles") => "principle",
        Some("pages") => "page",
        _ => "note",
    };
    let missing = || {
        LinkError::Problem(
            "unknown-link",
            format!("linked file \"{path}\" does not exist"),
            format!("no document at {joined}; check the path, or link with {scheme}:<slug>"),
        )
    };
    let (folder, file) = joined.rsplit_once('/').ok_or_else(missing)?;
    let slug = file.trim_end_matches(".md");
    let kind = match folder {
        "notes" => Kind::Note,
        "principles" => Kind::Principle,
        "pages" => Kind::Page,
        _ => return Err(missing()),
    };
    // `integrity.fr.md`: links name the original, and each language's page shows its version.
    if let Some((original, lang)) = slug.rsplit_once('.')
        && site.config.languages.iter().any(|l| l == lang)
        && lookup.find(kind, original, site).is_ok()
    {
        let to_original = path.replacen(
            &format!("{original}.{lang}.md"),
            &format!("{original}.md"),
            1,
        );
        return Err(LinkError::Problem(
            "link-to-translation",
            format!("\"{path}\" is a translation: links name the original"),
            format!(
                "link to {to_original} (or {scheme}:{original}); pages in each language lead to its version in that language"
            ),
        ));
    }
    let index = match lookup.find(kind, slug, site) {
        Ok(index) => index,
        Err(LinkError::TargetFailed) => return Err(LinkError::TargetFailed),
        Err(LinkError::Problem(..)) => return Err(missing()),
    };
    Ok(match kind {
        Kind::Note => {
            check_target_anchor(&anchor, &site.notes[index].body, slug)?;
            Target::Note { index, anchor }
        }
        Kind::Principle => {
            check_target_anchor(&anchor, &site.principles[index].body, slug)?;
            Target::Principle { index, anchor }
        }
        Kind::Page => {
            check_target_anchor(&anchor, &site.pages[index].body, slug)?;
            Target::Page { index, anchor }
        }
    })
}
