//! The offline copy and the print edition, end to end: build the real project, unzip the copy,
//! check every link in it on disk, then open it from `file://` in headless Chromium with the
//! network switched off.
mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chromiumoxide::cdp::browser_protocol::emulation::SetEmulatedMediaParams;
use chromiumoxide::cdp::browser_protocol::network::{
    EmulateNetworkConditionsByRuleParams, NetworkConditions, OverrideNetworkStateParams,
};
use chromiumoxide::cdp::browser_protocol::page::PrintToPdfParams;
use serde_json::json;

/// The real project, built once per test into a temporary folder, with its zip unpacked.
struct Built {
    _dir: tempfile::TempDir,
    site: PathBuf,
    zip_bytes: Vec<u8>,
    /// The unzipped copy's top-level folder (the one holding index.html).
    copy: PathBuf,
    site_model: guidance::Site,
}

/// Builds a snapshot of the real project (others may be editing the content meanwhile).
fn build() -> Built {
    let project = common::copy_of_real_project();
    build_from(project.path())
}

fn build_from(root: &Path) -> Built {
    let (dir, site) = common::build_to_temp(root);
    let (site_model, _) = guidance::load_site(root).unwrap_or_else(|d| panic!("{d}"));
    let zip_path = site.join(guidance::bundle::site_path(&site_model));
    let zip_bytes =
        std::fs::read(&zip_path).unwrap_or_else(|e| panic!("{}: {e}", zip_path.display()));
    let unpacked = dir.path().join("unpacked");
    zip::ZipArchive::new(std::io::Cursor::new(zip_bytes.clone()))
        .unwrap()
        .extract(&unpacked)
        .unwrap();
    let copy = unpacked.join(guidance::bundle::stem(&site_model));
    Built {
        _dir: dir,
        site,
        zip_bytes,
        copy,
        site_model,
    }
}

// ---------------------------------------------------------------------------------------------
// The zip itself

#[test]
fn the_zip_holds_one_folder_with_a_readme_and_never_itself() {
    let built = build();
    let stem = guidance::bundle::stem(&built.site_model);
    assert!(stem.starts_with("cepa-guidance-offline-"), "{stem}");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(built.zip_bytes.clone())).unwrap();
    let names: Vec<String> = (0..archive.len())
        .map(|i| archive.name_for_index(i).unwrap().unwrap().into_owned())
        .collect();
    assert!(names.len() > 100, "only {} entries", names.len());
    let prefix = format!("{stem}/");
    for name in &names {
        assert!(
            name.starts_with(&prefix),
            "entry outside the top-level folder: {name}"
        );
        assert!(!name.ends_with(".zip"), "the copy contains a zip: {name}");
    }
    let mut sorted_files: Vec<&String> = names.iter().filter(|n| !n.ends_with('/')).collect();
    let in_order = sorted_files.clone();
    sorted_files.sort();
    assert_eq!(in_order, sorted_files, "entries are not sorted");
    for name in [
        "index.html",
        "README.txt",
        "print/index.html",
        "download/index.html",
        "search/index.html",
        // A note not translated into French, shown in the original inside the French pages.
        "fr/notes/data-sharing/index.html",
    ] {
        assert!(names.contains(&format!("{prefix}{name}")), "missing {name}");
    }
    // The French notes index links to it by its file.
    let index = std::fs::read_to_string(built.copy.join("fr/notes/index.html")).unwrap();
    assert!(
        index.contains("href=\"../../fr/notes/data-sharing/index.html\""),
        "the French notes index does not link to the French data-sharing page"
    );
    let date = guidance::bundle::content_date(&built.site_model).expect("the notes are dated");
    for i in 0..archive.len() {
        let entry = archive.by_index(i).unwrap();
        let time = entry.last_modified().unwrap();
        assert_eq!(
            (
                time.year(),
                time.month(),
                time.day(),
                time.hour(),
                time.minute(),
                time.second()
            ),
            (
                date.year,
                date.month.unwrap_or(1),
                date.day.unwrap_or(1),
                0,
                0,
                0
            ),
            "{:?}",
            entry.name()
        );
        let mode = entry.unix_mode().unwrap() & 0o777;
        assert_eq!(
            mode,
            if entry.is_dir() { 0o755 } else { 0o644 },
            "{:?}",
            entry.name()
        );
    }
    let readme = std::fs::read_to_string(built.copy.join("README.txt")).unwrap();
    assert!(readme.starts_with('\u{feff}'), "marked as UTF-8");
    assert!(readme.contains("open the file index.html"), "{readme}");
    assert!(readme.contains(&date.to_string()), "{readme}");
    // Each language's readers are told which page to open, in their language.
    for line in [
        "En français : ouvrez fr/index.html\r\n",
        "بالعربية: افتح ar/index.html\r\n",
        "中文版：打开 zh/index.html\r\n",
    ] {
        assert!(readme.contains(line), "no {line:?} in {readme}");
    }
    assert!(
        readme.lines().all(|l| l.chars().count() <= 80),
        "lines are wrapped: {readme}"
    );
    let steps = std::fs::read_to_string(built.site.join("fr/download/index.html")).unwrap();
    assert!(
        steps.contains("puis ouvrez fr/index.html dans votre navigateur"),
        "the French Download page names the French home page"
    );
}

