//! The six UN languages, end to end, on the fixture site `tests/fixtures/i18n-site/`: two
//! principles and three notes, one note translated into every language, one into French and
//! Arabic, one into none. URL layout, the language switcher and `hreflang` links, the marker on
//! untranslated items, the pages that show an untranslated document in the original inside each
//! language's interface, no broken link in any language, dates per language, the validation of a
//! translation's front matter, right-to-left Arabic in Chromium (computed direction, no horizontal
//! scroll at 320 px, axe-core), and the completeness of the theme's interface strings.
mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const LANGS: [&str; 6] = ["en", "fr", "es", "ar", "zh", "ru"];

fn fixture() -> PathBuf {
    common::repo_root().join("tests/fixtures/i18n-site")
}

fn read(site: &Path, path: &str) -> String {
    std::fs::read_to_string(site.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Undoes the HTML escaping minijinja applies to attribute values.
fn unescape(text: &str) -> String {
    text.replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// Every opening tag `<name ...>` in `html`, as written.
fn tags<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}");
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        if after.starts_with([' ', '>', '\n']) {
            let end = after.find('>').unwrap();
            found.push(&rest[i..i + open.len() + end + 1]);
        }
        rest = &rest[i + open.len()..];
    }
    found
}

/// The value of `attr` in one opening tag.
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

/// The HTML between the opening tag that contains `marker` and its matching `</name>`.
fn element<'a>(html: &'a str, name: &str, marker: &str) -> &'a str {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("no `{marker}` in page"));
    let start = html[..at].rfind(&format!("<{name}")).unwrap();
    let end = html[start..].find(&format!("</{name}>")).unwrap() + start;
    &html[start..end]
}

/// Resolves a relative link from the page at `from` (a path from the site root) to a file path.
fn resolve(from: &str, href: &str) -> String {
    let href = href.split(['#', '?']).next().unwrap();
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for part in href.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let mut path = parts.join("/");
    if href.is_empty() || href.ends_with('/') || href == "." || href.ends_with("/.") {
        path = if path.is_empty() {
            "index.html".into()
        } else {
            format!("{path}/index.html")
        };
    }
    path
}

fn build() -> (tempfile::TempDir, PathBuf) {
    common::build_to_temp(&fixture())
}

// ---------------------------------------------------------------------------------------------
// URLs, switcher, hreflang, fallback

