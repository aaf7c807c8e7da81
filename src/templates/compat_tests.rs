//! Tera templates rendered through [`super::compile`]: one behaviour each.

use std::path::{Path, PathBuf};

use minijinja::Value;

use super::{TemplateSet, compile, template_error};

fn set(files: &[(&str, &str)]) -> TemplateSet {
    TemplateSet {
        files: files
            .iter()
            .map(|(n, s)| ((*n).to_string(), (PathBuf::from(n), (*s).to_string())))
            .collect(),
    }
}

/// Render `main.html` of `files` with `ctx`, or the error's diagnostic.
fn render_with(files: &[(&str, &str)], ctx: Value) -> Result<String, String> {
    let set = set(files);
    let env = compile(&set, Path::new("")).map_err(|d| {
        let d = &d[0];
        let file = d.file.clone().unwrap_or_default();
        format!("{}:{}:{} {}", file.display(), d.line, d.column, d.message)
    })?;
    env.get_template("main.html")
        .and_then(|t| t.render(ctx))
        .map_err(|e| {
            let d = template_error(&e, &set, Path::new(""));
            format!(
                "{}:{}:{} {}",
                d.file.unwrap_or_default().display(),
                d.line,
                d.column,
                d.message
            )
        })
}

fn render(src: &str) -> String {
    render_with(&[("main.html", src)], Value::UNDEFINED).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn namespaced_macros_from_an_imported_file() {
    let macros = "{% macro link(url, text=\"home\") %}<a href=\"{{ url }}\">{{ text }}</a>{% endmacro link %}\
                  {% macro twice(url) %}{{ self::link(url=url) }}{{ self::link(url=url, text=\"again\") }}{% endmacro twice %}";
    let main = "{% import \"macros.html\" as macros %}{{ macros::twice(url=\"/a\") }}";
    let out = render_with(
        &[("macros.html", macros), ("main.html", main)],
        Value::UNDEFINED,
    );
    assert_eq!(
        out.unwrap(),
        "<a href=\"/a\">home</a><a href=\"/a\">again</a>"
    );
}

#[test]
fn keyword_arguments_a_macro_does_not_declare_are_dropped() {
    // Tera ignores them; minijinja alone fails on them.
    let macros = "{% macro card(title) %}[{{ title }}|{{ extra | default(value=\"none\") }}]{% endmacro card %}";
    let main = "{% import \"m.html\" as m %}{{ m::card(title=\"A\", extra=\"B\", size=3) }}";
    let out = render_with(&[("m.html", macros), ("main.html", main)], Value::UNDEFINED);
    assert_eq!(out.unwrap(), "[A|none]");
    let missing = "{% import \"m.html\" as m %}{{ m::nope(a=1) }}";
    let err = render_with(
        &[("m.html", macros), ("main.html", missing)],
        Value::UNDEFINED,
    )
    .unwrap_err();
    assert!(
        err.contains("main.html:1:") && err.contains("not defined"),
        "{err}"
    );
}

#[test]
fn recursive_macros_through_self() {
    let src = "{% macro factorial(n) %}{% if n > 1 %}{{ n }} - {{ self::factorial(n=n-1) }}{% else %}1{% endif %}{% endmacro factorial %}{{ self::factorial(n=4) }}";
    assert_eq!(render(src), "4 - 3 - 2 - 1");
}

#[test]
fn set_global_in_a_loop_is_seen_after_it() {
    let src = "{% set_global total = 0 %}{% for n in [1, 2, 3] %}{% set_global total = total + n %}{% endfor %}{{ total }}";
    assert_eq!(render(src), "6");
    let found = "{% set found = false %}{% for x in [\"a\", \"b\"] %}{% if x == \"b\" %}{% set_global found = true %}{% endif %}{% endfor %}{{ found }}";
    assert_eq!(render(found), "true");
}

#[test]
fn set_inside_a_loop_lasts_one_iteration() {
    let src = "{% set x = \"out\" %}{% for n in [1, 2] %}{{ x }}{% set x = n %}{{ x }};{% endfor %}{{ x }}";
    assert_eq!(render(src), "out1;out2;out");
}

#[test]
fn set_global_in_a_macro_stays_in_that_call() {
    let src = "{% macro count(xs) %}{% set_global c = 0 %}{% for x in xs %}{% set_global c = c + 1 %}{% endfor %}{{ c }}{% endmacro %}{{ self::count(xs=[1, 2]) }},{{ self::count(xs=[1]) }}";
    assert_eq!(render(src), "2,1");
}

#[test]
fn map_loops_give_key_and_value() {
    let ctx = minijinja::context! { m => minijinja::context! { a => 1, b => 2 } };
    let out = render_with(
        &[(
            "main.html",
            "{% for k, v in m %}{{ k }}={{ v }};{% endfor %}",
        )],
        ctx,
    );
    assert_eq!(out.unwrap(), "a=1;b=2;");
}

#[test]
fn values_print_as_tera_prints_them() {
    assert_eq!(
        render("{{ true }} {{ false }} [{{ none }}] {{ 2.5 }} {{ 3.0 }}"),
        "true false [] 2.5 3"
    );
    assert_eq!(render("{{ [1, \"a\", true] }}"), "[1, a, true]");
    assert_eq!(
        render("{{ 3.7 | round(method=\"floor\") }} {{ 3.14159 | round(precision=2) }}"),
        "3 3.14"
    );
}

#[test]
fn keyword_arguments_of_tera_filters() {
    assert_eq!(
        render("{{ missing | default(value=\"d\") }}|{{ \"\" | default(value=\"d\") }}"),
        "d|"
    );
    assert_eq!(
        render("{{ \"Robert\" | replace(from=\"Robert\", to=\"Bob\") }}"),
        "Bob"
    );
    assert_eq!(
        render("{{ [\"a\", \"b\"] | join(sep=\" // \") }}"),
        "a // b"
    );
    assert_eq!(render("{{ \"a/b/c\" | split(pat=\"/\") | last }}"), "c");
    assert_eq!(
        render("{{ [1, 2, 3, 4, 5] | slice(start=1, end=-1) | join(sep=\",\") }}"),
        "2,3,4"
    );
    assert_eq!(
        render("{{ \"a\nb\" | indent(prefix=\"> \", first=true) | safe }}"),
        "> a\n> b"
    );
    assert_eq!(
        render("{{ range(end=7, start=1, step_by=2) | join(sep=\",\") }}"),
        "1,3,5"
    );
    assert_eq!(
        render("{{ \"Hello world\" | truncate(length=5, end=\"!\") }}"),
        "Hello!"
    );
}

#[test]
fn errors_point_into_the_original_file() {
    // `macros::x(a=`q`)` is longer once translated; the column is the original's.
    let src = "{% import \"m.html\" as macros %}\n{{ macros::x(a=`q`) }} {{ nope( }}";
    let files = [
        ("m.html", "{% macro x(a) %}{% endmacro %}"),
        ("main.html", src),
    ];
    let err = render_with(&files, Value::UNDEFINED).unwrap_err();
    let col = src.lines().nth(1).unwrap().rfind("}}").unwrap() + 1;
    assert!(err.starts_with(&format!("main.html:2:{col} ")), "{err}");
    let runtime = "{% set_global n = 1 %}\n{{ n }} {{ self::missing() }}";
    let err = render_with(&[("main.html", runtime)], Value::UNDEFINED).unwrap_err();
    assert!(err.starts_with("main.html:2:"), "{err}");
}

#[test]
fn default_after_other_filters_still_replaces_undefined() {
    for (src, want) in [
        ("{{ x | trim | default(value=\"y\") }}", "y"),
        ("{{ x.a | lower | default(value=\"y\") }}", "y"),
        (
            "{{ x | replace(from=\"a\", to=\"b\") | default(value=\"y\") }}",
            "y",
        ),
        (
            "{{ x | trim_start_matches(pat=\"a\") | truncate(length=3) | default(value=\"y\") }}",
            "y",
        ),
        ("{{ x | striptags | title | default(value=\"y\") }}", "y"),
        ("{{ x | default(value=\" Y \") | trim }}", "Y"),
        // A defined empty string stays empty (Tera's `default` keeps it).
        ("{{ \" \" | trim | default(value=\"y\") }}", ""),
        (
            "{{ \" <b>A</b> \" | trim | upper }}",
            "&lt;B&gt;A&lt;/B&gt;",
        ),
    ] {
        assert_eq!(render(src), want, "{src}");
    }
}

#[test]
fn an_error_in_an_included_template_is_located_there() {
    let part = "line one\n  {{ throw(message=\"bad \" ~ x) }}\n";
    let err = render_with(
        &[
            ("part.html", part),
            ("main.html", "a\nb {% include \"part.html\" %}"),
        ],
        minijinja::context! { x => "card" },
    )
    .unwrap_err();
    assert!(err.starts_with("part.html:2:"), "{err}");
    assert!(err.contains("bad card"), "{err}");
}