#[test]
fn the_zip_is_byte_identical_across_builds_and_bundle_writes_the_same_zip() {
    let project = common::copy_of_real_project();
    let one = build_from(project.path());
    let two = build_from(project.path());
    assert!(
        one.zip_bytes == two.zip_bytes,
        "two builds gave different zips"
    );
    // The whole published site is identical too (the Download page shows the zip's size).
    let files = |site: &Path| -> BTreeMap<String, Vec<u8>> {
        walkdir::WalkDir::new(site)
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (
                    e.path().strip_prefix(site).unwrap().display().to_string(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect()
    };
    let (a, b) = (files(&one.site), files(&two.site));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs between two builds");
    }

    // `guidance bundle --out FILE` writes that file and nothing else, with the same bytes.
    let out = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_guidance"))
        .args(["bundle", "--root"])
        .arg(project.path())
        .arg("--out")
        .arg(out.path().join("copy.zip"))
        .status()
        .unwrap();
    assert!(status.success());
    let written: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(written, [std::ffi::OsString::from("copy.zip")]);
    assert!(
        std::fs::read(out.path().join("copy.zip")).unwrap() == one.zip_bytes,
        "bundle and build zips differ"
    );

    // Without --out, it is named after the site and written in the current folder.
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_guidance"))
        .args(["bundle", "--root"])
        .arg(project.path())
        .current_dir(out.path())
        .status()
        .unwrap();
    assert!(status.success());
    let default = out
        .path()
        .join(guidance::bundle::file_name(&one.site_model));
    assert!(std::fs::read(&default).unwrap() == one.zip_bytes);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&default).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode, 0o644,
            "the zip is written readable by all, like any download"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Links, on disk

/// Every link-like attribute in an HTML file: (attribute, value, the tag it sits in).
fn links_in(html: &str) -> Vec<(String, String, String)> {
    let mut links = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        rest = &rest[end..];
        if tag.starts_with('!') || tag.starts_with('/') {
            continue;
        }
        for attr in ["href", "src", "srcset", "action", "poster", "data"] {
            let needle = format!(" {attr}=\"");
            let mut at = 0;
            while let Some(i) = tag[at..].find(&needle) {
                let value_start = at + i + needle.len();
                let value_end = tag[value_start..]
                    .find('"')
                    .map_or(tag.len(), |j| value_start + j);
                let value = decode_entities(&tag[value_start..value_end]);
                if attr == "srcset" {
                    for candidate in value.split(',') {
                        if let Some(url) = candidate.split_whitespace().next() {
                            links.push((attr.to_string(), url.to_string(), tag.to_string()));
                        }
                    }
                } else {
                    links.push((attr.to_string(), value, tag.to_string()));
                }
                at = value_end;
            }
        }
    }
    links
}

