//! The layers of the house (the map at the top of `src/lib.rs`) hold: no
//! module names a module of a higher layer in a `crate::` path.

use std::path::Path;

/// (module path, layer number) from the map in `src/lib.rs`.
fn layers(lib: &str) -> Vec<(String, usize)> {
    let start = lib
        .find("<!-- layers -->")
        .expect("the layer map in src/lib.rs");
    let end = lib
        .find("<!-- /layers -->")
        .expect("the end of the layer map");
    let mut out = Vec::new();
    for line in lib[start..end].lines().skip(1) {
        let line = line.trim_start_matches("//!").trim();
        let Some((n, rest)) = line.split_once(". ") else {
            continue;
        };
        let n: usize = n.parse().expect("a numbered layer");
        let names = rest.split(": ").next().unwrap_or("");
        for name in names.split_whitespace() {
            out.push((name.trim_matches('`').to_string(), n));
        }
    }
    out
}

/// The layer of a module path: its longest listed prefix.
fn layer_of(path: &str, map: &[(String, usize)]) -> Option<usize> {
    map.iter()
        .filter(|(m, _)| path == m || path.starts_with(&format!("{m}::")))
        .max_by_key(|(m, _)| m.len())
        .map(|(_, n)| *n)
}

/// The module path of a source file (`src/output/write.rs` -> `output::write`).
fn module_of(file: &Path, src: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts.join("::")
}

/// Every `crate::a::b` path in code (comments and strings left out), with
/// `use crate::{a::b, c}` groups expanded one level.
fn crate_paths(code: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in code.lines().enumerate() {
        let line = line.split("//").next().unwrap_or("");
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or("");
                for item in inner.split(',') {
                    let item = item.trim();
                    if !item.is_empty() {
                        out.push((i + 1, item.split(" as ").next().unwrap().to_string()));
                    }
                }
                continue;
            }
            let path: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            out.push((i + 1, path.trim_end_matches(':').to_string()));
        }
    }
    out
}

#[test]
fn no_module_imports_from_a_higher_layer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let map = layers(&std::fs::read_to_string(src.join("lib.rs")).unwrap());
    assert!(
        map.len() > 20,
        "the layer map lists too few modules: {map:?}"
    );
    let mut problems = Vec::new();
    for entry in walkdir::WalkDir::new(&src).into_iter().flatten() {
        let file = entry.path();
        if file.extension().is_none_or(|e| e != "rs")
            || file.ends_with("lib.rs")
            || file.ends_with("main.rs")
        {
            continue;
        }
        if file.to_string_lossy().ends_with("_tests.rs") {
            continue; // unit tests (`#[cfg(test)] #[path = ...]`) may reach anywhere
        }
        let module = module_of(file, &src);
        let Some(mine) = layer_of(&module, &map) else {
            problems.push(format!("{module} is in no layer of the map in src/lib.rs"));
            continue;
        };
        let code = std::fs::read_to_string(file).unwrap();
        // Unit tests may reach anywhere.
        let code = code.split("#[cfg(test)]").next().unwrap_or(&code);
        for (line, path) in crate_paths(code) {
            let Some(theirs) = layer_of(&path, &map) else {
                continue; // a crate-root item
            };
            if theirs < mine {
                problems.push(format!(
                    "{}:{line}: {module} (layer {mine}) uses crate::{path} (layer {theirs})",
                    file.strip_prefix(root).unwrap().display()
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "imports against the layers:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_checker_sees_an_upward_import() {
    let map = layers(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap(),
    );
    let code = "use crate::{pipeline::Clock, diagnostics::Diagnostic};\nfn f() { crate::render::out_path(\"/\"); } // crate::cli::x\n";
    let found: Vec<(usize, String)> = crate_paths(code);
    assert_eq!(
        found,
        [
            (1, "pipeline::Clock".to_string()),
            (1, "diagnostics::Diagnostic".to_string()),
            (2, "render::out_path".to_string())
        ]
    );
    assert!(layer_of("pipeline::Clock", &map) < layer_of("markdown", &map));
    assert_eq!(
        layer_of("output::write::Sink", &map),
        layer_of("output::guard", &map)
    );
    assert!(layer_of("output::Output", &map) > layer_of("render", &map));
}
