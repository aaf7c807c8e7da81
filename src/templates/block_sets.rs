//! Tera's scope for `{% set %}` inside a `{% block %}`, for
//! [`super::translate`].
//!
//! A Tera block opens no scope of its own: `{% set x = ... %}` inside a
//! block (outside any `for` loop or macro) writes the render's top level,
//! so later blocks, the parent template after the block, and a child
//! block after `{{ super() }}` all see `x`. minijinja keeps it inside the
//! block. A name assigned that way and read outside that block (in
//! another block, at the top level, or in another template: a parent's
//! block reached through `super()`, a child's) is therefore treated like a
//! `set_global` name in every template: its top-level and block-level
//! writes go to the render-local store of [`super::set_global`], and its
//! reads consult it first. Names set and read in one block alone keep
//! minijinja's plain variables.

use std::collections::BTreeSet;

use super::tera_lex::{Tag, TagKind, Tok};

/// Where in a theme a name is set or read: the template (its index in the
/// theme) and the innermost block (its ordinal in the template; `None`
/// at the top level).
type Place = (usize, Option<usize>);

/// The names set inside a block (in no `for` loop or macro) somewhere in
/// `sources` and read somewhere else: a different block or template, or
/// the top level.
pub fn shared_names<'a>(
    sources: impl IntoIterator<Item = (&'a str, &'a [Tag])>,
) -> BTreeSet<String> {
    let mut sets: Vec<(&str, Place)> = Vec::new();
    let mut reads: Vec<(&str, Place)> = Vec::new();
    for (t, (src, tags)) in sources.into_iter().enumerate() {
        places(src, tags, t, &mut sets, &mut reads);
    }
    let set_names: BTreeSet<&str> = sets.iter().map(|(n, _)| *n).collect();
    let mut shared = BTreeSet::new();
    for (name, at) in reads.iter().filter(|(n, _)| set_names.contains(n)) {
        if sets.iter().any(|(n, s)| n == name && s != at) {
            shared.insert((*name).to_string());
        }
    }
    shared
}

/// The block-level sets and the reads of one template.
fn places<'a>(
    src: &'a str,
    tags: &[Tag],
    template: usize,
    sets: &mut Vec<(&'a str, Place)>,
    reads: &mut Vec<(&'a str, Place)>,
) {
    let mut blocks: Vec<usize> = Vec::new();
    let mut ordinal = 0;
    // `for` loops and macros open, innermost last.
    let mut scopes: Vec<&str> = Vec::new();
    for tag in tags.iter().filter(|t| t.kind != TagKind::Verbatim) {
        let here = (template, blocks.last().copied());
        match tag.keyword(src) {
            Some("block") => {
                blocks.push(ordinal);
                ordinal += 1;
                continue;
            }
            Some("endblock") => {
                blocks.pop();
                continue;
            }
            Some(kw @ ("for" | "macro")) => scopes.push(kw),
            Some("endfor") => pop(&mut scopes, "for"),
            Some("endmacro") => pop(&mut scopes, "macro"),
            Some("set") if !blocks.is_empty() && scopes.is_empty() => {
                let target = tag.toks.get(1).filter(|t| t.kind == Tok::Ident);
                let assigns = tag.toks.get(2).is_some_and(|t| &src[t.range()] == "=");
                if let (Some(t), true) = (target, assigns) {
                    sets.push((&src[t.range()], here));
                }
            }
            _ => {}
        }
        if scopes.contains(&"macro") {
            continue;
        }
        let text = |i: usize| tag.toks.get(i).map_or("", |t| &src[t.range()]);
        for (i, t) in tag.toks.iter().enumerate() {
            let after_dot = i > 0 && text(i - 1) == ".";
            if t.kind == Tok::Ident && !after_dot && text(i + 1) != "=" {
                reads.push((&src[t.range()], here));
            }
        }
    }
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
    use super::shared_names;

    fn shared(sources: &[&str]) -> Vec<String> {
        let tags: Vec<_> = sources.iter().map(|s| scan(s)).collect();
        shared_names(sources.iter().copied().zip(tags.iter().map(Vec::as_slice)))
            .into_iter()
            .collect()
    }

    #[test]
    fn a_block_set_read_elsewhere_is_shared() {
        let src = "{% block a %}{% set x = 1 %}{% if c %}{% set y = 2 %}{% endif %}\
                   {{ y }}{% endblock a %}{% block b %}{{ x }}{% endblock b %}";
        assert_eq!(shared(&[src]), ["x"]);
        // Through `super()`: set in the parent's block, read in the child's.
        let parent = "{% block seo %}{% set sep = 1 %}{% endblock %}";
        let child = "{% block seo %}{{ super() }}{{ sep }}{% endblock %}";
        assert_eq!(shared(&[parent, child]), ["sep"]);
        // Read after the block, at the top level.
        assert_eq!(
            shared(&["{% block b %}{% set k = 1 %}{% endblock %}{{ k }}"]),
            ["k"]
        );
    }

    #[test]
    fn sets_in_loops_macros_or_read_in_their_block_alone_stay_local() {
        let src = "{% block a %}{% for i in l %}{% set x = i %}{% endfor %}{{ x }}\
                   {% endblock %}{% macro m() %}{% block b %}{% set y = 1 %}\
                   {% endblock %}{{ y }}{% endmacro %}{% block c %}{% set z = 1 %}{{ z }}{% endblock %}\
                   {{ a.z }}{{ f(z=1) }}";
        assert!(shared(&[src]).is_empty());
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