fn decode_entities(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|&e| e < 12) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if entity.starts_with("#x") || entity.starts_with("#X") => {
                u32::from_str_radix(&entity[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if entity.starts_with('#') => entity[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        if bytes[i] == b'%'
            && let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The ids an HTML file defines, cached.
fn ids_of<'c>(cache: &'c mut HashMap<PathBuf, Vec<String>>, file: &Path) -> &'c Vec<String> {
    cache.entry(file.to_path_buf()).or_insert_with(|| {
        let html = std::fs::read_to_string(file).unwrap_or_default();
        let mut ids = Vec::new();
        for needle in [" id=\"", " name=\""] {
            let mut rest = html.as_str();
            while let Some(i) = rest.find(needle) {
                rest = &rest[i + needle.len()..];
                let end = rest.find('"').unwrap_or(rest.len());
                ids.push(decode_entities(&rest[..end]));
            }
        }
        ids
    })
}

/// Checks every link in every HTML file of `root`; returns how many links it followed and what
/// is wrong. `file_links`: the copy opened from disk, where a folder link does not open its
/// index.html, so every link must name a file.
fn link_problems(root: &Path, file_links: bool) -> (usize, Vec<String>) {
    let mut problems = Vec::new();
    let mut ids: HashMap<PathBuf, Vec<String>> = HashMap::new();
    let mut checked = 0;
    let pages: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.path().to_path_buf())
        .collect();
    for page in &pages {
        let html = std::fs::read_to_string(page).unwrap();
        let shown = page.strip_prefix(root).unwrap().display().to_string();
        for (attr, value, tag) in links_in(&html) {
            let lower = value.to_ascii_lowercase();
            let is_resource = attr != "href" && attr != "action"
                || (tag.starts_with("link")
                    && !tag.contains("rel=\"canonical\"")
                    && !tag.contains("rel=\"alternate\""));
            if lower.starts_with("http:") || lower.starts_with("https:") || lower.starts_with("//")
            {
                if is_resource {
                    problems.push(format!("{shown}: <{tag}> loads {value} from the network"));
                }
                continue;
            }
            if lower.starts_with("mailto:")
                || lower.starts_with("tel:")
                || lower.starts_with("data:")
            {
                continue;
            }
            if lower.starts_with("javascript:") || lower.starts_with('/') || lower.contains("://") {
                problems.push(format!(
                    "{shown}: {attr}=\"{value}\" does not work from disk"
                ));
                continue;
            }
            checked += 1;
            let (path_part, fragment) = match value.split_once('#') {
                Some((p, f)) => (p, Some(percent_decode(f))),
                None => (value.as_str(), None),
            };
            let path_part = path_part.split('?').next().unwrap_or("");
            let mut target = if path_part.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(percent_decode(path_part))
            };
            if target.is_dir() {
                if file_links {
                    problems.push(format!(
                        "{shown}: {attr}=\"{value}\" names a folder, which does not open from disk"
                    ));
                    continue;
                }
                target = target.join("index.html");
            }
            let Ok(target) = target.canonicalize() else {
                problems.push(format!("{shown}: {attr}=\"{value}\" leads to no file"));
                continue;
            };
            if !target.starts_with(root.canonicalize().unwrap()) {
                problems.push(format!("{shown}: {attr}=\"{value}\" leaves the site"));
                continue;
            }
            if let Some(fragment) = fragment.filter(|f| !f.is_empty())
                && target.extension().is_some_and(|x| x == "html")
                && !ids_of(&mut ids, &target).contains(&fragment)
            {
                problems.push(format!(
                    "{shown}: {attr}=\"{value}\": no element has id `{fragment}`"
                ));
            }
        }
    }
    // Stylesheets load nothing from the network either.
    for entry in walkdir::WalkDir::new(root).into_iter().map(Result::unwrap) {
        if entry.path().extension().is_some_and(|x| x == "css") {
            let css = std::fs::read_to_string(entry.path())
                .unwrap()
                .to_ascii_lowercase();
            for needle in ["url(http", "url(\"http", "url('http", "url(//", "@import"] {
                if css.contains(needle) {
                    problems.push(format!(
                        "{}: `{needle}` in a stylesheet",
                        entry.path().display()
                    ));
                }
            }
        }
    }
    (checked, problems)
}

