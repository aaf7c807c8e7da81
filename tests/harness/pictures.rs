//! Sites for the picture tests (`tests/images.rs`, `tests/pictures.rs`):
//! a small site with its own templates and an `[images]` table, and a probe
//! page that prints what one template renders to.

use super::Site;

/// A small site with its own templates; `images` is its `[images]` table.
pub fn site(images: &str) -> Site {
    let site = Site {
        dir: tempfile::tempdir().unwrap(),
    };
    site.write(
        "config.toml",
        &format!(
            "title = \"Pictures\"\nbase_url = \"https://example.org\"\n\n[images]\n{images}\n"
        ),
    )
    .write("templates/page.html", "{{ page.content | safe }}")
    .write("templates/section.html", "{{ section.content | safe }}")
    .write("templates/index.html", "{{ section.content | safe }}")
    .write("content/_index.md", "+++\ntitle = \"Home\"\n+++\n");
    site
}

/// The output of `template` on a page of its own (`probe/index.html`).
pub fn probe(site: &Site, template: &str) -> String {
    site.write("templates/probe.html", template).write(
        "content/probe.md",
        "+++\ntitle = \"Probe\"\ntemplate = \"probe.html\"\n+++\n",
    );
    site.build().success();
    site.read("probe/index.html").trim().to_string()
}
