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
    let mut count = 0;
    let mut from = 0;
    let mut outside = true;
    for at in memchr::memmem::find_iter(raw.as_bytes(), "```") {
        if outside {
            count += words(&raw[from..at]);
        }
        outside = !outside;
        from = at + 3;
    }
    if outside {
        count += words(&raw[from..]);
    }
    count
}

fn words(text: &str) -> usize {
    if text.is_ascii() {
        ascii_words(text.as_bytes())
    } else {
        text.unicode_words().count()
    }
}

fn is_letter(b: u8) -> bool {
    (b | 0x20).wrapping_sub(b'a') < 26
}

fn is_digit(b: u8) -> bool {
    b.wrapping_sub(b'0') < 10
}

/// Whether byte `c`, between bytes `before` and `after`, belongs to a word
/// (UAX #29's rules for ASCII): letters, digits and `_` always; `:` `.`
/// `'` between two letters; `,` `;` `.` `'` between two digits. Written
/// as arithmetic on the bytes, with no branch, so that a loop over it is
/// compiled to vector instructions.
#[allow(clippy::needless_bitwise_bool)] // bitwise: no branches
fn joined(before: u8, c: u8, after: u8) -> bool {
    let word = is_letter(c) | is_digit(c) | (c == b'_');
    let num_let = (c == b'.') | (c == b'\'');
    let letters = is_letter(before) & is_letter(after) & ((c == b':') | num_let);
    let digits = is_digit(before) & is_digit(after) & (num_let | (c == b',') | (c == b';'));
    word | letters | digits
}

/// Whether byte `at` begins a run that [`joined`] keeps together.
#[allow(clippy::needless_bitwise_bool)] // bitwise: `&&` stops the loop over it being vectorised (fifteen times slower, measured)
fn starts_word(two_before: u8, before: u8, at: u8, after: u8) -> bool {
    joined(before, at, after) & !joined(two_before, before, at)
}

/// UAX #29's word rules for ASCII: a word is a run of bytes that
/// [`joined`] keeps together, holding a letter or a digit. Counted as the
/// runs' starts (a byte joined whose previous byte is not), each found from
/// the four bytes around it, less the runs of `_` alone (rare: counted
/// apart). About five times faster than reading the rules byte by byte
/// (`ascii_words_plain` in the tests, which holds this to them), whose
/// branches mispredicted at each word's end.
fn ascii_words(s: &[u8]) -> usize {
    const BLOCK: usize = 128;
    if s.is_empty() {
        return 0;
    }
    // Two bytes of room before, one after: a byte's neighbours always exist.
    let mut padded = Vec::with_capacity(s.len() + 3);
    padded.extend_from_slice(b"  ");
    padded.extend_from_slice(s);
    padded.push(b' ');
    let len = padded.len();
    // Byte i of the text is `at[i]`, with the two bytes before and the one after.
    let (two_before, before, at, after) = (
        &padded[..len - 3],
        &padded[1..len - 2],
        &padded[2..len - 1],
        &padded[3..],
    );
    let whole = s.len() / BLOCK * BLOCK;
    let blocks = two_before[..whole]
        .chunks_exact(BLOCK)
        .zip(before[..whole].chunks_exact(BLOCK))
        .zip(at[..whole].chunks_exact(BLOCK))
        .zip(after[..whole].chunks_exact(BLOCK));
    let mut starts = 0;
    for (((prev2, prev), cur), next) in blocks {
        // Fixed-size blocks without bounds checks; at most 64 starts in one.
        let (prev2, prev, cur, next): (&[u8; BLOCK], &[u8; BLOCK], &[u8; BLOCK], &[u8; BLOCK]) = (
            prev2.try_into().expect("a block"),
            prev.try_into().expect("a block"),
            cur.try_into().expect("a block"),
            next.try_into().expect("a block"),
        );
        let mut in_block = 0u8;
        for i in 0..BLOCK {
            in_block += u8::from(starts_word(prev2[i], prev[i], cur[i], next[i]));
        }
        starts += usize::from(in_block);
    }
    for i in whole..s.len() {
        starts += usize::from(starts_word(two_before[i], before[i], at[i], after[i]));
    }
    starts - underscore_runs(s)
}

/// Runs of `_` with no letter or digit on either side: joined, but no word.
fn underscore_runs(s: &[u8]) -> usize {
    let alnum = |b: u8| is_letter(b) | is_digit(b);
    let mut runs = 0;
    for i in memchr::memchr_iter(b'_', s) {
        if i > 0 && s[i - 1] == b'_' {
            continue;
        }
        let end = s[i..]
            .iter()
            .position(|&b| b != b'_')
            .map_or(s.len(), |n| i + n);
        let before = i > 0 && alnum(s[i - 1]);
        let after = end < s.len() && alnum(s[end]);
        runs += usize::from(!before && !after);
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// The rules read one byte at a time, as first written: the reference
    /// the branch-free [`ascii_words`] is held to.
    fn ascii_words_plain(s: &[u8]) -> usize {
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

    #[test]
    fn the_branch_free_count_agrees_with_the_rules_read_byte_by_byte() {
        let alphabet = [
            b'a', b'Z', b'1', b'_', b':', b'.', b'\'', b',', b';', b' ', b'-',
        ];
        // Every string of up to 6 bytes over the classes' alphabet.
        for n in 0..=6u32 {
            for k in 0..alphabet.len().pow(n) {
                let s: Vec<u8> = (0..n)
                    .map(|d| alphabet[k / alphabet.len().pow(d) % alphabet.len()])
                    .collect();
                assert_eq!(ascii_words(&s), ascii_words_plain(&s), "{s:?}");
            }
        }
        // Long strings drawn from the same alphabet and from prose.
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for round in 0..2_000 {
            let len = (round % 400) + 1;
            let s: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    alphabet[(seed % alphabet.len() as u64) as usize]
                })
                .collect();
            assert_eq!(ascii_words(&s), ascii_words_plain(&s), "{s:?}");
        }
        let prose = b"In 1526, Elamomer preserved a rare engine: 3.14 units, 1,000,000 parts; don't x.com a_b.";
        assert_eq!(ascii_words(prose), ascii_words_plain(prose));
        assert_eq!(ascii_words(prose), 14);
    }

    #[test]
    fn fences_split_as_str_split_does() {
        for raw in [
            "a ```` b ``` c ``````d e",
            "```",
            "``````",
            "x ``` y",
            "one ``` two ``` three ``` four",
            "`` ` ``` `` x",
        ] {
            let split: usize = raw.split("```").step_by(2).map(words).sum();
            assert_eq!(word_count(raw), split, "{raw:?}");
        }
    }
}
