//! How pages link to each other: relative links in the web's clean style (`notes/x/`) or the
//! offline copy's file style (`notes/x/index.html`), and the marked style that stands for both
//! until a page is written, so `guidance build` renders each page once for the two.

use std::io::Write;

use super::Renderer;

/// How links between pages are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkStyle {
    /// `notes/x/`: for a web server, which serves `index.html` for a folder.
    Clean,
    /// `notes/x/index.html`: for the offline copy opened from disk.
    File,
    /// Either, decided after rendering: links carry markers that [`expand_links`] turns into
    /// one style or the other, so `guidance build` renders a page once for the site and its
    /// offline copy.
    Marked,
}

/// In a [`LinkStyle::Marked`] page, where a link to a folder's page ends: `index.html` in the
/// file style, nothing in the clean style. Unicode noncharacters, reserved for such internal
/// use; a site whose input holds them is rendered once per style instead (see
/// [`mentions_link_markers`]).
const FOLDER_PAGE: &str = "\u{FDD0}";
/// The home page linked from itself: `index.html` in the file style, `./` in the clean style.
const HOME_FROM_HOME: &str = "\u{FDD1}";
/// The markers as Markdown links write them (percent-encoded by the HTML writer).
const FOLDER_PAGE_ENCODED: &str = "%EF%B7%90";
const HOME_FROM_HOME_ENCODED: &str = "%EF%B7%91";

/// Writes a [`LinkStyle::Marked`] page into two writers as it comes, expanded into the clean
/// style for one and the file style for the other, so no page is held whole (the print edition
/// holds every document). No marker holds the byte `>`, so what has arrived up to the last `>`
/// can be expanded; the rest waits for more.
pub struct ExpandInto<'w> {
    clean: &'w mut dyn Write,
    file: &'w mut dyn Write,
    pending: Vec<u8>,
}

impl<'w> ExpandInto<'w> {
    pub fn new(clean: &'w mut dyn Write, file: &'w mut dyn Write) -> ExpandInto<'w> {
        ExpandInto {
            clean,
            file,
            pending: Vec::with_capacity(EXPAND_BLOCK * 2),
        }
    }

    /// Expands and writes what is left; the page has ended.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.expand(self.pending.len())
    }

    fn expand(&mut self, end: usize) -> std::io::Result<()> {
        let done = &self.pending[..end];
        self.clean
            .write_all(&expand_links(done, LinkStyle::Clean))?;
        self.file.write_all(&expand_links(done, LinkStyle::File))?;
        self.pending.drain(..end);
        Ok(())
    }
}

/// How much [`ExpandInto`] gathers before it expands.
const EXPAND_BLOCK: usize = 64 * 1024;

