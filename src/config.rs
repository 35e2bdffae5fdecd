//! Site settings: embedded defaults, overridden by an optional `guidance.yaml` at the project root.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Diagnostics, Span, did_you_mean};
use crate::load::FrontMatter;

pub const CONFIG_FILE: &str = "guidance.yaml";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The site's name, shown in the header and in page titles.
    pub title: String,
    /// One sentence describing the site (home page meta description, feeds).
    pub description: String,
    /// Where the site is published, e.g. `https://example.org/guidance/`. Optional: without it the
    /// site has no canonical URLs and feed links are relative to the feed file.
    pub base_url: Option<String>,
    /// Languages, the default first.
    pub languages: Vec<String>,
    /// Country names in the default language that replace the built-in ones (ISO 3166's short
    /// names in English, CLDR's in the other languages), by alpha-3 code.
    pub country_names: BTreeMap<String, String>,
    /// File-name stem of the offline copy: `<offline_name>-offline-<version>.zip`.
    pub offline_name: String,
    /// Free text for the footer: who publishes the site and where its sources live.
    pub source_note: String,
    /// The title, description, source note and country names in the other languages, by
    /// language code.
    pub translations: BTreeMap<String, SiteTexts>,
}

/// The site's own texts in one language (each optional: the default language's text stands in).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteTexts {
    pub title: Option<String>,
    pub description: Option<String>,
    pub source_note: Option<String>,
    /// Country names in this language that replace CLDR's, by alpha-3 code.
    pub country_names: BTreeMap<String, String>,
}

/// The site's texts as a page in one language shows them, with the language each is written in
/// (a text not translated keeps the default language's, and its page marks it so).
#[derive(Clone, Debug, Serialize)]
pub struct ShownTexts<'a> {
    pub title: &'a str,
    pub title_lang: &'a str,
    pub description: &'a str,
    pub description_lang: &'a str,
    pub source_note: &'a str,
    pub source_note_lang: &'a str,
}

/// The built-in title, description and source note in each language: (language, title,
/// description, source note). English, the first, gives the defaults.
const BUILT_IN_TEXTS: &[(&str, &str, &str, &str)] = &[
    (
        "en",
        "CEPA Governance Guidance",
        "The CEPA Principles of Effective Governance for Sustainable Development and the strategy guidance notes that help put them into practice.",
        "Summaries written for this site from public UN DESA sources. The official notes are published by UN DESA's Division for Public Institutions and Digital Government.",
    ),
    (
        "fr",
        "Orientations CEPA sur la gouvernance",
        "Les principes d’une gouvernance efficace au service du développement durable, établis par le CEPA, et les notes d’orientation stratégique qui aident à les mettre en pratique.",
        "Résumés rédigés pour ce site à partir de sources publiques du DAES de l’ONU. Les notes officielles sont publiées par la Division des institutions publiques et du gouvernement numérique du DAES.",
    ),
    (
        "es",
        "Orientaciones del CEPA sobre gobernanza",
        "Los principios de gobernanza eficaz para el desarrollo sostenible del CEPA y las notas de orientación estratégica que ayudan a ponerlos en práctica.",
        "Resúmenes redactados para este sitio a partir de fuentes públicas del DAES de las Naciones Unidas. Las notas oficiales las publica la División de Instituciones Públicas y Gobierno Digital del DAES.",
    ),
    (
        "ar",
        "إرشادات الحوكمة للجنة الخبراء المعنية بالإدارة العامة",
        "مبادئ الحوكمة الفعالة من أجل التنمية المستدامة التي وضعتها لجنة الخبراء المعنية بالإدارة العامة، ومذكرات التوجيه الاستراتيجي التي تساعد على تطبيقها.",
        "ملخصات أُعدّت لهذا الموقع استناداً إلى مصادر عامة لإدارة الشؤون الاقتصادية والاجتماعية في الأمم المتحدة. وتنشر المذكراتِ الرسميةَ شعبةُ المؤسسات العامة والحكومة الرقمية التابعة للإدارة.",
    ),
    (
        "zh",
        "公共行政专家委员会治理指导",
        "公共行政专家委员会制定的促进可持续发展的有效治理原则，以及帮助将其付诸实践的战略指导说明。",
        "本站摘要根据联合国经济和社会事务部的公开资料编写。正式说明由经社部公共机构和数字政府司发布。",
    ),
    (
        "ru",
        "Руководство Комитета экспертов по государственному управлению",
        "Принципы эффективного управления в интересах устойчивого развития, разработанные Комитетом экспертов по государственному управлению, и стратегические руководящие записки, помогающие применять их на практике.",
        "Краткие изложения подготовлены для этого сайта по открытым источникам ДЭСВ ООН. Официальные записки публикует Отдел государственных учреждений и цифрового правительства ДЭСВ.",
    ),
];

