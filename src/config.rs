//! Site settings: embedded defaults, overridden by an optional `guidance.yaml` at the project root.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Span, did_you_mean};

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
    pub fn load(root: &Path) -> Result<Config, Diagnostic> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => {
                return Err(
                    Diagnostic::error("io", format!("cannot read {CONFIG_FILE}: {e}"))
                        .in_file(CONFIG_FILE),
                );
            }
        };
        Config::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Config, Diagnostic> {
        let shared: Arc<str> = Arc::from(text);
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        let config: Config = serde_yaml::from_str(text).map_err(|e| {
            crate::load::yaml_diagnostic(&e, CONFIG_FILE, &shared, 0, Config::FIELDS)
        })?;
        config.validate(&shared)
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

    fn validate(self, text: &Arc<str>) -> Result<Config, Diagnostic> {
        let whole = || Span::new(CONFIG_FILE, text, 0..0);
        if self.languages.is_empty() {
            return Err(Diagnostic::error("config", "`languages` is empty")
                .at(whole())
                .help("list at least one language, the default first: languages: [en]"));
        }
        for lang in &self.languages {
            if !crate::i18n::LANGUAGES.contains(&lang.as_str()) {
                let mut d = Diagnostic::error("config", format!("unsupported language `{lang}`"))
                    .at(whole())
                    .help(format!(
                        "supported languages: {}",
                        crate::i18n::LANGUAGES.join(", ")
                    ));
                if let Some(s) = did_you_mean(lang, crate::i18n::LANGUAGES.iter().copied()) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                return Err(d);
            }
        }
        if self.offline_name.is_empty()
            || !self
                .offline_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(Diagnostic::error(
                "config",
                "`offline_name` must be a plain file-name stem",
            )
            .at(whole())
            .help("use letters, digits, `-` and `_` only, e.g. offline_name: cepa-guidance"));
        }
        Ok(self)
    }
}
