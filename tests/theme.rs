//! The default theme, judged on the real site: accessibility (axe-core in headless Chromium, light
//! and dark), no horizontal scroll on a 320 px phone, keyboard reach, valid HTML (the W3C Nu
//! checker), the weight of CSS and JavaScript on a note page, colour contrast of the palette, and
//! the pictures and metadata each page carries.
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use guidance::render::{LinkStyle, RenderOptions};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Which pages to look at

/// The language prefix of a page path (`fr/notes/x/index.html` -> `fr`), `""` for the default.
fn lang_prefix(path: &str) -> &str {
    match path.split_once('/') {
        Some((first, _)) if guidance::i18n::LANGUAGES.contains(&first) => first,
        _ => "",
    }
}

/// The page type of a path: the path with a document's slug replaced by `*`
/// (`notes/data-sharing/index.html` -> `notes/*/index.html`).
fn page_type(path: &str) -> String {
    let lang = lang_prefix(path);
    let rest = if lang.is_empty() {
        path
    } else {
        &path[lang.len() + 1..]
    };
    let parts: Vec<&str> = rest.split('/').collect();
    let generic = match parts.as_slice() {
        [section, _, "index.html"] => format!("{section}/*/index.html"),
        _ => rest.to_string(),
    };
    if lang.is_empty() {
        generic
    } else {
        format!("{lang}/{generic}")
    }
}

/// One page of every type: all types in the default language and in right-to-left languages,
/// the home page and a note in every other language, and a provisional note (its notice).
fn representative_pages(site: &Path) -> Vec<String> {
    let mut chosen: BTreeMap<String, String> = BTreeMap::new();
    for path in common::html_pages(site) {
        let lang = lang_prefix(&path);
        let kind = page_type(&path);
        let wanted = lang.is_empty()
            || guidance::i18n::direction(lang) == "rtl"
            || kind.ends_with("/index.html")
                && (kind == format!("{lang}/index.html")
                    || kind == format!("{lang}/notes/*/index.html"));
        if wanted {
            chosen.entry(kind).or_insert(path);
        }
    }
    let provisional = common::html_pages(site).into_iter().find(|p| {
        lang_prefix(p).is_empty()
            && page_type(p) == "notes/*/index.html"
            && std::fs::read_to_string(site.join(p))
                .unwrap()
                .contains("notice provisional")
    });
    let mut pages: Vec<String> = chosen.into_values().collect();
    pages.extend(provisional);
    pages.sort();
    pages.dedup();
    pages
}

/// The i18n fixture built, with its pages showing a note not translated into their language
/// (the note in English inside the Russian interface, and inside the Arabic one, right to
/// left). The real content is translated into every language, so it has no such page.
fn untranslated_pages() -> (tempfile::TempDir, PathBuf, Vec<String>) {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/i18n-site");
    let (dir, site) = common::build_to_temp(&fixture);
    let pages = ["ru", "ar"]
        .iter()
        .map(|lang| {
            common::html_pages(&site)
                .into_iter()
                .find(|p| {
                    page_type(p) == format!("{lang}/notes/*/index.html")
                        && std::fs::read_to_string(site.join(p))
                            .unwrap()
                            .contains("notice untranslated")
                })
                .unwrap_or_else(|| panic!("no page in {lang} showing an untranslated note"))
        })
        .collect();
    (dir, site, pages)
}

/// Each page with its address: pages of several sites, each on its own server.
fn page_urls<'p>(sites: &[(&common::StaticServer, &'p Vec<String>)]) -> Vec<(&'p String, String)> {
    sites
        .iter()
        .flat_map(|(server, pages)| pages.iter().map(|p| (p, server.url(url_path(p)))))
        .collect()
}

/// The page types the issue names must all be there.
fn assert_every_page_type(pages: &[String]) {
    let types: Vec<String> = pages.iter().map(|p| page_type(p)).collect();
    for required in [
        "index.html",
        "notes/index.html",
        "notes/*/index.html",
        "principles/index.html",
        "principles/*/index.html",
        "countries/index.html",
        "countries/*/index.html",
        "about/index.html",
        "search/index.html",
        "404.html",
    ] {
        assert!(
            types.iter().any(|t| t == required),
            "no page of type {required} among {types:?}"
        );
    }
}

/// The URL path of a page on the local server (folders for `index.html`).
fn url_path(path: &str) -> &str {
    path.strip_suffix("index.html").unwrap_or(path)
}

fn a_note_page(site: &Path) -> String {
    common::html_pages(site)
        .into_iter()
        .find(|p| {
            lang_prefix(p).is_empty() && page_type(p) == "notes/*/index.html" && {
                let html = std::fs::read_to_string(site.join(p)).unwrap();
                html.contains("toc-wide") && html.contains("<table")
            }
        })
        .expect("a note with a table of contents and a table")
}

// ---------------------------------------------------------------------------------------------
// Accessibility in a real browser

