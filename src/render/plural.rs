//! `plural(n=, lang=)`: the CLDR plural category of a count in a language
//! (`zero`, `one`, `two`, `few`, `many` or `other`), so that a theme picks
//! the right form of "3 pages" in any language: French says "0 page" and
//! "1,5 page", Arabic has six forms. The rules are CLDR's, through
//! `intl_pluralrules` (the Fluent project's).

use std::cell::RefCell;
use std::collections::HashMap;

use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
use unic_langid::LanguageIdentifier;

/// The plural category of `n` in `lang`; `other` for a language CLDR has
/// no rules for, and `one`/`other` by English rules for a code that does
/// not parse.
pub fn category(n: f64, lang: &str) -> &'static str {
    thread_local! {
        // One set of rules per language and thread: a theme asks for the
        // same few languages on every page.
        static RULES: RefCell<HashMap<String, Option<PluralRules>>> =
            RefCell::new(HashMap::new());
    }
    RULES.with(|cache| {
        let mut cache = cache.borrow_mut();
        let rules = cache
            .entry(lang.to_string())
            .or_insert_with(|| rules_for(lang));
        match rules {
            Some(rules) => select(rules, n),
            None => "other",
        }
    })
}

/// The rules of `lang`: `pt-BR` has its own when CLDR gives it some, else
/// `pt`'s; English's for a code that does not parse.
fn rules_for(lang: &str) -> Option<PluralRules> {
    let create = |code: &str| {
        let id: LanguageIdentifier = code.parse().ok()?;
        PluralRules::create(id, PluralRuleType::CARDINAL).ok()
    };
    create(lang)
        .or_else(|| create(lang.split(['-', '_']).next().unwrap_or(lang)))
        .or_else(|| create("en"))
}

fn select(rules: &PluralRules, n: f64) -> &'static str {
    let cat = if n.fract() == 0.0 && n.abs() < 1e15 {
        rules.select(n as i64)
    } else {
        rules.select(n)
    };
    match cat {
        Ok(PluralCategory::ZERO) => "zero",
        Ok(PluralCategory::ONE) => "one",
        Ok(PluralCategory::TWO) => "two",
        Ok(PluralCategory::FEW) => "few",
        Ok(PluralCategory::MANY) => "many",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::category;

    #[test]
    fn categories_follow_cldr() {
        assert_eq!(category(1.0, "en"), "one");
        assert_eq!(category(0.0, "en"), "other");
        assert_eq!(category(2.0, "en"), "other");
        // French: 0 and 1 (and 1.5) are singular.
        assert_eq!(category(0.0, "fr"), "one");
        assert_eq!(category(1.5, "fr"), "one");
        assert_eq!(category(2.0, "fr"), "other");
        // Arabic's six forms.
        assert_eq!(category(0.0, "ar"), "zero");
        assert_eq!(category(1.0, "ar"), "one");
        assert_eq!(category(2.0, "ar"), "two");
        assert_eq!(category(3.0, "ar"), "few");
        assert_eq!(category(11.0, "ar"), "many");
        assert_eq!(category(100.0, "ar"), "other");
        // Regions, and codes with no rules of their own.
        assert_eq!(category(0.0, "pt-BR"), "one");
        assert_eq!(category(1.0, "!!"), "one");
    }
}
