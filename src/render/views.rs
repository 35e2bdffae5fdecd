//! The values each kind of page gives its template: cards, lists, the matrix, and the pages of
//! notes, principles, countries and the project's own pages.

use minijinja::{Value, context};
use serde::Serialize;

use super::{HOME_PAGE, LinkStyle, PageContext, PageId, Renderer, link_path, localize};
use crate::markdown;
use crate::model::*;

impl Renderer<'_> {
    fn note_card(&self, page: &PageContext, i: usize) -> NoteCard {
        let site = self.site;
        let note = &site.notes[i];
        let principle = &site.principles[note.principle];
        let text = self.localized(page, note);
        let principle_text = self.localized(page, principle);
        NoteCard {
            slug: note.slug.clone(),
            title: text.title.to_string(),
            summary: text.summary.to_string(),
            lang: text.lang.to_string(),
            url: self.href_to(page, PageId::Note(i)),
            provisional: note.meta.status == Status::Provisional,
            principle: principle_text.title.to_string(),
            principle_lang: principle_text.lang.to_string(),
            principle_url: self.href_to(page, PageId::Principle(note.principle)),
            pillar: principle.meta.pillar,
            countries: note
                .countries
                .iter()
                .map(|&c| site.country_name(c, &page.lang).to_string())
                .collect(),
            published: note.meta.published.map(|d| d.to_string()),
        }
    }

    /// What a link to a note needs (the matrix has a row for every note).
    fn note_link(&self, page: &PageContext, i: usize) -> Value {
        let text = self.localized(page, &self.site.notes[i]);
        context! {
            title => text.title,
            lang => text.lang,
            url => self.href_to(page, PageId::Note(i)),
        }
    }

    /// A principle's card, with the lists of notes `lists` asks for (a page listing every note
    /// under every principle would otherwise hold cards it never shows).
    fn principle_card(&self, page: &PageContext, i: usize, lists: NoteLists) -> PrincipleCard {
        let site = self.site;
        let p = &site.principles[i];
        let text = self.localized(page, p);
        let cards = |notes: &[usize], wanted: bool| -> Vec<NoteCard> {
            if wanted {
                notes.iter().map(|&n| self.note_card(page, n)).collect()
            } else {
                Vec::new()
            }
        };
        PrincipleCard {
            slug: p.slug.clone(),
            number: p.meta.number,
            title: text.title.to_string(),
            summary: text.summary.to_string(),
            lang: text.lang.to_string(),
            pillar: p.meta.pillar,
            url: self.href_to(page, PageId::Principle(i)),
            strategy_count: p.meta.strategies.len(),
            note_count: p.notes.len(),
            notes: cards(&p.notes, lists != NoteLists::None),
            related_notes: cards(&p.related_notes, lists == NoteLists::NotesAndRelated),
        }
    }

    fn pillars(&self, page: &PageContext, lists: NoteLists) -> Vec<PillarView> {
        Pillar::ALL
            .iter()
            .map(|&pillar| {
                let principles: Vec<PrincipleCard> = self
                    .site
                    .principles_in(pillar)
                    .map(|i| self.principle_card(page, i, lists))
                    .collect();
                PillarView {
                    slug: pillar,
                    title: self
                        .t(page, &format!("pillar_{}", pillar.slug()))
                        .to_string(),
                    note_count: principles.iter().map(|p| p.note_count).sum(),
                    strategy_count: principles.iter().map(|p| p.strategy_count).sum(),
                    principles,
                }
            })
            .collect()
    }

    /// Which notes serve (1) or relate to (2) which principle: rows are notes, columns principles.
    fn matrix(&self, page: &PageContext) -> Value {
        let site = self.site;
        let rows: Vec<Value> = (0..site.notes.len())
            .map(|i| {
                let note = &site.notes[i];
                let cells: Vec<u8> = (0..site.principles.len())
                    .map(|p| {
                        if note.principle == p {
                            2
                        } else if note.related_principles.contains(&p) {
                            1
                        } else {
                            0
                        }
                    })
                    .collect();
                context! { note => self.note_link(page, i), cells => cells }
            })
            .collect();
        let columns: Vec<PrincipleCard> = (0..site.principles.len())
            .map(|i| self.principle_card(page, i, NoteLists::None))
            .collect();
        context! { rows => rows, columns => columns }
    }

    pub(super) fn home(&self, page: &PageContext) -> Value {
        let site = self.site;
        let intro = site.page(HOME_PAGE).map(|i| {
            let home = &site.pages[i];
            let text = self.localized(page, home);
            (self.body_html(page, &text), text.lang)
        });
        let texts = site.config.texts_in(&page.lang);
        context! {
            title => texts.title,
            description => texts.description,
            intro_lang => intro.as_ref().map_or(page.lang.as_str(), |(_, lang)| lang),
            intro => intro.as_ref().map(|(html, _)| html),
            pillars => self.pillars(page, NoteLists::Notes),
            counts => context! {
                principles => site.principles.len(),
                notes => site.notes.len(),
                countries => site.countries.len(),
                strategies => site.principles.iter().map(|p| p.meta.strategies.len()).sum::<usize>(),
            },
        }
    }

    pub(super) fn notes_index(&self, page: &PageContext) -> Value {
        context! {
            title => self.t(page, "notes_title"),
            description => self.t(page, "notes_description"),
            pillars => self.pillars(page, NoteLists::Notes),
        }
    }

    pub(super) fn principles_index(&self, page: &PageContext) -> Value {
        context! {
            title => self.t(page, "principles_title"),
            description => self.t(page, "principles_description"),
            pillars => self.pillars(page, NoteLists::None),
            matrix => self.matrix(page),
        }
    }

    pub(super) fn countries_index(&self, page: &PageContext) -> Value {
        let site = self.site;
        // By their names in the page's language, in its alphabetical order.
        let mut named: Vec<(usize, &str)> = (0..site.countries.len())
            .map(|i| (i, site.country_name(i, &page.lang)))
            .collect();
        crate::i18n::sort_by_name(&page.lang, &mut named, |(_, name)| name);
        let countries: Vec<Value> = named
            .into_iter()
            .map(|(i, name)| {
                let c = &site.countries[i];
                context! {
                    code => c.code,
                    name => name,
                    url => self.href_to(page, PageId::Country(i)),
                    note_count => c.notes.len(),
                }
            })
            .collect();
        let max = site
            .countries
            .iter()
            .map(|c| c.notes.len())
            .max()
            .unwrap_or(0);
        context! {
            title => self.t(page, "countries_title"),
            description => self.t(page, "countries_description"),
            countries => countries,
            max_count => max,
        }
    }

    pub(super) fn note(&self, page: &PageContext, i: usize) -> Value {
        let site = self.site;
        let note = &site.notes[i];
        let card = |j: usize| self.note_card(page, j);
        // The notes that link to this one and that its body does not already link to: those
        // it links to are in its own text (its "Related notes" section), with why.
        let backlinks: Vec<usize> = note
            .linked_from
            .iter()
            .copied()
            .filter(|j| !note.links_to.contains(j))
            .collect();
        let strategy = note
            .strategy
            .map(|s| self.strategy_names(page, note.principle)[s].clone());
        let text = self.localized(page, note);
        context! {
            title => text.title,
            description => text.summary,
            text_lang => text.lang,
            text_attrs => lang_attrs(page, text.lang),
            note => card(i),
            meta => note.meta,
            // Sources come from the original's front matter, titled in its language.
            sources_attrs => lang_attrs(page, site.config.default_language()),
            strategy => strategy,
            strategy_attrs => lang_attrs(page, self.strategies_lang(page, note.principle)),
            principle => self.principle_card_short(page, note.principle),
            related_principles => note.related_principles.iter().map(|&p| self.principle_card_short(page, p)).collect::<Vec<_>>(),
            countries => note.countries.iter().map(|&c| context! {
                code => site.countries[c].code,
                name => site.country_name(c, &page.lang),
                url => self.href_to(page, PageId::Country(c)),
            }).collect::<Vec<_>>(),
            toc => text.body.headings.iter().filter(|h| h.level <= 3).collect::<Vec<_>>(),
            body => self.body_html(page, &text),
            // The note itself is the page its text is written in (the original, if untranslated).
            jsonld => crate::api::note_jsonld(site, i, &crate::api::NoteText { title: text.title, summary: text.summary, lang: text.lang }, &|id| {
                let lang = if id == PageId::Note(i) { text.lang } else { &page.lang };
                self.jsonld_href(page, id, lang)
            }),
            backlinks => backlinks.into_iter().map(card).collect::<Vec<_>>(),
            previous => i.checked_sub(1).map(card),
            next => (i + 1 < site.notes.len()).then(|| card(i + 1)),
        }
    }

    /// The Atom feeds a page announces: the notes feed, and its principle's feed.
    pub(super) fn feeds(&self, page: &PageContext, id: PageId) -> Vec<Value> {
        let principle = match id {
            PageId::Principle(p) => Some(p),
            PageId::Note(n) => Some(self.site.notes[n].principle),
            _ => None,
        };
        crate::feed::alternates(
            self.site,
            principle,
            &page.lang,
            self.label_separator(&page.lang),
        )
        .into_iter()
        .map(|f| context! { title => f.title, href => page.href(f.path) })
        .collect()
    }

    /// A page in `lang` as JSON-LD links it: absolute with a base URL, else relative to `page`.
    fn jsonld_href(&self, page: &PageContext, id: PageId, lang: &str) -> String {
        let path = id.path_in(self.site, lang);
        match self.site.config.base_url() {
            Some(base) => format!(
                "{base}{}",
                link_path(&path, LinkStyle::Clean).trim_start_matches("./")
            ),
            None => page.href(path),
        }
    }

    pub(super) fn api_page(&self, page: &PageContext) -> Value {
        context! {
            title => self.t(page, "api_title"),
            description => self.t(page, "api_description"),
            ..Value::from_serialize(crate::api::page(self.site, &page.lang, self.label_separator(&page.lang), &|path| page.href(path.to_string())))
        }
    }

    fn principle_card_short(&self, page: &PageContext, i: usize) -> Value {
        let p = &self.site.principles[i];
        let text = self.localized(page, p);
        context! {
            slug => p.slug,
            title => text.title,
            lang => text.lang,
            number => p.meta.number,
            pillar => p.meta.pillar,
            url => self.href_to(page, PageId::Principle(i)),
        }
    }

    pub(super) fn principle(&self, page: &PageContext, i: usize) -> Value {
        let site = self.site;
        let p = &site.principles[i];
        let strategies: Vec<Value> = self
            .strategy_names(page, i)
            .iter()
            .zip(&p.strategy_notes)
            .map(|(name, notes)| context! { name => name, notes => notes.iter().map(|&n| self.note_card(page, n)).collect::<Vec<_>>() })
            .collect();
        // The notes the strategies do not list, shown on their own.
        let other_notes: Vec<NoteCard> = p
            .notes
            .iter()
            .filter(|n| !p.strategy_notes.iter().any(|s| s.contains(n)))
            .map(|&n| self.note_card(page, n))
            .collect();
        let text = self.localized(page, p);
        context! {
            title => text.title,
            description => text.summary,
            text_lang => text.lang,
            text_attrs => lang_attrs(page, text.lang),
            principle => self.principle_card(page, i, NoteLists::NotesAndRelated),
            meta => p.meta,
            pillar_title => self.t(page, &format!("pillar_{}", p.meta.pillar.slug())),
            strategies => strategies,
            strategies_attrs => lang_attrs(page, self.strategies_lang(page, i)),
            other_notes => other_notes,
            toc => text.body.headings.iter().filter(|h| h.level <= 3).collect::<Vec<_>>(),
            body => self.body_html(page, &text),
            previous => i.checked_sub(1).map(|j| self.principle_card_short(page, j)),
            next => (i + 1 < site.principles.len()).then(|| self.principle_card_short(page, i + 1)),
        }
    }

    pub(super) fn country(&self, page: &PageContext, i: usize) -> Value {
        let c = &self.site.countries[i];
        let name = self.site.country_name(i, &page.lang);
        // What each note says about the country: the sentence that links to its page.
        let mentions: Vec<Value> = c
            .notes
            .iter()
            .filter_map(|&n| {
                let excerpt = self.country_excerpt(page, n, &c.code)?;
                Some(context! {
                    note => self.note_link(page, n),
                    excerpt => excerpt.html,
                    lang => excerpt.lang,
                    section => excerpt.section.map(|(id, title)| context! { id => id, title => title }),
                })
            })
            .collect();
        context! {
            title => name,
            description => format!("{} ({name})", self.t(page, "country_description")),
            country => context! { code => c.code, name => name },
            notes => c.notes.iter().map(|&n| self.note_card(page, n)).collect::<Vec<_>>(),
            mentions => mentions,
        }
    }

    /// The sentence of note `n` (in the page's language when translated) that links to the page
    /// of country `code`, as HTML, with its language and the section it is in.
    fn country_excerpt(&self, page: &PageContext, n: usize, code: &str) -> Option<Excerpt> {
        let text = self.localized(page, &self.site.notes[n]);
        let markdown = Site::markdown(text.source, text.body);
        let link = format!("](country:{code}");
        let at = markdown.find(&link)?;
        let paragraph = markdown[..at].rfind("\n\n").map_or(0, |i| i + 2);
        let paragraph_end = markdown[at..]
            .find("\n\n")
            .map_or(markdown.len(), |i| at + i);
        // The sentence: from the end of the one before (a full stop and a space) to its own.
        let start = markdown[paragraph..at]
            .rfind(". ")
            .map_or(paragraph, |i| paragraph + i + 2);
        let end = markdown[at..paragraph_end]
            .find(". ")
            .map_or(paragraph_end, |i| at + i + 1);
        // The link to this very page shows as emphasis instead.
        let here = &link[2..];
        let resolve = |dest: &str| match text.body.links.get(dest) {
            Some(_) if dest == here => Some(String::new()),
            Some(target) => Some(self.target_href(page, target)),
            None => None,
        };
        let mut html = markdown::to_html(&markdown[start..end], &[], "", &resolve);
        // (No other link has an empty address: `check` refuses them.)
        while let Some(open) = html.find("<a href=\"\">") {
            let close = html[open..].find("</a>").map_or(html.len(), |i| open + i);
            html.replace_range(close..(close + 4).min(html.len()), "</strong>");
            html.replace_range(open..open + 11, "<strong>");
        }
        // Its section: the last heading before it (lines in code blocks aside).
        let mut fenced = false;
        let mut headings: usize = 0;
        for line in markdown[..start].lines() {
            if line.starts_with("```") || line.starts_with("~~~") {
                fenced = !fenced;
            } else if !fenced && line.starts_with('#') {
                headings += 1;
            }
        }
        let section = headings
            .checked_sub(1)
            .and_then(|h| text.body.headings.get(h));
        Some(Excerpt {
            html,
            lang: text.lang.to_string(),
            section: section.map(|h| (h.id.clone(), h.text.clone())),
        })
    }

    pub(super) fn page(&self, page: &PageContext, i: usize) -> Value {
        let p = &self.site.pages[i];
        let text = self.localized(page, p);
        context! {
            title => text.title,
            description => text.summary,
            text_lang => text.lang,
            text_attrs => lang_attrs(page, text.lang),
            slug => p.slug,
            toc => text.body.headings.iter().filter(|h| h.level <= 3).collect::<Vec<_>>(),
            body => self.body_html(page, &text),
        }
    }
}

