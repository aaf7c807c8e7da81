//! Quality bars of the encyclopedia in `site/`: every review is quoted with
//! the same figures on every page that cites it (split from tests/content.rs).

use fascia::site::Site;

mod harness;

fn site() -> Site {
    harness::encyclopedia()
}

// ---------------------------------------------------------------------------
// One figure per review

/// The figures each review is quoted with, by unit. Wherever a passage cites
/// exactly one of these works, every number it puts before one of the units
/// must be one of that work's figures. A work quoted with new figures gets a
/// row here, checked against the source, so that no page drifts alone.
/// (review key, [(what is counted, the figures allowed)]).
type ReviewFigures = &'static [(&'static str, &'static [(&'static str, &'static [u64])])];

const REVIEW_FIGURES: ReviewFigures = &[
    ("seffrin2019", &[("trials", &[13, 12])]),
    ("gattie2017", &[("trials", &[13, 6])]),
    ("liu2018", &[("trials", &[11]), ("patients", &[802])]),
    ("hu2018", &[("trials", &[16])]),
    ("furlan2015", &[("trials", &[25]), ("people", &[3096])]),
    ("gross2024", &[("trials", &[33]), ("people", &[1994])]),
    ("vickers2012", &[("trials", &[29]), ("people", &[17_922])]),
    ("li2014", &[("trials", &[9]), ("people", &[404])]),
    ("linde2016", &[("trials", &[12, 2, 6]), ("people", &[2349])]),
    ("mu2020", &[("trials", &[33, 7]), ("people", &[8270])]),
    ("tang2024", &[("trials", &[9]), ("people", &[450])]),
    ("tang2025", &[("trials", &[11, 6]), ("people", &[427])]),
    (
        "nazari2019",
        &[("trials", &[9, 6, 2]), ("outcomes", &[43, 36])],
    ),
    ("brady2014", &[("treatments", &[7629])]),
    ("laimi2018", &[("trials", &[8])]),
    ("wu2021", &[("trials", &[8]), ("people", &[375])]),
    (
        "sevier2015",
        &[("people", &[107, 21, 20]), ("elbows", &[113])],
    ),
    ("perlman2019", &[("people", &[222])]),
    ("perlman2012", &[("people", &[125])]),
    ("thoracicrct", &[("people", &[143])]),
    ("alshalla2025", &[("trials", &[4])]),
    ("herbert2011", &[("trials", &[12])]),
    ("chaibi2014", &[("trials", &[6, 1, 5])]),
    ("scott2022", &[("trials", &[25, 13]), ("people", &[1515])]),
    ("shin2012", &[("people", &[144, 30, 27])]),
    ("yin2014", &[("reports", &[40])]),
    ("macpherson2001", &[("treatments", &[34_407])]),
    ("white2001", &[("treatments", &[31_822])]),
    ("witt2009", &[("people", &[229_230])]),
    ("astymstrength2015", &[("people", &[45])]),
];

/// The unit a word names, if it is one of the units counted above.
fn unit_of(word: &str) -> Option<&'static str> {
    Some(match word {
        "trials" | "trial" | "studies" | "study" | "rcts" | "publications" => "trials",
        "patients" | "participants" | "people" | "adults" | "persons" => "people",
        "treatments" | "consultations" | "sessions" => "treatments",
        "outcomes" => "outcomes",
        "elbows" => "elbows",
        "reports" => "reports",
        _ => return None,
    })
}

fn number_word(word: &str) -> Option<u64> {
    let words = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    if let Some(n) = words.iter().position(|w| *w == word) {
        return Some(n as u64);
    }
    let digits = word.replace(',', "");
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && digits.len() < 10 {
        digits.parse().ok()
    } else {
        None
    }
}

/// `(number, unit)` for each number followed, within three words, by a unit
/// (adjectives such as "randomized" or "small" may stand between).
/// French writes thousands with a (narrow) no-break space, `31 822`:
/// joined as `31,822` so the figure reads as one number.
fn join_thousands(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let grouped = matches!(c, ' ' | '\u{a0}' | '\u{202f}')
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.len() > i + 3
            && chars[i + 1..i + 4].iter().all(char::is_ascii_digit)
            && !chars.get(i + 4).is_some_and(char::is_ascii_digit);
        out.push(if grouped { ',' } else { c });
    }
    out
}

