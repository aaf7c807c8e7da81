//! Zola themes' Tera templates on fascia: the probe site
//! (`tests/fixtures/tera/`) has one page per construct, each with its own
//! template in `templates/probe/`; expected outputs follow Tera's and
//! Zola's documentation.

mod harness;

use harness::Site;

/// The probe site, built (a build of it takes milliseconds).
fn built() -> Site {
    let site = Site::fixture("tera");
    site.build().success();
    site
}

/// The output of the probe page `name` (its template's output, trimmed).
#[track_caller]
fn probe(name: &str) -> String {
    built()
        .read(&format!("probe/{}/index.html", name.replace('_', "-")))
        .trim()
        .to_string()
}

// 1. Syntax minijinja does not parse.

#[test]
fn macros_called_through_an_import_namespace() {
    assert_eq!(probe("macro_namespace"), "Hello, Ann! Hi, Bo!");
}

#[test]
fn recursive_macro_through_self() {
    assert_eq!(probe("macro_self"), "4 - 3 - 2 - 1");
}

#[test]
fn macro_calling_a_namespace_its_caller_imported() {
    assert_eq!(
        probe("macro_caller_namespace"),
        "<ul><li>a</li><li>b</li></ul>"
    );
}

#[test]
fn endmacro_with_the_macro_name() {
    assert_eq!(probe("endmacro_name"), "HEY");
}

#[test]
fn set_global_in_a_for_loop() {
    assert_eq!(probe("set_global"), "6");
}

#[test]
fn set_global_in_a_macro_is_per_call() {
    assert_eq!(probe("set_global_in_macro"), "3,1");
}

#[test]
fn set_in_a_for_loop_lasts_one_iteration() {
    assert_eq!(probe("set_in_loop"), "out1;out2;out");
}

#[test]
fn what_an_include_sets_stays_in_it() {
    // Zola 0.22 writes the same: neither `set` nor `set_global` in the
    // included template reaches the includer; trimming stays the include's;
    // the included template sees what the includer set with `set_global`
    // (tabi's comments partial reads its page's `comment_system`).
    assert_eq!(
        probe("include_scope"),
        "inner;[outer][unset] ainner;b<from-loop>"
    );
}

#[test]
fn for_key_value_over_a_map() {
    assert_eq!(probe("for_key_value"), "blue=#00f;red=#f00;");
}