#[test]
fn every_link_in_the_offline_copy_names_an_existing_file() {
    let built = build();
    for (root, file_links) in [(&built.copy, true), (&built.site, false)] {
        let (checked, problems) = link_problems(root, file_links);
        assert!(
            problems.is_empty(),
            "{} broken links in {}:\n{}",
            problems.len(),
            root.display(),
            problems.join("\n")
        );
        assert!(
            checked > 5000,
            "only {checked} links checked in {}",
            root.display()
        );
    }
}

#[test]
fn the_link_checker_sees_what_breaks_offline() {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "index.html",
        "<link rel=\"stylesheet\" href=\"https://cdn.example.org/x.css\"><link rel=\"canonical\" href=\"https://example.org/\">\
         <a href=\"notes/a/index.html#why\">ok</a> <a href=\"notes/a/\">folder</a> <a href=\"notes/b/index.html\">missing</a>\
         <a href=\"notes/a/index.html#nowhere\">bad anchor</a> <a href=\"https://example.org/\">external text link</a>\
         <img src=\"//cdn.example.org/i.png\" alt=\"\"><script src=\"static/x.js\"></script>",
    );
    write(
        "notes/a/index.html",
        "<h2 id=\"why\">Why</h2><a href=\"../../index.html\">home</a>",
    );
    write("static/x.js", "");
    write(
        "static/site.css",
        "body { background: url(https://cdn.example.org/bg.png) }",
    );
    let (checked, problems) = link_problems(dir.path(), true);
    let text = problems.join("\n");
    assert_eq!(checked, 6, "{text}");
    for expected in [
        "loads https://cdn.example.org/x.css",
        "loads //cdn.example.org/i.png",
        "\"notes/a/\" names a folder",
        "\"notes/b/index.html\" leads to no file",
        "no element has id `nowhere`",
        "url(http",
    ] {
        assert!(
            text.contains(expected),
            "`{expected}` not reported:\n{text}"
        );
    }
    assert_eq!(problems.len(), 6, "{text}");
    // On a web server, a folder link is fine.
    let (_, problems) = link_problems(dir.path(), false);
    assert_eq!(problems.len(), 5, "{problems:?}");
}

