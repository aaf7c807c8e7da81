//! `word_count` and `reading_time` as Zola counts them: the words of the
//! raw Markdown (shortcode calls, link targets and HTML included), fenced
//! code left out, a word being a Unicode word (UAX #29, as
//! `unicode-segmentation`'s `unicode_words`), and 200 words a minute.
//!
//! ASCII text, most of it, takes a fast path that follows the same rules
//! for ASCII (tested against `unicode_words` below); other text is
//! segmented by the crate.

use unicode_segmentation::UnicodeSegmentation;

/// The number of words of `raw` as Zola counts them.
pub fn word_count(raw: &str) -> usize {
    // Zola splits at every ``` and counts every other part.
    raw.split("```").step_by(2).map(words).sum()
}

fn words(text: &str) -> usize {
    if text.is_ascii() {
        ascii_words(text.as_bytes())
    } else {
        text.unicode_words().count()
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Class {
    Letter,
    Digit,
    /// `_`: joins letters, digits and itself.
    Underscore,
    /// `:` between letters.
    MidLetter,
    /// `.` and `'` between letters or between digits.
    MidNumLet,
    /// `,` and `;` between digits.
    MidNum,
    Other,
}

const fn class_of(b: u8) -> Class {
    match b {
        b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
        b'0'..=b'9' => Class::Digit,
        b'_' => Class::Underscore,
        b':' => Class::MidLetter,
        b'.' | b'\'' => Class::MidNumLet,
        b',' | b';' => Class::MidNum,
        _ => Class::Other,
    }
}

/// [`class_of`] of every byte, looked up rather than matched.
const CLASSES: [Class; 256] = {
    let mut table = [Class::Other; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = class_of(b as u8);
        b += 1;
    }
    table
};

fn class(b: u8) -> Class {
    CLASSES[usize::from(b)]
}

/// UAX #29's word rules for ASCII: a run of letters, digits and `_`, with
/// `:` `.` `'` kept between two letters and `,` `;` `.` `'` between two
/// digits; a run counts when it holds a letter or a digit.
fn ascii_words(s: &[u8]) -> usize {
    use Class::{Digit, Letter, MidLetter, MidNum, MidNumLet, Underscore};
    let mut count = 0;
    let mut in_word = false;
    let mut alnum = false;
    for (i, &b) in s.iter().enumerate() {
        let c = class(b);
        let joins = match c {
            Letter | Digit | Underscore => true,
            MidLetter | MidNumLet | MidNum if in_word && i + 1 < s.len() => {
                let (before, after) = (class(s[i - 1]), class(s[i + 1]));
                let letters = before == Letter && after == Letter && c != MidNum;
                let digits = before == Digit && after == Digit && c != MidLetter;
                letters || digits
            }
            _ => false,
        };
        if joins {
            in_word = true;
            alnum |= matches!(c, Letter | Digit);
        } else {
            if in_word && alnum {
                count += 1;
            }
            in_word = false;
            alnum = false;
        }
    }
    count + usize::from(in_word && alnum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_as_zola_does() {
        // Zola's own test: fenced code is left out.
        assert_eq!(
            word_count("hello world ``` code goes here ``` goodbye world"),
            4
        );
        assert_eq!(word_count("  "), 0);
        assert_eq!(
            word_count("[A link](https://example.org/a-b) and {{ youtube(id=\"x\") }}"),
            10
        );
        assert_eq!(word_count("Привет, мир 日本"), 4);
    }

    #[test]
    fn the_ascii_path_agrees_with_unicode_words() {
        let samples = [
            "don't stop: e.g. x.com, 3.14 and 1,000,000; a1.b 1a.2 a:b 1:2 a::b",
            "foo_bar _ __ _a a_ 1_2 '.' a'b 1'2 a'1 1.a a. .a a..b 1,,2 x;y 1;2",
            "- * | -- — ... `code` **bold** <a href=\"/x/\">x</a> {% end %} 100% #tag",
            "end.\nnext line\r\nx\ty's ''a'' 'b' a.b.c 1.2.3 a1b2_c3:d",
            "",
            "'",
            "a",
            "a.",
            "_",
        ];
        for s in samples {
            assert_eq!(
                ascii_words(s.as_bytes()),
                s.unicode_words().count(),
                "{s:?}"
            );
        }
        // Every short string over an alphabet of the classes.
        let alphabet = [b'a', b'1', b'_', b':', b'.', b'\'', b',', b' ', b'-'];
        for n in 1..=5u32 {
            for k in 0..alphabet.len().pow(n) {
                let s: Vec<u8> = (0..n)
                    .map(|d| alphabet[k / alphabet.len().pow(d) % alphabet.len()])
                    .collect();
                let s = String::from_utf8(s).unwrap();
                assert_eq!(
                    ascii_words(s.as_bytes()),
                    s.unicode_words().count(),
                    "{s:?}"
                );
            }
        }
    }
}
