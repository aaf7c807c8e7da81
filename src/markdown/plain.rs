//! A body's plain text read without keeping it: its word count and its
//! first [`TEXT_START_CHARS`] characters.

use comrak::nodes::{AstNode, NodeValue};

use super::TEXT_START_CHARS;

/// The plain text of the whole document, blocks separated by newlines: what
/// [`PlainStream`] reads without keeping it.
#[cfg(test)]
fn plain_text<'a>(root: &'a AstNode<'a>) -> String {
    let mut out = String::new();
    for d in root.descendants() {
        match &d.data.borrow().value {
            NodeValue::Text(t) => out.push_str(t),
            NodeValue::Code(c) => out.push_str(&c.literal),
            NodeValue::CodeBlock(c) => {
                out.push_str(&c.literal);
                out.push('\n');
            }
            NodeValue::SoftBreak | NodeValue::LineBreak => out.push(' '),
            NodeValue::Paragraph
            | NodeValue::Heading(_)
            | NodeValue::TableCell
            | NodeValue::Item(_)
                if !out.ends_with('\n') && !out.is_empty() =>
            {
                out.push('\n');
            }
            _ => {}
        }
    }
    out
}

/// A document's plain text read in order (blocks separated by newlines),
/// keeping only its word count and its first [`TEXT_START_CHARS`] characters,
/// so no copy of the whole text is made.
#[derive(Default)]
pub(super) struct PlainStream {
    pub(super) words: usize,
    in_word: bool,
    pub(super) start: String,
    start_chars: usize,
    /// Whether anything was read, and whether the last character was `\n`.
    any: bool,
    ends_in_newline: bool,
}

impl PlainStream {
    #[cfg(test)]
    fn of<'a>(root: &'a AstNode<'a>) -> Self {
        let mut s = Self::default();
        s.read(root);
        s
    }

    /// Read the text of `root`, after what was read before (a body parsed
    /// in pieces, [`super::chunk`]).
    pub(super) fn read<'a>(&mut self, root: &'a AstNode<'a>) {
        let s = self;
        for d in root.descendants() {
            match &d.data.borrow().value {
                NodeValue::Text(t) => s.push(t),
                NodeValue::Code(c) => s.push(&c.literal),
                NodeValue::CodeBlock(c) => {
                    s.push(&c.literal);
                    s.push("\n");
                }
                NodeValue::SoftBreak | NodeValue::LineBreak => s.push(" "),
                NodeValue::Paragraph
                | NodeValue::Heading(_)
                | NodeValue::TableCell
                | NodeValue::Item(_)
                    if s.any && !s.ends_in_newline =>
                {
                    s.push("\n");
                }
                _ => {}
            }
        }
    }

    fn push(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.any = true;
        self.ends_in_newline = text.ends_with('\n');
        let (words, in_word) = count_words_from(text, self.in_word);
        self.words += words;
        self.in_word = in_word;
        if self.start_chars < TEXT_START_CHARS {
            for c in text.chars().take(TEXT_START_CHARS - self.start_chars) {
                self.start.push(c);
                self.start_chars += 1;
            }
        }
    }
}

/// `text.split_whitespace().count()`, reading ASCII a byte at a time (the
/// std iterator decodes every character).
#[cfg(test)]
fn count_words(text: &str) -> usize {
    count_words_from(text, false).0
}

/// Words that start in `text` when the text before it ended inside a word
/// (`in_word`) or not, and whether `text` ends inside a word. ASCII is read
/// eight bytes at a time (the std iterator decodes every character).
fn count_words_from(text: &str, mut in_word: bool) -> (usize, bool) {
    let bytes = text.as_bytes();
    let mut words = 0;
    let mut i = 0;
    while i < bytes.len() {
        if i + 8 <= bytes.len() {
            let x = crate::swar::load(bytes, i);
            if crate::swar::is_ascii(x) {
                let space = crate::swar::space(x);
                // A word starts at a non-space byte after a space byte.
                let after_space = (space << 1) | u8::from(!in_word);
                words += (!space & after_space).count_ones() as usize;
                in_word = space & 0x80 == 0;
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        let (space, len) = if b.is_ascii() {
            // char::is_whitespace on ASCII: \t \n \x0b \x0c \r and space.
            (matches!(b, b' ' | b'\t'..=b'\r'), 1)
        } else {
            let c = text[i..].chars().next().expect("a character starts here");
            (c.is_whitespace(), c.len_utf8())
        };
        if !space && !in_word {
            words += 1;
        }
        in_word = !space;
        i += len;
    }
    (words, in_word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MarkdownConfig;
    use crate::markdown::comrak_options;
    use comrak::{Arena, parse_document};

    #[test]
    fn word_count_agrees_with_split_whitespace() {
        for text in [
            "",
            "   ",
            "one",
            " two  words ",
            "tab\tand\nnew\x0bline\x0cfeed\rend",
            "non\u{a0}breaking\u{2003}em\u{3000}ideographic",
            "cạo gió — ü\u{85}next",
            "a\u{1680}b\u{200b}c",
            "eight ch",
            "a longer line of plain ASCII words\twith\ttabs and  double  spaces ",
            "mixed: plain ASCII words, then café, then more plain ASCII words here",
        ] {
            assert_eq!(
                count_words(text),
                text.split_whitespace().count(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn streamed_plain_text_matches_the_whole_text() {
        let long = "word ".repeat(100);
        for src in [
            "",
            "One two three.\n\nFour *five*six `code`seven\n",
            "# Head\nPara\n\n- item\n- **bold**tail\n\n| a | b |\n|---|---|\n| c | d |\n",
            "```\nfn x() {}\n```\nafter  the\nbreak  \nhard\n",
            "cạo gió — ü\u{85}next\n\nnon\u{a0}breaking",
            &long,
        ] {
            let arena = Arena::new();
            let root = parse_document(&arena, src, &comrak_options(&MarkdownConfig::default()));
            let whole = plain_text(root);
            let s = PlainStream::of(root);
            assert_eq!(s.words, count_words(&whole), "{src:?}");
            assert_eq!(
                s.start,
                whole.chars().take(TEXT_START_CHARS).collect::<String>(),
                "{src:?}"
            );
        }
    }
}
