//! Client-side search in headless Chromium, over the fixture site (tests/fixtures/search-site)
//! and the real content, opened from `file://` and from a local HTTP server (at the root and
//! under a subpath), in both link styles.
mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use guidance::search::tokenize;
use guidance::{LinkStyle, RenderOptions};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(20);

fn fixture() -> PathBuf {
    common::repo_root().join("tests/fixtures/search-site")
}

/// Renders `root` in `style` into a temporary folder (the pipeline `build` uses, without the zip).
fn render(root: &Path, style: LinkStyle) -> (tempfile::TempDir, PathBuf) {
    let (site, _) = guidance::load_site(root).unwrap_or_else(|d| panic!("{d}"));
    let theme = guidance::theme::Theme::load(root).unwrap_or_else(|d| panic!("{d}"));
    let options = RenderOptions {
        link_style: style,
        ..RenderOptions::default()
    };
    let files = guidance::generate(&site, &theme, options).unwrap_or_else(|d| panic!("{d}"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    guidance::emit::write_atomically(&out, &files).unwrap();
    (dir, out)
}

fn js(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// One result group of the header box: the note's title and its options' links.
#[derive(Debug)]
struct Group {
    title: String,
    hrefs: Vec<String>,
}

/// Types `q` into the header search box (as one input event) and returns the groups shown and
/// the status text read to screen readers.
fn header_search(page: &common::Page, q: &str) -> (Vec<Group>, String) {
    // The runtime is deferred: wait until it has set up the box.
    page.wait_for(
        "document.getElementById('site-search').getAttribute('role') === 'combobox'",
        WAIT,
    );
    page.eval(&format!(
        "(() => {{ const i = document.getElementById('site-search'); i.focus(); i.value = {q}; \
         i.dispatchEvent(new Event('input', {{ bubbles: true }})); }})()",
        q = js(q)
    ));
    page.wait_for(
        &format!(
            "document.getElementById('site-search-listbox').getAttribute('data-query') === {}",
            js(q)
        ),
        WAIT,
    );
    let error = page.eval("guidanceSearch.error || null");
    assert_eq!(error, Value::Null, "search failed for {q:?}");
    let groups = page.eval(
        "[...document.querySelectorAll('#site-search-listbox [role=group]')].map(g => ({ \
           title: g.querySelector('.search-group-title').textContent, \
           hrefs: [...g.querySelectorAll('[role=option]')].map(o => o.getAttribute('data-href')) }))",
    );
    let status = page.eval("document.querySelector('[data-search-status]').textContent");
    let groups = groups
        .as_array()
        .unwrap()
        .iter()
        .map(|g| Group {
            title: g["title"].as_str().unwrap().to_string(),
            hrefs: g["hrefs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h.as_str().unwrap().to_string())
                .collect(),
        })
        .collect();
    (groups, status.as_str().unwrap().to_string())
}

fn assert_top(page: &common::Page, q: &str, expected: &str) -> Vec<Group> {
    let (groups, status) = header_search(page, q);
    assert!(!groups.is_empty(), "no results for {q:?} ({status})");
    assert!(
        groups[0].hrefs[0].contains(expected),
        "top result for {q:?} should be {expected}, got {:?}",
        groups
            .iter()
            .map(|g| (&g.title, &g.hrefs[0]))
            .collect::<Vec<_>>()
    );
    groups
}

fn assert_local_only(page: &common::Page) {
    assert!(
        page.external_requests().is_empty(),
        "requests left the machine: {:?}",
        page.external_requests()
    );
    let failures = page.failures();
    assert!(failures.is_empty(), "failed requests: {failures:?}");
}

/// The fixture's queries: expected top results, prefixes, typos, phrases, every script.
fn check_fixture_queries(page: &common::Page, file_style: bool) {
    let groups = assert_top(
        page,
        "participatory budgeting",
        "notes/participatory-budgeting/",
    );
    assert_eq!(groups[0].title, "Participatory budgeting");
    assert_top(page, "participatory budg", "notes/participatory-budgeting/");
    assert_top(
        page,
        "particpatory budgeting",
        "notes/participatory-budgeting/",
    );
    assert_top(
        page,
        "participatory budgetnig",
        "notes/participatory-budgeting/",
    );
    // A typo in the first two letters: wrong, swapped, missing or extra, as the last word (a
    // prefix) and before it (a whole word); the vocabulary near the typed word does not hold
    // the word meant.
    for q in [
        "participatory vudgeting",
        "participatory ubdgeting",
        "participatory udgeting",
        "participatory bbudgeting",
        "participatory vudget",
        "varticipatory budgeting",
        "aprticipatory budgeting",
        "articipatory budgeting",
    ] {
        assert_top(page, q, "notes/participatory-budgeting/");
    }
    assert_top(page, "vudgets local", "notes/russian-budgets/");
    assert_top(page, "local ubdgets", "notes/russian-budgets/");
    // Diacritics folded both ways.
    assert_top(page, "egalite reelle", "notes/egalite/");
    assert_top(page, "ÉGALITÉ", "notes/egalite/");
    // Chinese bigrams, Arabic with and without tashkeel, Russian ё written as е.
    assert_top(page, "治理能力", "notes/chinese-governance/");
    assert_top(page, "治理", "notes/chinese-governance/");
    assert_top(page, "الحوكمة الرشيدة", "notes/arabic-governance/");
    assert_top(page, "الحَوْكَمَةُ", "notes/arabic-governance/");
    assert_top(page, "مستوى", "notes/arabic-governance/");
    assert_top(page, "отчетность", "notes/russian-budgets/");
    assert_top(page, "ещё", "notes/russian-budgets/");
    // A quoted phrase matches exactly; the same words unquoted match anywhere.
    let (phrase, status) = header_search(page, "\"public ledger\"");
    assert_eq!(phrase.len(), 1, "{phrase:?}");
    assert!(phrase[0].hrefs[0].contains("notes/participatory-budgeting/"));
    assert_eq!(status, "1 result");
    let (words, status) = header_search(page, "public ledger ");
    assert_eq!(words.len(), 2, "{words:?}");
    assert_eq!(status, "2 results");
    // Section-level results: the anchor of the heading that holds the words.
    let groups = assert_top(page, "weighting rules", "notes/participatory-budgeting/");
    let anchor = if file_style {
        "notes/participatory-budgeting/index.html#weighting-rules"
    } else {
        "notes/participatory-budgeting/#weighting-rules"
    };
    assert!(groups[0].hrefs[0].ends_with(anchor), "{groups:?}");
    let (none, status) = header_search(page, "zzzqqq");
    assert!(none.is_empty());
    assert_eq!(status, "No results");
}

#[test]
fn fixture_search_works_over_http_and_from_disk() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = render(&fixture(), LinkStyle::Clean);
    let server = common::StaticServer::start(&site);
    let page = browser.open(&server.url("notes/egalite/"));
    check_fixture_queries(&page, false);
    assert_local_only(&page);

    let page = browser.open(&common::file_url(&site, "principles/integrity/index.html"));
    check_fixture_queries(&page, true);
    assert_local_only(&page);
}

#[test]
fn fixture_search_works_under_a_subpath_and_in_the_file_link_style() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = render(&fixture(), LinkStyle::Clean);
    let server = common::StaticServer::start_under(&site, "/sub/site/");
    let page = browser.open(&server.url("notes/egalite/"));
    let groups = assert_top(&page, "ledger", "notes/");
    for g in &groups {
        assert!(g.hrefs[0].starts_with(&server.url("")), "{g:?}");
    }
    let href = assert_top(&page, "egalite", "notes/egalite/")[0].hrefs[0].clone();
    assert_eq!(href, server.url("notes/egalite/"));
    assert_local_only(&page);

    // The offline link style: result links name index.html and lead to real files.
    let (_dir, offline) = render(&fixture(), LinkStyle::File);
    let page = browser.open(&common::file_url(&offline, "index.html"));
    check_fixture_queries(&page, true);
    let href = assert_top(&page, "egalite", "notes/egalite/")[0].hrefs[0].clone();
    assert_eq!(href, common::file_url(&offline, "notes/egalite/index.html"));
    // Served over HTTP, the File style still names index.html (the page's own links do).
    let server = common::StaticServer::start(&offline);
    let page = browser.open(&server.url("index.html"));
    let href = assert_top(&page, "egalite", "notes/egalite/")[0].hrefs[0].clone();
    assert_eq!(href, server.url("notes/egalite/index.html"));
    assert_local_only(&page);
}

#[test]
fn keyboard_navigation_follows_the_combobox_pattern() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = render(&fixture(), LinkStyle::Clean);
    let server = common::StaticServer::start(&site);
    let page = browser.open(&server.url("about/"));
    let input = "document.getElementById('site-search')";
    assert_eq!(
        page.eval(&format!("{input}.getAttribute('role')")),
        json!("combobox")
    );
    assert_eq!(
        page.eval(&format!("{input}.getAttribute('aria-expanded')")),
        json!("false")
    );
    assert_eq!(
        page.eval(&format!("{input}.getAttribute('aria-controls')")),
        json!("site-search-listbox")
    );
    // `/` from anywhere on the page focuses the box.
    page.eval("document.body.focus()");
    page.press_key("/");
    assert_eq!(page.eval("document.activeElement.id"), json!("site-search"));
    assert_eq!(
        page.eval(&format!("{input}.value")),
        json!(""),
        "the slash is not typed into the box"
    );
    page.type_text("ledger");
    page.wait_for(
        "document.getElementById('site-search-listbox').getAttribute('data-query') === 'ledger'",
        WAIT,
    );
    assert_eq!(
        page.eval(&format!("{input}.getAttribute('aria-expanded')")),
        json!("true")
    );
    assert_eq!(
        page.eval("document.querySelector('[data-search-status]').textContent"),
        json!("4 results")
    );
    let options = page.eval(
        "[...document.querySelectorAll('#site-search-listbox [role=option]')].map(o => o.id)",
    );
    let options: Vec<String> = options
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_str().unwrap().to_string())
        .collect();
    assert!(options.len() >= 5, "{options:?}");
    let active = || page.eval(&format!("{input}.getAttribute('aria-activedescendant')"));
    let selected = || {
        page.eval(
            "[...document.querySelectorAll('[role=option][aria-selected=true]')].map(o => o.id)",
        )
    };
    page.press_key("ArrowDown");
    assert_eq!(active(), json!(options[0]));
    assert_eq!(selected(), json!([options[0]]));
    page.press_key("ArrowDown");
    assert_eq!(active(), json!(options[1]));
    page.press_key("ArrowUp");
    page.press_key("ArrowUp");
    assert_eq!(
        active(),
        json!(options.last().unwrap()),
        "Up from the first option wraps to the last"
    );
    page.press_key("ArrowDown");
    assert_eq!(active(), json!(options[0]));
    // Escape closes the list; arrows reopen it.
    page.press_key("Escape");
    assert_eq!(
        page.eval(&format!("{input}.getAttribute('aria-expanded')")),
        json!("false")
    );
    assert_eq!(
        page.eval("document.getElementById('site-search-listbox').hidden"),
        json!(true)
    );
    assert_eq!(active(), Value::Null);
    page.press_key("ArrowDown");
    assert_eq!(
        page.eval(&format!("{input}.getAttribute('aria-expanded')")),
        json!("true")
    );
    let target = page.eval(&format!(
        "document.getElementById({}).getAttribute('data-href')",
        js(&options[0])
    ));
    // Enter follows the active option.
    page.press_key("Enter");
    wait_for_page(&page, &format!("decodeURI(location.href) === {target}"));
    assert!(
        page.url().starts_with(&server.url("notes/")),
        "{}",
        page.url()
    );

    // Enter without an active option opens the search page with the query.
    page.eval(&format!("{input}.focus()"));
    page.type_text("ledger");
    page.wait_for(
        "document.getElementById('site-search-listbox').getAttribute('data-query') === 'ledger'",
        WAIT,
    );
    page.press_key("Enter");
    wait_for_page(&page, "location.pathname.endsWith('/search/')");
    assert_eq!(
        page.eval("new URLSearchParams(location.search).get('q')"),
        json!("ledger")
    );
    page.wait_for(
        "document.querySelector('[data-search-page]').getAttribute('data-done')",
        WAIT,
    );
    assert_eq!(
        page.eval("document.querySelectorAll('.search-result').length"),
        json!(4)
    );
    assert_local_only(&page);
}

