//! `#id` selectors of a `<style>` block renamed with the ids of the print
//! edition (each article's ids get a prefix there). The CSS is tokenised by
//! `cssparser` (`lol_html`'s own), so a colour such as `#fff` in a
//! declaration, a string or a comment is left alone: only the `#name`
//! tokens of a rule's selector (before its `{`, also inside `:is()`,
//! `:not()` and nested rules) are renamed. An at-rule's prelude
//! (`@media (...)`) is not a selector and is kept.

use cssparser::{ParseError, Parser, ParserInput, Token};

/// `css` with each `#name` of its selectors replaced by `#` + `rename(name)`.
pub fn rename_selector_ids(css: &str, rename: &dyn Fn(&str) -> String) -> String {
    if !css.contains('#') {
        return css.to_string();
    }
    let mut input = ParserInput::new(css);
    let mut parser = Parser::new(&mut input);
    let mut edits = Vec::new();
    rules(&mut parser, &mut edits);
    let mut out = String::with_capacity(css.len() + edits.len() * 16);
    let mut at = 0;
    for (start, end, name) in edits {
        out.push_str(&css[at..start]);
        out.push('#');
        let _ = cssparser::serialize_name(&rename(&name), &mut out);
        at = end;
    }
    out.push_str(&css[at..]);
    out
}

/// A `#name` token: its byte range and the name.
type Edit = (usize, usize, String);

/// A list of rules or declarations (a style sheet or a `{}` block): the
/// `#name`s of each statement that turns out to be a rule's selector.
fn rules(p: &mut Parser<'_, '_>, edits: &mut Vec<Edit>) {
    let mut pending: Vec<Edit> = Vec::new();
    let mut at_rule = false;
    let mut first = true;
    loop {
        let start = p.position().byte_index();
        let Ok(token) = p.next_including_whitespace_and_comments() else {
            break;
        };
        let token = token.clone();
        let end = p.position().byte_index();
        match token {
            Token::WhiteSpace(_) | Token::Comment(_) => continue,
            Token::IDHash(name) => pending.push((start, end, name.to_string())),
            Token::AtKeyword(_) if first => at_rule = true,
            Token::Semicolon => {
                pending.clear();
                (at_rule, first) = (false, true);
                continue;
            }
            Token::CurlyBracketBlock => {
                if at_rule {
                    pending.clear();
                } else {
                    edits.append(&mut pending);
                }
                let _ = p.parse_nested_block(|p| {
                    rules(p, edits);
                    Ok::<(), ParseError<'_, ()>>(())
                });
                (at_rule, first) = (false, true);
                continue;
            }
            Token::Function(_) | Token::ParenthesisBlock | Token::SquareBracketBlock => {
                let _ = p.parse_nested_block(|p| {
                    hashes(p, &mut pending);
                    Ok::<(), ParseError<'_, ()>>(())
                });
            }
            _ => {}
        }
        first = false;
    }
}

/// Every `#name` inside a function or bracket (`:is(#a, #b)`).
fn hashes(p: &mut Parser<'_, '_>, pending: &mut Vec<Edit>) {
    loop {
        let start = p.position().byte_index();
        let Ok(token) = p.next_including_whitespace_and_comments() else {
            break;
        };
        let token = token.clone();
        match token {
            Token::IDHash(name) => {
                pending.push((start, p.position().byte_index(), name.to_string()));
            }
            Token::Function(_)
            | Token::ParenthesisBlock
            | Token::SquareBracketBlock
            | Token::CurlyBracketBlock => {
                let _ = p.parse_nested_block(|p| {
                    hashes(p, pending);
                    Ok::<(), ParseError<'_, ()>>(())
                });
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renamed(css: &str) -> String {
        rename_selector_ids(css, &|id| format!("p--{id}"))
    }

    #[test]
    fn selectors_are_renamed_and_values_kept() {
        let css = "#map path, .x > #legend:hover { fill: #fff; color: #123456 }\n\
                   li:not(#skip) a[href='#top'] { background: url(#g) }\n\
                   @media (min-width: 40em) { #map { stroke: #ABCDEF } }\n\
                   /* #comment */ .a::before { content: \"#str\" }\n\
                   .card { & #inner { color: #000 } }";
        let out = renamed(css);
        for want in [
            "#p--map path, .x > #p--legend:hover { fill: #fff; color: #123456 }",
            "li:not(#p--skip) a[href='#top'] { background: url(#g) }",
            "@media (min-width: 40em) { #p--map { stroke: #ABCDEF } }",
            "/* #comment */ .a::before { content: \"#str\" }",
            ".card { & #p--inner { color: #000 } }",
        ] {
            assert!(out.contains(want), "{want}\nnot in\n{out}");
        }
    }

    #[test]
    fn css_without_ids_is_kept_as_it_is() {
        for css in [
            "",
            "p { color: red }",
            "@import url(x.css);",
            "a { color: #fff",
        ] {
            assert_eq!(renamed(css), css);
        }
        // Broken CSS: nothing lost, nothing panics.
        assert_eq!(renamed("}} #x {"), "}} #p--x {");
        // An escaped id is written back escaped.
        assert_eq!(renamed("#a\\.b{}"), "#p--a\\.b{}");
    }
}
