//! Files under `files/` (images, PDFs): published as they are, shown and linked from bodies with
//! links relative to each page (a domain root, a subpath, the offline copy from `file://`), in
//! the offline zip, and checked: a missing file or one outside `files/` is an error with its
//! place and what to write instead.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;

const NOTE: &str = "notes/participatory-budgeting.md";
const NOTE_PAGE: &str = "notes/participatory-budgeting/index.html";
const PDF: &[u8] = b"%PDF-1.4\n% a stand-in report\n%%EOF\n";

/// A valid PNG of `width` x `height` blue pixels, made here (no image crate): RGB scanlines in
/// one stored (uncompressed) deflate block.
fn png(width: u32, height: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend(kind);
        out.extend(data);
        let crc = crc32(&out[start..]);
        out.extend(crc.to_be_bytes());
    }
    // Each row: filter type 0 (none), then the pixels.
    let row: Vec<u8> = std::iter::once(0)
        .chain((0..width).flat_map(|_| [0x1f, 0x6f, 0xb4]))
        .collect();
    let raw = row.repeat(height as usize);
    let len = u16::try_from(raw.len()).expect("one stored block");
    let mut zlib = vec![0x78, 0x01, 0x01];
    zlib.extend(len.to_le_bytes());
    zlib.extend((!len).to_le_bytes());
    zlib.extend(&raw);
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    zlib.extend(((b << 16) | a).to_be_bytes());
    let mut header = Vec::new();
    header.extend(width.to_be_bytes());
    header.extend(height.to_be_bytes());
    header.extend([8, 2, 0, 0, 0]); // 8 bits, RGB
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &header);
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A copy of tests/fixtures/valid-site with `files/chart.png` and `files/report.pdf`, and
/// `body` added to the participatory-budgeting note.
fn project_with_files(body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(
        &common::repo_root().join("tests/fixtures/valid-site"),
        dir.path(),
    );
    let files = dir.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(files.join("chart.png"), png(24, 16)).unwrap();
    std::fs::write(files.join("report.pdf"), PDF).unwrap();
    let note = dir.path().join(NOTE);
    let mut text = std::fs::read_to_string(&note).unwrap();
    text.push_str(body);
    std::fs::write(&note, text).unwrap();
    dir
}

const BODY: &str =
    "\n## Figures\n\n![A chart](../files/chart.png)\n\nRead [the report](/files/report.pdf).\n";