#[test]
fn axe_finds_no_wcag_violations_on_any_page_type_in_light_or_dark_mode() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = common::build_to_temp(&common::repo_root());
    let server = common::StaticServer::start(&site);
    let pages = representative_pages(&site);
    assert_every_page_type(&pages);
    let (_fixture_dir, fixture, untranslated) = untranslated_pages();
    let fixture_server = common::StaticServer::start(&fixture);
    let urls = page_urls(&[(&server, &pages), (&fixture_server, &untranslated)]);
    let page = browser.open("about:blank");
    let mut failures = Vec::new();
    for dark in [false, true] {
        page.emulate_dark(dark);
        for (path, url) in &urls {
            page.goto(url);
            let background = page.eval("getComputedStyle(document.body).backgroundColor");
            let expected = if dark {
                "rgb(17, 21, 27)"
            } else {
                "rgb(255, 255, 255)"
            };
            assert_eq!(
                background,
                Value::from(expected),
                "{path}: {} mode not applied",
                if dark { "dark" } else { "light" }
            );
            let violations = page.axe_violations();
            if violations.as_array().is_none_or(|v| !v.is_empty()) {
                failures.push(format!(
                    "{path} ({}): {}",
                    if dark { "dark" } else { "light" },
                    serde_json::to_string_pretty(&violations).unwrap()
                ));
            }
        }
    }
    eprintln!(
        "axe: {} pages x 2 colour schemes checked: {pages:?} {untranslated:?}",
        urls.len()
    );
    assert!(
        page.external_requests().is_empty(),
        "requests left the site: {:?}",
        page.external_requests()
    );

    // The check itself works: a missing alt text and faint text are caught.
    page.emulate_dark(false);
    page.goto(&server.url(""));
    page.eval("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"data:,\"><p style=\"color:#999;background:#fff\">faint</p>'); true");
    let caught = page.axe_violations().to_string();
    assert!(
        caught.contains("image-alt") && caught.contains("color-contrast"),
        "axe missed planted violations: {caught}"
    );
    assert!(
        failures.is_empty(),
        "axe-core violations:\n{}",
        failures.join("\n\n")
    );
}

#[test]
fn no_page_scrolls_sideways_on_a_320_pixel_phone() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = common::build_to_temp(&common::repo_root());
    let server = common::StaticServer::start(&site);
    // Every page, not one of each type: content (tables, long words) can overflow as well.
    let pages = common::html_pages(&site);
    assert_every_page_type(&pages);
    let (_fixture_dir, fixture, untranslated) = untranslated_pages();
    let fixture_server = common::StaticServer::start(&fixture);
    let urls = page_urls(&[(&server, &pages), (&fixture_server, &untranslated)]);
    let page = browser.open("about:blank");
    page.set_viewport(320, 640);
    let mut failures = Vec::new();
    for (path, url) in &urls {
        page.goto(url);
        let width = page
            .eval("document.documentElement.scrollWidth")
            .as_i64()
            .unwrap();
        if width > 320 {
            let culprits = page.eval(
                "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 320.5)\
                 .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' right=' + Math.round(e.getBoundingClientRect().right))",
            );
            failures.push(format!(
                "{path}: scrollWidth {width} > 320; widest: {culprits}"
            ));
        }
    }
    eprintln!("320 px: {} pages checked", urls.len());
    assert!(
        failures.is_empty(),
        "pages wider than a 320 px screen:\n{}",
        failures.join("\n")
    );
}

/// On a 360 px phone the principles' matrix is wider than the screen: its caption is still read
/// whole, and its frame (a labelled region the keyboard reaches) shows a shade at the edge the
/// table continues past, in either direction of writing, until it is scrolled to its end.
#[test]
fn the_matrix_keeps_its_caption_whole_and_shows_it_scrolls_on_a_phone() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = common::build_to_temp(&common::repo_root());
    let server = common::StaticServer::start(&site);
    let page = browser.open("about:blank");
    page.set_viewport(360, 640);
    for path in ["principles/", "ar/principles/"] {
        page.goto(&server.url(path));
        let found = page.eval(
            "(() => { const wrap = document.querySelector('.matrix-wrap'),\
               caption = document.getElementById(wrap.getAttribute('aria-describedby')),\
               box = caption.getBoundingClientRect(),\
               label = document.getElementById(wrap.getAttribute('aria-labelledby'));\
               const shade = () => getComputedStyle(wrap).backgroundImage;\
               return { caption: caption.textContent, inside: box.left >= 0 && box.right <= 360,\
                 clipped: wrap.contains(caption), role: wrap.getAttribute('role'), tabindex: wrap.tabIndex,\
                 label: label && label.textContent, scrolls: wrap.scrollWidth > wrap.clientWidth,\
                 shade: shade(), attachment: getComputedStyle(wrap).backgroundAttachment,\
                 position: getComputedStyle(wrap).backgroundPositionX }; })()",
        );
        assert!(
            found["caption"].as_str().unwrap().len() > 40,
            "{path}: {found}"
        );
        assert_eq!(found["inside"], true, "{path}: caption off screen: {found}");
        assert_eq!(found["clipped"], false, "{path}: {found}");
        assert_eq!(found["role"], "region", "{path}");
        assert_eq!(found["tabindex"], 0, "{path}");
        assert!(
            !found["label"].as_str().unwrap_or_default().is_empty(),
            "{path}"
        );
        assert_eq!(found["scrolls"], true, "{path}: {found}");
        // The cover scrolls with the table, the shade stays at the frame's edge: the edge the
        // table continues past (the right in English, the left in Arabic).
        assert_eq!(found["attachment"], "local, scroll", "{path}: {found}");
        let edge = if path.starts_with("ar/") {
            "0px, 0px"
        } else {
            "100%, 100%"
        };
        assert_eq!(found["position"], edge, "{path}: {found}");
        assert_eq!(
            found["shade"]
                .as_str()
                .unwrap()
                .matches("linear-gradient")
                .count(),
            2,
            "{path}: {found}"
        );
    }
}