/// The attributes that mark text in `lang` on `page` (` lang="en" dir="ltr"`), empty when it is
/// the page's language: made here rather than by a template macro, as every document's page
/// uses them several times.
fn lang_attrs(page: &PageContext, lang: &str) -> Value {
    Value::from_safe_string(localize::lang_within(lang, &page.lang))
}

/// What a note says about a country (see `Renderer::country_excerpt`).
struct Excerpt {
    html: String,
    lang: String,
    /// The id and title of the heading the sentence is under.
    section: Option<(String, String)>,
}

#[derive(Serialize)]
struct NoteCard {
    slug: String,
    title: String,
    summary: String,
    /// The language the linked page is in (differs from the page's when untranslated).
    lang: String,
    url: String,
    provisional: bool,
    principle: String,
    /// The language of `principle`, the title (English where the principle is untranslated).
    principle_lang: String,
    principle_url: String,
    pillar: Pillar,
    countries: Vec<String>,
    published: Option<String>,
}

#[derive(Serialize)]
struct PrincipleCard {
    slug: String,
    number: u8,
    title: String,
    summary: String,
    lang: String,
    pillar: Pillar,
    url: String,
    strategy_count: usize,
    note_count: usize,
    /// Filled only where a page lists them ([`NoteLists`]).
    notes: Vec<NoteCard>,
    related_notes: Vec<NoteCard>,
}

/// Which lists of notes a principle's card carries.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NoteLists {
    None,
    /// The notes that serve it.
    Notes,
    /// Those and the notes that relate to it (its own page).
    NotesAndRelated,
}

#[derive(Serialize)]
struct PillarView {
    slug: Pillar,
    title: String,
    note_count: usize,
    strategy_count: usize,
    principles: Vec<PrincipleCard>,
}