/// Waits until a page the tab navigates to has loaded and `condition` holds (evaluations that
/// meet the navigation half-way are retried).
fn wait_for_page(page: &common::Page, condition: &str) {
    let js = format!("!!({condition}) && document.readyState === 'complete'");
    let start = std::time::Instant::now();
    loop {
        let value = futures::executor::block_on(page.page.evaluate(js.as_str()))
            .ok()
            .and_then(|r| r.into_value::<bool>().ok());
        if value == Some(true) {
            return;
        }
        assert!(
            start.elapsed() < WAIT,
            "timed out waiting for `{condition}` at {}",
            page.url()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The facet counts the page shows: {facet: {value: count}} for visible values.
fn facet_counts(page: &common::Page) -> Value {
    page.eval(
        "(() => { const out = {}; document.querySelectorAll('[data-search-filters] input[type=checkbox]').forEach(b => { \
           const li = b.closest('li'); if (li.hidden) return; \
           (out[b.name] = out[b.name] || {})[b.value] = Number(li.querySelector('.search-facet-count').textContent.replace(/[()]/g, '')); }); \
           return out; })()",
    )
}

fn wait_done(page: &common::Page, after: &Value) -> Value {
    page.wait_for(
        &format!("(document.querySelector('[data-search-page]').getAttribute('data-done') || null) !== {after}"),
        WAIT,
    );
    page.eval("document.querySelector('[data-search-page]').getAttribute('data-done')")
}

fn result_links(page: &common::Page) -> Vec<String> {
    let links = page.eval(
        "[...document.querySelectorAll('.search-result-title a')].map(a => a.getAttribute('href'))",
    );
    links
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect()
}

fn check_search_page(page: &common::Page) {
    let done = wait_done(page, &Value::Null);
    assert_eq!(
        page.eval("document.getElementById('search-page-input').value"),
        json!("ledger")
    );
    assert_eq!(
        page.eval("document.querySelector('[data-search-page] [data-search-status]').textContent"),
        json!("4 results")
    );
    assert_eq!(result_links(page).len(), 4);
    // "ledger" is in four notes: three serve participation, one integrity.
    assert_eq!(
        facet_counts(page),
        json!({
            "principle": { "participation": 3, "integrity": 1, "sound-policymaking": 0 },
            "pillar": { "inclusiveness": 3, "accountability": 1, "effectiveness": 0 },
            "country": { "BRA": 2, "FRA": 1, "PRT": 1, "RUS": 1 },
            "sdg": { "5.1": 1, "16.5": 1, "16.6": 1, "16.7": 2 },
        })
    );
    // Filtering by principle narrows the results; other facets count within the filter.
    page.eval("document.querySelector('input[name=principle][value=participation]').click()");
    let done = wait_done(page, &done);
    assert_eq!(result_links(page).len(), 3);
    assert_eq!(
        page.eval("document.querySelector('[data-search-page] [data-search-status]').textContent"),
        json!("3 results")
    );
    assert_eq!(
        facet_counts(page),
        json!({
            "principle": { "participation": 3, "integrity": 1, "sound-policymaking": 0 },
            "pillar": { "inclusiveness": 3, "accountability": 0, "effectiveness": 0 },
            "country": { "BRA": 1, "FRA": 1, "PRT": 1, "RUS": 1 },
            "sdg": { "5.1": 1, "16.7": 2 },
        })
    );
    page.eval("document.querySelector('input[name=country][value=BRA]').click()");
    wait_done(page, &done);
    let links = result_links(page);
    assert_eq!(links.len(), 1);
    assert!(
        links[0].contains("notes/participatory-budgeting/"),
        "{links:?}"
    );
    // The state is in the address, so the search can be shared.
    let search = page.eval("location.search");
    assert_eq!(
        search,
        json!("?q=ledger&principle=participation&country=BRA")
    );
}

#[test]
fn search_page_filters_narrow_results_with_right_counts() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = render(&fixture(), LinkStyle::Clean);
    let server = common::StaticServer::start(&site);
    let page = browser.open(&server.url("search/?q=ledger"));
    check_search_page(&page);
    // A shared address restores the query and the filters.
    let page = browser.open(&server.url("search/?q=ledger&principle=participation&country=BRA"));
    wait_done(&page, &Value::Null);
    assert_eq!(result_links(&page).len(), 1);
    assert_eq!(
        page.eval("document.querySelector('input[name=country][value=BRA]').checked"),
        json!(true)
    );
    assert_local_only(&page);

    let (_dir, offline) = render(&fixture(), LinkStyle::File);
    let page = browser.open(&format!(
        "{}?q=ledger",
        common::file_url(&offline, "search/index.html")
    ));
    check_search_page(&page);
    assert!(result_links(&page)[0].ends_with("notes/participatory-budgeting/index.html"));
    assert_local_only(&page);

    // Filters alone list what they select.
    let page = browser.open(&server.url("search/?pillar=effectiveness"));
    wait_done(&page, &Value::Null);
    let links = result_links(&page);
    assert_eq!(links.len(), 2, "{links:?}");
}

#[test]
fn the_search_page_says_it_needs_javascript() {
    let (_dir, site) = render(&fixture(), LinkStyle::Clean);
    let html = std::fs::read_to_string(site.join("search/index.html")).unwrap();
    let noscript = &html
        [html.find("<noscript>").expect("a noscript message")..html.find("</noscript>").unwrap()];
    assert!(
        noscript.contains("JavaScript") && noscript.contains("href=\"../notes/\""),
        "{noscript}"
    );
}

#[test]
fn titles_from_the_index_are_text_never_html() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = render(&fixture(), LinkStyle::Clean);
    let server = common::StaticServer::start(&site);
    let page = browser.open(&server.url(""));
    page.eval("window.__alerted = false; window.alert = () => { window.__alerted = true; }");
    let (groups, _) = header_search(&page, "onerror");
    assert_eq!(groups[0].title, "<img src=x onerror=alert(1)>");
    let (groups, _) = header_search(&page, "bold markup");
    assert_eq!(groups[0].title, "<img src=x onerror=alert(1)>");
    let snippet = page
        .eval("document.querySelector('#site-search-listbox .search-option-snippet').textContent");
    assert!(
        snippet.as_str().unwrap().contains("<b>bold</b>"),
        "{snippet}"
    );
    assert_eq!(
        page.eval(
            "document.querySelectorAll('#site-search-listbox img, #site-search-listbox b').length"
        ),
        json!(0)
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(page.eval("window.__alerted"), json!(false));

    let page = browser.open(&server.url("search/?q=onerror"));
    page.eval("window.__alerted = false; window.alert = () => { window.__alerted = true; }");
    wait_done(&page, &Value::Null);
    let title = page.eval("document.querySelector('.search-result-title').textContent");
    assert_eq!(title, json!("<img src=x onerror=alert(1)>"));
    assert_eq!(
        page.eval("document.querySelectorAll('main img').length"),
        json!(0)
    );
    assert_eq!(page.eval("window.__alerted"), json!(false));
    assert!(
        !page.requests().iter().any(|r| r.ends_with("/x")),
        "{:?}",
        page.requests()
    );
    assert_local_only(&page);
}

#[test]
fn real_content_search_over_http_and_from_disk() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = render(&common::repo_root(), LinkStyle::Clean);
    let server = common::StaticServer::start(&site);
    let (_dir2, offline) = render(&common::repo_root(), LinkStyle::File);
    for url in [
        server.url("notes/data-sharing/"),
        common::file_url(&offline, "index.html"),
    ] {
        let page = browser.open(&url);
        assert_top(
            &page,
            "participatory budgeting",
            "notes/participatory-budgeting/",
        );
        assert_top(
            &page,
            "participatory budg",
            "notes/participatory-budgeting/",
        );
        assert_top(
            &page,
            "participatory budgetting",
            "notes/participatory-budgeting/",
        );
        assert_top(
            &page,
            "foresight",
            "notes/strategic-planning-and-foresight/",
        );
        assert_top(
            &page,
            "strategic foresigt",
            "notes/strategic-planning-and-foresight/",
        );
        assert_top(&page, "disaggregation", "notes/data-disaggregation/");
        // Typos in the first letters: "budgets" as "vudgets", "foresight" as "ofresight".
        assert_top(
            &page,
            "participatory vudgeting",
            "notes/participatory-budgeting/",
        );
        assert_top(
            &page,
            "strategic ofresight",
            "notes/strategic-planning-and-foresight/",
        );
        assert_top(
            &page,
            "trategic foresight",
            "notes/strategic-planning-and-foresight/",
        );
        assert_top(
            &page,
            "\"leaving no one behind\"",
            "principles/leaving-no-one-behind/",
        );
        assert_top(
            &page,
            "corruption",
            "notes/anti-corruption-policies-practices-and-bodies/",
        );
        // A title match ranks near the top, above notes that only mention the word; the site's
        // own pages (home, about) rank below notes and principles as relevant.
        let budget = top_results(&page, "budget", 5);
        assert!(
            budget[..3]
                .iter()
                .any(|(_, path)| path == "notes/fiscal-and-budget-transparency/"),
            "{budget:?}"
        );
        let foresight = top_results(&page, "foresight", 5);
        assert!(
            foresight.iter().all(|(kind, _)| kind != "page"),
            "{foresight:?}"
        );
        // Hyphenated words: whole, or in parts.
        for q in ["e-government", "egovernment", "e government"] {
            assert_top(&page, q, "notes/investment-in-e-government/");
        }
        assert_local_only(&page);
    }
    // The search page and its filters over the real content.
    let page = browser.open(&server.url("search/?q=budget"));
    let done = wait_done(&page, &Value::Null);
    let all = result_links(&page).len();
    assert!(all >= 3, "{all}");
    page.eval("document.querySelector('input[name=pillar][value=accountability]').click()");
    wait_done(&page, &done);
    let status =
        page.eval("document.querySelector('[data-search-page] [data-search-status]').textContent");
    let count: usize = status
        .as_str()
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let shown = page.eval("document.querySelector('input[name=pillar][value=accountability]').closest('li').querySelector('.search-facet-count').textContent");
    assert_eq!(shown, json!(format!("({count})")));
    assert!(count >= 1 && count < all + 10);
    assert_local_only(&page);
}

/// The kinds and addresses of the first `want` results for `q`, as the search box ranks them.
fn top_results(page: &common::Page, q: &str, want: usize) -> Vec<(String, String)> {
    let results = page.eval(&format!(
        "guidanceSearch.query({}, {want}, 1).then(r => r.results.map(x => [x.kind, x.path]))",
        js(q)
    ));
    serde_json::from_value(results).unwrap()
}

/// Text that exercises every tokenizer rule, plus the fixture's and the real site's content.
fn tokenizer_samples() -> Vec<String> {
    let mut samples: Vec<String> = [
        "Égalité réelle, ÉGALITÉ! l'égalité des chances; don’t e-government",
        "SDG 16.7 and 1,000 people; e.g. v.2 3.5.1 1,2,3 a.b.c",
        "治理能力 国 参与式预算 (participatory budgeting) 很重要。ひらがな カタカナ ｶﾞ",
        "الحَوْكَمَةُ الرَّشِيدَةُ أحمد إلى آمن ٱلعامة مـــدينة مستوى ١٦٫٧",
        "Ёлка ещё ΟΔΟΣ οδός Straße İstanbul ﬁnance ＡＢＣ ½ x² Ⅻ",
        "co\u{00AD}operation word\u{2060}joiner zero\u{200B}width",
        "<img src=x onerror=alert(1)> a_b a:b 한국어 문장 ไทย ລາວ",
        "الفساد فساد والمساءلة بالشفافية كالمعتاد فالحكومة للمواطنين الحق الم والي بالغ لله ال",
        "الْفَسَادُ الـفساد آلية الآلية إلغاء وإلغاء ألعاب ٱلعامة ﺍﻟﻔﺴﺎﺩ والٓي",
        "e-government State-of-the-Art long\u{2011}term covid-19 2015-2030 a - b a--b a-\u{00AD}b x- y -z",
        "en–dash 治理-能力 الحوكمة-الرشيدة ½-x x-² Ⅻ-a",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (root, lang) in [
        (fixture(), "en"),
        (common::repo_root(), "en"),
        (common::repo_root(), "ar"),
    ] {
        let (site, _) = guidance::load_site(&root).unwrap();
        for doc in guidance::search::documents::documents(&site, lang) {
            samples.push(doc.title.clone());
            samples.push(doc.summary.clone());
            for s in doc.sections {
                samples.push(format!("{} {}", s.heading, s.text));
            }
        }
    }
    samples
}

#[test]
fn browser_tokenizer_matches_the_index_tokenizer() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = render(&fixture(), LinkStyle::Clean);
    let page = browser.open(&common::file_url(&site, "index.html"));
    let samples = tokenizer_samples();
    let expected: Vec<Vec<String>> = samples.iter().map(|s| tokenize::terms(s)).collect();
    let input = serde_json::to_string(&samples).unwrap();
    for fallback in [false, true] {
        let got = page.eval(&format!(
            "(() => {{ guidanceSearch.noSegmenter = {fallback}; return {input}.map(t => guidanceSearch.terms(t)); }})()"
        ));
        let got: Vec<Vec<String>> = serde_json::from_value(got).unwrap();
        for ((sample, want), have) in samples.iter().zip(&expected).zip(&got) {
            assert_eq!(
                have, want,
                "tokenizers differ (fallback: {fallback}) on {sample:?}"
            );
        }
    }
}

#[test]
fn each_language_searches_its_own_index_and_falls_back_to_the_original() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = render(&common::repo_root(), LinkStyle::Clean);
    let server = common::StaticServer::start(&site);
    // A French page searches the French index: the translated principle, at its French address.
    let page = browser.open(&server.url("fr/principles/participation/"));
    let groups = assert_top(
        &page,
        "élections régulières équitables",
        "fr/principles/participation/",
    );
    let french = server.url("fr/principles/participation/#");
    assert!(groups[0].hrefs[0].starts_with(&french), "{groups:?}");
    // The notes are translated into French: found in French, their titles in French.
    let groups = assert_top(
        &page,
        "budgétisation participative",
        "fr/notes/participatory-budgeting/",
    );
    assert_eq!(groups[0].title, "Budgétisation participative");
    assert_eq!(
        page.eval("document.querySelector('#site-search-listbox .search-group-title').lang"),
        json!("")
    );
    // A page in another language searches the default language's index too, for the notes not
    // yet translated: found in English and linked to their page in the reader's language (which
    // shows the original). The real content is translated into every language; the i18n
    // fixture's civic laboratories note is not translated into Russian.
    let fixture = common::repo_root().join("tests/fixtures/i18n-site");
    let (_fixture_dir, fixture_site) = render(&fixture, LinkStyle::Clean);
    let fixture_server = common::StaticServer::start(&fixture_site);
    let untranslated = browser.open(&fixture_server.url("ru/notes/open-budgets/"));
    let groups = assert_top(&untranslated, "civic laboratory", "ru/notes/civic-labs/");
    assert_eq!(
        groups[0].hrefs[0],
        fixture_server.url("ru/notes/civic-labs/")
    );
    assert_eq!(
        untranslated
            .eval("document.querySelector('#site-search-listbox .search-group-title').lang"),
        json!("en")
    );
    // Arabic, written with or without diacritics.
    let page = browser.open(&server.url("ar/principles/competence/"));
    assert_top(&page, "الكفاءة", "ar/principles/competence/");
    assert_top(&page, "الكَفَاءَة", "ar/principles/competence/");
    assert_local_only(&page);
}