/// The cumulative layout shift of a page so far (Chromium's Layout Instability API).
const LAYOUT_SHIFT: &str = "new Promise(done => { let total = 0;\
    new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value; })\
      .observe({ type: 'layout-shift', buffered: true });\
    setTimeout(() => done(total), 300); })";

#[test]
fn pages_do_not_shift_while_they_load_on_a_phone_or_a_desktop() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = common::build_to_temp(&common::repo_root());
    let server = common::StaticServer::start(&site);
    let pages: Vec<String> = representative_pages(&site)
        .into_iter()
        .filter(|p| lang_prefix(p).is_empty())
        .collect();
    let page = browser.open("about:blank");
    let mut failures = Vec::new();
    for (width, height) in [(360, 740), (1280, 900)] {
        page.set_viewport(width, height);
        for dark in [false, true] {
            page.emulate_dark(dark);
            for path in &pages {
                let shift = || {
                    page.goto(&server.url(url_path(path)));
                    page.eval(LAYOUT_SHIFT).as_f64().unwrap()
                };
                // A layout fault shifts the page on every load. On a machine starved of CPU,
                // Chromium may also paint a long page before its last rows have arrived, once:
                // only a shift on two loads in a row counts.
                let first = shift();
                let shift = if first > 0.0 { shift() } else { first };
                if shift > 0.0 {
                    failures.push(format!(
                        "{path} at {width} px (dark: {dark}): layout shift {shift:.4}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn print_hides_the_navigation_chrome() {
    use chromiumoxide::cdp::browser_protocol::emulation::SetEmulatedMediaParams;
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = common::build_to_temp(&common::repo_root());
    let server = common::StaticServer::start(&site);
    let note = a_note_page(&site);
    let page = browser.open(&server.url(url_path(&note)));
    let shown = |selector: &str| {
        page.eval(&format!("[...document.querySelectorAll('{selector}')].some(e => getComputedStyle(e).display !== 'none')"))
    };
    assert_eq!(shown(".site-nav"), true, "on screen the navigation shows");
    let params = SetEmulatedMediaParams::builder().media("print").build();
    futures::executor::block_on(page.page.execute(params)).expect("emulate print media");
    for chrome in [
        ".skip-link",
        ".site-nav",
        ".site-header .search-form",
        ".theme-toggle",
        ".toc",
        ".breadcrumbs",
        ".pager",
    ] {
        assert_eq!(shown(chrome), false, "{chrome} is printed");
    }
    for content in ["main h1", ".prose", ".site-name"] {
        assert_eq!(shown(content), true, "{content} is not printed");
    }
    assert_eq!(
        page.eval("getComputedStyle(document.body).backgroundColor"),
        "rgb(255, 255, 255)"
    );
}

/// Marks every focusable, rendered element with `data-kb=<n>` and returns how many there are.
const MARK_FOCUSABLE: &str = "(() => {\
    const all = [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')]\
      .filter(e => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden');\
    all.forEach((e, i) => e.dataset.kb = i);\
    return all.length; })()";

/// What has focus: its `data-kb` mark, tag, classes, href and text.
const FOCUSED: &str = "(() => { const e = document.activeElement;\
    return { kb: e.dataset ? (e.dataset.kb ?? null) : null, tag: e.tagName.toLowerCase(), cls: String(e.className || ''),\
      id: e.id || '', href: e.getAttribute('href') || '', text: (e.textContent || '').trim().slice(0, 60),\
      toc: !!e.closest('.toc') }; })()";

/// Presses Tab from the top of the page until focus comes back round; returns what was focused.
fn tab_through(page: &common::Page<'_>, limit: usize) -> Vec<Value> {
    page.eval(
        "document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); true",
    );
    let mut seen = Vec::new();
    for _ in 0..limit {
        page.press_key("Tab");
        let focused = page.eval(FOCUSED);
        if focused["tag"] == "body"
            || seen.first().is_some_and(|first: &Value| {
                first["kb"] == focused["kb"] && !focused["kb"].is_null()
            })
        {
            break;
        }
        seen.push(focused);
    }
    seen
}

#[test]
fn the_keyboard_reaches_the_skip_link_search_the_contents_and_every_link() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = common::build_to_temp(&common::repo_root());
    let server = common::StaticServer::start(&site);
    let note = a_note_page(&site);

    // Wide screen: the table of contents is a column of links.
    let page = browser.open("about:blank");
    page.set_viewport(1280, 900);
    page.goto(&server.url(url_path(&note)));
    let focusable = page.eval(MARK_FOCUSABLE).as_u64().unwrap() as usize;
    let seen = tab_through(&page, focusable * 2 + 20);
    assert_eq!(
        seen[0]["cls"], "skip-link",
        "the first Tab goes to the skip link: {}",
        seen[0]
    );
    assert!(
        seen.iter().any(|f| f["id"] == "site-search"),
        "Tab never reached the search input"
    );
    assert!(
        seen.iter().any(|f| f["toc"] == true && f["tag"] == "a"),
        "Tab never reached the table of contents"
    );
    let reached: std::collections::BTreeSet<String> = seen
        .iter()
        .filter_map(|f| f["kb"].as_str().map(str::to_string))
        .collect();
    let missed: Vec<String> = (0..focusable)
        .map(|i| i.to_string())
        .filter(|i| !reached.contains(i))
        .collect();
    eprintln!(
        "keyboard: {note}: {} Tab stops, {} of {focusable} focusable elements reached",
        seen.len(),
        reached.len()
    );
    if !missed.is_empty() {
        let names = page.eval(&format!(
            "{:?}.map(i => document.querySelector('[data-kb=\"' + i + '\"]').outerHTML.slice(0, 120))",
            missed
        ));
        panic!(
            "Tab never reached {} of {focusable} focusable elements: {names}",
            missed.len()
        );
    }

    // The skip link moves focus to the main content.
    page.goto(&server.url(url_path(&note)));
    page.press_key("Tab");
    page.press_key("Enter");
    page.wait_for(
        "document.activeElement.id === 'main'",
        Duration::from_secs(5),
    );

    // Phone: the table of contents is folded; Enter on its summary opens it, then Tab reaches it.
    page.set_viewport(360, 740);
    page.goto(&server.url(url_path(&note)));
    page.eval(MARK_FOCUSABLE);
    let seen = tab_through(&page, 200);
    let summary = seen
        .iter()
        .position(|f| f["tag"] == "summary")
        .expect("Tab reaches the folded table of contents");
    assert!(
        !seen.iter().any(|f| f["toc"] == true && f["tag"] == "a"),
        "folded contents links must not take focus"
    );
    page.eval("document.activeElement.blur(); true");
    for _ in 0..=summary {
        page.press_key("Tab");
    }
    assert_eq!(page.eval(FOCUSED)["tag"], "summary");
    page.press_key("Enter");
    page.wait_for(
        "document.querySelector('details.toc').open",
        Duration::from_secs(5),
    );
    page.press_key("Tab");
    let focused = page.eval(FOCUSED);
    assert!(
        focused["toc"] == true && focused["tag"] == "a",
        "after opening, Tab goes into the contents: {focused}"
    );
}

#[test]
fn the_404_page_keeps_its_style_and_links_at_any_missing_address() {
    let Some(browser) = common::browser() else {
        return;
    };
    // A host serves 404.html at the missing address, at the domain root and under a subpath.
    let (_dir, site) = common::build_to_temp(&common::repo_root());
    for prefix in ["/", "/un/guidance/"] {
        let server = common::StaticServer::start_under(&site, prefix);
        // A page of the site records where the site's root is, for addresses that hold none of
        // its folders (`zz/yy/`).
        drop(browser.open(&server.url("")));
        for missing in [
            "no-such-page",
            "notes/no-such-note/",
            "notes/no/such/deeper/",
            "fr/notes/gone/",
            "moved/",
            "zz/yy/",
            "fr/404.html",
        ] {
            let url = server.url(missing);
            let page = browser.open(&url);
            // Under a language's folder, the host's 404 page (English) gives way to that
            // language's.
            let lang = if missing.starts_with("fr/") {
                "fr/"
            } else {
                ""
            };
            let expected_lang = if lang.is_empty() { "en" } else { "fr" };
            page.wait_for(
                &format!(
                    "document.documentElement.lang === '{expected_lang}' && document.styleSheets.length >= 2"
                ),
                Duration::from_secs(10),
            );
            let not_loaded = page.eval(
                "performance.getEntriesByType('resource').filter(e => e.responseStatus !== 200).map(e => e.name)",
            );
            assert_eq!(not_loaded, Value::Array(vec![]), "{url}");
            let rules = page.eval("[...document.styleSheets].map(s => s.cssRules.length)");
            assert!(
                rules.as_array().unwrap().len() >= 2
                    && rules
                        .as_array()
                        .unwrap()
                        .iter()
                        .all(|n| n.as_u64() > Some(0)),
                "{url}: stylesheets {rules}"
            );
            // The French 404 page leads to the French pages.
            assert_eq!(
                page.eval("document.querySelector('a.site-name').href"),
                Value::from(server.url(lang)),
                "{url}: the site's name leads home"
            );
            assert_eq!(
                page.eval("document.querySelector('.site-nav a').href"),
                Value::from(server.url(&format!("{lang}principles/"))),
                "{url}"
            );
            // The skip link keeps to the page.
            page.eval("document.querySelector('.skip-link').click(); true");
            assert_eq!(page.eval("location.href"), Value::from(url.clone()));
            assert_eq!(page.eval("document.activeElement.id"), Value::from("main"));
        }
    }
}

#[test]
fn the_dark_mode_toggle_remembers_the_choice_over_http_and_from_disk() {
    let Some(browser) = common::browser() else {
        return;
    };
    // Over HTTP.
    let (_dir, site) = common::build_to_temp(&common::repo_root());
    let server = common::StaticServer::start(&site);
    let note = a_note_page(&site);
    check_toggle(
        &browser,
        &server.url(url_path(&note)),
        &server.url("principles/"),
    );

    // From disk, with file-style links (the offline copy).
    let dir = tempfile::tempdir().unwrap();
    let (site, _) = guidance::load_site(&common::repo_root()).unwrap_or_else(|d| panic!("{d}"));
    let theme =
        guidance::theme::Theme::load(&common::repo_root()).unwrap_or_else(|d| panic!("{d}"));
    let files = guidance::generate(
        &site,
        &theme,
        RenderOptions {
            link_style: LinkStyle::File,
            ..RenderOptions::default()
        },
    )
    .unwrap_or_else(|d| panic!("{d}"));
    for file in &files {
        let path = dir.path().join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &file.bytes).unwrap();
    }
    check_toggle(
        &browser,
        &common::file_url(dir.path(), &note),
        &common::file_url(dir.path(), "principles/index.html"),
    );
}

fn check_toggle(browser: &common::Browser, first: &str, second: &str) {
    let page = browser.open("about:blank");
    page.emulate_dark(false);
    page.goto(first);
    page.eval("try { localStorage.clear() } catch (e) {} true");
    page.goto(first);
    assert_eq!(
        page.eval("document.documentElement.dataset.theme ?? null"),
        Value::Null
    );
    assert_eq!(
        page.eval("document.querySelector('.theme-toggle').getAttribute('aria-pressed')"),
        "false"
    );
    assert_ne!(
        page.eval("getComputedStyle(document.querySelector('.theme-toggle')).display"),
        "none",
        "with JavaScript the toggle shows"
    );
    page.eval("document.querySelector('.theme-toggle').focus(); true");
    page.press_key("Enter");
    page.wait_for(
        "document.documentElement.dataset.theme === 'dark'",
        Duration::from_secs(5),
    );
    assert_eq!(
        page.eval("document.querySelector('.theme-toggle').getAttribute('aria-pressed')"),
        "true"
    );
    assert_eq!(
        page.eval("getComputedStyle(document.body).backgroundColor"),
        "rgb(17, 21, 27)"
    );

    // Another page opens dark straight away: the choice is applied by the <head> script, before
    // the stylesheet and the body exist.
    let other = browser.open(second);
    assert_eq!(
        other.eval("document.documentElement.dataset.theme"),
        "dark",
        "{second}"
    );
    assert_eq!(
        other.eval("getComputedStyle(document.body).backgroundColor"),
        "rgb(17, 21, 27)"
    );
    assert_eq!(
        other.eval("document.querySelector('.theme-toggle').getAttribute('aria-pressed')"),
        "true"
    );

    // Back to light, which then beats a dark system preference.
    other.eval("document.querySelector('.theme-toggle').click(); true");
    other.emulate_dark(true);
    other.goto(first);
    assert_eq!(
        other.eval("document.documentElement.dataset.theme"),
        "light"
    );
    assert_eq!(
        other.eval("getComputedStyle(document.body).backgroundColor"),
        "rgb(255, 255, 255)"
    );
    other.eval("localStorage.clear(); true");
}

// ---------------------------------------------------------------------------------------------
// Valid HTML (W3C Nu HTML Checker)

#[test]
fn the_nu_html_checker_finds_no_errors_on_any_page() {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    let jar = common::repo_root().join(".test-tools/node_modules/vnu-jar/build/dist/vnu.jar");
    let java = std::process::Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !jar.exists() || !java {
        let why = if java {
            format!(
                "{} is missing (npm install --prefix .test-tools vnu-jar)",
                jar.display()
            )
        } else {
            "java is not installed".to_string()
        };
        assert!(!ci, "the Nu HTML checker is required under CI: {why}");
        eprintln!("SKIP: {why}");
        return;
    }
    let (_dir, site) = common::build_to_temp(&common::repo_root());
    let pages: Vec<PathBuf> = common::html_pages(&site)
        .iter()
        .map(|p| site.join(p))
        .collect();
    assert!(pages.len() > 40, "only {} pages", pages.len());
    let output = std::process::Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "json"])
        .args(&pages)
        .output()
        .expect("run vnu.jar");
    let report: Value = serde_json::from_slice(&output.stderr)
        .or_else(|_| serde_json::from_slice(&output.stdout))
        .unwrap_or_else(|e| {
            panic!(
                "vnu output is not JSON ({e}): {}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
    let errors: Vec<String> = report["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["type"] != "info")
        .map(|m| {
            let url = m["url"].as_str().unwrap_or("?");
            let file = url
                .rsplit_once(&*site.to_string_lossy())
                .map_or(url, |(_, f)| f);
            format!(
                "{file}:{}: {} [{}]",
                m["lastLine"],
                m["message"].as_str().unwrap_or("?"),
                m["extract"].as_str().unwrap_or("")
            )
        })
        .collect();
    eprintln!("vnu: {} pages checked", pages.len());
    assert!(
        errors.is_empty(),
        "{} HTML errors:\n{}",
        errors.len(),
        errors.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Weight, palette, pictures and metadata (no browser)

/// The `href`/`src` values of every stylesheet link and script element in `html`, and the bytes of
/// inline scripts and styles.
fn referenced_assets(html: &str) -> (Vec<String>, usize) {
    let mut urls = Vec::new();
    let mut inline = 0;
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start..];
        let end = rest.find('>').unwrap_or(rest.len() - 1);
        let tag = &rest[..=end];
        let attr = |name: &str| {
            let key = format!(" {name}=\"");
            tag.find(&key)
                .map(|i| tag[i + key.len()..].split('"').next().unwrap().to_string())
        };
        if tag.starts_with("<link") && tag.contains("rel=\"stylesheet\"") {
            urls.extend(attr("href"));
        } else if tag.starts_with("<script") {
            let data = attr("type").is_some_and(|t| !t.contains("javascript") && t != "module");
            match attr("src") {
                Some(src) => urls.push(src),
                None if data => {}
                None => {
                    let body = &rest[end + 1..];
                    inline += body.find("</script>").unwrap_or(0);
                }
            }
        } else if tag.starts_with("<style") {
            let body = &rest[end + 1..];
            inline += body.find("</style>").unwrap_or(0);
        }
        rest = &rest[end + 1..];
    }
    (urls, inline)
}

#[test]
fn a_note_page_loads_less_than_60_kb_of_css_and_javascript() {
    let (_dir, site) = common::build_to_temp(&common::repo_root());
    let note = a_note_page(&site);
    let html = read(&site, &note);
    let (urls, inline) = referenced_assets(&html);
    assert!(urls.iter().any(|u| u.ends_with(".css")), "{urls:?}");
    let folder = site.join(&note).parent().unwrap().to_path_buf();
    let mut total = inline;
    let mut lines = vec![format!("  inline: {inline} B")];
    for url in &urls {
        assert!(
            !url.contains("://"),
            "a note page must not load {url} from the network"
        );
        let file = folder.join(url.split(['?', '#']).next().unwrap());
        let bytes = std::fs::metadata(&file)
            .unwrap_or_else(|e| panic!("{url}: {e}"))
            .len() as usize;
        lines.push(format!("  {url}: {bytes} B"));
        total += bytes;
    }
    eprintln!("CSS + JS on {note}: {total} bytes\n{}", lines.join("\n"));
    assert!(
        total < 60 * 1024,
        "CSS + JS on a note page is {total} bytes, over 60 KB:\n{}",
        lines.join("\n")
    );
}

/// Relative luminance of `#rrggbb` (WCAG 2.1).
fn luminance(hex: &str) -> f64 {
    let hex = hex.trim_start_matches('#');
    let channel = |i: usize| {
        let c = u8::from_str_radix(&hex[i..i + 2], 16).unwrap() as f64 / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// The `--name: #hex` custom properties declared in the first block after `selector`.
fn palette(css: &str, selector: &str) -> BTreeMap<String, String> {
    let start = css
        .match_indices(selector)
        .map(|(i, _)| i + selector.len())
        .find(|&end| css[end..].trim_start().starts_with('{'))
        .unwrap_or_else(|| panic!("no `{selector} {{` in site.css"));
    let block = &css[start..];
    let block = &block[block.find('{').unwrap() + 1..block.find('}').unwrap()];
    block
        .split(';')
        .filter_map(|decl| {
            let (name, value) = decl.split_once(':')?;
            let (name, value) = (name.trim(), value.trim());
            (name.starts_with("--") && value.starts_with('#') && value.len() == 7)
                .then(|| (name.to_string(), value.to_string()))
        })
        .collect()
}

#[test]
fn every_colour_pair_of_the_palette_meets_wcag_aa_in_light_and_dark_mode() {
    let css = guidance::theme::Theme::embedded()
        .text("static/site.css")
        .unwrap()
        .to_string();
    let light = palette(&css, ":root");
    let dark = palette(&css, ":root[data-theme=\"dark\"]");
    let system_dark = palette(&css, ":root:not([data-theme=\"light\"])");
    assert_eq!(
        dark, system_dark,
        "the two dark palettes (toggle and system preference) must be the same"
    );
    assert_eq!(
        light.keys().collect::<Vec<_>>(),
        dark.keys().collect::<Vec<_>>(),
        "both modes define the same colours"
    );

    // (foreground, background, minimum): 4.5 for text, 3 for borders and marks that carry meaning.
    let mut pairs: Vec<(String, String, f64)> = Vec::new();
    let mut pair = |fg: &str, bg: &str, min: f64| pairs.push((fg.to_string(), bg.to_string(), min));
    for bg in ["--bg", "--surface"] {
        for fg in [
            "--fg",
            "--muted",
            "--link",
            "--link-hover",
            "--eff",
            "--acc",
            "--inc",
        ] {
            pair(fg, bg, 4.5);
        }
        for ui in ["--line-strong", "--focus", "--brand"] {
            pair(ui, bg, 3.0);
        }
    }
    for pillar in ["--eff", "--acc", "--inc", "--warn"] {
        let tint = format!("{pillar}-bg");
        pair(pillar, &tint, 4.5);
        pair("--fg", &tint, 4.5);
        pair("--muted", &tint, 4.5);
    }
    for code in [
        "--fg",
        "--c-comment",
        "--c-string",
        "--c-keyword",
        "--c-func",
        "--c-const",
        "--c-type",
    ] {
        pair(code, "--code-bg", 4.5);
    }
    let mut failures = Vec::new();
    for (mode, colours) in [("light", &light), ("dark", &dark)] {
        for (fg, bg, min) in &pairs {
            let (a, b) = (&colours[fg], &colours[bg]);
            let ratio = contrast(a, b);
            if ratio < *min {
                failures.push(format!(
                    "{mode}: {fg} {a} on {bg} {b} is {ratio:.2}:1, needs {min}:1"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn read(site: &Path, path: &str) -> String {
    std::fs::read_to_string(site.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn every_page_has_a_title_description_open_graph_one_h1_and_its_language() {
    let (model, _) = guidance::load_site(&common::repo_root()).unwrap_or_else(|d| panic!("{d}"));
    let (_dir, site) = common::build_to_temp(&common::repo_root());
    for path in common::html_pages(&site) {
        let html = read(&site, &path);
        let lang = match lang_prefix(&path) {
            "" => model.config.default_language().to_string(),
            l => l.to_string(),
        };
        let dir = guidance::i18n::direction(&lang);
        assert!(
            html.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")),
            "{path}: <html lang dir>"
        );
        assert_eq!(count(&html, "<title>"), 1, "{path}: one <title>");
        assert!(!html.contains("<title></title>"), "{path}: empty <title>");
        assert!(
            !html.contains("name=\"description\" content=\"\""),
            "{path}: empty description"
        );
        assert_eq!(
            count(&html, "<meta name=\"description\""),
            1,
            "{path}: meta description"
        );
        for property in ["og:type", "og:title", "og:description", "og:site_name"] {
            assert_eq!(
                count(&html, &format!("<meta property=\"{property}\"")),
                1,
                "{path}: {property}"
            );
        }
        assert_eq!(count(&html, "<h1"), 1, "{path}: one h1");
        assert_eq!(count(&html, "<main"), 1, "{path}: one main");
        assert!(
            html.contains("class=\"skip-link\" href=\"#main\""),
            "{path}: skip link"
        );
        // The stored choice is applied before the stylesheet loads, so a page never flashes.
        let script = html
            .find("localStorage.getItem(\"guidance-theme\")")
            .unwrap_or_else(|| panic!("{path}: theme script"));
        // (The 404 page writes its assets from a script, after it has found the site's root.)
        let stylesheet = html
            .find("rel=\"stylesheet\"")
            .or_else(|| html.find("rel=\\\"stylesheet\\\""))
            .unwrap_or_else(|| panic!("{path}: no stylesheet"));
        assert!(
            script < stylesheet && script < html.find("</head>").unwrap(),
            "{path}: theme applied before paint"
        );
        let (assets, _) = referenced_assets(&html);
        assert!(
            assets
                .iter()
                .all(|u| !u.contains("://") && !u.starts_with("//")),
            "{path}: loads from a network: {assets:?}"
        );
    }
}

#[test]
fn canonical_and_og_url_follow_the_base_url() {
    let (mut site, _) = guidance::load_site(&common::repo_root()).unwrap_or_else(|d| panic!("{d}"));
    let theme =
        guidance::theme::Theme::load(&common::repo_root()).unwrap_or_else(|d| panic!("{d}"));
    let plain = guidance::generate(&site, &theme, RenderOptions::default())
        .unwrap_or_else(|d| panic!("{d}"));
    let note = plain
        .iter()
        .find(|f| f.path.starts_with("notes/") && f.path != "notes/index.html")
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&note.bytes).contains("rel=\"canonical\""),
        "no canonical without a base URL"
    );

    site.config.base_url = Some("https://example.org/guidance".to_string());
    let files = guidance::generate(&site, &theme, RenderOptions::default())
        .unwrap_or_else(|d| panic!("{d}"));
    // A page showing a document not translated into its language names the original.
    let renderer = guidance::render::Renderer::new(&site, &theme, RenderOptions::default())
        .unwrap_or_else(|d| panic!("{d}"));
    let canonical_paths: BTreeMap<String, String> = renderer
        .pages()
        .into_iter()
        .map(|(id, lang)| {
            let path = id.path_in(&site, &lang);
            let shown = if id.translated_in(&site, &lang) {
                path.clone()
            } else {
                id.path(&site)
            };
            (path, shown)
        })
        .collect();
    let mut fallbacks = 0;
    for file in files
        .iter()
        .filter(|f| f.path.ends_with(".html") && !f.path.ends_with("404.html"))
    {
        let html = String::from_utf8_lossy(&file.bytes).into_owned();
        let canonical = &canonical_paths[&file.path];
        fallbacks += usize::from(*canonical != file.path);
        let expected = format!(
            "https://example.org/guidance/{}",
            canonical.strip_suffix("index.html").unwrap_or(canonical)
        );
        assert!(
            html.contains(&format!("<link rel=\"canonical\" href=\"{expected}\">")),
            "{}: canonical {expected}",
            file.path
        );
        assert!(
            html.contains(&format!(
                "<meta property=\"og:url\" content=\"{expected}\">"
            )),
            "{}: og:url",
            file.path
        );
    }
    // Every document is translated into every language: no page shows an original (the i18n
    // tests check such pages' canonical addresses on their fixture).
    assert_eq!(fallbacks, 0, "pages showing an original");
    // A translated note is its own page.
    let french = files
        .iter()
        .find(|f| f.path == "fr/notes/data-sharing/index.html")
        .unwrap();
    assert!(String::from_utf8_lossy(&french.bytes).contains(
        "<link rel=\"canonical\" href=\"https://example.org/guidance/fr/notes/data-sharing/\">"
    ));
}

#[test]
fn the_pictures_are_built_from_the_site() {
    let (model, _) = guidance::load_site(&common::repo_root()).unwrap_or_else(|d| panic!("{d}"));
    let (_dir, site) = common::build_to_temp(&common::repo_root());

    // Home: the principles grouped by pillar, each with links to its notes.
    let home = read(&site, "index.html");
    for pillar in ["effectiveness", "accountability", "inclusiveness"] {
        assert_eq!(
            count(
                &home,
                &format!("<section class=\"pillar-col pillar-{pillar}\"")
            ),
            1,
            "pillar {pillar}"
        );
    }
    assert_eq!(
        count(&home, "<h4><a href=\"principles/"),
        model.principles.len()
    );
    for note in &model.notes {
        assert!(
            home.contains(&format!("href=\"notes/{}/\"", note.slug)),
            "home links {}",
            note.slug
        );
    }
    let pillars_in_order: Vec<usize> = ["effectiveness", "accountability", "inclusiveness"]
        .iter()
        .map(|p| home.find(&format!("pillar-col pillar-{p}")).unwrap())
        .collect();
    for principle in &model.principles {
        let first = pillars_in_order[0];
        let at = first
            + home[first..]
                .find(&format!("href=\"principles/{}/\"", principle.slug))
                .unwrap();
        let column = pillars_in_order
            .iter()
            .rposition(|&start| start < at)
            .unwrap();
        assert_eq!(
            guidance::model::Pillar::ALL[column],
            principle.meta.pillar,
            "{} under its pillar",
            principle.slug
        );
    }

    // Principles index: one matrix row per note, one column per principle, one "serves" mark a row.
    let index = read(&site, "principles/index.html");
    let table =
        &index[index.find("<table class=\"matrix\">").unwrap()..index.find("</table>").unwrap()];
    let body = &table[table.find("<tbody>").unwrap()..];
    let rows: Vec<&str> = body.split("<tr>").skip(1).collect();
    assert_eq!(rows.len(), model.notes.len());
    for (row, note) in rows.iter().zip(&model.notes) {
        assert_eq!(count(row, "<td"), model.principles.len(), "{}", note.slug);
        assert_eq!(count(row, "mark serves"), 1, "{}", note.slug);
        assert_eq!(
            count(row, "mark relates"),
            note.related_principles.len(),
            "{}",
            note.slug
        );
        let serves = row
            .split("<td")
            .skip(1)
            .position(|cell| cell.contains("mark serves"))
            .unwrap();
        assert_eq!(serves, note.principle, "{} serves its principle", note.slug);
    }
    assert_eq!(
        count(table, "<th scope=\"col\""),
        model.principles.len() + 1
    );

    // Countries index: every country with its count of notes and a bar in proportion.
    let countries = read(&site, "countries/index.html");
    let max = model.countries.iter().map(|c| c.notes.len()).max().unwrap();
    for country in &model.countries {
        let at = countries
            .find(&format!(">{}</a>", country.name))
            .unwrap_or_else(|| panic!("{}", country.name));
        let item = &countries[at..at + countries[at..].find("</li>").unwrap()];
        let n = country.notes.len();
        assert!(
            item.contains(&format!("--w: {}%", n * 100 / max)),
            "{}: {item}",
            country.name
        );
        assert!(
            item.contains(&format!("{n} note")),
            "{}: {item}",
            country.name
        );
    }

    // Provisional notes keep their notice; others have none.
    for note in &model.notes {
        let html = read(&site, &format!("notes/{}/index.html", note.slug));
        let provisional = note.meta.status == guidance::model::Status::Provisional;
        assert_eq!(
            html.contains("notice provisional"),
            provisional,
            "{}",
            note.slug
        );
        assert_eq!(
            count(&html, "toc-wide") > 0,
            !note.body.headings.is_empty(),
            "{}",
            note.slug
        );
    }
}

#[test]
fn highlighted_code_gets_colours_for_the_classes_syntect_writes() {
    let html = guidance::markdown::to_html(
        "```rust\n// say hello\nfn main() { let n = 42; println!(\"hi {n}\"); }\n```\n",
        &[],
        "Link",
        &|_| None,
    );
    let css = guidance::theme::Theme::embedded()
        .text("static/site.css")
        .unwrap()
        .to_string();
    for (emitted, rule) in [
        ("hl-comment", ".hl-comment{"),
        ("hl-string", ".hl-string,"),
        ("hl-storage", ".hl-keyword,.hl-storage,"),
        (
            "hl-entity hl-name hl-function",
            ".hl-entity.hl-name.hl-function,",
        ),
        ("hl-constant hl-numeric", ".hl-constant,"),
    ] {
        assert!(
            html.contains(&format!("class=\"{emitted}")),
            "syntect no longer writes `{emitted}`: {html}"
        );
        assert!(
            css.contains(rule),
            "site.css has no colour for `{emitted}` (looked for `{rule}`)"
        );
    }
}

#[test]
fn heading_ids_keep_clear_of_every_id_the_templates_write() {
    let templates = common::repo_root().join("src/theme/templates");
    let mut written = BTreeSet::new();
    for entry in std::fs::read_dir(templates).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for part in text.split(" id=\"").skip(1) {
            let id = part.split('"').next().unwrap();
            if !id.contains("{{") && !id.contains("{%") {
                written.insert(id.to_string());
            }
        }
    }
    assert!(written.contains("main"), "{written:?}");
    let reserved: BTreeSet<String> = guidance::markdown::TEMPLATE_IDS
        .iter()
        .map(|id| id.to_string())
        .collect();
    assert_eq!(written, reserved);
}