impl Default for Config {
    fn default() -> Config {
        let (_, title, description, source_note) = BUILT_IN_TEXTS[0];
        Config {
            title: title.to_string(),
            description: description.to_string(),
            base_url: None,
            languages: crate::i18n::LANGUAGES
                .iter()
                .map(|l| l.to_string())
                .collect(),
            country_names: BTreeMap::from([("LAO".to_string(), "Lao PDR".to_string())]),
            offline_name: "cepa-guidance".to_string(),
            source_note: source_note.to_string(),
            translations: BTreeMap::new(),
        }
    }
}

impl Config {
    pub fn default_language(&self) -> &str {
        self.languages.first().map_or("en", String::as_str)
    }

    /// The site's texts for a page in `lang`: the configured translation, else the built-in
    /// one when the text is the built-in default, else the default language's text.
    pub fn texts_in<'a>(&'a self, lang: &'a str) -> ShownTexts<'a> {
        let defaults = BUILT_IN_TEXTS[0];
        let configured = self.translations.get(lang);
        let builtin = BUILT_IN_TEXTS[1..].iter().find(|t| t.0 == lang);
        let default_lang = self.default_language();
        let pick = |own: &'a str,
                    default: &str,
                    translated: Option<&'a String>,
                    builtin: Option<&'static str>|
         -> (&'a str, &'a str) {
            if lang == default_lang {
                (own, default_lang)
            } else if let Some(text) = translated {
                (text, lang)
            } else if let (true, Some(text), "en") = (own == default, builtin, default_lang) {
                (text, lang)
            } else {
                (own, default_lang)
            }
        };
        let (title, title_lang) = pick(
            &self.title,
            defaults.1,
            configured.and_then(|c| c.title.as_ref()),
            builtin.map(|b| b.1),
        );
        let (description, description_lang) = pick(
            &self.description,
            defaults.2,
            configured.and_then(|c| c.description.as_ref()),
            builtin.map(|b| b.2),
        );
        let (source_note, source_note_lang) = pick(
            &self.source_note,
            defaults.3,
            configured.and_then(|c| c.source_note.as_ref()),
            builtin.map(|b| b.3),
        );
        ShownTexts {
            title,
            title_lang,
            description,
            description_lang,
            source_note,
            source_note_lang,
        }
    }

    /// The country names configured for `lang`: `country_names` for the default language,
    /// `translations.<lang>.country_names` for the others.
    pub fn country_names_in(&self, lang: &str) -> Option<&BTreeMap<String, String>> {
        if lang == self.default_language() {
            Some(&self.country_names)
        } else {
            self.translations.get(lang).map(|t| &t.country_names)
        }
    }

    /// The base URL with exactly one trailing slash, if configured.
    pub fn base_url(&self) -> Option<String> {
        self.base_url
            .as_ref()
            .map(|b| format!("{}/", b.trim_end_matches('/')))
    }

