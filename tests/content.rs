//! Invariants of the real content at the repository root (issue 3), so that an edit that breaks
//! one fails CI: the 11 principles and their pillars, 62 strategies, 23 notes tied to their
//! principles and strategies, links between them, provisional notices, the standard sections, the
//! length of every body, and country names in each language.

use std::path::PathBuf;

use guidance::RenderOptions;
use guidance::model::{Pillar, Site, Status, Target};
use guidance::render::{PageId, Renderer};
use guidance::theme::Theme;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn site() -> Site {
    let (site, _) = guidance::load_site(&root())
        .unwrap_or_else(|d| panic!("the real content does not load:\n{d}"));
    site
}

fn rendered(site: &Site, id: PageId) -> String {
    rendered_in(site, id, site.config.default_language())
}

fn rendered_in(site: &Site, id: PageId, lang: &str) -> String {
    let theme = Theme::load(&root()).unwrap_or_else(|d| panic!("{d}"));
    let renderer =
        Renderer::new(site, &theme, RenderOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    let file = renderer
        .render_in(id, lang)
        .unwrap_or_else(|d| panic!("{d}"));
    unescape(&String::from_utf8(file.bytes).unwrap())
}

/// HTML text with the entities our templates and Markdown renderer write turned back into text,
/// so assertions can compare with the source.
fn unescape(html: &str) -> String {
    html.replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Words a reader sees in a body: headings and text, without link targets or markup.
fn words(site_body: &guidance::model::Body) -> usize {
    site_body
        .sections()
        .map(|s| s.heading.split_whitespace().count() + s.text.split_whitespace().count())
        .sum()
}

const OFFICIAL_ORDER: [(&str, Pillar); 11] = [
    ("competence", Pillar::Effectiveness),
    ("sound-policymaking", Pillar::Effectiveness),
    ("collaboration", Pillar::Effectiveness),
    ("integrity", Pillar::Accountability),
    ("transparency", Pillar::Accountability),
    ("independent-oversight", Pillar::Accountability),
    ("leaving-no-one-behind", Pillar::Inclusiveness),
    ("non-discrimination", Pillar::Inclusiveness),
    ("participation", Pillar::Inclusiveness),
    ("subsidiarity", Pillar::Inclusiveness),
    ("intergenerational-equity", Pillar::Inclusiveness),
];

const PROVISIONAL: [&str; 4] = [
    "investment-in-e-government",
    "multi-stakeholder-partnerships",
    "anti-corruption-policies-practices-and-bodies",
    "data-disaggregation",
];

#[test]
fn eleven_principles_in_official_order_with_their_pillars() {
    let site = site();
    let found: Vec<(&str, u8, Pillar)> = site
        .principles
        .iter()
        .map(|p| (p.slug.as_str(), p.meta.number, p.meta.pillar))
        .collect();
    let expected: Vec<(&str, u8, Pillar)> = OFFICIAL_ORDER
        .iter()
        .enumerate()
        .map(|(i, (slug, pillar))| (*slug, i as u8 + 1, *pillar))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn sixty_two_strategies() {
    let site = site();
    let total: usize = site
        .principles
        .iter()
        .map(|p| p.meta.strategies.len())
        .sum();
    assert_eq!(total, 62);
    for p in &site.principles {
        assert!(
            !p.meta.strategies.is_empty(),
            "{} lists no strategies",
            p.slug
        );
    }
}

#[test]
fn twenty_three_notes_each_covering_a_strategy_of_its_principle() {
    let site = site();
    assert_eq!(site.notes.len(), 23);
    for note in &site.notes {
        let principle = &site.principles[note.principle];
        assert_eq!(principle.slug, note.meta.principle, "{}", note.slug);
        let strategy = note.strategy.unwrap_or_else(|| {
            panic!(
                "{} covers none of {}'s strategies (set `strategy:`)",
                note.slug, principle.slug
            )
        });
        assert!(principle.strategy_notes[strategy].contains(&site.note(&note.slug).unwrap()));
    }
}

#[test]
fn every_note_links_to_its_principle_and_two_other_notes() {
    let site = site();
    for (i, note) in site.notes.iter().enumerate() {
        let to_principle = note
            .body
            .links
            .values()
            .any(|t| matches!(t, Target::Principle { index, .. } if *index == note.principle));
        assert!(
            to_principle,
            "{} does not link to principle:{}",
            note.slug, note.meta.principle
        );
        assert!(!note.links_to.contains(&i));
        assert!(
            note.links_to.len() >= 2,
            "{} links to {} other note(s); at least 2",
            note.slug,
            note.links_to.len()
        );
    }
}

/// A note page shows each thing once: its body does not link to the addresses its front matter's
/// `sources` gives (the template lists those under "Official sources"), and the cards the
/// template adds after it are the notes that link to this one without being linked from its
/// body, whose "Related notes" section already says why each linked note matters.
#[test]
fn note_pages_do_not_repeat_their_sources_or_their_related_notes() {
    let site = site();
    let mut backlinks = 0;
    for (i, note) in site.notes.iter().enumerate() {
        let markdown = Site::markdown(&note.source, &note.body);
        for source in &note.meta.sources {
            assert!(
                !markdown.contains(&format!("]({})", source.url)),
                "notes/{}.md links to its source {} again",
                note.slug,
                source.url
            );
        }
        let page = rendered(&site, PageId::Note(i));
        let sources = page
            .split("<ul class=\"sources\">")
            .nth(1)
            .unwrap_or_else(|| panic!("notes/{}/: no sources list", note.slug));
        let sources = &sources[..sources.find("</ul>").unwrap()];
        assert_eq!(
            sources.matches("<li>").count(),
            note.meta.sources.len(),
            "notes/{}/",
            note.slug
        );
        let cards: Vec<&str> = match page.split_once("<h2 id=\"backlinks-title\">") {
            Some((_, section)) => section[..section.find("</section>").unwrap()]
                .split("<li class=\"card")
                .skip(1)
                .collect(),
            None => Vec::new(),
        };
        let expected: Vec<usize> = note
            .linked_from
            .iter()
            .copied()
            .filter(|j| !note.links_to.contains(j))
            .collect();
        assert_eq!(cards.len(), expected.len(), "notes/{}/: cards", note.slug);
        for (card, &j) in cards.iter().zip(&expected) {
            let href = format!("notes/{}/\"", site.notes[j].slug);
            assert!(
                card.contains(&href),
                "notes/{}/: no card for {href}",
                note.slug
            );
        }
        backlinks += expected.len();
    }
    // Some notes are linked from notes they do not link back to, and are shown those.
    assert!(backlinks > 0);
}

#[test]
fn every_principle_page_lists_its_notes() {
    let site = site();
    for (i, principle) in site.principles.iter().enumerate() {
        let page = rendered(&site, PageId::Principle(i));
        for &n in &principle.notes {
            let note = &site.notes[n];
            let href = format!("notes/{}/", note.slug);
            assert!(
                page.contains(&href),
                "principles/{}/ does not link to {}",
                principle.slug,
                note.slug
            );
            assert!(
                page.contains(&note.meta.title),
                "principles/{}/ lacks \"{}\"",
                principle.slug,
                note.meta.title
            );
        }
    }
    // Every note is listed under its principle.
    let listed: usize = site.principles.iter().map(|p| p.notes.len()).sum();
    assert_eq!(listed, site.notes.len());
}

#[test]
fn every_country_page_quotes_what_its_notes_say() {
    let site = site();
    for (i, country) in site.countries.iter().enumerate() {
        let page = rendered(&site, PageId::Country(i));
        let quoting: Vec<&str> = site
            .notes
            .iter()
            .filter(|n| {
                Site::markdown(&n.source, &n.body).contains(&format!("](country:{})", country.code))
            })
            .map(|n| n.slug.as_str())
            .collect();
        assert!(!quoting.is_empty(), "no note links to {}", country.code);
        assert_eq!(
            page.matches("<figure class=\"mention\">").count(),
            quoting.len(),
            "countries/{}/",
            country.code
        );
        for slug in quoting {
            let caption = format!("<figcaption><a href=\"../../notes/{slug}/#");
            assert!(
                page.contains(&caption),
                "countries/{}/ does not quote {slug}",
                country.code
            );
        }
        // The quotation is the sentence that links to this page, the country's name in bold
        // rather than a link to the page it is on.
        assert!(
            page.contains(&format!("<strong>{}</strong>", country.name)),
            "countries/{}/",
            country.code
        );
        let own = format!("href=\"../../countries/{}/\"", country.code.to_lowercase());
        let quotes: String = page.split("<blockquote>").skip(1).collect();
        assert!(
            !quotes.contains(&own),
            "countries/{}/ links to itself",
            country.code
        );
    }
}

/// The text nodes of `html`, each with the language it is in: the `lang` of the nearest
/// element around it that has one. Scripts and styles are left out.
fn text_languages(html: &str) -> Vec<(String, String)> {
    const VOID: [&str; 9] = [
        "meta", "link", "br", "img", "input", "hr", "source", "col", "wbr",
    ];
    let mut stack: Vec<(String, Option<String>)> = Vec::new();
    let mut texts = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let text = rest[..open].trim();
        if !text.is_empty() {
            let lang = stack.iter().rev().find_map(|(_, l)| l.clone());
            texts.push((unescape(text), lang.unwrap_or_default()));
        }
        let close = open + rest[open..].find('>').expect("a tag ends");
        let tag = &rest[open + 1..close];
        rest = &rest[close + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            if let Some(at) = stack.iter().rposition(|(n, _)| n == name.trim()) {
                stack.truncate(at);
            }
            continue;
        }
        if tag.starts_with('!') {
            continue;
        }
        let name = tag
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if name == "script" || name == "style" {
            let end = format!("</{name}>");
            rest = &rest[rest.find(&end).expect("the element ends")..];
            continue;
        }
        if VOID.contains(&name.as_str()) || tag.ends_with('/') {
            continue;
        }
        let lang = tag
            .split_once(" lang=\"")
            .map(|(_, v)| v[..v.find('"').unwrap()].to_string());
        stack.push((name, lang));
    }
    texts
}

/// On every note page in a language other than English, text that is only ever in English
/// (a principle's title where it has no translation in that language, a note's title or
/// summary, a source's title) is inside an element marked `lang="en"`, for screen readers and
/// hyphenation: the principle badges of the note cards, the official sources, the body.
#[test]
fn english_text_on_other_language_pages_is_marked_as_english() {
    let site = site();
    let theme = Theme::load(&root()).unwrap_or_else(|d| panic!("{d}"));
    let renderer =
        Renderer::new(&site, &theme, RenderOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    let mut problems = Vec::new();
    for lang in site.config.languages.iter().skip(1) {
        let mut english: Vec<&str> = Vec::new();
        for note in &site.notes {
            english.extend([note.meta.title.as_str(), note.meta.summary.as_str()]);
            english.extend(note.meta.sources.iter().map(|s| s.title.as_str()));
        }
        for p in &site.principles {
            let translated = site
                .translation(guidance::model::Kind::Principle, &p.slug, lang)
                .is_some();
            if !translated {
                english.push(&p.meta.title);
            }
        }
        for (i, note) in site.notes.iter().enumerate() {
            let file = renderer
                .render_in(PageId::Note(i), lang)
                .unwrap_or_else(|d| panic!("{d}"));
            let html = String::from_utf8(file.bytes).unwrap();
            for (text, text_lang) in text_languages(&html) {
                if text_lang != "en" && english.contains(&text.as_str()) {
                    problems.push(format!("{lang}/notes/{}/: \"{text}\"", note.slug));
                }
            }
        }
    }
    problems.dedup();
    assert!(
        problems.is_empty(),
        "not marked as English:\n{}",
        problems.join("\n")
    );
}

/// Punctuation around interface text is each language's own: Chinese ends the provisional label
/// with its full stop, French puts its narrow no-break space before a colon in the feeds'
/// titles (files, announcements and the data page's list) and after the data page's labels.
#[test]
fn punctuation_comes_from_the_language_of_the_page() {
    let site = site();
    let provisional = site.note("investment-in-e-government").unwrap();
    let page = rendered_in(&site, PageId::Note(provisional), "zh");
    assert!(
        page.contains("<strong>暂定标题。</strong>"),
        "zh provisional"
    );
    assert!(!page.contains("暂定标题."));

    let title = "Orientations CEPA sur la gouvernance\u{202f}: 9. Participation";
    let api = rendered_in(&site, PageId::Api, "fr");
    assert!(api.contains(&format!(">{title}</a>")), "fr/api/: {title}");
    assert!(
        api.contains("(version préliminaire 2020-12)</a>\u{202f}: <code>"),
        "fr/api/: schema label"
    );
    assert!(!api.contains("</a>: "), "fr/api/: an English colon");
    let participation = site.principle("participation").unwrap();
    let page = rendered_in(&site, PageId::Principle(participation), "fr");
    assert!(
        page.contains(&format!("title=\"{title}\"")),
        "fr/principles/participation/"
    );

    let theme = Theme::load(&root()).unwrap_or_else(|d| panic!("{d}"));
    let renderer =
        Renderer::new(&site, &theme, RenderOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    let files = guidance::data_files(&site, &renderer);
    let feed = |path: &str| {
        let file = files.iter().find(|f| f.path == path).expect(path);
        unescape(std::str::from_utf8(&file.bytes).unwrap())
    };
    assert!(feed("fr/feeds/principles/participation.xml").contains(title));
    assert!(feed("zh/feeds/principles/participation.xml").contains("：9. "));
    assert!(feed("feeds/principles/participation.xml").contains(": 9. Participation"));
}

/// A language's interface strings, as the theme holds them.
fn interface_strings(theme: &Theme, lang: &str) -> std::collections::BTreeMap<String, String> {
    serde_yaml::from_str(theme.text(&format!("i18n/{lang}.yaml")).unwrap()).unwrap()
}

/// The About page names the data page by its title in the page's language, as a link to it.
#[test]
fn the_about_page_links_to_the_data_page_by_its_name() {
    let site = site();
    let theme = Theme::load(&root()).unwrap();
    let about = site.page("about").expect("pages/about.md");
    for lang in &site.config.languages {
        let strings = interface_strings(&theme, lang);
        let name = &strings["api_title"];
        let page = rendered_in(&site, PageId::Page(about), lang);
        assert!(
            page.contains(&format!("api/\">{name}</a>")),
            "{lang}/about/ does not link to \"{name}\""
        );
    }
}

/// Arabic writes one and two of a thing without the digit (مذكرة واحدة, مذكرتان), and a prefix
/// joins the word it belongs to inside the link (للنزاهة), never with a tatweel before it.
#[test]
fn arabic_counts_and_prefixed_links_read_as_arabic_writes_them() {
    let site = site();
    for id in [PageId::CountriesIndex, PageId::Home] {
        let page = rendered_in(&site, id, "ar");
        for wrong in [">1 مذكرة<", ">2 مذكرتان<", " 1 مذكرة<", " 2 مذكرتان<"]
        {
            assert!(!page.contains(wrong), "ar {id:?}: {wrong}");
        }
    }
    let countries = rendered_in(&site, PageId::CountriesIndex, "ar");
    assert!(countries.contains(">مذكرتان</span>") || countries.contains(">مذكرة واحدة</span>"));
    for (i, p) in site.principles.iter().enumerate() {
        let page = rendered_in(&site, PageId::Principle(i), "ar");
        assert!(
            !page.contains("ـ<a "),
            "ar/principles/{}/: a tatweel before a link",
            p.slug
        );
    }
}

/// A country page says where its accounts come from (DPIDG's own reporting, retold on the note
/// pages, as the About page explains), and the notes it quotes each say something of their own:
/// no two quotations on a page share a run of six words (the division's full name aside).
const DIVISION: &str = "UN DESA’s Division for Public Institutions and Digital Government (DPIDG)";

#[test]
fn country_pages_credit_dpidg_and_quote_no_account_twice() {
    let site = site();
    let division = [
        ("en", "DPIDG"),
        ("fr", "DPIDG"),
        ("es", "DPIDG"),
        ("ru", "Отдел"),
        ("zh", "司"),
        ("ar", "الشعبة"),
    ];
    for (lang, name) in division {
        let page = rendered_in(&site, PageId::Country(0), lang);
        let headings: Vec<&str> = page
            .split("<h2>")
            .skip(1)
            .map(|h| &h[..h.find("</h2>").unwrap()])
            .collect();
        assert!(
            headings.iter().any(|h| h.contains(name)),
            "{lang}: {headings:?}"
        );
        let index = rendered_in(&site, PageId::CountriesIndex, lang);
        let lead = index.split("<p class=\"lead\">").nth(1).unwrap();
        assert!(
            lead[..lead.find("</p>").unwrap()].contains(name),
            "{lang}: {lead}"
        );
    }
    for (i, country) in site.countries.iter().enumerate() {
        let page = rendered(&site, PageId::Country(i));
        let quotes: Vec<Vec<String>> = page
            .split("<blockquote>")
            .skip(1)
            .map(|q| {
                q[..q.find("</blockquote>").unwrap()]
                    .replace(DIVISION, "DPIDG")
                    .split_whitespace()
                    .map(str::to_string)
                    .collect()
            })
            .collect();
        for (a, first) in quotes.iter().enumerate() {
            for second in &quotes[a + 1..] {
                let shared = first
                    .windows(6)
                    .find(|run| second.windows(6).any(|other| other == *run));
                assert!(
                    shared.is_none(),
                    "countries/{}/ quotes \"{}\" twice",
                    country.code,
                    shared.unwrap().join(" ")
                );
            }
        }
    }
}

/// The country filter of the search index in `lang`: (code, label) in the order shown.
fn country_filter(site: &Site, lang: &str) -> Vec<(String, String)> {
    let path = format!("search/{lang}/facets.js");
    let files = guidance::search::index(site);
    let file = files.iter().find(|f| f.path == path).expect(&path);
    let text = std::str::from_utf8(&file.bytes).unwrap();
    let prefix = format!("guidanceSearch.register(\"facets\",\"{lang}\",");
    let json = text
        .strip_prefix(&prefix)
        .and_then(|t| t.strip_suffix(");\n"))
        .unwrap_or_else(|| panic!("{path}: {text}"));
    let facets: serde_json::Value = serde_json::from_str(json).unwrap();
    facets["country"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c[0].as_str().unwrap().into(), c[1].as_str().unwrap().into()))
        .collect()
}

#[test]
fn countries_are_named_in_the_language_of_each_page() {
    let site = site();
    let guyana = site.country("GUY").expect("a note cites Guyana");
    for (lang, name) in [("ar", "غيانا"), ("zh", "圭亚那"), ("ru", "Гайана")] {
        let page = rendered_in(&site, PageId::Country(guyana), lang);
        for shown in [
            format!("<h1>{name}</h1>"),
            format!("<title>{name} · "),
            format!("<span aria-current=\"page\">{name}</span>"),
            format!("({name})\">"),
        ] {
            assert!(page.contains(&shown), "{lang}/countries/guy/: no {shown}");
        }
    }
    // English keeps ISO 3166's names and the built-in "Lao PDR".
    let lao = site.country("LAO").unwrap();
    let page = rendered(&site, PageId::Country(lao));
    assert!(page.contains("<h1>Lao PDR</h1>"), "countries/lao/");
    assert!(rendered_in(&site, PageId::Country(lao), "fr").contains("<h1>Laos</h1>"));

    // Search filters: French labels, in French alphabetical order; English ones unchanged.
    let french = country_filter(&site, "fr");
    let labels: Vec<(&str, &str)> = french
        .iter()
        .map(|(c, n)| (c.as_str(), n.as_str()))
        .collect();
    assert_eq!(
        labels,
        [
            ("GUY", "Guyana"),
            ("LAO", "Laos"),
            ("MUS", "Maurice"),
            ("NAM", "Namibie"),
            ("PAK", "Pakistan"),
            ("SYC", "Seychelles"),
            ("SLE", "Sierra Leone"),
        ]
    );
    let english: Vec<String> = country_filter(&site, "en")
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    assert_eq!(
        english,
        [
            "Guyana",
            "Lao PDR",
            "Mauritius",
            "Namibia",
            "Pakistan",
            "Seychelles",
            "Sierra Leone"
        ]
    );

    // The countries index in Chinese: pinyin order (Bā, Guī, Lǎo, Máo, Nà, Sài...), the
    // Russian one with CLDR's "Сейшельские о-ва" written out.
    let listed = |lang: &str| -> Vec<String> {
        let page = rendered_in(&site, PageId::CountriesIndex, lang);
        page.split("<li><a href=\"")
            .skip(1)
            .filter_map(|item| {
                item.split_once("\">")?
                    .1
                    .split_once("</a> <span class=\"bar\"")
            })
            .map(|(name, _)| name.to_string())
            .collect()
    };
    assert_eq!(
        listed("zh"),
        [
            "巴基斯坦",
            "圭亚那",
            "老挝",
            "毛里求斯",
            "纳米比亚",
            "塞拉利昂",
            "塞舌尔"
        ]
    );
    assert!(listed("ru").contains(&"Сейшельские Острова".to_string()));
}

#[test]
fn provisional_notes_say_so() {
    let site = site();
    let theme = Theme::load(&root()).unwrap();
    let notice = theme
        .text("i18n/en.yaml")
        .and_then(|t| serde_yaml::from_str::<std::collections::BTreeMap<String, String>>(t).ok())
        .and_then(|strings| strings.get("provisional_notice").cloned())
        .expect("provisional_notice in i18n/en.yaml");
    for (i, note) in site.notes.iter().enumerate() {
        let provisional = PROVISIONAL.contains(&note.slug.as_str());
        assert_eq!(
            note.meta.status == Status::Provisional,
            provisional,
            "{}: status",
            note.slug
        );
        let page = rendered(&site, PageId::Note(i));
        let shown = page.contains("class=\"notice provisional\"") && page.contains(&notice);
        assert_eq!(
            shown, provisional,
            "{}: provisional notice shown = {shown}",
            note.slug
        );
    }
    // A principle's page lists its notes by strategy; a provisional title is marked there too,
    // since the principle's text no longer says so.
    for (i, principle) in site.principles.iter().enumerate() {
        let page = rendered(&site, PageId::Principle(i));
        let start = page
            .find("<ul class=\"strategies\">")
            .unwrap_or_else(|| panic!("principles/{}/: no strategies list", principle.slug));
        let list = &page[start..start + page[start..].find("</ul>").unwrap()];
        for &n in principle.strategy_notes.iter().flatten() {
            let note = &site.notes[n];
            let link = list
                .find(&format!("notes/{}/\"", note.slug))
                .unwrap_or_else(|| {
                    panic!("principles/{}/: no link to {}", principle.slug, note.slug)
                });
            let after_link = &list[link..][list[link..].find("</a>").unwrap() + "</a>".len()..];
            assert_eq!(
                after_link.starts_with(" <span class=\"badge provisional\">"),
                note.meta.status == Status::Provisional,
                "principles/{}/: provisional badge after {}",
                principle.slug,
                note.slug
            );
        }
    }
    for slug in PROVISIONAL {
        assert!(
            site.note(slug).is_some(),
            "provisional note {slug} is missing"
        );
    }
}

#[test]
fn check_gives_no_warnings() {
    let warnings = guidance::check(&root()).unwrap_or_else(|d| panic!("{d}"));
    assert!(warnings.is_empty(), "warnings:\n{warnings}");
}

#[test]
fn every_note_has_the_standard_sections_in_order() {
    let site = site();
    for note in &site.notes {
        let mut expected = vec![
            "At a glance",
            "Understanding the strategy",
            "Why it matters",
            "Putting it into practice",
            "Common pitfalls",
            "Measuring progress",
        ];
        if !note.countries.is_empty() {
            expected.push("Country experience");
        }
        // The official sources are listed by the template from `sources`, after the body.
        expected.push("Related notes");
        let found: Vec<&str> = note
            .body
            .headings
            .iter()
            .filter(|h| h.level == 2)
            .map(|h| h.text.as_str())
            .collect();
        assert_eq!(found, expected, "sections of {}", note.slug);
    }
}

#[test]
fn body_lengths() {
    let site = site();
    let mut problems = Vec::new();
    for note in &site.notes {
        let n = words(&note.body);
        if !(900..=1_500).contains(&n) {
            problems.push(format!("notes/{}.md: {n} words (900-1,500)", note.slug));
        }
    }
    // A principle's body is prose only: its strategies and notes are listed by the template
    // after it, so the body no longer repeats them.
    for principle in &site.principles {
        let n = words(&principle.body);
        if !(350..=700).contains(&n) {
            problems.push(format!(
                "principles/{}.md: {n} words (350-700)",
                principle.slug
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every note is translated into every language of the site, and each translation follows its
/// original: the same headings at the same levels (a link to an anchor finds its heading in a
/// translation by position), the same links, and as its title the strategy's name in that
/// language (from the translated principle) wherever the English title is the strategy's name.
#[test]
fn every_note_is_translated_and_follows_its_original() {
    let site = site();
    let default = site.config.default_language();
    assert_eq!(site.config.languages.len(), 6);
    for lang in site.config.languages.iter().filter(|l| *l != default) {
        for note in &site.notes {
            let file = format!("notes/{}.{lang}.md", note.slug);
            let translation = site
                .translation(guidance::model::Kind::Note, &note.slug, lang)
                .unwrap_or_else(|| panic!("{file} is missing"));
            let levels = |body: &guidance::model::Body| -> Vec<u8> {
                body.headings.iter().map(|h| h.level).collect()
            };
            assert_eq!(
                levels(&translation.body),
                levels(&note.body),
                "{file}: headings"
            );
            assert_eq!(
                translation.body.links.keys().collect::<Vec<_>>(),
                note.body.links.keys().collect::<Vec<_>>(),
                "{file}: links"
            );
            let principle = &site.principles[note.principle];
            let strategies = site
                .translation(guidance::model::Kind::Principle, &principle.slug, lang)
                .and_then(|p| p.strategies.clone())
                .unwrap_or_else(|| panic!("principles/{}.{lang}.md", principle.slug));
            let strategy = note.strategy.expect("every note covers a strategy");
            if principle.meta.strategies[strategy] == note.meta.title {
                assert_eq!(
                    translation.title.as_deref(),
                    Some(strategies[strategy].as_str()),
                    "{file}: title"
                );
            }
            assert!(translation.summary.is_some(), "{file}: summary");
        }
    }
}

/// A search that finds nothing on a page in another language offers the same search in English,
/// without adding that much of the site is only in English: every document is translated (the
/// i18n tests check the sentence where some are not).
#[test]
fn a_search_in_another_language_does_not_say_the_site_is_untranslated() {
    let site = site();
    let theme = Theme::load(&root()).unwrap();
    for lang in ["fr", "es", "ru", "ar", "zh"] {
        let strings = interface_strings(&theme, lang);
        let sentence = &strings["search_untranslated"];
        let page = rendered_in(&site, PageId::Search, lang);
        assert!(!page.contains(sentence.as_str()), "{lang}");
        let note = rendered_in(&site, PageId::Note(0), lang);
        assert!(!note.contains(sentence.as_str()), "{lang}");
        assert!(note.contains("data-search-original"), "{lang}");
    }
}