/// axe-core violations whose nodes are part of the search UI (the rest of the page is tested
/// with the theme).
fn search_violations(page: &common::Page) -> Vec<Value> {
    let violations = page.axe_violations();
    violations
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| {
            v["nodes"].as_array().unwrap().iter().any(|n| {
                let target = n.as_str().unwrap_or_default();
                target.contains("search") || target.contains("mark")
            })
        })
        .cloned()
        .collect()
}

#[test]
fn the_search_ui_passes_axe_with_results_open() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = render(&fixture(), LinkStyle::Clean);
    let server = common::StaticServer::start(&site);
    let page = browser.open(&server.url("notes/egalite/"));
    header_search(&page, "ledger");
    page.press_key("ArrowDown");
    let violations = search_violations(&page);
    assert!(violations.is_empty(), "{violations:#?}");
    let page = browser.open(&server.url("search/?q=ledger&principle=participation"));
    wait_done(&page, &Value::Null);
    let violations = search_violations(&page);
    assert!(violations.is_empty(), "{violations:#?}");
}

/// The search page's state: its status, result links, whether the filters are open, what their
/// summary says, the "clear filters" button and the notice about filters left out.
fn page_state(page: &common::Page) -> Value {
    page.eval(
        "(() => { const root = document.querySelector('[data-search-page]'); \
           const empty = root.querySelector('[data-search-empty]'), notice = root.querySelector('[data-search-notice]'); \
           return { status: root.querySelector('[data-search-status]').textContent, \
             open: root.querySelector('details').open, \
             summary: root.querySelector('summary').textContent.replace(/\\s+/g, ' ').trim(), \
             clear: !empty.hidden && empty.getBoundingClientRect().height > 0, \
             notice: notice.hidden ? null : notice.textContent, \
             search: location.search }; })()",
    )
}

