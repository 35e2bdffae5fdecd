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
    /// Display names that replace the ISO 3166 short names, by alpha-3 code.
    pub country_names: BTreeMap<String, String>,
    /// File-name stem of the offline copy: `<offline_name>-offline-<version>.zip`.
    pub offline_name: String,
    /// Free text for the footer: who publishes the site and where its sources live.
    pub source_note: String,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            title: "CEPA Governance Guidance".to_string(),
            description:
                "The CEPA Principles of Effective Governance for Sustainable Development and \
                          the strategy guidance notes that help put them into practice."
                    .to_string(),
            base_url: None,
            languages: crate::i18n::LANGUAGES
                .iter()
                .map(|l| l.to_string())
                .collect(),
            country_names: BTreeMap::from([("LAO".to_string(), "Lao PDR".to_string())]),
            offline_name: "cepa-guidance".to_string(),
            source_note:
                "Summaries written for this site from public UN DESA sources. The official \
                          notes are published by UN DESA's Division for Public Institutions and \
                          Digital Government."
                    .to_string(),
        }
    }
}

impl Config {
    pub fn default_language(&self) -> &str {
        self.languages.first().map_or("en", String::as_str)
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
        for (code, name) in &self.country_names {
            if isocountry::CountryCode::for_alpha3(code).is_err() {
                problems.push(
                    Diagnostic::error(
                        "unknown-country",
                        format!("country_names: unknown country code \"{code}\""),
                    )
                    .at(at("country_names", Some(code)))
                    .help("use an ISO 3166-1 alpha-3 code, e.g. LAO"),
                );
            } else if name.trim().is_empty() {
                problems.push(
                    Diagnostic::error(
                        "config",
                        format!("country_names: the name for {code} is empty"),
                    )
                    .at(at("country_names", Some(code)))
                    .help("write the name to show, or remove the line"),
                );
            }
        }
        problems
    }
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
    fn an_http_base_url_and_no_file_at_all_are_fine() {
        let config = Config::parse("base_url: http://localhost:8000/docs").unwrap();
        assert_eq!(config.base_url().unwrap(), "http://localhost:8000/docs/");
        assert_eq!(Config::parse("\n").unwrap(), Config::default());
    }
}