impl Write for ExpandInto<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(data);
        if self.pending.len() >= EXPAND_BLOCK
            && let Some(last) = self.pending.iter().rposition(|&b| b == b'>')
        {
            self.expand(last + 1)?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A [`LinkStyle::Marked`] page in the given style (`Clean` or `File`).
pub fn expand_links(marked: &[u8], style: LinkStyle) -> Vec<u8> {
    let (folder_page, home) = match style {
        LinkStyle::File => ("index.html", "index.html"),
        LinkStyle::Clean | LinkStyle::Marked => ("", "./"),
    };
    let markers = [
        (FOLDER_PAGE, folder_page),
        (HOME_FROM_HOME, home),
        (FOLDER_PAGE_ENCODED, folder_page),
        (HOME_FROM_HOME_ENCODED, home),
    ];
    let mut out = Vec::with_capacity(marked.len() + marked.len() / 16);
    let mut rest = marked;
    // Every marker starts with the byte 0xEF (UTF-8) or `%` (percent-encoded).
    while let Some(i) = memchr::memchr2(0xEF, b'%', rest) {
        out.extend_from_slice(&rest[..i]);
        let tail = &rest[i..];
        match markers.iter().find(|(m, _)| tail.starts_with(m.as_bytes())) {
            Some((marker, text)) => {
                out.extend_from_slice(text.as_bytes());
                rest = &tail[marker.len()..];
            }
            None => {
                out.push(tail[0]);
                rest = &tail[1..];
            }
        }
    }
    out.extend_from_slice(rest);
    out
}

/// Whether `text` (content, configuration, theme) holds a link marker, raw or percent-encoded
/// in any case, which a marked render could not tell from its own.
pub fn mentions_link_markers(text: &str) -> bool {
    text.contains(FOLDER_PAGE)
        || text.contains(HOME_FROM_HOME)
        || text.match_indices('%').any(|(i, _)| {
            let candidate = text.as_bytes().get(i..i + FOLDER_PAGE_ENCODED.len());
            candidate.is_some_and(|c| {
                [FOLDER_PAGE_ENCODED, HOME_FROM_HOME_ENCODED]
                    .iter()
                    .any(|m| c.eq_ignore_ascii_case(m.as_bytes()))
            })
        })
}

/// Turns a page path into the link to it, from the site root, in the given style.
pub fn link_path(path: &str, style: LinkStyle) -> String {
    match style {
        LinkStyle::File => path.to_string(),
        LinkStyle::Clean => match path.strip_suffix("index.html") {
            Some("") => "./".to_string(),
            Some(folder) => folder.to_string(),
            None => path.to_string(),
        },
        LinkStyle::Marked => match path.strip_suffix("index.html") {
            Some("") => HOME_FROM_HOME.to_string(),
            Some(folder) => format!("{folder}{FOLDER_PAGE}"),
            None => path.to_string(),
        },
    }
}

/// `../` once per folder between `path` and the site root.
pub fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// Where a page sits: its path, its language and the way back to the root.
pub(super) struct PageContext {
    pub(super) path: String,
    pub(super) root: String,
    pub(super) style: LinkStyle,
    pub(super) lang: String,
}

impl PageContext {
    pub(super) fn new(renderer: &Renderer, path: &str, lang: &str) -> PageContext {
        PageContext {
            path: path.to_string(),
            root: root_of(path),
            style: renderer.options.link_style,
            lang: lang.to_string(),
        }
    }

    /// The relative link from this page to the page at `target` (a path from the site root).
    pub(super) fn href(&self, target: String) -> String {
        let link = link_path(&target, self.style);
        if self.root.is_empty() {
            link
        } else if link == "./" {
            self.root.clone()
        } else if link == HOME_FROM_HOME {
            format!("{}{FOLDER_PAGE}", self.root)
        } else {
            format!("{}{}", self.root, link)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_expanded_as_it_is_written_is_the_page_expanded_whole() {
        // Markers of both kinds, some right after a `>` and some far from one, across many
        // blocks of `ExpandInto`.
        let mut marked = String::new();
        for i in 0..20_000 {
            marked.push_str(&format!(
                "<p><a href=\"../n{i}/\u{FDD0}\">n{i}</a>>\u{FDD1} \
                 <a href=\"{i}/%EF%B7%90#x\">%</a> text without a tag end {i}</p>\n"
            ));
        }
        let marked = marked.as_bytes();
        for piece in [1, 7, 4096, 100_000] {
            let (mut clean, mut file) = (Vec::new(), Vec::new());
            let mut both = ExpandInto::new(&mut clean, &mut file);
            for part in marked.chunks(piece) {
                both.write_all(part).unwrap();
            }
            both.finish().unwrap();
            assert!(
                clean == expand_links(marked, LinkStyle::Clean),
                "pieces of {piece}"
            );
            assert!(
                file == expand_links(marked, LinkStyle::File),
                "pieces of {piece}"
            );
        }
        assert!(
            !String::from_utf8(expand_links(marked, LinkStyle::File))
                .unwrap()
                .contains('\u{FDD0}')
        );
    }

    #[test]
    fn links_are_relative_in_both_styles() {
        assert_eq!(root_of("notes/a/index.html"), "../../");
        assert_eq!(root_of("index.html"), "");
        assert_eq!(
            link_path("notes/a/index.html", LinkStyle::Clean),
            "notes/a/"
        );
        assert_eq!(link_path("index.html", LinkStyle::Clean), "./");
        // A marked link becomes either style afterwards.
        for (path, clean, file) in [
            ("notes/a/index.html", "notes/a/", "notes/a/index.html"),
            ("index.html", "./", "index.html"),
            ("sitemap.xml", "sitemap.xml", "sitemap.xml"),
        ] {
            let marked = link_path(path, LinkStyle::Marked);
            assert_eq!(
                expand_links(marked.as_bytes(), LinkStyle::Clean),
                clean.as_bytes()
            );
            assert_eq!(
                expand_links(marked.as_bytes(), LinkStyle::File),
                file.as_bytes()
            );
        }
        assert_eq!(
            link_path("notes/a/index.html", LinkStyle::File),
            "notes/a/index.html"
        );
        let page = PageContext {
            path: "notes/a/index.html".into(),
            root: "../../".into(),
            style: LinkStyle::Clean,
            lang: "en".into(),
        };
        assert_eq!(page.href("index.html".into()), "../../");
        assert_eq!(
            page.href("principles/b/index.html".into()),
            "../../principles/b/"
        );
        let home = PageContext {
            path: "index.html".into(),
            root: String::new(),
            style: LinkStyle::Clean,
            lang: "en".into(),
        };
        assert_eq!(home.href("index.html".into()), "./");

        // Marked: the home page from below, and a marker as a Markdown link percent-encodes it.
        let marked = PageContext {
            style: LinkStyle::Marked,
            ..page
        };
        let up = marked.href("index.html".into());
        assert_eq!(expand_links(up.as_bytes(), LinkStyle::Clean), b"../../");
        assert_eq!(
            expand_links(up.as_bytes(), LinkStyle::File),
            b"../../index.html"
        );
        assert_eq!(
            expand_links(b"<a href=\"../%EF%B7%90#x\">%</a>", LinkStyle::File),
            b"<a href=\"../index.html#x\">%</a>"
        );
        assert!(mentions_link_markers("a \u{FDD1} b"));
        assert!(mentions_link_markers("[x](a/%ef%B7%90)"));
        assert!(!mentions_link_markers("100% of %EF%B7 and \u{FDD2}"));
    }
}