#[test]
fn the_download_page_is_in_every_footer_and_shows_the_zip_size_and_content_date() {
    let built = build();
    let date = guidance::bundle::content_date(&built.site_model)
        .unwrap()
        .to_string();
    let newest = built
        .site_model
        .notes
        .iter()
        .filter_map(|n| n.meta.updated)
        .max()
        .unwrap()
        .to_string();
    assert_eq!(
        date, newest,
        "the content date is the newest `updated` date among notes"
    );
    let size = guidance::bundle::human_size(built.zip_bytes.len() as u64);

    let page = std::fs::read_to_string(built.site.join("download/index.html")).unwrap();
    let file_name = guidance::bundle::file_name(&built.site_model);
    assert!(
        page.contains(&format!("<dd>{size}</dd>")),
        "size {size} missing:\n{page}"
    );
    assert!(
        page.contains(&format!("datetime=\"{date}\"")),
        "date {date} missing"
    );
    let zip_link = links_in(&page)
        .into_iter()
        .find(|(_, v, _)| v.ends_with(&file_name))
        .unwrap_or_else(|| panic!("no link to {file_name}"));
    let linked = built.site.join("download").join(&zip_link.1);
    assert_eq!(std::fs::read(linked).unwrap().len(), built.zip_bytes.len());

    // The copy's own Download page says it is the copy and links to no zip.
    let copy_page = std::fs::read_to_string(built.copy.join("download/index.html")).unwrap();
    assert!(
        copy_page.contains("You are reading the offline copy"),
        "{copy_page}"
    );
    assert!(!copy_page.contains(".zip\""), "{copy_page}");

    // Every page of both, in every language, links to its Download page from the footer.
    for (root, file_links) in [(&built.site, false), (&built.copy, true)] {
        for entry in walkdir::WalkDir::new(root).into_iter().map(Result::unwrap) {
            if entry.path().extension().is_none_or(|x| x != "html") {
                continue;
            }
            let html = std::fs::read_to_string(entry.path()).unwrap();
            let footer = &html[html
                .find("<footer")
                .unwrap_or_else(|| panic!("{}: no footer", entry.path().display()))..];
            let found = links_in(footer).into_iter().any(|(_, value, _)| {
                let mut target = entry.path().parent().unwrap().join(&value);
                if !file_links && target.is_dir() {
                    target = target.join("index.html");
                }
                target.canonicalize().is_ok_and(|t| {
                    t.parent().is_some_and(|p| p.ends_with("download")) && t.ends_with("index.html")
                })
            });
            assert!(
                found,
                "{}: no Download link in the footer",
                entry.path().display()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// In the browser, from disk, with the network off

fn run<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// Opens `url` in a tab whose network is switched off before the page loads.
fn open_offline<'b>(browser: &'b common::Browser, url: &str) -> common::Page<'b> {
    let page = browser.open("about:blank");
    run(async {
        let everything = NetworkConditions::new("", 0.0, -1.0, -1.0);
        page.page
            .execute(EmulateNetworkConditionsByRuleParams::new(
                true,
                vec![everything],
            ))
            .await?;
        page.page
            .execute(OverrideNetworkStateParams::new(true, 0.0, -1.0, -1.0))
            .await
    })
    .expect("network off");
    assert_eq!(page.eval("navigator.onLine"), json!(false));
    page.goto(url);
    page
}

/// What must hold on every page of the copy once loaded: an h1, no failed or outside request.
fn assert_clean(page: &common::Page, what: &str) {
    assert_eq!(
        page.eval("document.querySelectorAll('h1').length"),
        json!(1),
        "{what}: one h1"
    );
    assert!(
        page.url().starts_with("file://"),
        "{what}: left the disk: {}",
        page.url()
    );
    assert_eq!(
        page.failures(),
        Vec::<String>::new(),
        "{what}: failed requests"
    );
    assert_eq!(
        page.external_requests(),
        Vec::<String>::new(),
        "{what}: requests off the machine"
    );
    // A stylesheet that failed to load has no `sheet` (file:// sheets cannot be read further).
    let stylesheets = page
        .eval("[...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.sheet !== null)");
    assert!(
        stylesheets
            .as_array()
            .is_some_and(|a| !a.is_empty() && a.iter().all(|v| v == true)),
        "{what}: stylesheets {stylesheets}"
    );
    let scripts = page.eval("[...document.scripts].filter(s => s.src).map(s => s.src)");
    assert!(
        scripts.as_array().is_some_and(|a| a
            .iter()
            .all(|s| s.as_str().is_some_and(|s| s.starts_with("file://")))),
        "{what}: {scripts}"
    );
}

/// Clicks the first element matching `selector` (a real mouse click) and waits for the page it
/// leads to.
fn click_through(page: &common::Page, selector: &str) -> String {
    // A link's href, or where a search option leads (its data-href), as an absolute URL.
    let expected = page.eval(&format!(
        "(e => e && new URL(e.getAttribute('href') || e.dataset.href, location.href).href)(document.querySelector({}))",
        json!(selector)
    ));
    let expected = expected
        .as_str()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
        .to_string();
    run(async {
        let element = page.page.find_element(selector).await.unwrap();
        element.scroll_into_view().await.unwrap();
        element.click().await.unwrap();
    });
    let start = Instant::now();
    let without_fragment = expected.split('#').next().unwrap().to_string();
    loop {
        let url = run(page.page.url()).ok().flatten().unwrap_or_default();
        if url.split('#').next() == Some(without_fragment.as_str()) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "clicking {selector} never reached {expected} (at {url})"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
    page.wait_for(
        "document.readyState === 'complete'",
        Duration::from_secs(10),
    );
    expected
}

#[test]
fn the_offline_copy_opens_from_disk_with_the_network_off() {
    let Some(browser) = common::browser() else {
        return;
    };
    let built = build();
    let site = &built.site_model;
    let note = &site.notes[0];
    let country = &site.countries[0];
    let principle = &site.principles[0];
    let pages = [
        ("home", "index.html".to_string(), site.config.title.clone()),
        (
            "note",
            format!("notes/{}/index.html", note.slug),
            note.meta.title.clone(),
        ),
        (
            "principle",
            format!("principles/{}/index.html", principle.slug),
            principle.meta.title.clone(),
        ),
        (
            "country",
            format!("countries/{}/index.html", country.code.to_lowercase()),
            country.name.clone(),
        ),
        (
            "search",
            "search/index.html".to_string(),
            "Search".to_string(),
        ),
        (
            "download",
            "download/index.html".to_string(),
            "Download".to_string(),
        ),
        (
            "print edition",
            "print/index.html".to_string(),
            "Print edition".to_string(),
        ),
    ];
    for (what, path, title) in &pages {
        let page = open_offline(&browser, &common::file_url(&built.copy, path));
        assert_clean(&page, what);
        let h1 = page.eval("document.querySelector('h1').textContent");
        assert!(
            h1.as_str().unwrap().contains(title.as_str()),
            "{what}: h1 {h1}, expected {title}"
        );
        // The two pages this feature adds meet WCAG 2.1 AA like every other.
        if *what == "download" || *what == "print edition" {
            assert_eq!(page.axe_violations(), json!([]), "{what}: axe");
        }
    }

    // Click through the copy as a reader would: menu, list, page, footer.
    let page = open_offline(&browser, &common::file_url(&built.copy, "index.html"));
    let mut visited = Vec::new();
    for selector in [
        ".site-nav a[href$='countries/index.html']",
        "main a[href*='countries/'][href$='/index.html']:not([href$='countries/index.html'])",
        "main a[href*='notes/'][href$='/index.html']:not([href$='notes/index.html'])",
        ".facts a[href*='principles/']",
        ".site-footer a.download",
        "main a[href$='print/index.html']",
    ] {
        let reached = click_through(&page, selector);
        assert_clean(&page, &reached);
        visited.push(reached);
    }
    assert!(
        visited.last().unwrap().ends_with("print/index.html"),
        "{visited:?}"
    );
}

#[test]
fn search_works_in_the_offline_copy() {
    let Some(browser) = common::browser() else {
        return;
    };
    let built = build();
    let note = built
        .site_model
        .notes
        .iter()
        .find(|n| n.slug == "participatory-budgeting")
        .expect("the note exists");
    let page = open_offline(
        &browser,
        &common::file_url(&built.copy, "search/index.html?q=participatory%20budgeting"),
    );
    let found = format!(
        "[...document.querySelectorAll('main a')].some(a => a.href.includes('notes/{}/index.html')) \
         && document.querySelectorAll('main mark').length > 0",
        note.slug
    );
    page.wait_for(&found, Duration::from_secs(10));
    let snippet = page.eval("document.querySelector('main mark').closest('li, article, div, p').textContent.trim().length");
    assert!(
        snippet.as_u64().is_some_and(|n| n > 40),
        "no snippet around the matched words: {snippet}"
    );
    let marked = page.eval("document.querySelector('main mark').textContent.toLowerCase()");
    assert!(
        marked
            .as_str()
            .is_some_and(|m| m.starts_with("particip") || m.starts_with("budget")),
        "{marked}"
    );
    assert_eq!(page.failures(), Vec::<String>::new(), "failed requests");
    assert_eq!(page.external_requests(), Vec::<String>::new());

    // The header search box on any page finds it too, and its result opens from disk.
    let page = open_offline(
        &browser,
        &common::file_url(&built.copy, "principles/participation/index.html"),
    );
    page.eval("document.querySelector('header input[type=search]').focus()");
    page.type_text("participatory budget");
    let option = format!(
        "header [role=option][data-href*='notes/{}/index.html']",
        note.slug
    );
    page.wait_for(
        &format!("document.querySelector({})", json!(option)),
        Duration::from_secs(10),
    );
    let marked = page.eval(&format!(
        "document.querySelector({}).querySelectorAll('mark').length",
        json!(option)
    ));
    assert!(
        marked.as_u64().is_some_and(|n| n > 0),
        "no highlighted words in the suggestion"
    );
    let reached = click_through(&page, &option);
    assert!(
        reached.contains(&format!("notes/{}/index.html", note.slug)),
        "{reached}"
    );
    assert_clean(&page, "a search result opened from the header box");
}

#[test]
fn the_print_edition_has_every_note_in_order_and_prints_to_pdf() {
    let Some(browser) = common::browser() else {
        return;
    };
    let built = build();
    let site = &built.site_model;
    let page = open_offline(&browser, &common::file_url(&built.copy, "print/index.html"));
    assert_clean(&page, "print edition");

    // One section per note, in series order, each titled; principles likewise, before them.
    let notes: Vec<&str> = site.notes.iter().map(|n| n.slug.as_str()).collect();
    let principles: Vec<&str> = site.principles.iter().map(|p| p.slug.as_str()).collect();
    assert_eq!(
        page.eval("[...document.querySelectorAll('section.print-note')].map(s => s.dataset.slug)"),
        json!(notes)
    );
    assert_eq!(
        page.eval(
            "[...document.querySelectorAll('section.print-principle')].map(s => s.dataset.slug)"
        ),
        json!(principles)
    );
    let titles: Vec<&str> = site.notes.iter().map(|n| n.meta.title.as_str()).collect();
    assert_eq!(page.eval("[...document.querySelectorAll('section.print-note > h3')].map(h => h.textContent.trim())"), json!(titles));
    assert_eq!(
        page.eval("document.querySelector('section.print-principle').compareDocumentPosition(document.querySelector('section.print-note')) & Node.DOCUMENT_POSITION_FOLLOWING"),
        json!(4)
    );
    // Its own table of contents: one entry per document, each leading to its section.
    assert_eq!(
        page.eval("[...document.querySelectorAll('.print-toc a')].filter(a => !document.getElementById(decodeURIComponent(a.hash.slice(1)))).map(a => a.href)"),
        json!([])
    );
    assert_eq!(
        page.eval("document.querySelectorAll('.print-toc a').length"),
        json!(notes.len() + principles.len() + 2)
    );
    assert_eq!(page.eval("new Set([...document.querySelectorAll('[id]')].map(e => e.id)).size === document.querySelectorAll('[id]').length"), json!(true), "duplicate ids");

    // In print: no navigation chrome, a page break before each note, external links spelled out.
    run(page
        .page
        .execute(SetEmulatedMediaParams::builder().media("print").build()))
    .unwrap();
    assert_eq!(
        page.eval("['.site-header', '.site-footer', '.skip-link', '.search-form'].map(s => document.querySelector(s)).filter(e => e && getComputedStyle(e).display !== 'none').length"),
        json!(0)
    );
    assert_eq!(
        page.eval("[...document.querySelectorAll('section.print-note')].filter((s, i) => i > 0 && getComputedStyle(s).breakBefore !== 'page').length"),
        json!(0)
    );
    // A document's headings, two levels down here (h4 to h6), still stand above its text.
    assert_eq!(
        page.eval("(() => { const text = parseFloat(getComputedStyle(document.querySelector('.print-note .prose p')).fontSize); return [...document.querySelectorAll('.print-doc h4, .print-doc h5, .print-doc h6')].filter(h => parseFloat(getComputedStyle(h).fontSize) < text).map(h => h.tagName + ' ' + h.textContent); })()"),
        json!([])
    );
    // A strategy named like its one note is that note's link, not "X: X".
    assert_eq!(
        page.eval("[...document.querySelectorAll('.print-principle .strategies li')].map(li => li.textContent.split(': ')).filter(([a, b]) => b !== undefined && a.trim() === b.trim()).length"),
        json!(0)
    );
    let external = page.eval("(() => { const a = document.querySelector('.print-note .sources a[href^=\"http\"]'); return getComputedStyle(a, '::after').content; })()");
    assert!(
        external.as_str().is_some_and(|c| c.contains("http")),
        "external link URL not printed: {external}"
    );

    let pdf = run(page
        .page
        .pdf(PrintToPdfParams::builder().print_background(false).build()))
    .expect("print to PDF");
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let pages = count_pdf_pages(&pdf);
    let documents = notes.len() + principles.len();
    assert!(
        pages > documents,
        "the PDF has {pages} pages for {documents} documents, each note starting a page"
    );
    eprintln!(
        "print edition: {} documents, {pages} PDF pages, {} KB",
        documents,
        pdf.len() / 1000
    );
    // In Arabic every note is translated: no section is marked as another language (the i18n
    // tests check an untranslated note's section in their fixture's print edition).
    let arabic = open_offline(
        &browser,
        &common::file_url(&built.copy, "ar/print/index.html"),
    );
    assert_clean(&arabic, "Arabic print edition");
    assert_eq!(
        arabic.eval("document.querySelectorAll('section.print-note').length"),
        json!(notes.len())
    );
    assert_eq!(
        arabic.eval("document.querySelectorAll('section.print-note[lang]').length"),
        json!(0)
    );
    // The countries are named in Arabic.
    let facts = arabic
        .eval("[...document.querySelectorAll('.print-note dl.facts')].map(d => d.textContent).join(' ')")
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        facts.contains("غيانا") && !facts.contains("Guyana"),
        "{facts}"
    );
}

/// Navigation chrome that has no place on paper.
const CHROME: &str = "['.skip-link', '.site-nav', '.search-form', '.theme-toggle', '.languages', '.breadcrumbs', \
                      '.pager', '.site-footer nav', '.site-footer .download', '.toc-wide', '.toc-narrow']";

#[test]
fn every_page_prints_on_its_own_without_navigation() {
    let Some(browser) = common::browser() else {
        return;
    };
    let built = build();
    let site = &built.site_model;
    for path in [
        "index.html".to_string(),
        format!("notes/{}/index.html", site.notes[0].slug),
        format!("principles/{}/index.html", site.principles[0].slug),
        format!(
            "countries/{}/index.html",
            site.countries[0].code.to_lowercase()
        ),
        "download/index.html".to_string(),
    ] {
        let page = open_offline(&browser, &common::file_url(&built.copy, &path));
        run(page
            .page
            .execute(SetEmulatedMediaParams::builder().media("print").build()))
        .unwrap();
        let shown = page.eval(&format!(
            "{CHROME}.flatMap(s => [...document.querySelectorAll(s)]).filter(e => getComputedStyle(e).display !== 'none').map(e => e.className || e.tagName)"
        ));
        assert_eq!(shown, json!([]), "{path}: navigation shows in print");
        assert_eq!(
            page.eval("getComputedStyle(document.querySelector('h1')).display !== 'none'"),
            json!(true),
            "{path}"
        );
        let pdf = run(page.page.pdf(PrintToPdfParams::builder().build())).expect("print to PDF");
        assert!(
            pdf.starts_with(b"%PDF-") && count_pdf_pages(&pdf) >= 1,
            "{path}: no PDF"
        );
        assert_eq!(page.failures(), Vec::<String>::new(), "{path}");
    }
}

/// Page objects in a PDF (`/Type /Page`, not `/Type /Pages`).
fn count_pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    let mut count = 0;
    for marker in ["/Type /Page", "/Type/Page"] {
        let mut rest = text.as_ref();
        while let Some(i) = rest.find(marker) {
            rest = &rest[i + marker.len()..];
            if !rest.starts_with('s') {
                count += 1;
            }
        }
    }
    count
}
