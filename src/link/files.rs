//! Links and images that lead to a file under `files/` (`![A chart](../files/chart.png)`,
//! `[the report](/files/report.pdf)`): resolved like a relative link to a document, against the
//! linking file's folder or, from `/`, the project's root, and then required to name a file that
//! `files/` holds, since only those are published.

use std::borrow::Cow;

use super::LinkError;
use crate::diagnostic::did_you_mean;
use crate::load::Document;
use crate::markdown::encode_path;
use crate::model::{FILES_FOLDER, Site, Target};

/// The file a relative destination that is not a Markdown document leads to. `path` is the
/// destination as written up to its `#`, and `fragment` what follows it.
pub(super) fn resolve_file(
    site: &Site,
    doc: &Document,
    path: &str,
    fragment: Option<String>,
) -> Result<Target, LinkError> {
    let decoded = percent_decode(path);
    let folder = format!("{FILES_FOLDER}/");
    let Some(resolved) = join(&doc.source.path, &decoded) else {
        return Err(outside(doc, path, None, site));
    };
    let Some(name) = resolved.strip_prefix(&folder).filter(|n| !n.is_empty()) else {
        return Err(outside(doc, path, Some(&resolved), site));
    };
    if site.file(&resolved).is_some() {
        return Ok(Target::File {
            path: resolved,
            fragment,
        });
    }
    let names = site
        .files
        .iter()
        .filter_map(|f| f.path.strip_prefix(&folder));
    let message = format!("file \"{path}\" does not exist");
    let inside = format!("{}/", resolved.trim_end_matches('/'));
    let help = if site.files.iter().any(|f| f.path.starts_with(&inside)) {
        format!("{resolved} is a folder: link one of the files in it")
    } else if let Some(close) = closest(name, names) {
        format!(
            "did you mean \"{}\"?",
            written_like(path, doc, &format!("{folder}{close}"))
        )
    } else if site.files.is_empty() {
        format!("put the file at {resolved}: the site publishes the files in {folder}")
    } else {
        format!("no file at {resolved}: check the name, or put the file there")
    };
    Err(LinkError::Problem("missing-file", message, help))
}

/// The error for a destination outside `files/` (`../notes/x.png`, `/static/icon.svg`), which
/// the site would not publish; `resolved` is where it leads from the project's root, `None` when
/// that is above the root.
fn outside(doc: &Document, path: &str, resolved: Option<&str>, site: &Site) -> LinkError {
    let folder = format!("{FILES_FOLDER}/");
    let message = match resolved {
        None => format!("\"{path}\" leads out of the project folder"),
        Some(r) if r != percent_decode(path.trim_start_matches('/')) => format!(
            "\"{path}\" leads to {r}, which is not in {folder}: the site publishes only the files there"
        ),
        Some(_) => {
            format!("\"{path}\" is not in {folder}: the site publishes only the files there")
        }
    };
    // Written as if from the project root (`files/report.pdf` in a note means the project's).
    let as_if_from_root = path.trim_start_matches("./").trim_start_matches('/');
    let meant = [
        as_if_from_root.to_string(),
        percent_decode(as_if_from_root).into_owned(),
    ]
    .into_iter()
    .find(|p| p.starts_with(&folder) && site.file(p).is_some());
    let file_name = path.rsplit('/').next().unwrap_or(path);
    let same_name = site
        .files
        .iter()
        .find(|f| f.path.rsplit('/').next() == Some(&*percent_decode(file_name)));
    let help = match (meant, same_name, resolved) {
        (Some(meant), _, Some(_)) => format!(
            "a path starts from the file's own folder, {}/: write \"{}\", or \"{}\" from the project folder",
            doc.source
                .path
                .rsplit_once('/')
                .map_or("", |(folder, _)| folder),
            written_like("", doc, &meant),
            written_like("/", doc, &meant)
        ),
        (_, Some(file), _) => format!(
            "{} is in {folder}: write \"{}\"",
            file.path,
            written_like(path, doc, &file.path)
        ),
        _ => format!(
            "put the file in {folder} and link it from there, e.g. \"{}\"",
            written_like(path, doc, &format!("{folder}{file_name}"))
        ),
    };
    LinkError::Problem("outside-files", message, help)
}

/// `path` (a `/`-separated relative path, or one from the root when it starts with `/`) joined
/// to the folder of `from` (a path from the project root); `None` if it climbs above the root.
pub(super) fn join(from: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    if path.starts_with('/') {
        parts.clear();
    }
    for part in path.split('/') {
        match part {
            "." | "" => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// How the editor would write a link to `target` (a path from the project root) in `doc`: from
/// the root (`/files/x.png`) if `written` was, else relative to the document's folder; encoded
/// as a link's destination (`my%20chart.png`).
fn written_like(written: &str, doc: &Document, target: &str) -> String {
    let target = encode_path(target);
    if written.starts_with('/') {
        return format!("/{target}");
    }
    let depth = doc.source.path.matches('/').count();
    format!("{}{target}", "../".repeat(depth))
}

/// The name among `names` closest to `wanted`: a near spelling, or the one file of the same name
/// in another folder.
fn closest<'a>(wanted: &str, names: impl Iterator<Item = &'a str> + Clone) -> Option<&'a str> {
    if let Some(close) = did_you_mean(wanted, names.clone()) {
        return Some(close);
    }
    fn base(name: &str) -> &str {
        name.rsplit('/').next().unwrap_or(name)
    }
    let wanted_base = base(wanted).to_lowercase();
    let mut same = names.filter(|n| base(n).to_lowercase() == wanted_base);
    match (same.next(), same.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// `%XX` escapes decoded (`my%20chart.png` names `my chart.png`); the text as it is when they do
/// not make UTF-8.
fn percent_decode(text: &str) -> Cow<'_, str> {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .unwrap_or(Cow::Borrowed(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_like_relative_links() {
        assert_eq!(
            join("notes/a.md", "../files/x.png").as_deref(),
            Some("files/x.png")
        );
        assert_eq!(
            join("notes/a.md", "files/x.png").as_deref(),
            Some("notes/files/x.png")
        );
        assert_eq!(
            join("notes/sub/a.md", "/files/./x.png").as_deref(),
            Some("files/x.png")
        );
        assert_eq!(join("notes/a.md", "../../x.png"), None);
    }

    #[test]
    fn escapes_are_decoded_only_when_they_make_text() {
        assert_eq!(percent_decode("my%20chart.png"), "my chart.png");
        assert_eq!(percent_decode("caf%C3%A9.pdf"), "café.pdf");
        assert_eq!(percent_decode("100%.png"), "100%.png");
        assert_eq!(percent_decode("%FF.png"), "%FF.png");
    }

    #[test]
    fn the_closest_name_is_a_near_spelling_or_the_same_name_elsewhere() {
        let names = ["chart.png", "reports/2024.pdf", "report.pdf"];
        assert_eq!(
            closest("chrat.png", names.iter().copied()),
            Some("chart.png")
        );
        assert_eq!(
            closest("2024.pdf", names.iter().copied()),
            Some("reports/2024.pdf")
        );
        assert_eq!(closest("budget.xlsx", names.iter().copied()), None);
    }
}