    /// Reads `guidance.yaml` from `root` if it exists.
    pub fn load(root: &Path) -> Result<Config, Diagnostics> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => {
                return Err(
                    Diagnostic::error("io", format!("cannot read {CONFIG_FILE}: {e}"))
                        .in_file(CONFIG_FILE)
                        .help("save it as UTF-8 text, readable by you")
                        .into(),
                );
            }
        };
        Config::parse(&text)
    }

    /// Parses the text of `guidance.yaml` (a UTF-8 BOM is allowed) and checks every setting,
    /// reporting all the problems at their place in the file.
    pub fn parse(text: &str) -> Result<Config, Diagnostics> {
        let shared: Arc<str> = Arc::from(text);
        let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let yaml = &text[bom..];
        if yaml.trim().is_empty() {
            return Ok(Config::default());
        }
        let config: Config = serde_yaml::from_str(yaml).map_err(|e| {
            crate::load::yaml_diagnostic(&e, CONFIG_FILE, &shared, bom, Config::FIELDS)
        })?;
        let settings = FrontMatter::scan(&shared, bom..text.len());
        let problems = config.problems(&settings);
        problems.into_result().map(|_| config)
    }

    const FIELDS: &'static [&'static str] = &[
        "title",
        "description",
        "base_url",
        "languages",
        "country_names",
        "offline_name",
        "source_note",
        "translations",
    ];

    /// Every setting that parses but cannot be used, at its place in `settings`.
    fn problems(&self, settings: &FrontMatter) -> Diagnostics {
        let mut problems = Diagnostics::default();
        let at = |key: &str, item: Option<&str>| {
            let range = item
                .and_then(|item| settings.item(key, item))
                .unwrap_or_else(|| settings.locate(key));
            Span::new(CONFIG_FILE, settings.text(), range)
        };
        if self.languages.is_empty() {
            problems.push(
                Diagnostic::error("config", "`languages` is empty")
                    .at(at("languages", None))
                    .help("list at least one language, the default first: languages: [en]"),
            );
        }
        let supported = crate::i18n::LANGUAGES;
        for (i, lang) in self.languages.iter().enumerate() {
            let earlier = self.languages[..i].iter().filter(|l| *l == lang).count();
            let span = match settings.items("languages", lang).nth(earlier) {
                Some(range) => Span::new(CONFIG_FILE, settings.text(), range),
                None => at("languages", None),
            };
            if earlier > 0 {
                problems.push(
                    Diagnostic::error("config", format!("language `{lang}` is listed twice"))
                        .at(span)
                        .help("list each language once"),
                );
            } else if !supported.contains(&lang.as_str()) {
                let lower = lang.to_lowercase();
                let help = if supported.contains(&lower.as_str()) {
                    format!("write language codes in lower case: `{lower}`")
                } else if let Some(s) = did_you_mean(lang, supported.iter().copied()) {
                    format!("did you mean `{s}`? Supported: {}", supported.join(", "))
                } else {
                    format!("supported languages: {}", supported.join(", "))
                };
                problems.push(
                    Diagnostic::error("config", format!("unsupported language `{lang}`"))
                        .at(span)
                        .help(help),
                );
            }
        }
        if let Some(base) = &self.base_url
            && !(base.starts_with("https://") || base.starts_with("http://"))
        {
            problems.push(
                Diagnostic::error(
                    "config",
                    format!("`base_url` \"{base}\" is not a full address"),
                )
                .at(at("base_url", None))
                .help("start it with https:// (e.g. https://example.org/guidance/), or remove it"),
            );
        }
        if self.offline_name.is_empty()
            || !self
                .offline_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            problems.push(
                Diagnostic::error("config", "`offline_name` must be a plain file-name stem")
                    .at(at("offline_name", None))
                    .help(
                        "use letters, digits, `-` and `_` only, e.g. offline_name: cepa-guidance",
                    ),
            );
        }
        let others = self.languages.get(1..).unwrap_or_default();
        for lang in self.translations.keys() {
            if !others.contains(lang) {
                problems.push(
                    Diagnostic::error(
                        "config",
                        format!("translations: `{lang}` is not one of the site's other languages"),
                    )
                    .at(at("translations", Some(lang)))
                    .help(format!(
                        "translate into the languages listed after the default one: {}",
                        others.join(", ")
                    )),
                );
            }
        }
        check_country_names(&self.country_names, "country_names", &at, &mut problems);
        for (lang, texts) in &self.translations {
            let key = format!("translations.{lang}.country_names");
            // Nested keys are found in order inside `translations`: the language, then its
            // `country_names`, then the code.
            let at = |_: &str, code: Option<&str>| {
                let names = [lang.as_str(), "country_names"];
                let range = nested(settings, "translations", names.into_iter().chain(code))
                    .or_else(|| nested(settings, "translations", names))
                    .unwrap_or_else(|| settings.locate("translations"));
                Span::new(CONFIG_FILE, settings.text(), range)
            };
            check_country_names(&texts.country_names, &key, &at, &mut problems);
        }
        problems
    }
}