fn results_count(page: &common::Page) -> usize {
    let status =
        page.eval("document.querySelector('[data-search-page] [data-search-status]').textContent");
    let status = status.as_str().unwrap();
    if status == "No results" {
        return 0;
    }
    status.split(' ').next().unwrap().parse().unwrap()
}

#[test]
fn the_search_page_without_words_counts_every_document() {
    let Some(browser) = common::browser() else {
        return;
    };
    // The counts the page must show: documents having each value, in the index's terms.
    let (site_model, _) = guidance::load_site(&fixture()).unwrap_or_else(|d| panic!("{d}"));
    let docs = guidance::search::documents::documents(&site_model, "en");
    let mut expected = json!({ "principle": {}, "pillar": {}, "country": {}, "sdg": {} });
    let mut add = |facet: &str, value: &str| {
        let n = expected[facet][value].as_u64().unwrap_or(0);
        expected[facet][value] = json!(n + 1);
    };
    for d in &docs {
        if let Some(p) = d.facets.principle {
            add("principle", &site_model.principles[p].slug);
        }
        if let Some(p) = d.facets.pillar {
            add("pillar", p.slug());
        }
        for &c in &d.facets.countries {
            add("country", &site_model.countries[c].code);
        }
        for t in &d.facets.sdg_targets {
            add("sdg", t);
        }
    }
    let (_dir, site) = render(&fixture(), LinkStyle::Clean);
    let server = common::StaticServer::start(&site);
    let page = browser.open(&server.url("search/"));
    let done = wait_done(&page, &Value::Null);
    assert_eq!(facet_counts(&page), expected);
    assert_eq!(result_links(&page).len(), 0, "no words, no filter: no list");
    // Ticking a value lists as many documents as it said.
    let effectiveness = expected["pillar"]["effectiveness"].as_u64().unwrap() as usize;
    page.eval("document.querySelector('input[name=pillar][value=effectiveness]').click()");
    wait_done(&page, &done);
    assert_eq!(results_count(&page), effectiveness);

    // The real content, in French: every filter box has its options, every count is real.
    let (_dir, real) = render(&common::repo_root(), LinkStyle::Clean);
    let server = common::StaticServer::start(&real);
    let page = browser.open(&server.url("fr/search/"));
    wait_done(&page, &Value::Null);
    let counts = facet_counts(&page);
    for facet in ["principle", "pillar", "country", "sdg"] {
        let values = counts[facet]
            .as_object()
            .unwrap_or_else(|| panic!("{counts}"));
        assert!(
            !values.is_empty() && values.values().all(|n| n.as_u64().unwrap() > 0),
            "{facet}: {counts}"
        );
    }
    assert_local_only(&page);
}