#[test]
fn backquoted_and_raw_strings() {
    assert_eq!(probe("backquote_strings"), r#"say "hi"|a\b"#);
}

// 2. Tera's keyword arguments.

#[test]
fn default_value_only_for_undefined() {
    assert_eq!(probe("default"), "I would like to read more !|1");
}

#[test]
fn replace_from_to() {
    assert_eq!(probe("replace"), "Hello Bob");
}

#[test]
fn join_sep() {
    assert_eq!(probe("join"), "a // b // c");
}

#[test]
fn split_pat() {
    assert_eq!(probe("split"), "[a, b, c]");
}

#[test]
fn slice_start_end_with_negative_end() {
    assert_eq!(probe("slice"), "[1, 2, 3]|[2, 3]");
}

#[test]
fn indent_prefix() {
    assert_eq!(probe("indent"), "a\n> b\n\n> c");
}

#[test]
fn range_end_start_step_by() {
    assert_eq!(probe("range"), "[0, 1, 2, 3, 4]|[1, 3, 5]");
}

#[test]
fn round_method_and_precision() {
    assert_eq!(probe("round"), "3|3.15|3");
}

#[test]
fn truncate_length_end() {
    assert_eq!(probe("truncate"), "Hello…|Hello|Hi");
}

// 3. Filters, tests and functions minijinja lacks.

#[test]
fn trim_start_end_and_matches() {
    assert_eq!(probe("trim_filters"), "[a  ][  a][a/b/c//][//a/b/c]");
}

#[test]
fn concat_with() {
    assert_eq!(probe("concat"), "[1, 2, 3]|[1, 2, 3, 4]");
}

#[test]
fn get_key_and_default() {
    assert_eq!(probe("get"), "the posts|default");
}

#[test]
fn group_by_attribute_keeps_first_seen_order() {
    assert_eq!(probe("group_by"), "2023:AC;2024:B;Vincent=2;Ann=1;");
}

#[test]
fn filter_attribute_value() {
    assert_eq!(probe("filter"), "[B]|[A, B, C]");
}

#[test]
fn nth_n() {
    assert_eq!(probe("nth"), "2||");
}

#[test]
fn escape_xml_entities() {
    assert_eq!(
        probe("escape_xml"),
        "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;"
    );
}

#[test]
fn urlencode_and_urlencode_strict() {
    assert_eq!(
        probe("urlencode"),
        "/foo%3Fa%3Db%26c%3Dd|%2Ffoo%3Fa%3Db%26c%3Dd"
    );
}

#[test]
fn linebreaksbr_replaces_line_breaks() {
    assert_eq!(probe("linebreaksbr"), "Hello<br>world<br>");
}

#[test]
fn pluralize_singular_plural() {
    assert_eq!(
        probe("pluralize"),
        "You have 1 message, 2 messages, 2 categories, 1 category"
    );
}

#[test]
fn addslashes_escapes_quotes() {
    assert_eq!(probe("addslashes"), r"I\'m using Tera");
}

#[test]
fn spaceless_between_tags() {
    assert_eq!(probe("spaceless"), "<p><a></a></p>");
}

#[test]
fn filesizeformat_decimal_and_binary_units() {
    assert_eq!(probe("filesizeformat"), "117.74 MB|117.74 MiB|512 B");
}

#[test]
fn base64_encode_and_decode() {
    assert_eq!(probe("base64"), "SGVsbG8=|Hello");
}

#[test]
fn regex_replace_with_named_groups() {
    assert_eq!(probe("regex_replace"), "Hello World");
}

#[test]
fn num_format_with_locale() {
    assert_eq!(probe("num_format"), "1,000,000|10,00,000|100");
}

#[test]
fn date_of_a_unix_timestamp() {
    assert_eq!(
        probe("date_timestamp"),
        "2022-03-25|2022-03-25 23:50|06 May 2024"
    );
}

#[test]
fn tests_starting_with_ending_with_containing_matching_object() {
    assert_eq!(
        probe("tests"),
        "true true true true true true true false false true"
    );
}

#[test]
fn get_taxonomy_term_with_and_without_pages() {
    assert_eq!(
        probe("get_taxonomy_term"),
        "rust 2 https://example.org/tags/rust/|0 1|[]"
    );
}

#[test]
fn get_hash_sha256_384_512_hex_and_base64() {
    assert_eq!(
        probe("get_hash"),
        "a591a6d40bf420404a011733cfb7b190d62c65bf0bcda32b57b277d9ad9f146e\
         |pZGm1Av0IEBKARczz7exkNYsZb8LzaMrV7J32a2fFG4=\
         |mVFDKRhrL2rkoTKefubGEKcpY2M1F0rGt0D5AoOW/MgD0Ok4Y6fD2Q+Gvu54L08/\
         |128"
    );
}

#[test]
fn get_env_default() {
    assert_eq!(probe("get_env"), "fallback");
}

#[test]
fn get_image_metadata_of_an_svg_and_a_missing_file() {
    let site = with_printing_template(
        "{% set m = get_image_metadata(path=\"logo.svg\") %}{{ m.width }}x{{ m.height }} {{ m.format }} {{ m.mime }}",
    );
    site.write(
        "static/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 120 80\"></svg>\n",
    );
    site.build().success();
    assert_eq!(
        site.read("probe/printing/index.html").trim(),
        "120x80 svg image/svg+xml"
    );
}

#[test]
fn get_image_metadata_allow_missing_gives_nothing() {
    let site =
        with_printing_template("[{{ get_image_metadata(path=\"nope.png\", allow_missing=true) }}]");
    site.build().success();
    assert_eq!(site.read("probe/printing/index.html").trim(), "[]");
}

#[test]
fn load_data_required_false_gives_nothing() {
    assert_eq!(probe("load_data_optional"), "[]none");
}

// 4. Tera's printing.

#[test]
fn booleans_none_floats_and_arrays_print_as_in_tera() {
    assert_eq!(probe("printing"), "true false [] 2.5 3 [1, a, true] 3.5");
}

#[test]
fn get_taxonomy_url_of_a_term() {
    assert_eq!(probe("taxonomy_url"), "https://example.org/tags/rust/");
}

// 5. Zola's template lookup and theme defaults.

#[test]
fn taxonomy_list_and_single_templates_in_the_taxonomy_folder() {
    let site = built();
    assert_eq!(
        site.read("tags/index.html").trim(),
        "tags list: rust=2 zola=1"
    );
    assert_eq!(
        site.read("tags/rust/index.html").trim(),
        "tag rust: Second post First post"
    );
}

#[test]
fn theme_toml_extra_gives_defaults_under_config_extra() {
    assert_eq!(
        probe("theme_extra"),
        "from config.toml|from theme.toml|site-account|theme-mastodon"
    );
}

#[test]
fn lang_is_the_default_language() {
    assert_eq!(probe("lang"), "en");
}

// Errors: clear, and at the line and column of the original template.

/// A copy of the probe site whose `probe/printing` template is `src`.
fn with_printing_template(src: &str) -> Site {
    let site = Site::fixture("tera");
    site.write("templates/probe/printing.html", src);
    site
}

#[test]
fn load_data_url_says_fascia_does_not_fetch() {
    with_printing_template("{{ load_data(url=\"https://example.org/x.json\") }}")
        .build()
        .failure()
        .stderr_has("fascia does not fetch from the network at build time; download the file into the site and use path=");
}

#[test]
fn language_functions_name_what_is_missing() {
    // The probe site has one language: a key it does not translate, and a
    // language it does not have, are errors that say what to add.
    for (call, says) in [
        (
            "trans(key=\"hello\")",
            "no translation of `hello` for `en`; add `hello = \"...\"` under [translations]",
        ),
        (
            "get_url(path=\"@/posts/first.md\", lang=\"fr\")",
            "`lang=\"fr\"` is not a language of the site (config.toml names en)",
        ),
    ] {
        with_printing_template(&format!("{{{{ {call} }}}}"))
            .build()
            .failure()
            .stderr_has(says);
    }
}

#[test]
fn syntax_errors_point_into_the_original_template() {
    // Translation lengthens line 2 (`macros::` and the backquotes); the
    // column is still the original's.
    let src =
        "{% import \"macros.html\" as macros %}\n{{ macros::greet(name=`Ann`) }} {{ oops( }}\n";
    let col = src.lines().nth(1).unwrap().rfind("}}").unwrap() + 1;
    with_printing_template(src)
        .build()
        .failure()
        .stderr_has(&format!("templates/probe/printing.html:2:{col}: error"));
}

#[test]
fn check_compiles_every_template() {
    let site = Site::fixture("tera");
    site.write("templates/unused.html", "line one\n{% if %}\n");
    site.check(&[])
        .failure()
        .stderr_has("templates/unused.html:2:")
        .stderr_has("syntax error");
}

// 7. Sass.

#[test]
fn sass_of_theme_and_site_compiled_at_the_same_path() {
    let site = built();
    assert_eq!(
        site.read("css/site.css").trim(),
        "body a {\n  color: #336699;\n}"
    );
    assert_eq!(site.read("theme.css").trim(), "nav ul {\n  padding: 0;\n}");
    assert!(!site.exists("_vars.css") && !site.exists("vars.css"));
}

#[test]
fn sass_errors_name_file_and_line() {
    let site = Site::fixture("tera");
    site.write("sass/broken.scss", "a {\n  color: ;\n}\n");
    site.build().failure().stderr_has("sass/broken.scss:2:");
}
