//! Tera's scope for `{% set %}` inside a `{% block %}`, for
//! [`super::translate`].
//!
//! A Tera block opens no scope of its own: `{% set x = ... %}` inside a
//! block (outside any `for` loop or macro) writes the render's top level,
//! so later blocks, the parent template after the block, and a child
//! block after `{{ super() }}` all see `x`. minijinja keeps it inside the
//! block. Names assigned that way anywhere in a theme are therefore
//! treated like `set_global` names in every template: their top-level and
//! block-level writes go to the render-local store of
//! [`super::set_global`], and their reads consult it first.

use std::collections::BTreeSet;

use super::tera_lex::{Tag, TagKind, Tok};

/// The names of every `{% set x = ... %}` that sits inside a block but in
/// no `for` loop or macro, in `src` (a template's Tera source).
pub fn names_set_in_blocks(src: &str, tags: &[Tag]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut blocks = 0usize;
    // `for` loops and macros open, innermost last.
    let mut scopes: Vec<&str> = Vec::new();
    for tag in tags.iter().filter(|t| t.kind == TagKind::Stmt) {
        match tag.keyword(src) {
            Some("block") => blocks += 1,
            Some("endblock") => blocks = blocks.saturating_sub(1),
            Some(kw @ ("for" | "macro")) => scopes.push(kw),
            Some("endfor") => pop(&mut scopes, "for"),
            Some("endmacro") => pop(&mut scopes, "macro"),
            Some("set") if blocks > 0 && scopes.is_empty() => {
                let target = tag.toks.get(1).filter(|t| t.kind == Tok::Ident);
                let assigns = tag.toks.get(2).is_some_and(|t| &src[t.range()] == "=");
                if let (Some(t), true) = (target, assigns) {
                    names.insert(src[t.range()].to_string());
                }
            }
            _ => {}
        }
    }
    names
}

/// Close the innermost `kind` scope (an unbalanced end tag is left for the
/// compiler to report).
fn pop(scopes: &mut Vec<&str>, kind: &str) {
    if let Some(i) = scopes.iter().rposition(|s| *s == kind) {
        scopes.truncate(i);
    }
}

#[cfg(test)]
mod tests {
    use super::super::tera_lex::scan;
    use super::super::translate::translate;
    use super::names_set_in_blocks;

    fn names(src: &str) -> Vec<String> {
        names_set_in_blocks(src, &scan(src)).into_iter().collect()
    }

    #[test]
    fn sets_directly_in_blocks_and_in_their_ifs() {
        let src = "{% set top = 1 %}{% block a %}{% set x = 1 %}\
                   {% if c %}{% set y = 2 %}{% endif %}{% endblock a %}";
        assert_eq!(names(src), ["x", "y"]);
    }

    #[test]
    fn sets_in_loops_and_macros_stay_local() {
        let src = "{% block a %}{% for i in l %}{% set x = i %}{% endfor %}\
                   {% endblock %}{% macro m() %}{% block b %}{% set y = 1 %}\
                   {% endblock %}{% endmacro %}{% block c %}{% set z = 1 %}{% endblock %}";
        assert_eq!(names(src), ["z"]);
    }

    #[test]
    fn block_sets_are_stored_and_read_back_everywhere() {
        let src = "{% block a %}{% set t = p ~ \"/\" | trim %}{% endblock %}{{ t }}";
        assert_eq!(
            translate(src).source,
            "{% block a %}{% set t = __tera_put(\"t\", (p ~ \"/\") | trim) %}{% endblock %}\
             {{ __tera_get(\"t\", t) }}"
        );
    }
}