#[test]
fn arabic_words_are_found_with_or_without_the_article() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = render(&common::repo_root(), LinkStyle::Clean);
    let server = common::StaticServer::start(&site);
    let page = browser.open(&server.url("ar/principles/integrity/"));
    for (bare, with) in [("فساد", "الفساد"), ("مساءلة", "المساءلة")] {
        let (groups, status) = header_search(&page, with);
        let (bare_groups, bare_status) = header_search(&page, bare);
        assert!(groups.len() >= 2, "{with}: {status}");
        assert_eq!(bare_status, status, "{bare} and {with}");
        assert_eq!(
            bare_groups.iter().map(|g| &g.hrefs[0]).collect::<Vec<_>>(),
            groups.iter().map(|g| &g.hrefs[0]).collect::<Vec<_>>()
        );
        // The word is marked as written, article and all.
        let marks = page.eval(
            "[...document.querySelectorAll('#site-search-listbox mark')].map(m => m.textContent)",
        );
        let marks: Vec<String> = serde_json::from_value(marks).unwrap();
        assert!(
            marks
                .iter()
                .any(|m| m.starts_with("ال") && m.ends_with(bare)),
            "{bare}: {marks:?}"
        );
    }
    assert_local_only(&page);
}

#[test]
fn on_a_phone_the_results_come_before_the_folded_filters() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = render(&fixture(), LinkStyle::Clean);
    let server = common::StaticServer::start(&site);
    let url = server.url("search/?q=ledger&principle=participation");
    let page = browser.open("about:blank");
    page.set_viewport(360, 740);
    page.goto(&url);
    let done = wait_done(&page, &Value::Null);
    assert_eq!(result_links(&page).len(), 3);
    let bottom =
        page.eval("document.querySelector('.search-result-title').getBoundingClientRect().bottom");
    assert!(
        bottom.as_f64().unwrap() < 740.0,
        "the first result's title ends {bottom} px down"
    );
    let state = page_state(&page);
    assert_eq!(state["open"], json!(false), "{state}");
    assert_eq!(
        state["summary"],
        json!("Filter results Active filters: 1"),
        "{state}"
    );
    let violations = search_violations(&page);
    assert!(violations.is_empty(), "{violations:#?}");
    // The summary opens the filters from the keyboard, and they still work.
    page.eval("document.querySelector('summary').focus()");
    page.press_key("Enter");
    assert_eq!(page_state(&page)["open"], json!(true));
    page.eval("document.querySelector('input[name=country][value=BRA]').click()");
    wait_done(&page, &done);
    assert_eq!(result_links(&page).len(), 1);
    assert_eq!(
        page_state(&page)["summary"],
        json!("Filter results Active filters: 2")
    );
    // On a wide screen they are open beside the results.
    let page = browser.open(&url);
    wait_done(&page, &Value::Null);
    assert_eq!(page_state(&page)["open"], json!(true));
    assert_local_only(&page);
}

#[test]
fn filters_lead_to_no_dead_end() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = render(&fixture(), LinkStyle::Clean);
    let server = common::StaticServer::start(&site);
    let disabled = |page: &common::Page, selector: &str| {
        page.eval(&format!(
            "document.querySelector({}).disabled",
            js(selector)
        ))
    };
    // "ledger" is in no note of sound policymaking: that value is turned off.
    let page = browser.open(&server.url("search/?q=ledger"));
    wait_done(&page, &Value::Null);
    assert_eq!(
        disabled(&page, "input[name=principle][value=sound-policymaking]"),
        json!(true)
    );
    assert_eq!(
        disabled(&page, "input[name=principle][value=integrity]"),
        json!(false)
    );
    assert_eq!(page_state(&page)["clear"], json!(false));
    // With a filter ticked and results, the filters can be cleared in one go too.
    let page = browser.open(&server.url("search/?q=ledger&principle=integrity"));
    wait_done(&page, &Value::Null);
    assert_eq!(page_state(&page)["clear"], json!(true));
    // Ticked values that match nothing stay visible and can be unticked; "No results" offers to
    // clear the filters.
    let page = browser
        .open(&server.url("search/?q=ledger&principle=sound-policymaking&pillar=inclusiveness"));
    let done = wait_done(&page, &Value::Null);
    let state = page_state(&page);
    assert_eq!(state["status"], json!("No results"), "{state}");
    assert_eq!(state["clear"], json!(true), "{state}");
    assert_eq!(
        disabled(&page, "input[name=principle][value=sound-policymaking]"),
        json!(false),
        "a ticked value can be unticked"
    );
    let violations = search_violations(&page);
    assert!(violations.is_empty(), "{violations:#?}");
    page.eval("document.querySelector('[data-search-clear]').click()");
    wait_done(&page, &done);
    let state = page_state(&page);
    assert_eq!(state["status"], json!("4 results"), "{state}");
    assert_eq!(state["search"], json!("?q=ledger"), "{state}");
    assert_eq!(state["clear"], json!(false), "{state}");
    assert_eq!(
        page.eval("document.activeElement.id"),
        json!("search-page-input")
    );

    // Filter values from the address: matched without regard to case, or left out and said so.
    let page = browser.open(&server.url("search/?q=ledger&country=bra"));
    wait_done(&page, &Value::Null);
    let state = page_state(&page);
    assert_eq!(state["status"], json!("2 results"), "{state}");
    assert_eq!(state["search"], json!("?q=ledger&country=BRA"), "{state}");
    assert_eq!(state["notice"], Value::Null, "{state}");
    assert_eq!(
        page.eval("document.querySelector('input[name=country][value=BRA]').checked"),
        json!(true)
    );
    let page = browser.open(&server.url("search/?q=ledger&country=xyz&sdg=16.7"));
    wait_done(&page, &Value::Null);
    let state = page_state(&page);
    assert_eq!(state["status"], json!("2 results"), "{state}");
    assert_eq!(state["search"], json!("?q=ledger&sdg=16.7"), "{state}");
    let notice = state["notice"].as_str().unwrap_or_default();
    assert!(notice.contains("country=xyz"), "{state}");
    assert_local_only(&page);
}

#[test]
fn filter_boxes_show_every_option_and_no_empty_box() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = render(&common::repo_root(), LinkStyle::Clean);
    let server = common::StaticServer::start(&site);
    // Each option in full (no box scrolls or clips it) with its count beside its name's last
    // line, never on a line of its own.
    let layout = "(() => [...document.querySelectorAll('.search-facet')].filter(f => !f.hidden).map(f => { \
        const ul = f.querySelector('ul'); \
        const lone = [...f.querySelectorAll('li')].filter(li => !li.hidden).filter(li => { \
          const label = li.querySelector('label'), count = li.querySelector('.search-facet-count').getBoundingClientRect(); \
          const text = [label, ...label.querySelectorAll('*')].flatMap(e => [...e.childNodes]).find(n => n.nodeType === 3 && n.textContent.trim() && !n.parentElement.classList.contains('search-facet-count')); \
          const range = document.createRange(); range.selectNodeContents(text); \
          const lines = [...range.getClientRects()], last = lines[lines.length - 1]; \
          return !(count.top < last.bottom && count.bottom > last.top); }).map(li => li.textContent); \
        return { legend: f.querySelector('legend').textContent, clipped: ul.scrollHeight > ul.clientHeight + 1, lone }; }))()";
    let page = browser.open(&server.url("search/"));
    wait_done(&page, &Value::Null);
    let boxes = page.eval(layout);
    assert_eq!(boxes.as_array().unwrap().len(), 4, "{boxes}");
    for b in boxes.as_array().unwrap() {
        assert_eq!(b["clipped"], json!(false), "{boxes}");
        assert_eq!(b["lone"], json!([]), "{boxes}");
    }
    // A box whose options would all give nothing is not drawn: no country is named in the
    // note and the principle on integrity that speak of corruption in Arabic.
    let page =
        browser.open(&server.url("ar/search/?q=%D9%81%D8%B3%D8%A7%D8%AF&principle=integrity"));
    wait_done(&page, &Value::Null);
    assert!(results_count(&page) >= 2);
    let drawn = page.eval(
        "[...document.querySelectorAll('.search-facet')].filter(f => f.getClientRects().length).map(f => [f.querySelector('input').name, [...f.querySelectorAll('li')].filter(li => li.getClientRects().length).length])",
    );
    let drawn: Vec<(String, usize)> = serde_json::from_value(drawn).unwrap();
    assert!(drawn.iter().all(|(_, n)| *n > 0), "{drawn:?}");
    assert!(
        !drawn.iter().any(|(name, _)| name == "country"),
        "{drawn:?}"
    );
    assert_local_only(&page);
}

