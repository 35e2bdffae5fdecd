//! The project's `files/` folder: images, PDFs and anything else a body links, published byte
//! for byte at the same path in the site.

use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use super::{display_path, is_editor_leftover};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{FILES_FOLDER, ProjectFile};

/// Every file under `root/files/`, sorted by path, read whole. Hidden files and folders (`.DS_Store`,
/// `.git/`) and editors' backups are left out, as in the content folders; a file that cannot be
/// read is an error.
pub fn load_files(root: &Path) -> (Vec<ProjectFile>, Diagnostics) {
    let folder = root.join(FILES_FOLDER);
    let mut diagnostics = Diagnostics::default();
    if !folder.exists() {
        return (Vec::new(), diagnostics);
    }
    if !folder.is_dir() {
        diagnostics.push(
            Diagnostic::error("not-a-folder", format!("`{FILES_FOLDER}` is not a folder"))
                .in_file(FILES_FOLDER)
                .help(format!(
                    "`{FILES_FOLDER}/` holds the images and documents the site publishes: make it a folder, or rename the file"
                )),
        );
        return (Vec::new(), diagnostics);
    }
    let mut paths = Vec::new();
    let walk = walkdir::WalkDir::new(&folder)
        .follow_links(true)
        .sort_by_file_name()
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let shown = e
                    .path()
                    .map_or_else(|| FILES_FOLDER.to_string(), |p| display_path(root, p));
                let d = if e.loop_ancestor().is_some() {
                    Diagnostic::error("symlink-loop", "symbolic link loop").help(
                        "remove the symbolic link that points back to one of its own parent folders",
                    )
                } else {
                    Diagnostic::error("io", format!("cannot read: {e}"))
                        .help("check the file's permissions")
                };
                diagnostics.push(d.in_file(shown));
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy();
        if !entry.file_type().is_file() || is_editor_leftover(&name) {
            continue;
        }
        if entry.path().to_str().is_none() {
            diagnostics.push(
                Diagnostic::warning("file-name", "file left out: its name is not valid UTF-8")
                    .in_file(display_path(root, entry.path()))
                    .help("rename it with letters, digits, `-` and `.`"),
            );
            continue;
        }
        paths.push(entry.into_path());
    }
    let read: Vec<Result<ProjectFile, Diagnostic>> = paths
        .par_iter()
        .map(|path| {
            let shown = display_path(root, path);
            match std::fs::read(path) {
                Ok(bytes) => Ok(ProjectFile {
                    path: shown,
                    bytes: Arc::from(bytes),
                }),
                Err(e) => Err(Diagnostic::error("io", format!("cannot read file: {e}"))
                    .in_file(shown)
                    .help("check the file's permissions")),
            }
        })
        .collect();
    let mut files = Vec::with_capacity(read.len());
    for result in read {
        match result {
            Ok(file) => files.push(file),
            Err(d) => diagnostics.push(d),
        }
    }
    // By path as a string (the walk sorts each folder's entries by name, which differs where a
    // name is a prefix of another: `a/` and `a-b`), so the model can search it.
    files.sort_by(|a, b| a.path.cmp(&b.path));
    (files, diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_listed_by_path_without_hidden_files_or_backups() {
        let dir = tempfile::tempdir().unwrap();
        let files = dir.path().join("files");
        std::fs::create_dir_all(files.join("a")).unwrap();
        std::fs::create_dir_all(files.join(".git")).unwrap();
        for (name, bytes) in [
            ("a/x.png", &b"\x89PNG"[..]),
            ("a-b.pdf", b"%PDF"),
            (".DS_Store", b"junk"),
            (".git/HEAD", b"junk"),
            ("notes.txt~", b"junk"),
        ] {
            std::fs::write(files.join(name), bytes).unwrap();
        }
        let (found, problems) = load_files(dir.path());
        assert!(problems.is_empty(), "{problems}");
        let paths: Vec<&str> = found.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["files/a-b.pdf", "files/a/x.png"]);
        assert_eq!(&*found[1].bytes, b"\x89PNG");
    }

    #[test]
    fn no_folder_is_no_files_and_a_file_in_its_place_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let (found, problems) = load_files(dir.path());
        assert!(found.is_empty() && problems.is_empty());
        std::fs::write(dir.path().join("files"), "x").unwrap();
        let (_, problems) = load_files(dir.path());
        assert!(problems.has_errors(), "{problems}");
    }
}