/// Reports the codes of `names` that are no ISO 3166-1 alpha-3 code and the empty names, as
/// `key` (`country_names`, `translations: fr: country_names`) at the place `at` finds.
fn check_country_names(
    names: &BTreeMap<String, String>,
    key: &str,
    at: &dyn Fn(&str, Option<&str>) -> Span,
    problems: &mut Diagnostics,
) {
    for (code, name) in names {
        if isocountry::CountryCode::for_alpha3(code).is_err() {
            problems.push(
                Diagnostic::error(
                    "unknown-country",
                    format!("{key}: unknown country code \"{code}\""),
                )
                .at(at("country_names", Some(code)))
                .help("use an ISO 3166-1 alpha-3 code, e.g. LAO"),
            );
        } else if name.trim().is_empty() {
            problems.push(
                Diagnostic::error("config", format!("{key}: the name for {code} is empty"))
                    .at(at("country_names", Some(code)))
                    .help("write the name to show, or remove the line"),
            );
        }
    }
}

/// Where a value nested under the top-level `key` is written: each part of `path` is looked for
/// as a whole word after the previous one (the settings scan knows only top-level keys).
fn nested<'a>(
    settings: &FrontMatter,
    key: &str,
    path: impl IntoIterator<Item = &'a str>,
) -> Option<std::ops::Range<usize>> {
    let mut found = None;
    for part in path {
        let after = found.as_ref().map_or(0, |r: &std::ops::Range<usize>| r.end);
        found = Some(settings.items(key, part).find(|r| r.start >= after)?);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(line, column, message, help)` of each problem, in order.
    fn problems(text: &str) -> Vec<(usize, usize, String, String)> {
        Config::parse(text)
            .unwrap_err()
            .iter()
            .map(|d| {
                let (line, column) = d.span.as_ref().expect("placed").line_column();
                (
                    line,
                    column,
                    d.message.clone(),
                    d.help.clone().unwrap_or_default(),
                )
            })
            .collect()
    }

    #[test]
    fn every_problem_is_reported_at_its_place() {
        let text = "title: Guidance\nlanguages: [en, fr, de, FR, fr]\nbase_url: example.org/guidance\n\
                    offline_name: cepa guidance\ncountry_names:\n  LAO: Lao PDR\n  XYZ: Nowhere\n";
        let found = problems(text);
        let at = |line, column, message: &str| {
            found
                .iter()
                .find(|p| p.0 == line && p.1 == column && p.2 == message)
                .unwrap_or_else(|| panic!("no `{message}` at {line}:{column} in {found:#?}"))
                .3
                .clone()
        };
        assert!(at(2, 21, "unsupported language `de`").contains("supported languages: "));
        assert_eq!(
            at(2, 25, "unsupported language `FR`"),
            "write language codes in lower case: `fr`"
        );
        at(2, 29, "language `fr` is listed twice");
        assert!(
            at(
                3,
                11,
                "`base_url` \"example.org/guidance\" is not a full address"
            )
            .starts_with("start it with https://")
        );
        at(4, 15, "`offline_name` must be a plain file-name stem");
        at(7, 3, "country_names: unknown country code \"XYZ\"");
        assert_eq!(found.len(), 6, "{found:#?}");
    }

    #[test]
    fn a_byte_order_mark_is_allowed_and_positions_count_from_the_text() {
        let config = Config::parse("\u{feff}title: Guía\nlanguages: [es, en]\n").unwrap();
        assert_eq!(config.title, "Guía");
        assert_eq!(config.default_language(), "es");
        let found = problems("\u{feff}title: T\ndescriptoin: S\n");
        assert_eq!((found[0].0, found[0].1), (2, 1), "{found:#?}");
        assert_eq!(found[0].3, "did you mean `description`?");
    }

    #[test]
    fn the_site_texts_are_shown_translated_where_a_translation_exists() {
        // The built-in texts have built-in translations.
        let builtin = Config::default();
        let fr = builtin.texts_in("fr");
        assert_eq!(fr.title, "Orientations CEPA sur la gouvernance");
        assert_eq!((fr.title_lang, fr.source_note_lang), ("fr", "fr"));
        assert_eq!(builtin.texts_in("en").title, builtin.title);
        // A title of one's own stays as written (and says which language it is in) unless
        // translated; the untouched description keeps its built-in translation.
        let own =
            Config::parse("title: Our guidance\ntranslations:\n  es:\n    title: Nuestra guía\n")
                .unwrap();
        let fr = own.texts_in("fr");
        assert_eq!((fr.title, fr.title_lang), ("Our guidance", "en"));
        assert_eq!(fr.description_lang, "fr");
        assert_eq!(own.texts_in("es").title, "Nuestra guía");
        // Only the site's other languages take translations.
        let found = problems("languages: [en, fr]\ntranslations:\n  de:\n    title: Leitfaden\n");
        assert_eq!((found[0].0, found[0].1), (3, 3), "{found:#?}");
        assert!(
            found[0]
                .2
                .contains("`de` is not one of the site's other languages")
        );
    }

    #[test]
    fn country_names_in_other_languages_are_checked_at_their_place() {
        let config = Config::parse(
            "country_names: {LAO: Lao PDR}\ntranslations:\n  fr:\n    country_names: {LAO: RDP lao}\n",
        )
        .unwrap();
        assert_eq!(config.country_names_in("fr").unwrap()["LAO"], "RDP lao");
        assert_eq!(config.country_names_in("en").unwrap()["LAO"], "Lao PDR");
        assert_eq!(config.country_names_in("es"), None);
        let found = problems(
            "translations:\n  fr:\n    title: Guide\n    country_names:\n      LAO: RDP lao\n      \
             XYZ: Nulle part\n  es:\n    country_names: {GUY: ' ', LAO: Laos}\n",
        );
        let messages: Vec<(usize, usize, &str)> =
            found.iter().map(|p| (p.0, p.1, p.2.as_str())).collect();
        assert_eq!(
            messages,
            [
                (
                    6,
                    7,
                    "translations.fr.country_names: unknown country code \"XYZ\""
                ),
                (
                    8,
                    21,
                    "translations.es.country_names: the name for GUY is empty"
                ),
            ],
            "{found:#?}"
        );
        assert_eq!(found[0].3, "use an ISO 3166-1 alpha-3 code, e.g. LAO");
    }

    #[test]
    fn an_http_base_url_and_no_file_at_all_are_fine() {
        let config = Config::parse("base_url: http://localhost:8000/docs").unwrap();
        assert_eq!(config.base_url().unwrap(), "http://localhost:8000/docs/");
        assert_eq!(Config::parse("\n").unwrap(), Config::default());
    }
}
