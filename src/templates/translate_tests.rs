use super::translate;

fn tr(src: &str) -> String {
    translate(src).source
}

#[test]
fn namespaced_macro_calls_become_attribute_calls() {
    assert_eq!(
        tr(r#"{% import "m.html" as macros %}{{ macros::link(url="a") }}"#),
        r#"{% import "m.html" as macros %}{{ __tera_macro(macros.link, url="a") }}"#
    );
    assert_eq!(
        tr("{{ self::fact(n=n - 1) }}"),
        "{{ __tera_macro(fact, n=n - 1) }}"
    );
    assert_eq!(tr("{{ m::none() }}"), "{{ __tera_macro(m.none) }}");
}

#[test]
fn text_and_strings_are_left_alone() {
    let src = r#"a::b self::x {{ "macros::x(" ~ 'self::y' }} {# m::n() #}"#;
    assert_eq!(tr(src), src);
    let raw = "{% raw %}{{ m::x() }}{% endraw %}";
    assert_eq!(tr(raw), raw);
}

#[test]
fn endmacro_loses_its_name() {
    assert_eq!(
        tr("{% macro a() %}x{% endmacro a %}"),
        "{% macro a() %}x{% endmacro  %}"
    );
    assert_eq!(tr("{%- endmacro a -%}"), "{%- endmacro  -%}");
}

#[test]
fn tera_strings_are_raw_and_backquotes_become_double_quotes() {
    assert_eq!(
        tr(r#"{{ x | split(pat="\n") }}"#),
        r#"{{ x | split(pat="\\n") }}"#
    );
    assert_eq!(tr("{{ `a \"b\"` }}"), r#"{{ "a \"b\"" }}"#);
    assert_eq!(tr(r"{{ 'a\d' }}"), r#"{{ "a\\d" }}"#);
}

#[test]
fn pair_loops_iterate_map_items() {
    assert_eq!(
        tr("{% for k, v in page.extra %}"),
        "{% for k, v in page.extra | __tera_pairs %}"
    );
    assert_eq!(tr("{% for k in xs %}"), "{% for k in xs %}");
}

#[test]
fn set_global_writes_and_reads_go_through_the_store() {
    let src =
        "{% set_global n = 0 %}{% for x in xs %}{% set_global n = n + x %}{% endfor %}{{ n }}";
    assert_eq!(
        tr(src),
        "{% set n = __tera_put(\"n\", 0) %}{% for x in xs %}{% set n = __tera_put(\"n\", __tera_get(\"n\", n) + x) %}{% endfor %}{{ __tera_get(\"n\", n) }}"
    );
}

#[test]
fn loop_local_sets_and_loop_variables_shadow_globals() {
    let src = "{% set_global n = 1 %}{% for n in xs %}{{ n }}{% endfor %}{% for x in xs %}{% set n = 2 %}{{ n }}{% endfor %}";
    let out = tr(src);
    assert!(
        out.contains("{% for n in xs %}{{ n }}{% endfor %}"),
        "{out}"
    );
    assert!(out.contains("{% set n = 2 %}{{ n }}"), "{out}");
}

#[test]
fn attribute_names_kwargs_and_filters_are_not_reads() {
    let src = "{% set_global n = 1 %}{{ a.n }}{{ f(n=1) }}{{ x | n }}{{ x is n }}";
    let out = tr(src);
    assert!(
        out.ends_with("{{ a.n }}{{ f(n=1) }}{{ x | n }}{{ x is n }}"),
        "{out}"
    );
}

#[test]
fn macros_of_set_global_templates_get_their_own_frame() {
    let src = "{% macro m() -%}\n{% set_global n = 1 %}{%- endmacro m %}";
    assert_eq!(
        tr(src),
        "{% macro m() -%}{{- __tera_push() -}}\n{% set n = __tera_put(\"n\", 1) %}{{- __tera_pop() -}}{%- endmacro  %}"
    );
    assert_eq!(
        tr("{% macro m() %}{% endmacro %}"),
        "{% macro m() %}{% endmacro %}"
    );
}

#[test]
fn offsets_map_back_to_the_original() {
    let src = "{{ a }}\n{{ self::x(v=`q`) }} {{ bad( }}";
    let t = translate(src);
    let bad_out = t.source.find("bad").unwrap();
    assert_eq!(t.original_offset(bad_out), src.find("bad").unwrap());
    let q_out = t.source.find("\"q\"").unwrap();
    assert_eq!(t.original_offset(q_out), src.find("`q`").unwrap());
    assert_eq!(t.source.lines().count(), src.lines().count());
}

#[test]
fn unclosed_tags_are_copied() {
    let src = "{{ a ~ \"b";
    assert_eq!(tr(src), src);
    assert_eq!(tr("{% if"), "{% if");
}

#[test]
fn namespaces_imported_only_by_the_caller_resolve() {
    use super::{Imports, translate_in};
    let index = r#"{% import "macros/menu.html" as menu_macros %}{% import "post.html" as post %}"#;
    let imports = Imports::gather([index]);
    let menu = "{% macro menu() %}{{ menu_macros::menu_for() }}{{ post::meta() }}{% endmacro %}";
    assert_eq!(
        translate_in(menu, "macros/menu.html", &imports).source,
        r#"{% import "post.html" as post %}{% macro menu() %}{{ __tera_macro(menu_for) }}{{ __tera_macro(post.meta) }}{% endmacro %}"#
    );
}

#[test]
fn filters_apply_to_a_whole_concatenation_or_sum_as_in_tera() {
    assert_eq!(
        tr(r#"{% set p = current_path ~ "_index.md" | trim_start_matches(pat="/") %}"#),
        r#"{% set p = (current_path ~ "_index.md") | trim_start_matches(pat="/") %}"#
    );
    assert_eq!(
        tr("{{ a + b * 2 | round | int }}"),
        "{{ (a + b * 2) | round | int }}"
    );
    assert_eq!(
        tr("{{ f(x=a ~ b | upper, y=c | lower) }}"),
        "{{ f(x=(a ~ b) | upper, y=c | lower) }}"
    );
    assert_eq!(
        tr("{% if n > a.b[0] ~ x | length and c %}"),
        "{% if n > (a.b[0] ~ x) | length and c %}"
    );
    for same in [
        "{{ a | upper ~ b }}",
        "{% for x in xs | reverse %}",
        "{{ (a ~ b) | upper }}",
        "{{ a.b(c) | d }}",
    ] {
        assert_eq!(tr(same), same);
    }
}