fn counted_figures(text: &str) -> Vec<(u64, &'static str)> {
    let text = join_thousands(text);
    let words: Vec<String> = text
        .split(|c: char| c.is_whitespace() || "()[];:—–".contains(c))
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let mut found = Vec::new();
    for (i, w) in words.iter().enumerate() {
        // Years and percentages are not counts.
        let Some(n) = number_word(w) else { continue };
        if n <= 1 || ((1900..=2100).contains(&n) && !w.contains(',')) {
            continue;
        }
        // The second number of a ratio ("48 in 100", "six of nine") is not a count.
        if i >= 2
            && ["in", "of", "out"].contains(&words[i - 1].as_str())
            && number_word(&words[i - 2]).is_some()
        {
            continue;
        }
        for next in words.iter().skip(i + 1).take(3) {
            // Another number, or a measure ("5 degrees in people"), ends the search.
            let measures = [
                "percent", "per", "degrees", "points", "mm", "minutes", "hours", "days", "day",
                "weeks", "week", "months", "month", "years", "year",
            ];
            if number_word(next).is_some() || measures.contains(&next.as_str()) {
                break;
            }
            if let Some(unit) = unit_of(next) {
                found.push((n, unit));
                break;
            }
        }
    }
    found
}

/// Passages of a page body, each with the works it cites: the sentences up to
/// and including one that carries citations, or a whole table row or list item
/// that does.
fn cited_passages(body: &str) -> Vec<(String, Vec<String>)> {
    let keys_in = |s: &str| -> Vec<String> {
        s.match_indices("(ref:")
            .map(|(i, _)| {
                s[i + 5..]
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect()
            })
            .collect()
    };
    let mut out = Vec::new();
    for line in body.lines() {
        if line.trim_start().starts_with('|') {
            let keys = keys_in(line);
            if !keys.is_empty() {
                out.push((line.to_string(), keys));
            }
            continue;
        }
        let mut pending = String::new();
        for sentence in line.split_inclusive(". ") {
            pending.push_str(sentence);
            let keys = keys_in(sentence);
            if !keys.is_empty() {
                // Link targets and labels of citations are not the text's figures.
                let text: String = pending
                    .split("](")
                    .enumerate()
                    .map(|(i, part)| {
                        if i == 0 {
                            part.to_string()
                        } else {
                            part.split_once(')')
                                .map_or(String::new(), |(_, r)| r.to_string())
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("]");
                out.push((text, keys));
                pending.clear();
            }
        }
    }
    out
}

#[test]
fn the_figure_reader_counts_what_it_should() {
    assert_eq!(
        counted_figures("Thirteen randomized trials were included, and 12 were pooled."),
        vec![(13, "trials")]
    );
    assert_eq!(
        counted_figures("25 trials (3,096 participants) in 2015"),
        vec![(25, "trials"), (3096, "people")]
    );
    let passages = cited_passages(
        "Intro without figures. It pooled 12 randomized trials ([Seffrin 2019](ref:seffrin2019)).",
    );
    assert_eq!(passages.len(), 1);
    assert_eq!(passages[0].1, vec!["seffrin2019".to_string()]);
    assert_eq!(counted_figures(&passages[0].0), vec![(12, "trials")]);
    assert!(
        counted_figures("about 5 degrees in people, three months after people joined").is_empty()
    );
    assert!(counted_figures("about 48 in 100 people; six of nine trials").is_empty());
}

#[test]
fn each_review_is_quoted_with_the_same_figures_everywhere() {
    let s = site();
    let mut problems = Vec::new();
    for id in s.doc_ids() {
        let doc = s.doc(id);
        let source = s.source(doc);
        let body = source.split("+++").nth(2).unwrap_or(&source);
        for (text, keys) in cited_passages(body) {
            let tracked: Vec<_> = REVIEW_FIGURES
                .iter()
                .filter(|(k, _)| keys.iter().any(|key| key == k))
                .collect();
            let [(key, units)] = tracked.as_slice() else {
                continue;
            };
            if keys.iter().any(|k| k != key) {
                continue;
            }
            for (n, unit) in counted_figures(&text) {
                if let Some((_, allowed)) = units.iter().find(|(u, _)| *u == unit)
                    && !allowed.contains(&n)
                {
                    problems.push(format!(
                        "{}: {key} quoted with {n} {unit} (expected one of {allowed:?}): {}",
                        doc.file.rel,
                        text.trim()
                    ));
                }
            }
            // Seffrin 2019: 13 trials were included and 12 pooled; "12" alone misstates it.
            if *key == "seffrin2019" {
                let figures = counted_figures(&text);
                if figures.contains(&(12, "trials"))
                    && !figures.contains(&(13, "trials"))
                    && !text.contains("Thirteen")
                {
                    problems.push(format!(
                        "{}: Seffrin 2019 quoted as 12 trials without the 13 included: {}",
                        doc.file.rel,
                        text.trim()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
