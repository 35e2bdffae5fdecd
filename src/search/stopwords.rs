//! Stop words: the words a language uses in nearly every sentence ("the", "of", "de", "и").
//!
//! The index keeps them, since a quoted phrase needs every word ("role of parliament"). A query
//! leaves them out of its words outside quotes, in the language of the page it is typed on: they
//! would match nearly every document, rank by nothing, pick a snippet for where they cluster and
//! be marked everywhere in it. Each language's manifest lists its stop words as the tokenizer
//! writes them (`search.js` reads them from there), so `où` is listed as `ou` and `إلى` as `الي`.
//!
//! The lists are short on purpose: only articles, prepositions, conjunctions, pronouns and the
//! commonest forms of "to be". Words that carry meaning in this field stay searchable: negations
//! ("no one", "non-discrimination"), "will" (political will), "it" (IT systems).

use super::tokenize;

/// The stop words of `lang` (a language tag; only its primary subtag counts), as written and
/// separated by spaces: `words` normalizes them. Languages without a list (Chinese, indexed as
/// character pairs) have none.
fn written(lang: &str) -> &'static str {
    let primary = lang.split(['-', '_']).next().unwrap_or(lang);
    match primary.to_ascii_lowercase().as_str() {
        "en" => {
            "a an and are as at be been by for from has have in into is its of on or that the \
             their these this those to was were which with"
        }
        "fr" => {
            "à au aux avec c ce ces cette d dans de des du elle elles en est et il ils l la le les \
             leur leurs n ne où ou par pour qu que qui s sa se ses son sont sur un une y"
        }
        "es" => {
            "a al con de del e el en es la las lo los o para por que se son su sus u un una unas \
             unos y"
        }
        "ru" => {
            "а в во для до его её же за и из или их к как ко на о об он она они от по с со то у \
             что это"
        }
        "ar" => "في من على إلى عن مع أن إن أو ثم و هذا هذه ذلك تلك التي الذي الذين ما كان قد",
        _ => "",
    }
}

/// The stop words of `lang` as index terms, sorted and without repeats.
pub fn words(lang: &str) -> Vec<String> {
    let mut words: Vec<String> = written(lang)
        .split_whitespace()
        .flat_map(tokenize::terms)
        .collect();
    words.sort();
    words.dedup();
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stop_word_is_one_term_as_the_tokenizer_writes_it() {
        for lang in ["en", "fr", "es", "ru", "ar"] {
            for w in written(lang).split_whitespace() {
                assert_eq!(tokenize::terms(w).len(), 1, "{lang}: {w}");
            }
            assert!(!words(lang).is_empty(), "{lang}");
        }
        let french = words("fr");
        // Accents folded, elided articles as the tokenizer splits them (`l'État` gives `l`).
        assert!(
            ["a", "ou", "l", "d", "le", "de"]
                .iter()
                .all(|w| french.contains(&w.to_string()))
        );
        assert!(!french.iter().any(|w| w == "à" || w == "où"));
        assert!(
            words("ar").contains(&"الي".to_string()),
            "{:?}",
            words("ar")
        );
        assert!(words("ru").contains(&"ее".to_string()));
        assert_eq!(words("fr-CA"), french);
        assert!(words("zh").is_empty() && words("xx").is_empty());
    }

    #[test]
    fn words_that_carry_meaning_stay_searchable() {
        let english = words("en");
        for w in ["the", "of", "and"] {
            assert!(english.contains(&w.to_string()), "{w}");
        }
        for w in ["no", "not", "one", "will", "it", "budget", "non"] {
            assert!(!english.contains(&w.to_string()), "{w}");
        }
    }
}