#[test]
fn a_translated_principle_is_searched_by_its_translated_strategies() {
    let (_dir, site) = common::build_to_temp(&common::repo_root());
    let text_of = |lang: &str| -> String {
        walkdir::WalkDir::new(site.join("search").join(lang))
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| std::fs::read_to_string(e.path()).unwrap())
            .collect()
    };
    let (english, french) = (text_of("en"), text_of("fr"));
    assert!(english.contains("Codes of conduct for public officials"));
    assert!(french.contains("Codes de conduite des agents publics"));
    assert!(!french.contains("Codes of conduct for public officials"));
}

#[test]
fn a_query_no_document_answers_whole_lists_those_with_most_of_its_words() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = render(&common::repo_root(), LinkStyle::Clean);
    let server = common::StaticServer::start(&site);
    let page = browser.open(&server.url("notes/data-sharing/"));
    let query = |q: &str| {
        page.eval(&format!(
            "guidanceSearch.query({}, 5, 1).then(r => [r.partial, r.total, r.results.map(x => x.path)])",
            js(q)
        ))
    };
    // No document holds "zzyzxqq": the results are those with both other words, marked.
    let partial = query("participatory budgeting zzyzxqq");
    assert_eq!(partial[0], json!(true), "{partial}");
    assert_eq!(
        partial[2][0],
        json!("notes/participatory-budgeting/"),
        "{partial}"
    );
    // Only the documents with the most of the words: here, both of the known ones.
    let whole = query("participatory budgeting");
    assert_eq!(whole[0], json!(false), "{whole}");
    assert_eq!(partial[1], whole[1], "{partial} {whole}");
    // A phrase stays exact, and one unknown word has nothing to fall back to.
    for q in ["\"participatory zzyzxqq\"", "zzyzxqq"] {
        let none = query(q);
        assert_eq!(none[1], json!(0), "{q}: {none}");
        assert_eq!(none[0], json!(false), "{q}: {none}");
    }
    // The search page says so before the count.
    let page = browser.open(&server.url("search/?q=participatory%20budgeting%20zzyzxqq"));
    wait_done(&page, &Value::Null);
    let status =
        page.eval("document.querySelector('[data-search-page] [data-search-status]').textContent");
    assert!(
        status
            .as_str()
            .is_some_and(|s| s.starts_with("No result has every word;")),
        "{status}"
    );
    assert!(
        result_links(&page)
            .iter()
            .any(|l| l.contains("notes/participatory-budgeting/"))
    );
}

/// The text of every mark in the header box's results for `q`, in lower case.
fn header_marks(page: &common::Page, q: &str) -> Vec<String> {
    header_search(page, q);
    let marks = page.eval(
        "[...document.querySelectorAll('#site-search-listbox mark')].map(m => m.textContent.toLowerCase())",
    );
    serde_json::from_value(marks).unwrap()
}

#[test]
fn stop_words_are_not_marked_and_phrases_are_marked_whole() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = render(&common::repo_root(), LinkStyle::Clean);
    let server = common::StaticServer::start(&site);
    let page = browser.open(&server.url("notes/data-sharing/"));
    // Regression: "the" and "of" matched every page, and were marked all over the snippets,
    // which were cut where they clustered ("role of parliament" showed a stretch with "of" and
    // neither other word).
    let budget = header_marks(&page, "the budget");
    assert!(
        !budget.is_empty() && budget.iter().all(|m| m.starts_with("budget")),
        "{budget:?}"
    );
    assert_eq!(
        top_results(&page, "the budget", 5),
        top_results(&page, "budget", 5)
    );
    let role = header_marks(&page, "role of parliament");
    assert!(!role.iter().any(|m| m == "of"), "{role:?}");
    let (groups, _) = header_search(&page, "role of parliament");
    let snippets = page.eval(
        "[...document.querySelectorAll('#site-search-listbox .search-option-snippet')].map(s => [...s.querySelectorAll('mark')].map(m => m.textContent.toLowerCase()))",
    );
    // Every snippet shows a word of the query that is not a stop word.
    for (group, marks) in groups.iter().zip(snippets.as_array().unwrap()) {
        let marks: Vec<String> = serde_json::from_value(marks.clone()).unwrap();
        assert!(
            marks
                .iter()
                .any(|m| m.starts_with("role") || m.starts_with("parliament")),
            "{}: {marks:?}",
            group.title
        );
    }
    // A phrase is marked whole where it stands, and its words nowhere else.
    for phrase in ["role of parliament", "leaving no one behind"] {
        let marks = header_marks(&page, &format!("\"{phrase}\""));
        assert!(
            !marks.is_empty() && marks.iter().all(|m| m == phrase),
            "{phrase}: {marks:?}"
        );
    }
    let mixed = header_marks(&page, "\"role of parliament\" debt");
    assert!(
        mixed.contains(&"role of parliament".to_string()) && mixed.contains(&"debt".to_string()),
        "{mixed:?}"
    );
    // Stop words are the page's language's: French articles on a French page.
    let page = browser.open(&server.url("fr/notes/data-sharing/"));
    let french = header_marks(&page, "le budget");
    assert!(
        !french.is_empty()
            && french
                .iter()
                .all(|m| m.replace('é', "e").starts_with("budget")),
        "{french:?}"
    );
    // The search page marks what the header box marks.
    let page = browser.open(&server.url("search/?q=the%20budget%20of"));
    wait_done(&page, &Value::Null);
    let marks = page.eval(
        "[...document.querySelectorAll('[data-search-results] mark')].map(m => m.textContent.toLowerCase())",
    );
    let marks: Vec<String> = serde_json::from_value(marks).unwrap();
    assert!(
        !marks.is_empty() && marks.iter().all(|m| m.starts_with("budget")),
        "{marks:?}"
    );
}

#[test]
fn french_readers_find_the_notes_about_budgets_first() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = render(&common::repo_root(), LinkStyle::Clean);
    let server = common::StaticServer::start(&site);
    let (_dir2, offline) = render(&common::repo_root(), LinkStyle::File);
    // Regression: the French index, when it held only the translated principles and the
    // countries' names, measured "budget" as rare within itself, so on French pages the
    // principles that mention budgets ranked above the notes about them. The notes are in
    // French now; the scoring of a small index beside the default one is held by
    // `a_translation_scores_as_its_original_when_it_says_the_same` (src/search/mod.rs).
    for url in [
        server.url("fr/notes/data-sharing/"),
        common::file_url(&offline, "fr/index.html"),
    ] {
        let page = browser.open(&url);
        for q in ["budget", "le budget"] {
            let top = top_results(&page, q, 5);
            assert_eq!(
                top[0].1, "fr/notes/fiscal-and-budget-transparency/",
                "{q}: {top:?}"
            );
            // The notes about budgets come before any principle that mentions them.
            let notes = top.iter().take_while(|(kind, _)| kind == "note").count();
            assert!(notes >= 3, "{q}: {top:?}");
            assert!(
                top[..notes]
                    .iter()
                    .any(|(_, p)| p == "fr/notes/participatory-budgeting/"),
                "{q}: {top:?}"
            );
        }
        let budgets = top_results(&page, "budgets", 5);
        for note in [
            "fr/notes/fiscal-and-budget-transparency/",
            "fr/notes/strengthening-municipal-finance-and-local-finance-systems/",
        ] {
            assert!(budgets.iter().any(|(_, p)| p == note), "{budgets:?}");
        }
        // "Budgétaire" is in the French title of the note on budget transparency.
        let budgetaire = top_results(&page, "budgétaire", 5);
        assert_eq!(
            budgetaire[0].1, "fr/notes/fiscal-and-budget-transparency/",
            "{budgetaire:?}"
        );
        assert_local_only(&page);
    }
}