/// The values of `attribute` in the tags of `html` that hold `needle` in that attribute.
fn values<'h>(html: &'h str, attribute: &str, needle: &str) -> Vec<&'h str> {
    let start = format!(" {attribute}=\"");
    html.match_indices(&start)
        .map(|(i, _)| {
            let rest = &html[i + start.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .filter(|v| v.contains(needle))
        .collect()
}

/// `link` (relative, `/`-separated) from the page at `page` (a path in a site), as a path in the
/// site; `None` if it climbs out of it.
fn resolve(page: &str, link: &str) -> Option<String> {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for part in link.split(['#', '?']).next().unwrap().split('/') {
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

/// Every file under `dir` with its bytes, by relative path.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let path = e.path().strip_prefix(dir).unwrap().to_path_buf();
            (path, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn files_are_published_linked_relative_to_each_page_and_zipped() {
    let project = project_with_files(BODY);
    let (dir, site) = common::build_to_temp(project.path());
    let chart = png(24, 16);
    assert_eq!(std::fs::read(site.join("files/chart.png")).unwrap(), chart);
    assert_eq!(std::fs::read(site.join("files/report.pdf")).unwrap(), PDF);

    // Each page links the files relative to itself: the note, the same note among the French
    // pages (one folder deeper) and the print edition (one folder higher).
    for (page, up) in [
        (NOTE_PAGE.to_string(), "../../"),
        (format!("fr/{NOTE_PAGE}"), "../../../"),
        ("print/index.html".to_string(), "../"),
    ] {
        let html = std::fs::read_to_string(site.join(&page)).unwrap();
        assert_eq!(
            values(&html, "src", "chart.png"),
            [format!("{up}files/chart.png")],
            "{page}"
        );
        assert_eq!(
            values(&html, "href", "report.pdf"),
            [format!("{up}files/report.pdf")],
            "{page}"
        );
        for link in
            values(&html, "src", "chart.png")
                .into_iter()
                .chain(values(&html, "href", "report.pdf"))
        {
            let target = resolve(&page, link).expect("stays in the site");
            assert!(site.join(&target).is_file(), "{page}: {link} leads nowhere");
        }
    }

    // The offline copy holds the files, and its note page leads to them.
    let (model, _) = guidance::load_site(project.path()).unwrap();
    let zip_path = site.join(guidance::bundle::site_path(&model));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let stem = guidance::bundle::stem(&model);
    let mut read = |path: &str| {
        let mut bytes = Vec::new();
        zip.by_name(&format!("{stem}/{path}"))
            .unwrap_or_else(|e| panic!("{path} is not in the zip: {e}"))
            .read_to_end(&mut bytes)
            .unwrap();
        bytes
    };
    let page = String::from_utf8(read(NOTE_PAGE)).unwrap();
    let src = values(&page, "src", "chart.png");
    let href = values(&page, "href", "report.pdf");
    assert_eq!(src, ["../../files/chart.png"]);
    assert_eq!(href, ["../../files/report.pdf"]);
    assert_eq!(read(&resolve(NOTE_PAGE, src[0]).unwrap()), chart);
    assert_eq!(read(&resolve(NOTE_PAGE, href[0]).unwrap()), PDF);

    // The same project builds to the same bytes.
    let (_again_dir, again) = common::build_to_temp(project.path());
    assert!(snapshot(&site) == snapshot(&again), "two builds differ");
    drop(dir);
}

/// Runs `guidance check` on `root`; returns its stderr, which must report a failure.
fn failing_check(root: &Path) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_guidance"))
        .args(["check", "--root"])
        .arg(root)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success(), "check passed:\n{stderr}");
    stderr
}

/// `--> file:line:col` of the first place `text` is written in the note.
fn place_of(root: &Path, text: &str) -> String {
    let source = std::fs::read_to_string(root.join(NOTE)).unwrap();
    let (n, line) = source
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(text))
        .unwrap();
    let column = line[..line.find(text).unwrap()].chars().count() + 1;
    format!("--> {NOTE}:{}:{column}", n + 1)
}

#[test]
fn check_reports_a_missing_file_and_a_file_outside_files() {
    let project = project_with_files(
        "\n## Figures\n\n![A chart](../files/chrat.png)\n\n![An icon](/static/icon.svg)\n\nRead [the report](files/report.pdf).\n\n![A map](https://example.org/map.png)\n",
    );
    let root = project.path();
    let stderr = failing_check(root);
    let report = |start: &str| {
        let at = stderr
            .find(start)
            .unwrap_or_else(|| panic!("no `{start}` in:\n{stderr}"));
        let end = stderr[at..].find("\n\n").map_or(stderr.len(), |e| at + e);
        stderr[at..end].to_string()
    };

    let missing = report("error[missing-file]: file \"../files/chrat.png\" does not exist");
    assert!(
        missing.contains(&place_of(root, "../files/chrat.png")),
        "{missing}"
    );
    assert!(
        missing.contains("help: did you mean \"../files/chart.png\"?"),
        "{missing}"
    );

    let outside = report("error[outside-files]: \"/static/icon.svg\" is not in files/");
    assert!(
        outside.contains(&place_of(root, "/static/icon.svg")),
        "{outside}"
    );
    assert!(
        outside.contains(
            "help: put the file in files/ and link it from there, e.g. \"/files/icon.svg\""
        ),
        "{outside}"
    );

    // From notes/, `files/report.pdf` is notes/files/report.pdf: the help says what to write.
    let relative =
        report("error[outside-files]: \"files/report.pdf\" leads to notes/files/report.pdf");
    assert!(
        relative.contains(&place_of(root, "files/report.pdf")),
        "{relative}"
    );
    assert!(
        relative.contains("write \"../files/report.pdf\", or \"/files/report.pdf\""),
        "{relative}"
    );
    // An image from another site is allowed, but readers of the offline copy will not see it.
    let external = report(
        "warning[external-image]: image \"https://example.org/map.png\" loads from another site: it does not show offline",
    );
    assert!(
        external.contains(&place_of(root, "https://example.org/map.png")),
        "{external}"
    );
    assert!(
        external.contains("help: save it in files/ and show it from there"),
        "{external}"
    );
    assert!(stderr.contains("check failed: 3 errors"), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// In the browser

#[test]
fn the_image_loads_over_http_under_a_subpath_and_from_the_offline_copy() {
    let Some(browser) = common::browser() else {
        return;
    };
    let project = project_with_files(BODY);
    let (dir, site) = common::build_to_temp(project.path());
    let loaded = "(img => img && img.complete && img.naturalWidth)(document.querySelector('main img[alt=\"A chart\"]'))";

    for prefix in ["/", "/guidance/"] {
        let server = common::StaticServer::start_under(&site, prefix);
        let page = browser.open(&server.url("notes/participatory-budgeting/"));
        page.wait_for(loaded, Duration::from_secs(10));
        assert_eq!(page.eval(loaded), json!(24), "{prefix}");
        assert_eq!(
            page.eval("fetch(document.querySelector('main a[href$=\"report.pdf\"]').href).then(r => r.status)"),
            json!(200),
            "{prefix}: the report"
        );
        assert_eq!(page.failures(), Vec::<String>::new(), "{prefix}");
    }

    let (model, _) = guidance::load_site(project.path()).unwrap();
    let zip_path = site.join(guidance::bundle::site_path(&model));
    let unpacked = dir.path().join("unpacked");
    zip::ZipArchive::new(std::fs::File::open(zip_path).unwrap())
        .unwrap()
        .extract(&unpacked)
        .unwrap();
    let copy = unpacked.join(guidance::bundle::stem(&model));
    for path in [NOTE_PAGE, "print/index.html"] {
        let page = browser.open(&common::file_url(&copy, path));
        page.wait_for(loaded, Duration::from_secs(10));
        assert_eq!(page.eval(loaded), json!(24), "{path} from disk");
        assert_eq!(page.failures(), Vec::<String>::new(), "{path} from disk");
    }
}
