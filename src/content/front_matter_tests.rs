//! Tests of front matter parsing (`front_matter.rs`).

use super::*;

fn page(text: &str) -> Result<(FrontMatter, Vec<Diagnostic>), Vec<Diagnostic>> {
    let s = split(text, Path::new("p.md")).map_err(|d| vec![d])?;
    parse(&s, text, Path::new("p.md"), false)
}

#[test]
fn splits_toml_and_counts_lines() {
    let text = "+++\ntitle = \"A\"\n+++\nBody\n";
    let s = split(text, Path::new("p.md")).unwrap();
    assert_eq!(s.front, "title = \"A\"\n");
    assert_eq!(s.body, "Body\n");
    assert_eq!(s.body_line_offset, 3);
}

#[test]
fn blank_lines_before_front_matter_and_no_front_matter() {
    let text = "\n  \n+++\ntitle = \"A\"\n+++\nBody\n";
    let s = split(text, Path::new("p.md")).unwrap();
    assert_eq!(
        (s.format, s.front, s.body),
        (Format::Toml, "title = \"A\"\n", "Body\n")
    );
    assert_eq!((s.front_line_offset, s.body_line_offset), (3, 5));
    let plain = "# Heading\n\nText.\n";
    let s = split(plain, Path::new("p.md")).unwrap();
    assert_eq!(
        (s.format, s.body, s.body_line_offset),
        (Format::None, plain, 0)
    );
    let errs = page("\n+++\ntitle = \"A\"\nweight = = 3\n+++\n").unwrap_err();
    assert_eq!(errs[0].line, 4, "errors count the blank line");
}

#[test]
fn parses_dates_and_taxonomies() {
    let (fm, _) =
        page("+++\ntitle = \"A\"\ndate = 2024-01-02\n[taxonomies]\ntags = [\"x\"]\n+++\n").unwrap();
    assert_eq!(fm.date.unwrap().to_string(), "2024-01-02");
    assert_eq!(fm.taxonomies["tags"], vec!["x".to_string()]);
}

#[test]
fn yaml_front_matter() {
    let (fm, _) = page("---\ntitle: A\ndate: 2024-01-02\nweight: 3\n---\nx").unwrap();
    assert_eq!(fm.title.as_deref(), Some("A"));
    assert_eq!(fm.weight, Some(3));
    assert_eq!(fm.date.unwrap().to_string(), "2024-01-02");
}

#[test]
fn unknown_field_is_located_with_suggestion() {
    let errs = page("+++\ntitle = \"A\"\ndescripton = \"x\"\n+++\n").unwrap_err();
    assert_eq!((errs[0].line, errs[0].column), (3, 1));
    assert!(errs[0].help.as_deref().unwrap().contains("description"));
}

#[test]
fn bad_toml_is_located() {
    let errs = page("+++\ntitle = \"A\"\nweight = = 3\n+++\n").unwrap_err();
    assert_eq!(errs[0].line, 3);
}

#[test]
fn paths_leading_out_of_the_output_are_errors_at_their_key() {
    let errs = page("+++\ntitle = \"A\"\npath = \"../../../../tmp/x\"\n+++\n").unwrap_err();
    assert_eq!(
        (errs[0].code, errs[0].line, errs[0].column),
        ("unsafe-output-path", 3, 1)
    );
    assert!(errs[0].message.contains("`path`"), "{}", errs[0].message);
    let errs =
        page("+++\ntitle = \"A\"\nslug = \"..\"\naliases = [\"/ok/\", \"/a/../../b/\"]\n+++\n")
            .unwrap_err();
    let at: Vec<(usize, usize)> = errs.iter().map(|e| (e.line, e.column)).collect();
    assert_eq!(at, [(3, 1), (4, 20)]);
    let errs = page("---\ntitle: A\npath: \"a\\\\..\\\\b\"\n---\n").unwrap_err();
    assert_eq!((errs[0].code, errs[0].line), ("unsafe-output-path", 3));
    assert!(page("+++\ntitle = \"A\"\npath = \"/notes/Cześć/\"\n+++\n").is_ok());
}

#[test]
fn yaml_type_errors_are_located() {
    let errs = page("---\ntitle: A\nweight: heavy\n---\nx").unwrap_err();
    assert_eq!(errs[0].line, 3, "{:?}", errs[0]);
    assert!(errs[0].column > 0);
    // A number where text is expected is read as the text it is written as.
    let (fm, _) = page("---\ntitle: 1.\n---\nx").unwrap();
    assert_eq!(fm.title.as_deref(), Some("1."));
}

#[test]
fn section_fields_on_a_page_are_warned_and_ignored() {
    let (fm, warnings) =
        page("+++\ntitle = \"A\"\nsort_by = \"date\"\npaginate_by = 3\n+++\n").unwrap();
    let at: Vec<(usize, &str)> = warnings.iter().map(|w| (w.line, w.code)).collect();
    assert_eq!(
        at,
        [
            (3, "unsupported-front-matter"),
            (4, "unsupported-front-matter")
        ]
    );
    assert_eq!((fm.sort_by, fm.paginate_by), (SortBy::None, None));
}

#[test]
fn obsidian_keeps_unknown_keys_in_extra_and_aliases_as_names() {
    let text = "---\ntitle: Deep fascia\ntags: [anatomy, fascia]\ncssclasses: wide\ncreated:\naliases: [Deep fascial layer]\n---\nx";
    let s = split(text, Path::new("n.md")).unwrap();
    assert!(parse(&s, text, Path::new("n.md"), false).is_err());
    let (fm, _) = parse_with(&s, text, Path::new("n.md"), false, true).unwrap();
    assert_eq!(
        fm.extra["tags"],
        toml::Value::Array(vec!["anatomy".into(), "fascia".into()])
    );
    assert_eq!(fm.extra["cssclasses"].as_str(), Some("wide"));
    assert!(!fm.extra.contains_key("created"));
    assert!(fm.aliases.is_empty());
    assert_eq!(
        fm.extra["synonyms"],
        toml::Value::Array(vec!["Deep fascial layer".into()])
    );
}

#[test]
fn wrong_type_is_located() {
    let errs = page("+++\ntitle = \"A\"\nweight = \"heavy\"\n+++\n").unwrap_err();
    assert_eq!(errs[0].line, 3, "{:?}", errs[0]);
}