/// The direction, the language in force and the text of the elements `selector` picks.
fn directions(page: &common::Page, selector: &str) -> Vec<(String, String, String)> {
    let found = page.eval(&format!(
        "[...document.querySelectorAll({})].map(e => [getComputedStyle(e).direction, \
           e.closest('[lang]').lang, e.textContent])",
        js(selector)
    ));
    serde_json::from_value(found).unwrap()
}

#[test]
fn english_results_on_an_arabic_page_read_left_to_right_under_arabic_labels() {
    let Some(browser) = common::browser() else {
        return;
    };
    // The real content is translated into Arabic: the i18n fixture's civic laboratories note is
    // not.
    let (_dir, site) = render(
        &common::repo_root().join("tests/fixtures/i18n-site"),
        LinkStyle::Clean,
    );
    let server = common::StaticServer::start(&site);
    // Regression: the result's container was marked English without a direction, so an English
    // snippet ran right to left (its full stop at its start) and the Arabic kind label inside it
    // was marked English.
    let page = browser.open(&server.url("ar/"));
    let (groups, _) = header_search(&page, "civic laboratory");
    assert!(!groups.is_empty());
    let kinds = ["مذكرة توجيهية", "مبدأ", "صفحة", "بلد"];
    // Each text runs in its own language's direction: the English note's title, snippet and
    // headings left to right, the Arabic principle's and the kind labels right to left.
    let by_script = |text: &str| {
        if text.chars().any(|c| ('\u{0600}'..='\u{06ff}').contains(&c)) {
            ("rtl", "ar")
        } else {
            ("ltr", "en")
        }
    };
    let titles = directions(&page, "#site-search-listbox .search-group-title");
    assert!(
        titles.iter().any(|(_, _, t)| t == "Civic laboratories"),
        "{titles:?}"
    );
    let snippets = directions(&page, "#site-search-listbox .search-option-snippet");
    let headings = directions(&page, "#site-search-listbox .search-option-heading");
    for (direction, lang, text) in titles.iter().chain(&snippets).chain(&headings) {
        assert_eq!(
            (direction.as_str(), lang.as_str()),
            by_script(text),
            "{text}"
        );
    }
    // The search page: the title and sections in their language, the kind label in Arabic.
    let page = browser.open(&server.url("ar/search/?q=civic%20laboratory"));
    wait_done(&page, &Value::Null);
    let titles = directions(&page, ".search-result-title");
    assert!(
        titles.iter().any(|(_, _, t)| t == "Civic laboratories"),
        "{titles:?}"
    );
    for (direction, lang, text) in titles
        .iter()
        .chain(&directions(&page, ".search-result-snippet"))
    {
        assert_eq!(
            (direction.as_str(), lang.as_str()),
            by_script(text),
            "{text}"
        );
    }
    for (direction, lang, text) in directions(&page, ".search-result-kind") {
        assert_eq!((direction.as_str(), lang.as_str()), ("rtl", "ar"), "{text}");
        assert!(kinds.contains(&text.as_str()), "{text}");
    }
}

/// What the header box shows: whether the list and the "no results" box are drawn, the box's
/// text and link, and `aria-expanded`.
fn header_popup(page: &common::Page) -> Value {
    page.eval(
        "(() => { const drawn = e => !!e && !e.hidden && e.getBoundingClientRect().height > 0; \
           const none = document.querySelector('[data-search-none]'), a = none.querySelector('a'); \
           return { list: drawn(document.getElementById('site-search-listbox')), none: drawn(none), \
             text: none.firstChild.textContent, link: a && drawn(none) ? a.href : null, \
             expanded: document.getElementById('site-search').getAttribute('aria-expanded') }; })()",
    )
}

#[test]
fn a_query_that_finds_nothing_says_so_in_the_box_and_offers_the_original_language() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = render(&common::repo_root(), LinkStyle::Clean);
    let server = common::StaticServer::start(&site);
    // Regression: the box opened an empty strip marked expanded; "no results" was only read out.
    let page = browser.open(&server.url("notes/data-sharing/"));
    header_search(&page, "qwxzvk");
    assert_eq!(
        header_popup(&page),
        json!({ "list": false, "none": true, "text": "No results", "link": null, "expanded": "false" })
    );
    // Results again: the list, expanded, and no "no results" box.
    header_search(&page, "budget");
    let popup = header_popup(&page);
    assert_eq!(
        (&popup["list"], &popup["none"]),
        (&json!(true), &json!(false))
    );
    assert_eq!(popup["expanded"], json!("true"));
    page.press_key("Escape");
    header_search(&page, "qwxzvk");
    page.press_key("Escape");
    assert_eq!(
        header_popup(&page)["none"],
        json!(false),
        "Escape closes it"
    );

    // In another language, nothing found offers the same search in the default language.
    let page = browser.open(&server.url("ru/notes/data-sharing/"));
    header_search(&page, "жщэюфк");
    assert_eq!(
        header_popup(&page),
        json!({ "list": false, "none": true, "text": "Ничего не найдено",
          "link": server.url("search/?q=%D0%B6%D1%89%D1%8D%D1%8E%D1%84%D0%BA"),
          "expanded": "false" })
    );
    // The link is reached with Tab from the box.
    page.press_key("Tab");
    assert_eq!(
        page.eval("document.activeElement.hasAttribute('data-search-original')"),
        json!(true)
    );
    // The search page says it too, with the filters kept.
    let page = browser.open(&server.url("es/search/?q=qwxzvk&country=GUY"));
    wait_done(&page, &Value::Null);
    let link = page.eval(
        "(() => { const box = document.querySelector('[data-search-elsewhere]'); \
           return box.hidden ? null : box.querySelector('a').href; })()",
    );
    assert_eq!(link, json!(server.url("search/?q=qwxzvk&country=GUY")));
    // A query that finds something has no such note; nor has the default language's page.
    let page = browser.open(&server.url("es/search/?q=presupuesto"));
    wait_done(&page, &Value::Null);
    assert_ne!(
        page.eval("document.querySelectorAll('.search-result').length"),
        json!(0)
    );
    assert_eq!(
        page.eval("document.querySelector('[data-search-elsewhere]').hidden"),
        json!(true)
    );
    let page = browser.open(&server.url("search/?q=qwxzvk"));
    wait_done(&page, &Value::Null);
    assert_eq!(
        page.eval(
            "document.querySelectorAll('[data-search-elsewhere], [data-search-original]').length"
        ),
        json!(0)
    );
}

#[test]
fn the_language_switcher_of_the_search_page_keeps_the_query_and_filters() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = render(&common::repo_root(), LinkStyle::Clean);
    let server = common::StaticServer::start(&site);
    // Regression: the links went to the bare search page in each language.
    let page = browser.open(&server.url("fr/search/?q=budget&country=GUY"));
    let done = wait_done(&page, &Value::Null);
    let link = |lang: &str| {
        page.eval(&format!(
            "document.querySelector('.languages a[hreflang={lang}]').href"
        ))
    };
    assert_eq!(
        link("en"),
        json!(server.url("search/?q=budget&country=GUY"))
    );
    assert_eq!(
        link("ar"),
        json!(server.url("ar/search/?q=budget&country=GUY"))
    );
    // Updated as the reader changes the search.
    page.eval("document.querySelector('input[name=country][value=GUY]').click()");
    let done = wait_done(&page, &done);
    assert_eq!(link("zh"), json!(server.url("zh/search/?q=budget")));
    page.eval(
        "(() => { const i = document.getElementById('search-page-input'); i.value = ''; \
           i.dispatchEvent(new Event('input', { bubbles: true })); })()",
    );
    wait_done(&page, &done);
    assert_eq!(link("en"), json!(server.url("search/")));
}