#[test]
fn default_language_at_the_root_and_the_others_under_their_code() {
    let (_dir, site) = build();
    for page in [
        "index.html",
        "notes/open-budgets/index.html",
        "principles/integrity/index.html",
        "about/index.html",
    ] {
        let html = read(&site, page);
        assert!(html.contains(r#"<html lang="en" dir="ltr">"#), "{page}");
    }
    for lang in ["fr", "es", "ar", "zh", "ru"] {
        for page in [
            "index.html",
            "notes/index.html",
            "notes/open-budgets/index.html",
            "principles/integrity/index.html",
            "search/index.html",
        ] {
            let html = read(&site, &format!("{lang}/{page}"));
            let dir = if lang == "ar" { "rtl" } else { "ltr" };
            assert!(
                html.contains(&format!(r#"<html lang="{lang}" dir="{dir}">"#)),
                "{lang}/{page}"
            );
        }
        // Every document has a page in every language, translated or not.
        for page in [
            "notes/civic-labs/index.html",
            "notes/risk-registers/index.html",
            "principles/sound-policymaking/index.html",
            "about/index.html",
        ] {
            assert!(
                site.join(format!("{lang}/{page}")).exists(),
                "{lang}/{page}"
            );
        }
        assert!(!site.join(format!("{lang}/en")).exists());
    }
    assert!(
        !site.join("en").exists(),
        "the default language has no folder of its own"
    );
    // The sitemap lists every language's pages whose text is in that language; a page showing
    // an untranslated document names the original as canonical and is left out.
    let sitemap = read(&site, "sitemap.xml");
    assert!(sitemap.contains("https://example.org/guidance/ar/notes/open-budgets/"));
    assert!(sitemap.contains("https://example.org/guidance/fr/notes/risk-registers/"));
    assert!(sitemap.contains("https://example.org/guidance/notes/civic-labs/"));
    assert!(sitemap.contains("https://example.org/guidance/es/notes/"));
    for fallback in [
        "/fr/notes/civic-labs/",
        "/es/notes/risk-registers/",
        "/es/principles/sound-policymaking/",
        "/fr/about/",
    ] {
        assert!(!sitemap.contains(fallback), "{fallback} in the sitemap");
    }
}

#[test]
fn translated_page_has_a_switcher_and_hreflang_links_to_every_version() {
    let (_dir, site) = build();
    let page = "fr/notes/open-budgets/index.html";
    let html = read(&site, page);

    // <head>: one alternate per language, absolute (the fixture has a base_url), and x-default.
    let alternates: Vec<(String, String)> = tags(&html, "link")
        .into_iter()
        .filter(|t| attr(t, "rel").as_deref() == Some("alternate") && attr(t, "hreflang").is_some())
        .map(|t| (attr(t, "hreflang").unwrap(), attr(t, "href").unwrap()))
        .collect();
    let expected: Vec<(String, String)> = LANGS
        .iter()
        .map(|l| {
            let prefix = if *l == "en" {
                String::new()
            } else {
                format!("{l}/")
            };
            (
                l.to_string(),
                format!("https://example.org/guidance/{prefix}notes/open-budgets/"),
            )
        })
        .collect();
    let mut with_default = expected.clone();
    with_default.insert(
        1,
        (
            "x-default".into(),
            "https://example.org/guidance/notes/open-budgets/".into(),
        ),
    );
    assert_eq!(alternates, with_default);

    // The visible switcher: a labelled nav, the languages in their own names, the current one marked.
    let nav = element(&html, "nav", r#"class="languages""#);
    assert!(nav.contains(r#"aria-label="Langues""#), "{nav}");
    let links = tags(nav, "a");
    assert_eq!(links.len(), 6, "{nav}");
    let names = [
        "English",
        "Français",
        "Español",
        "العربية",
        "中文",
        "Русский",
    ];
    for ((link, lang), name) in links.iter().zip(LANGS).zip(names) {
        assert_eq!(attr(link, "lang").as_deref(), Some(lang), "{link}");
        assert_eq!(attr(link, "hreflang").as_deref(), Some(lang), "{link}");
        assert_eq!(attr(link, "aria-current").is_some(), lang == "fr", "{link}");
        let target = resolve(page, &attr(link, "href").unwrap());
        let expected = if lang == "en" {
            "notes/open-budgets/index.html".to_string()
        } else {
            format!("{lang}/notes/open-budgets/index.html")
        };
        assert_eq!(target, expected);
        assert!(site.join(&target).exists(), "{target}");
        assert!(nav.contains(&format!(">{name}</a>")), "{name} in {nav}");
    }
    assert!(
        tags(nav, "a")
            .iter()
            .any(|l| attr(l, "dir").as_deref() == Some("rtl")
                && attr(l, "lang").as_deref() == Some("ar"))
    );

    // A partly translated note: the switcher offers every language (the others show the
    // original), the `hreflang` links name exactly its translations and the original.
    let page = "ar/notes/risk-registers/index.html";
    let html = read(&site, page);
    let nav = element(&html, "nav", r#"class="languages""#);
    let targets: Vec<String> = tags(nav, "a")
        .iter()
        .map(|l| resolve(page, &attr(l, "href").unwrap()))
        .collect();
    let expected: Vec<String> = LANGS
        .iter()
        .map(|l| match *l {
            "en" => "notes/risk-registers/index.html".to_string(),
            l => format!("{l}/notes/risk-registers/index.html"),
        })
        .collect();
    assert_eq!(targets, expected);
    assert!(nav.contains(r#"aria-current="page">العربية"#), "{nav}");
    let hreflang: Vec<String> = tags(&html, "link")
        .into_iter()
        .filter_map(|t| attr(t, "hreflang"))
        .collect();
    assert_eq!(hreflang, ["en", "x-default", "fr", "ar"]);
}

#[test]
fn untranslated_document_is_offered_in_every_language_but_names_only_its_original() {
    let (_dir, site) = build();
    let page = "notes/civic-labs/index.html";
    let html = read(&site, page);
    let nav = element(&html, "nav", r#"class="languages""#);
    let links = tags(nav, "a");
    assert_eq!(links.len(), 6, "{nav}");
    assert_eq!(attr(links[0], "aria-current").as_deref(), Some("page"));
    assert_eq!(
        resolve(page, &attr(links[1], "href").unwrap()),
        "fr/notes/civic-labs/index.html"
    );
    assert!(
        !nav.contains("Not yet available in other languages."),
        "{nav}"
    );
    let hreflang: Vec<&str> = tags(&html, "link")
        .into_iter()
        .filter(|t| t.contains("hreflang"))
        .collect();
    assert_eq!(hreflang.len(), 1, "one version, no x-default: {hreflang:?}");
    assert_eq!(
        attr(hreflang[0], "href").as_deref(),
        Some("https://example.org/guidance/notes/civic-labs/")
    );
    assert!(
        !html.contains("notice untranslated"),
        "the original says nothing"
    );

    // Generated pages exist in every language: their switcher lists all six.
    let html = read(&site, "zh/notes/index.html");
    let nav = element(&html, "nav", r#"class="languages""#);
    assert_eq!(tags(nav, "a").len(), 6);
    assert!(nav.contains(r#"aria-label="语言""#));
}

#[test]
fn an_untranslated_note_is_shown_in_the_original_inside_the_readers_language() {
    let (_dir, site) = build();
    let page = "fr/notes/civic-labs/index.html";
    let html = read(&site, page);
    // The interface is French: language, menu, breadcrumbs, labels, footer.
    assert!(html.contains(r#"<html lang="fr" dir="ltr">"#), "{html}");
    let menu = element(&html, "nav", r#"class="site-nav""#);
    assert!(
        menu.contains(">Principes</a>") && menu.contains(">Pays</a>"),
        "{menu}"
    );
    for link in tags(menu, "a") {
        let target = resolve(page, &attr(link, "href").unwrap());
        assert!(target.starts_with("fr/"), "{target}");
    }
    let crumbs = element(&html, "nav", r#"class="breadcrumbs""#);
    assert!(crumbs.contains(">Accueil</a>"), "{crumbs}");
    assert!(
        crumbs
            .contains(r#"<span aria-current="page" lang="en" dir="ltr">Civic laboratories</span>"#),
        "{crumbs}"
    );
    assert!(html.contains("<dt>Principe</dt>"), "French labels");
    assert!(element(&html, "footer", "site-footer").contains("Source"));

    // The notice, in French, naming the original's language in French.
    let notice = element(&html, "p", r#"class="notice untranslated""#);
    assert!(
        notice.contains("Pas encore traduit en français."),
        "{notice}"
    );
    assert!(
        notice.contains("affichée dans sa langue d’origine\u{202f}: anglais."),
        "{notice}"
    );
    assert!(!notice.contains("English"), "{notice}");
    // The document's text is the original, marked as English.
    assert!(
        html.contains(r#"<h1 lang="en" dir="ltr">Civic laboratories</h1>"#),
        "{html}"
    );
    assert!(html.contains(r#"<p class="lead" lang="en" dir="ltr">Small teams inside"#));
    let body = element(&html, "div", r#"class="prose""#);
    assert!(
        body.starts_with(r#"<div class="prose" lang="en" dir="ltr">"#),
        "{body}"
    );
    assert!(body.contains("A civic laboratory tries an idea"), "{body}");
    assert!(
        body.contains(r#"aria-label="Link to this section: Understanding the strategy""#),
        "the anchors' labels are in the text's language: {body}"
    );

    // Every link leads to the French pages: the principle (translated), the country, and the
    // body's links (to a translated note: its heading ids differ, so without the anchor).
    let facts = element(&html, "dl", r#"class="facts""#);
    let principle = tags(facts, "a")
        .into_iter()
        .find(|a| a.contains("integrity"))
        .unwrap();
    assert_eq!(
        resolve(page, &attr(principle, "href").unwrap()),
        "fr/principles/integrity/index.html"
    );
    assert!(facts.contains(">4. Intégrité</a>"), "{facts}");
    // (Not the offer, when a search finds nothing, of the same search in the original language.)
    let hrefs: Vec<String> = tags(&html, "a")
        .into_iter()
        .filter(|a| !a.contains("data-search-original"))
        .filter_map(|a| attr(a, "href"))
        .filter(|h| !h.starts_with('#') && !h.starts_with("http"))
        .collect();
    let targets: Vec<String> = hrefs.iter().map(|h| resolve(page, h)).collect();
    for expected in [
        "fr/countries/guy/index.html",
        "fr/principles/sound-policymaking/index.html",
        "fr/notes/risk-registers/index.html",
    ] {
        assert!(
            targets.iter().any(|t| t == expected),
            "{expected}: {targets:?}"
        );
    }
    // The French translation's heading in the same place as the one linked to.
    assert!(
        body.contains("fr/notes/risk-registers/#comprendre-la-strat%C3%A9gie\""),
        "{body}"
    );
    // Nothing leads back to English but the switcher.
    let switcher = element(&html, "nav", r#"class="languages""#);
    for (href, target) in hrefs.iter().zip(&targets) {
        let in_french = target.starts_with("fr/") || target.starts_with("static/");
        let offered = switcher.contains(&format!("\"{href}\""));
        assert!(in_french || offered, "{href} -> {target}");
    }

    // The switcher offers every language, this one current; the `hreflang` links and the
    // canonical address name the original, the one version there is.
    let nav = element(&html, "nav", r#"class="languages""#);
    let links = tags(nav, "a");
    assert_eq!(links.len(), 6, "{nav}");
    assert_eq!(attr(links[1], "aria-current").as_deref(), Some("page"));
    for (link, lang) in links.iter().zip(LANGS) {
        let expected = match lang {
            "en" => "notes/civic-labs/index.html".to_string(),
            l => format!("{l}/notes/civic-labs/index.html"),
        };
        assert_eq!(resolve(page, &attr(link, "href").unwrap()), expected);
    }
    assert!(html.contains(
        r#"<link rel="canonical" href="https://example.org/guidance/notes/civic-labs/">"#
    ));
    assert!(html.contains(
        r#"<meta property="og:url" content="https://example.org/guidance/notes/civic-labs/">"#
    ));
    let hreflang: Vec<(String, String)> = tags(&html, "link")
        .into_iter()
        .filter_map(|t| Some((attr(t, "hreflang")?, attr(t, "href")?)))
        .collect();
    assert_eq!(
        hreflang,
        [(
            "en".to_string(),
            "https://example.org/guidance/notes/civic-labs/".to_string()
        )]
    );

    // In Spanish, where neither the principle it links to nor the note it links to is
    // translated, the anchor into the original's heading carries over.
    let page = "es/notes/civic-labs/index.html";
    let html = read(&site, page);
    let body = element(&html, "div", r#"class="prose""#);
    let targets: Vec<String> = tags(body, "a")
        .into_iter()
        .filter_map(|a| attr(a, "href"))
        .filter(|h| !h.starts_with('#'))
        .collect();
    assert_eq!(
        targets,
        [
            "../../../es/principles/sound-policymaking/",
            "../../../es/notes/risk-registers/#understanding-the-strategy"
        ]
    );
    assert!(
        element(&html, "p", r#"class="notice untranslated""#)
            .contains("Aún sin traducir al español.")
    );
    // An untranslated principle and page are shown the same way.
    let html = read(&site, "es/principles/sound-policymaking/index.html");
    assert!(html.contains(r#"<html lang="es" dir="ltr">"#));
    assert!(html.contains(r#"<h1 lang="en" dir="ltr">Sound policymaking</h1>"#));
    assert!(html.contains(r#"class="notice untranslated""#));
    let html = read(&site, "fr/about/index.html");
    assert!(html.contains(r#"<html lang="fr" dir="ltr">"#));
    assert!(html.contains(r#"class="notice untranslated""#));
    assert!(html.contains(r#"<div class="prose" lang="en" dir="ltr">"#));
    // A translated page says nothing of the kind.
    let html = read(&site, "fr/notes/risk-registers/index.html");
    assert!(!html.contains("notice untranslated"));
    assert!(html.contains("<h1>"));
}

#[test]
fn the_print_edition_marks_a_translated_notes_sources_as_the_original_language() {
    let (_dir, site) = build();
    let html = read(&site, "fr/print/index.html");
    // Sources are front matter, written once in the original's language (English): inside a
    // French note they are marked English.
    let translated = element(&html, "section", r#"data-slug="open-budgets""#);
    assert!(!translated[..translated.find('>').unwrap()].contains("lang="));
    let sources = element(translated, "ul", r#"class="sources""#);
    assert!(
        sources.starts_with(r#"<ul class="sources" lang="en" dir="ltr">"#),
        "{sources}"
    );
    // In the English print edition they need no mark.
    let html = read(&site, "print/index.html");
    let original = element(&html, "section", r#"data-slug="open-budgets""#);
    let sources = element(original, "ul", r#"class="sources""#);
    assert!(sources.starts_with(r#"<ul class="sources">"#), "{sources}");
}

#[test]
fn the_arabic_print_edition_labels_an_english_notes_facts_in_arabic() {
    let (_dir, site) = build();
    let html = read(&site, "ar/print/index.html");
    // An untranslated note's section is English, left to right; the labels around its text are
    // the page's (Arabic, right to left), and so are the countries' names.
    let section = element(&html, "section", r#"data-slug="civic-labs""#);
    assert!(
        section[..section.find('>').unwrap()].contains(r#"lang="en" dir="ltr""#),
        "{section}"
    );
    let facts = element(section, "dl", r#"class="facts""#);
    assert!(
        facts.starts_with(r#"<dl class="facts" lang="ar" dir="rtl">"#),
        "{facts}"
    );
    assert!(
        facts.contains("غيانا") && !facts.contains("Guyana"),
        "{facts}"
    );
}

#[test]
fn an_arabic_page_showing_an_english_note_is_right_to_left_around_left_to_right_text() {
    let (_dir, site) = build();
    let html = read(&site, "ar/notes/civic-labs/index.html");
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#));
    assert!(html.contains(r#"<h1 lang="en" dir="ltr">Civic laboratories</h1>"#));
    assert!(html.contains(r#"<div class="prose" lang="en" dir="ltr">"#));
    let toc = element(&html, "nav", r#"class="toc toc-wide""#);
    assert!(toc.contains(r#"<ol lang="en" dir="ltr">"#), "{toc}");
    let notice = element(&html, "p", r#"class="notice untranslated""#);
    assert!(notice.contains("لم تُترجم بعد إلى العربية"), "{notice}");
    assert!(element(&html, "nav", r#"class="site-nav""#).contains("المبادئ"));
}

#[test]
fn a_site_in_one_language_has_no_pages_for_other_languages() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(
        &common::repo_root().join("tests/fixtures/valid-site"),
        dir.path(),
    );
    std::fs::write(dir.path().join("guidance.yaml"), "languages: [en]\n").unwrap();
    let (_out, site) = common::build_to_temp(dir.path());
    for lang in ["fr", "es", "ar", "zh", "ru"] {
        assert!(
            !site.join(lang).exists(),
            "{lang}/ in a site in English only"
        );
    }
    let html = read(&site, "notes/participatory-budgeting/index.html");
    assert!(!html.contains("notice untranslated"));
    let nav = element(&html, "nav", r#"class="languages""#);
    assert_eq!(tags(nav, "a").len(), 1, "{nav}");
    assert!(nav.contains("Not yet available in other languages."));
}

#[test]
fn untranslated_note_is_listed_in_english_with_a_marker_and_a_link_in_the_same_language() {
    let (_dir, site) = build();
    let page = "fr/notes/index.html";
    let html = read(&site, page);
    let card = element(&html, "li", "Civic laboratories");
    let link = tags(card, "a")
        .into_iter()
        .find(|a| a.contains("civic-labs"))
        .unwrap();
    // The link stays in French: the page there shows the original.
    assert_eq!(
        resolve(page, &attr(link, "href").unwrap()),
        "fr/notes/civic-labs/index.html"
    );
    assert_eq!(attr(link, "lang").as_deref(), Some("en"));
    assert_eq!(attr(link, "hreflang").as_deref(), Some("en"));
    // The marker names the language in French, as French text.
    let marker = element(card, "span", r#"class="lang-marker""#);
    assert_eq!(
        marker,
        "<span class=\"lang-marker\">Non traduit\u{202f}: anglais"
    );

    // A translated note's card: French title, French link, no marker.
    let card = element(&html, "li", "Budgets ouverts");
    let link = tags(card, "a")
        .into_iter()
        .find(|a| a.contains("open-budgets"))
        .unwrap();
    assert_eq!(
        resolve(page, &attr(link, "href").unwrap()),
        "fr/notes/open-budgets/index.html"
    );
    assert!(attr(link, "lang").is_none());
    assert!(!card.contains("lang-marker"), "{card}");

    // On an Arabic page, the English text of an untranslated card is marked left to right.
    let html = read(&site, "ar/countries/guy/index.html");
    let card = element(&html, "li", "Civic laboratories");
    assert!(
        card.contains(r#"lang="en" dir="ltr" hreflang="en""#),
        "{card}"
    );
    assert!(card.contains("غير مترجمة: الإنجليزية"), "{card}");

    // Each language names English in its own words (CLDR's names).
    for (lang, marker, notice) in [
        (
            "es",
            "Sin traducir: inglés",
            "en su idioma original: inglés.",
        ),
        (
            "ru",
            "Не переведено: английский",
            "на языке оригинала: английский.",
        ),
        ("zh", "未翻译：英语", "本页以原文语言显示：英语。"),
        ("ar", "غير مترجمة: الإنجليزية", "بلغتها الأصلية: الإنجليزية."),
    ] {
        let html = read(&site, &format!("{lang}/notes/index.html"));
        let card = element(&html, "li", "Civic laboratories");
        assert!(card.contains(marker), "{lang}: {card}");
        let html = read(&site, &format!("{lang}/notes/civic-labs/index.html"));
        let shown = element(&html, "p", r#"class="notice untranslated""#);
        assert!(shown.contains(notice), "{lang}: {shown}");
        assert!(!shown.contains("English"), "{lang}: {shown}");
    }

    // The home page's lists carry the same marker for the untranslated principle and note.
    let html = read(&site, "es/index.html");
    let item = element(&html, "li", "Sound policymaking");
    assert!(
        item.contains("lang-marker") && item.contains(r#"lang="en""#),
        "{item}"
    );
}

#[test]
fn no_link_is_broken_in_any_language() {
    let (_dir, site) = build();
    let mut broken = Vec::new();
    let pages = common::html_pages(&site);
    assert!(pages.len() > 60, "{}", pages.len());
    for page in &pages {
        let html = std::fs::read_to_string(site.join(page)).unwrap();
        for tag in tags(&html, "a").into_iter().chain(tags(&html, "link")) {
            let Some(href) = attr(tag, "href") else {
                continue;
            };
            if href.starts_with("https://")
                || href.starts_with("http://")
                || href.starts_with("mailto:")
                || href.starts_with('#')
            {
                continue;
            }
            let target = resolve(page, &href);
            if !site.join(&target).exists() {
                broken.push(format!("{page}: {href} -> {target}"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "{} broken links:\n{}",
        broken.len(),
        broken.join("\n")
    );
}

#[test]
fn dates_and_counts_are_written_the_way_each_language_writes_them() {
    let (_dir, site) = build();
    let cases = [
        (
            "notes/open-budgets/index.html",
            "1 February 2021",
            "May 2023",
        ),
        (
            "fr/notes/open-budgets/index.html",
            "1er février 2021",
            "mai 2023",
        ),
        (
            "es/notes/open-budgets/index.html",
            "1 de febrero de 2021",
            "mayo de 2023",
        ),
        (
            "ar/notes/open-budgets/index.html",
            "1 فبراير 2021",
            "مايو 2023",
        ),
        (
            "zh/notes/open-budgets/index.html",
            "2021年2月1日",
            "2023年5月",
        ),
        (
            "ru/notes/open-budgets/index.html",
            "1 февраля 2021 г.",
            "май 2023 г.",
        ),
    ];
    for (page, published, updated) in cases {
        let html = read(&site, page);
        assert!(
            html.contains(&format!(
                r#"<time datetime="2021-02-01">{published}</time>"#
            )),
            "{page}: {published}"
        );
        assert!(
            html.contains(&format!(r#"<time datetime="2023-05">{updated}</time>"#)),
            "{page}: {updated}"
        );
    }
    // Counted nouns take the language's plural form: 2 principles, 3 notes, 4 strategies.
    let stats = |lang: &str| {
        let path = if lang == "en" {
            "index.html".to_string()
        } else {
            format!("{lang}/index.html")
        };
        element(&read(&site, &path), "ul", r#"class="stats""#).to_string()
    };
    assert!(stats("en").contains("<strong>2</strong> principles"));
    assert!(
        stats("ru").contains("<strong>2</strong> принципа")
            && stats("ru").contains("<strong>3</strong> записки")
    );
    // Arabic writes its singular and dual without the number.
    assert!(
        stats("ar").contains("<li>مبدآن</li>") && stats("ar").contains("<strong>3</strong> مذكرات"),
        "{}",
        stats("ar")
    );
    assert!(stats("zh").contains("<strong>3</strong> 份说明"));
}

#[test]
fn translations_are_found_whatever_order_their_files_sort_in() {
    // `open-budgets-review.fr.md` sorts before `open-budgets.ar.md` ('-' before '.'), while the
    // slug `open-budgets` comes before `open-budgets-review`: the site looks translations up
    // by kind, slug and language, not in the order their files were read.
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&fixture(), dir.path());
    let notes = dir.path().join("notes");
    let review = |name: &str| {
        std::fs::read_to_string(notes.join(name))
            .unwrap()
            .replace("title: Open budgets\n", "title: Open budgets review\n")
            .replace(
                "title: Budgets ouverts\n",
                "title: Revue des budgets ouverts\n",
            )
    };
    std::fs::write(
        notes.join("open-budgets-review.md"),
        review("open-budgets.md"),
    )
    .unwrap();
    std::fs::write(
        notes.join("open-budgets-review.fr.md"),
        review("open-budgets.fr.md"),
    )
    .unwrap();
    let (site, _) = guidance::load_site(dir.path()).unwrap_or_else(|d| panic!("{d}"));
    let mut files: Vec<String> = std::fs::read_dir(&notes)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let translated: Vec<(&str, &str)> = files
        .iter()
        .filter_map(|name| {
            let (slug, lang) = name.strip_suffix(".md")?.rsplit_once('.')?;
            Some((slug, lang))
        })
        .collect();
    assert_eq!(translated.len(), 8, "{files:?}");
    for (slug, lang) in translated {
        let found = site.translation(guidance::model::Kind::Note, slug, lang);
        assert!(
            found.is_some_and(|t| t.slug == slug && t.lang == lang),
            "{slug}.{lang}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// A translation's front matter

fn check_with(files: &[(&str, &str)]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&fixture(), dir.path());
    for (path, text) in files {
        std::fs::write(dir.path().join(path), text).unwrap();
    }
    let output = Command::new(env!("CARGO_BIN_EXE_guidance"))
        .args(["check", "--root"])
        .arg(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_translation_that_contradicts_a_structural_field_is_an_error_at_the_field() {
    let text = "---\ntitle: Presupuestos abiertos\nprinciple: sound-policymaking\ncountries: [MUS, GUY]\nsdg_targets: [\"16.5\"]\n---\nCuerpo.\n";
    let (code, stderr) = check_with(&[("notes/open-budgets.es.md", text)]);
    assert_eq!(code, 1, "{stderr}");
    // principle: the value on line 3, column 12.
    assert!(
        stderr.contains("--> notes/open-budgets.es.md:3:12"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "`principle` is `sound-policymaking` here but `integrity` in notes/open-budgets.md"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: `principle` is structural and comes from the original"),
        "{stderr}"
    );
    // The same countries are no contradiction; fewer SDG targets are.
    assert!(!stderr.contains("`countries`"), "{stderr}");
    assert!(
        stderr.contains("--> notes/open-budgets.es.md:5:14"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`sdg_targets` is `[16.5]` here but `[16.5, 16.6]`"),
        "{stderr}"
    );
    assert!(stderr.contains("check failed: 2 errors"), "{stderr}");

    // A principle's number, and a value of the wrong type.
    let text = "---\ntitle: Intégrité\nnumber: 7\n---\nCorps.\n";
    let (code, stderr) = check_with(&[("principles/integrity.fr.md", text)]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("--> principles/integrity.fr.md:3:9"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`number` is `7` here but `4` in principles/integrity.md"),
        "{stderr}"
    );
    let text = "---\ntitle: Intégrité\npillar: [accountability]\n---\nCorps.\n";
    let (code, stderr) = check_with(&[("principles/integrity.fr.md", text)]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("error[wrong-type]: `pillar` cannot be read"),
        "{stderr}"
    );

    // Dates compare as dates: `2021-02-01` unquoted or quoted is the same day.
    let text = "---\ntitle: Presupuestos abiertos\npublished: \"2021-02-01\"\nstatus: published\n---\nCuerpo.\n";
    let (code, stderr) = check_with(&[("notes/open-budgets.es.md", text)]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn a_principle_translation_names_its_strategies_and_the_site_texts_are_translated() {
    // One name per strategy of the original, in its order.
    let text = "---\ntitle: Intégrité\nstrategies:\n  - Budgets ouverts\n---\nCorps.\n";
    let (code, stderr) = check_with(&[("principles/integrity.fr.md", text)]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("error[strategy-count]: the original has 2 strategies; this lists 1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--> principles/integrity.fr.md:3:12"),
        "{stderr}"
    );

    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&fixture(), dir.path());
    let principle = dir.path().join("principles/integrity.fr.md");
    let original = std::fs::read_to_string(&principle).unwrap();
    std::fs::write(
        &principle,
        original.replacen(
            "number: 4\n",
            "number: 4\nstrategies:\n  - Budgets ouverts\n  - Laboratoires citoyens\n",
            1,
        ),
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_guidance"))
        .args(["build", "--root"])
        .arg(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let site = dir.path().join("site");
    let page = unescape(&read(&site, "fr/principles/integrity/index.html"));
    let strategies = element(&page, "ul", "class=\"strategies\"");
    assert!(strategies.contains("Budgets ouverts"), "{strategies}");
    assert!(strategies.contains("Laboratoires citoyens"), "{strategies}");
    assert!(!strategies.contains("Open budgets"), "{strategies}");
    // French puts a narrow space before a colon; the English page keeps its own strategies.
    assert!(page.contains("Pilier\u{202f}: "), "French label separator");
    let english = unescape(&read(&site, "principles/integrity/index.html"));
    assert!(element(&english, "ul", "class=\"strategies\"").contains("Open budgets"));
    // The site's title is the configured one, untranslated: marked as English on French pages.
    let home = read(&site, "fr/index.html");
    assert!(
        home.contains(
            "<a class=\"site-name\" href=\"../fr/\" lang=\"en\">Governance guidance (test site)</a>"
        ),
        "{home}"
    );
}

#[test]
fn country_names_are_in_each_language_and_an_editor_can_replace_them_per_language() {
    let config = read(&fixture(), "guidance.yaml");
    // Problems in a language's names are errors at their place in guidance.yaml.
    let broken = format!(
        "{config}translations:\n  fr:\n    country_names:\n      MUS: ''\n      MUR: Maurice\n"
    );
    let (code, stderr) = check_with(&[("guidance.yaml", &broken)]);
    assert_eq!(code, 1, "{stderr}");
    let line = config.lines().count() + 4;
    for (at, message) in [
        (
            line,
            "translations.fr.country_names: the name for MUS is empty",
        ),
        (
            line + 1,
            "translations.fr.country_names: unknown country code \"MUR\"",
        ),
    ] {
        let found = stderr
            .find(message)
            .unwrap_or_else(|| panic!("no `{message}` in {stderr}"));
        assert!(
            stderr[found..].contains(&format!("--> guidance.yaml:{at}:7")),
            "{message} is not at {at}:7: {stderr}"
        );
    }

    // French pages take the French name configured for Mauritius, Spanish ones CLDR's, English
    // ones ISO 3166's; a note's list of countries and its JSON-LD follow its page's language.
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&fixture(), dir.path());
    let own = format!(
        "{config}translations:\n  fr:\n    country_names: {{MUS: République de Maurice}}\n"
    );
    std::fs::write(dir.path().join("guidance.yaml"), own).unwrap();
    let (_out, site) = common::build_to_temp(dir.path());
    for (path, name) in [
        ("fr/countries/mus/index.html", "République de Maurice"),
        ("es/countries/mus/index.html", "Mauricio"),
        ("countries/mus/index.html", "Mauritius"),
        ("ar/countries/mus/index.html", "موريشيوس"),
    ] {
        let page = read(&site, path);
        assert!(page.contains(&format!("<h1>{name}</h1>")), "{path}");
    }
    for (lang, mauritius, guyana) in [
        ("fr", "République de Maurice", "Guyana"),
        ("zh", "毛里求斯", "圭亚那"),
    ] {
        let path = format!("{lang}/notes/open-budgets/index.html");
        let page = read(&site, &path);
        let listed = element(&page, "dd", &format!(">{mauritius}</a>"));
        assert!(
            listed.contains(&format!(">{guyana}</a>")),
            "{path}: {listed}"
        );
        let jsonld = element(&page, "script", "application/ld+json");
        assert!(
            jsonld.contains(&format!("\"name\":\"{mauritius}\""))
                && jsonld.contains(&format!("\"name\":\"{guyana}\"")),
            "{path}: {jsonld}"
        );
    }
}

#[test]
fn an_unknown_key_in_a_translation_is_an_error_with_a_suggestion() {
    let text = "---\ntitle: Budgets ouverts\nsumary: Publier les budgets.\n---\nCorps.\n";
    let (code, stderr) = check_with(&[("notes/open-budgets.fr.md", text)]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("error[unknown-key]: unknown key `sumary`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--> notes/open-budgets.fr.md:3:1"),
        "{stderr}"
    );
    assert!(stderr.contains("help: did you mean `summary`?"), "{stderr}");

    // A page has only a title and a summary; the help says what a translation may set.
    let text = "---\ntitle: Accueil\nlayout: wide\n---\nCorps.\n";
    let (code, stderr) = check_with(&[("pages/home.fr.md", text)]);
    assert_eq!(code, 1);
    assert!(stderr.contains("unknown key `layout`"), "{stderr}");
    assert!(
        stderr.contains("a translation may set title and summary"),
        "{stderr}"
    );

    // An empty or non-text title.
    let text = "---\ntitle: [a, b]\n---\nCorps.\n";
    let (code, stderr) = check_with(&[("notes/open-budgets.fr.md", text)]);
    assert_eq!(code, 1);
    assert!(stderr.contains("`title` must be text"), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// Interface strings

#[test]
fn every_language_file_has_exactly_the_keys_of_english() {
    let folder = common::repo_root().join("src/theme/i18n");
    let load = |lang: &str| -> serde_yaml::Mapping {
        let text = std::fs::read_to_string(folder.join(format!("{lang}.yaml"))).unwrap();
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{lang}.yaml: {e}"))
    };
    let keys = |map: &serde_yaml::Mapping| -> BTreeSet<String> {
        map.keys()
            .map(|k| k.as_str().expect("keys are text").to_string())
            .collect()
    };
    let english = load("en");
    let english_keys = keys(&english);
    assert!(english_keys.len() > 100);
    for lang in ["fr", "es", "ar", "zh", "ru"] {
        let strings = load(lang);
        let own = keys(&strings);
        let missing: Vec<_> = english_keys.difference(&own).collect();
        let extra: Vec<_> = own.difference(&english_keys).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{lang}.yaml: missing {missing:?}, not in en.yaml {extra:?}"
        );
        for (key, value) in &strings {
            let key = key.as_str().unwrap();
            let value = value
                .as_str()
                .unwrap_or_else(|| panic!("{lang}.yaml: `{key}` is not text"));
            assert!(!value.is_empty(), "{lang}.yaml: `{key}` is empty");
            // In a script other than Latin, a value still equal to the English one was forgotten,
            // unless it holds no word (a date pattern, a separator, a digit).
            let english_value = english.get(key).and_then(|v| v.as_str()).unwrap();
            // The same placeholders as the English string, which the code fills in; the forms
            // of a counted noun may also place the number (`{count}`) where the language does.
            let placeholders = |text: &str| -> BTreeSet<String> {
                text.split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}'))
                    .map(|(name, _)| name.to_string())
                    .filter(|name| !(key.ends_with("_plural") && name == "count"))
                    .collect()
            };
            assert_eq!(
                placeholders(value),
                placeholders(english_value),
                "{lang}.yaml: `{key}` placeholders"
            );
            let mut in_placeholder = false;
            let has_word = value.chars().any(|c| {
                in_placeholder = (in_placeholder || c == '{') && c != '}';
                !in_placeholder && c != '}' && c.is_alphabetic()
            });
            let unit = key.starts_with("size_"); // KB and MB are written so in Chinese too
            if ["ar", "zh", "ru"].contains(&lang) && has_word && !unit {
                assert_ne!(
                    value, english_value,
                    "{lang}.yaml: `{key}` is not translated"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Right to left, in Chromium

/// Elements that stick out of the viewport sideways (on either side: in a right-to-left page,
/// what overflows to the right cannot even be scrolled to), outside scrolling containers.
const SIDEWAYS: &str = "[...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    if (r.width <= 1 || (r.left >= -0.5 && r.right <= innerWidth + 0.5)) return false;
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
        if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return false;
    }
    return true;
}).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' ' + Math.round(e.getBoundingClientRect().left) + '..' + Math.round(e.getBoundingClientRect().right))";

#[test]
fn arabic_pages_run_right_to_left_and_fit_a_320_pixel_phone() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = build();
    let server = common::StaticServer::start(&site);
    let paths = [
        "ar/",
        "ar/notes/",
        "ar/notes/open-budgets/",
        "ar/principles/",
        "ar/principles/integrity/",
        "ar/countries/guy/",
        "ar/about/",
    ];

    let page = browser.open(&server.url(paths[0]));
    page.set_viewport(1280, 900);
    for path in paths {
        page.goto(&server.url(path));
        assert_eq!(
            page.eval("getComputedStyle(document.documentElement).direction"),
            "rtl",
            "{path}"
        );
        assert_eq!(
            page.eval("getComputedStyle(document.querySelector('main h1')).direction"),
            "rtl",
            "{path}"
        );
        // Mirrored: the site name starts at the right edge, headings align to the right.
        let name_right = page
            .eval("document.querySelector('.site-name').getBoundingClientRect().right")
            .as_f64()
            .unwrap();
        let name_left = page
            .eval("document.querySelector('.site-name').getBoundingClientRect().left")
            .as_f64()
            .unwrap();
        assert!(
            name_left > 640.0 && name_right > 1100.0,
            "{path}: site name at {name_left}..{name_right}"
        );
        let h1_right = page.eval("(() => { const r = document.createRange(); r.selectNodeContents(document.querySelector('main h1')); return r.getBoundingClientRect().right })()").as_f64().unwrap();
        let main_right = page
            .eval("document.querySelector('main').getBoundingClientRect().right")
            .as_f64()
            .unwrap();
        assert!(
            main_right - h1_right < 40.0,
            "{path}: h1 text ends at {h1_right}, main at {main_right}"
        );
    }
    // Logical properties put the accent borders on the right: the principle list on the home
    // page, the provisional notice (whose rounded corners are the left ones).
    page.goto(&server.url("ar/"));
    let style = |selector: &str, property: &str| {
        page.eval(&format!(
            "getComputedStyle(document.querySelector('{selector}')).{property}"
        ))
    };
    assert_eq!(style(".principle-list > li", "borderRightWidth"), "4px");
    assert_eq!(style(".principle-list > li", "borderLeftWidth"), "1px");
    page.goto(&server.url("ar/notes/risk-registers/"));
    assert_eq!(style(".notice", "borderRightWidth"), "4px");
    assert_eq!(style(".notice", "borderTopRightRadius"), "0px");
    assert_eq!(style(".notice", "borderTopLeftRadius"), "4px");
    // English text inside an Arabic page keeps its own direction.
    page.goto(&server.url("ar/countries/guy/"));
    assert_eq!(
        page.eval("getComputedStyle(document.querySelector('a[hreflang=en][lang=en]')).direction"),
        "ltr"
    );

    // A page showing an English note: the page runs right to left, the note left to right.
    page.goto(&server.url("ar/notes/civic-labs/"));
    assert_eq!(
        page.eval("getComputedStyle(document.documentElement).direction"),
        "rtl"
    );
    for selector in ["h1", ".prose", ".lead"] {
        assert_eq!(
            page.eval(&format!(
                "getComputedStyle(document.querySelector('main {selector}')).direction"
            )),
            "ltr",
            "{selector}"
        );
    }
    assert_eq!(
        page.eval("getComputedStyle(document.querySelector('.notice.untranslated')).direction"),
        "rtl"
    );

    page.set_viewport(320, 640);
    let mut failures = Vec::new();
    for path in paths.into_iter().chain(["ar/notes/civic-labs/"]) {
        page.goto(&server.url(path));
        let width = page
            .eval("document.documentElement.scrollWidth")
            .as_i64()
            .unwrap();
        let sideways = page.eval(SIDEWAYS);
        if width > 320 || sideways.as_array().is_some_and(|a| !a.is_empty()) {
            failures.push(format!("{path}: scrollWidth {width}, sideways: {sideways}"));
        }
    }
    assert!(
        failures.is_empty(),
        "Arabic pages wider than a 320 px screen:\n{}",
        failures.join("\n")
    );
}

#[test]
fn arabic_and_french_pages_pass_axe_core() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = build();
    let server = common::StaticServer::start(&site);
    let mut failures = Vec::new();
    for path in [
        "ar/",
        "ar/notes/open-budgets/",
        "ar/principles/",
        "ar/countries/guy/",
        "fr/notes/",
        "notes/civic-labs/",
        "fr/notes/civic-labs/",
        "ar/notes/civic-labs/",
    ] {
        let page = browser.open(&server.url(path));
        let violations = page.axe_violations();
        if violations.as_array().is_none_or(|v| !v.is_empty()) {
            failures.push(format!("{path}: {violations:#}"));
        }
    }
    assert!(
        failures.is_empty(),
        "axe-core violations:\n{}",
        failures.join("\n")
    );
}

#[test]
fn a_link_to_a_heading_leads_to_the_same_heading_in_a_translation() {
    let (_dir, site) = build();
    let href_to_open_budgets = |page: &str| -> Vec<String> {
        let html = read(&site, page);
        let body = element(&html, "div", r#"class="prose""#);
        tags(body, "a")
            .into_iter()
            .filter_map(|a| attr(a, "href"))
            .filter(|h| h.contains("open-budgets"))
            .collect()
    };
    // The French translation has no heading of that id, but its headings follow the
    // original's one for one: the link leads to the French heading in the same place.
    assert_eq!(
        href_to_open_budgets("fr/notes/risk-registers/index.html"),
        ["../../../fr/notes/open-budgets/#comprendre-la-strat%C3%A9gie"]
    );
    let french = read(&site, "fr/notes/open-budgets/index.html");
    assert!(french.contains(r#"<h2 id="comprendre-la-stratégie""#));
    assert_eq!(
        href_to_open_budgets("notes/risk-registers/index.html"),
        ["../../notes/open-budgets/#understanding-the-strategy"]
    );
    // The Spanish one has fewer headings: nothing corresponds, so the link leads to its top,
    // and `guidance check` says so where the link is written.
    assert_eq!(
        href_to_open_budgets("es/notes/risk-registers/index.html"),
        ["../../../es/notes/open-budgets/"]
    );
    let (code, stderr) = check_with(&[]);
    assert_eq!(code, 0, "{stderr}");
    let warning = "warning[anchor-not-translated]: \"#understanding-the-strategy\" has no heading to lead to in the es, ru, zh translations of open-budgets: pages in those languages link to its top";
    let at = stderr
        .find(&format!("{warning}\n   --> notes/risk-registers.md:13:28"))
        .is_some();
    assert!(at, "{stderr}");
}

#[test]
fn a_relative_link_to_a_translation_asks_for_the_original() {
    let text = std::fs::read_to_string(fixture().join("notes/civic-labs.md")).unwrap()
        + "\nSee [the French text](../principles/integrity.fr.md).\n";
    let (code, stderr) = check_with(&[("notes/civic-labs.md", &text)]);
    assert_eq!(code, 1, "{stderr}");
    let line = text.lines().count();
    for expected in [
        "error[link-to-translation]: \"../principles/integrity.fr.md\" is a translation: links name the original",
        &format!("--> notes/civic-labs.md:{line}:23"),
        "= help: link to ../principles/integrity.md (or principle:integrity); pages in each language lead to its version in that language",
    ] {
        assert!(
            stderr.lines().any(|l| l.trim() == expected),
            "no `{expected}` in:\n{stderr}"
        );
    }
}

#[test]
fn a_translation_in_a_language_left_out_says_how_to_publish_it() {
    let config = "title: Governance guidance (test site)\nlanguages: [en, fr]\n";
    let (code, stderr) = check_with(&[("guidance.yaml", config)]);
    assert_eq!(code, 1, "{stderr}");
    for expected in [
        "error[unknown-language]: unknown language `ar` in file name",
        "--> notes/open-budgets.ar.md:1:1",
        "= help: `ar` is left out of `languages` in guidance.yaml; add it there to publish this translation: languages: [en, fr, ar]",
    ] {
        assert!(
            stderr.lines().any(|l| l.trim() == expected),
            "no `{expected}` in:\n{stderr}"
        );
    }
}

/// Where some document is not translated into a page's language (here civic laboratories, in
/// Russian), a search that finds nothing says that much of the site is only in the original
/// language, beside the link to the same search in it.
#[test]
fn a_search_says_the_site_is_partly_untranslated_where_it_is() {
    let (_dir, site) = build();
    let sentence = "Большая часть сайта ещё не переведена и есть только на языке оригинала.";
    for page in ["ru/search/index.html", "ru/notes/open-budgets/index.html"] {
        let html = read(&site, page);
        let none = html
            .split_once("data-search-none")
            .or_else(|| html.split_once("data-search-elsewhere"))
            .unwrap_or_else(|| panic!("{page}: no box for a search that finds nothing"))
            .1;
        assert!(none.contains(sentence), "{page}");
        assert!(none.contains("data-search-original"), "{page}");
    }
}