#[test]
fn spanish_and_russian_readers_find_a_principle_by_its_name_in_their_language() {
    // Regression: the principles were not translated into Spanish or Russian, so
    // "прозрачность" found nothing on the Russian site.
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = render(&common::repo_root(), LinkStyle::Clean);
    let server = common::StaticServer::start(&site);
    for (lang, q, expected) in [
        ("ru", "прозрачность", "ru/principles/transparency/"),
        ("ru", "субсидиарность", "ru/principles/subsidiarity/"),
        ("es", "transparencia", "es/principles/transparency/"),
        ("es", "subsidiariedad", "es/principles/subsidiarity/"),
    ] {
        let page = browser.open(&server.url(&format!("{lang}/")));
        header_search(&page, q);
        let top = top_results(&page, q, 3);
        assert!(
            top.iter().any(|(_, path)| path == expected),
            "{lang}: {q:?} gave {top:?}"
        );
    }
}

#[test]
fn the_index_joins_strategies_with_the_projects_own_full_stop() {
    // Regression: the index read the embedded theme's full stop, so a project's override of
    // `full_stop` changed its pages but not its search text.
    let project = common::copy_of_real_project();
    let i18n = project.path().join("theme/i18n");
    std::fs::create_dir_all(&i18n).unwrap();
    std::fs::write(i18n.join("zh.yaml"), "full_stop: \"．\"\n").unwrap();
    let (_dir, out) = common::build_to_temp(project.path());
    let (site, _) = guidance::load_site(project.path()).unwrap_or_else(|d| panic!("{d}"));
    let i = site
        .principles
        .iter()
        .position(|p| p.slug == "transparency")
        .unwrap();
    let names = site.strategies_in(i, "zh");
    let joined = |stop: &str| format!("{}{stop}{}", names[0], names[1]);
    let text: String = walkdir::WalkDir::new(out.join("search/zh"))
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    assert!(text.contains(&joined("．")), "no {:?}", joined("．"));
    assert!(!text.contains(&joined("。")), "still {:?}", joined("。"));
}

#[test]
fn chinese_search_text_takes_chinese_punctuation() {
    // Regression: a principle's strategies were joined with ". " in every language.
    let (site, _) = guidance::load_site(&common::repo_root()).unwrap_or_else(|d| panic!("{d}"));
    let i = site
        .principles
        .iter()
        .position(|p| p.slug == "transparency")
        .unwrap();
    for (lang, stop) in [("zh", "。"), ("en", ". ")] {
        let names = site.strategies_in(i, lang);
        let joined = format!("{}{stop}{}", names[0], names[1]);
        let docs = guidance::search::documents::documents(&site, lang);
        let doc = docs
            .iter()
            .find(|d| d.path.ends_with("principles/transparency/"))
            .unwrap();
        assert!(
            doc.sections.iter().any(|s| s.text.contains(&joined)),
            "{lang}: no section holds {joined:?}"
        );
    }
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = render(&common::repo_root(), LinkStyle::Clean);
    let server = common::StaticServer::start(&site);
    // Regression: "查看全部结果 (8 条结果)", with ASCII brackets made by the script.
    let page = browser.open(&server.url("zh/"));
    header_search(&page, "预算");
    let all = page.eval("document.getElementById('site-search-listbox-all').textContent");
    let all = all.as_str().unwrap();
    assert!(
        all.starts_with("查看全部结果（") && all.ends_with(" 条结果）"),
        "{all}"
    );
    // Regression: Chinese snippets took as many characters as English ones, five or six lines
    // each, so about two results fitted in the box.
    header_search(&page, "治理");
    let snippets = page.eval(
        "[...document.querySelectorAll('#site-search-listbox .search-option-snippet')].map(s => s.textContent)",
    );
    let snippets: Vec<String> = serde_json::from_value(snippets).unwrap();
    assert!(snippets.iter().any(|s| s.contains('…')), "{snippets:?}");
    for snippet in &snippets {
        let shown = snippet.trim_matches(['…', ' ']).chars().count();
        assert!(shown <= 70, "{shown} characters: {snippet}");
    }
    // Regression: "……最多。 12 条结果", an ASCII space after the full-width stop.
    let (_, status) = header_search(&page, "预算 zzyzxqq");
    assert!(
        status.starts_with("没有结果包含所有词语")
            && status.contains("最多。")
            && !status.contains("。 "),
        "{status}"
    );
}

#[test]
fn a_search_box_template_from_before_the_no_results_box_still_says_so() {
    let Some(browser) = common::browser() else {
        return;
    };
    // A project's copy of search-box.html made before the box existed.
    let project = tempfile::tempdir().unwrap();
    common::copy_tree(&fixture(), project.path());
    let template = guidance::theme::Theme::embedded_text("templates/search-box.html").unwrap();
    let old: String = template
        .lines()
        .filter(|l| !l.contains("data-search-none") && !l.contains("Shown instead of the list"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(!old.contains("data-search-none"));
    std::fs::create_dir_all(project.path().join("theme/templates")).unwrap();
    std::fs::write(project.path().join("theme/templates/search-box.html"), old).unwrap();
    let (_dir, site) = render(project.path(), LinkStyle::Clean);
    let server = common::StaticServer::start(&site);
    let page = browser.open(&server.url(""));
    header_search(&page, "zzyzxqq");
    let none = page.eval(
        "(() => { const n = document.querySelector('[data-search-none]'); \
         return n && !n.hidden && n.getBoundingClientRect().height > 0 ? n.textContent : null; })()",
    );
    assert_eq!(none, json!("No results"));
}

#[test]
fn tab_from_the_search_box_goes_to_the_button_and_closes_the_list() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = render(&fixture(), LinkStyle::Clean);
    let server = common::StaticServer::start(&site);
    // Regression: Tab stopped on the list itself, focusable because it scrolls.
    let page = browser.open(&server.url("about/"));
    header_search(&page, "ledger");
    page.press_key("Tab");
    assert_eq!(
        page.eval(
            "[document.activeElement.type, document.getElementById('site-search-listbox').hidden, \
              document.getElementById('site-search').getAttribute('aria-expanded')]"
        ),
        json!(["submit", true, "false"])
    );
}

#[test]
fn a_word_finds_its_singular_and_plural_alike() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = render(&common::repo_root(), LinkStyle::Clean);
    let server = common::StaticServer::start(&site);
    let page = browser.open(&server.url(""));
    // Regression: "budgets" missed the notes that say "budget" (participatory budgeting was not
    // in its first ten), and "municipalities" found fewer notes than "municipality".
    let budgets = top_results(&page, "budgets", 5);
    for note in [
        "notes/participatory-budgeting/",
        "notes/fiscal-and-budget-transparency/",
    ] {
        assert!(budgets.iter().any(|(_, p)| p == note), "{budgets:?}");
    }
    let paths = |q: &str| {
        let mut found: Vec<String> = top_results(&page, q, 100)
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        found.sort();
        found
    };
    for (one, many) in [
        ("municipality", "municipalities"),
        ("policy coherence", "policies coherence"),
        ("budget cycle", "budgets cycle"),
    ] {
        let (a, b) = (paths(one), paths(many));
        assert!(!a.is_empty(), "{one}");
        assert_eq!(a, b, "{one} / {many}");
    }
    // The other number is marked in the snippets as the word itself.
    let marks = header_marks(&page, "budgets");
    assert!(
        marks.iter().any(|m| m.eq_ignore_ascii_case("budget")),
        "{marks:?}"
    );
    // A quoted word is found as written.
    let quoted = paths("\"municipalities\"");
    assert!(quoted.len() < paths("municipalities").len(), "{quoted:?}");
}
