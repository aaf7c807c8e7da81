//! Pictures (issue 22, what was left): images from other sites, loaded
//! lazily at the size their author gave and never fetched; Zola's
//! `static_path` of `resize_image`; AVIF copies in a fascia built with the
//! `avif` feature, and a plain refusal, saying how to get them, without it.

mod harness;

use std::path::Path;

use harness::Site;
use harness::pictures::{probe, site};

fn png(path: &Path, w: u32, h: u32, colour: [u8; 3]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    image::RgbImage::from_pixel(w, h, image::Rgb(colour))
        .save(path)
        .unwrap();
}

#[test]
fn remote_images_load_lazily_at_the_size_their_author_wrote() {
    let site = site("");
    site.write(
        "content/maps.md",
        "+++\ntitle = \"Maps\"\n+++\n\nA map ![Trial sites|800x600](https://example.invalid/map.png) inline.\n\n{{ figure(src=\"https://example.invalid/chart.png\", alt=\"A chart\", caption=\"Trials by year\", width=640, height=480) }}\n",
    );
    // No network is asked for: example.invalid never resolves.
    site.build().success();
    let html = site.read("maps/index.html");
    assert!(
        html.contains(r#"<img loading="lazy" decoding="async" src="https://example.invalid/map.png" alt="Trial sites" width="800" height="600">"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<figure class="figure" id="figure-1"><img loading="lazy" decoding="async" src="https://example.invalid/chart.png" alt="A chart" width="640" height="480">"#),
        "a figure shortcode with a remote image is no missing image: {html}"
    );
    // Zola's lazy_async_image adds the hints to other images, not twice here.
    site.edit(
        "config.toml",
        "[images]",
        "[markdown]\nlazy_async_image = true\n\n[images]",
    );
    site.build().success();
    let html = site.read("maps/index.html");
    assert_eq!(html.matches("loading=").count(), 2, "{html}");
}

#[test]
fn get_image_metadata_knows_a_resized_copy_by_its_static_path() {
    let site = site("");
    zola_png(&site);
    // Zola's value, and a theme sizing the copy through it before it is made.
    let out = probe(
        &site,
        "{% set r = resize_image(path=\"zola.png\", width=100, op=\"fit_width\", format=\"webp\", quality=80) %}{{ r.static_path }} {{ r.url }}|{% set m = get_image_metadata(path=r.static_path) %}{{ m.width }}x{{ m.height }} {{ m.format }} {{ m.mime }}",
    );
    let (paths, meta) = out.split_once('|').unwrap();
    let (static_path, url) = paths.split_once(' ').unwrap();
    let name = static_path
        .strip_prefix("static/processed_images/")
        .unwrap_or_else(|| panic!("Zola's static_path: {static_path}"));
    assert_eq!(url, format!("https://example.org/processed_images/{name}"));
    assert!(site.exists(&format!("processed_images/{name}")));
    assert_eq!(meta, "100x126 webp image/webp");
}

#[cfg(not(feature = "avif"))]
#[test]
fn without_the_avif_feature_avif_is_refused_saying_how_to_get_it() {
    let site = site("formats = [\"avif\", \"webp\"]");
    site.build()
        .failure()
        .stderr_has("config.toml:")
        .stderr_has("this fascia was built without AVIF")
        .stderr_has("--features avif");
    let site = self::site("");
    png(&site.root().join("static/a.png"), 30, 20, [1, 2, 3]);
    site.write(
        "templates/probe.html",
        "{{ resize_image(path=\"a.png\", width=10, height=10, format=\"avif\").url }}",
    )
    .write(
        "content/probe.md",
        "+++\ntitle = \"Probe\"\ntemplate = \"probe.html\"\n+++\n",
    );
    site.build()
        .failure()
        .stderr_has("built without AVIF")
        .stderr_has("--features avif");
}

/// The colour Chromium shows for `file` drawn alone on a page, or `None`
/// when it shows nothing (an AVIF it cannot decode).
#[cfg(feature = "avif")]
fn chromium_colour(file: &Path) -> Option<[u8; 3]> {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("show.html");
    std::fs::write(
        &page,
        format!(
            "<!doctype html><style>body{{margin:0;background:#fff}}img{{display:block;width:200px;height:100px}}</style><img src=\"file://{}\">",
            file.display()
        ),
    )
    .unwrap();
    let shot = dir.path().join("shot.png");
    let profile = dir.path().join("profile");
    let status = std::process::Command::new("/usr/bin/chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--allow-file-access-from-files",
            "--window-size=200,100",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--screenshot={}", shot.display()),
            &format!("file://{}", page.display()),
        ])
        .output()
        .expect("Chromium (scripts/test.sh installs it)");
    assert!(
        shot.exists(),
        "no screenshot: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    // The most frequent colour other than the page's white: headless
    // Chromium may give the page less height than the window (its own bars),
    // so the picture is not always at the middle of the screenshot.
    let img = image::open(&shot).unwrap().to_rgb8();
    let mut counts: std::collections::HashMap<[u8; 3], usize> = std::collections::HashMap::new();
    for px in img.pixels().filter(|p| p.0 != [255, 255, 255]) {
        *counts.entry(px.0).or_default() += 1;
    }
    counts.into_iter().max_by_key(|&(_, n)| n).map(|(px, _)| px)
}

#[cfg(feature = "avif")]
#[test]
fn avif_copies_are_offered_first_and_decode_to_the_picture() {
    let site = site("formats = [\"avif\", \"webp\"]\nwidths = [200]");
    site.write(
        "content/gallery/index.md",
        "+++\ntitle = \"Gallery\"\n+++\n\n![A teal field](field.png)\n",
    );
    let teal = [20, 140, 150];
    png(
        &site.root().join("content/gallery/field.png"),
        400,
        200,
        teal,
    );
    site.build().success();
    let html = site.read("gallery/index.html");
    let avif = html
        .find("<source type=\"image/avif\"")
        .expect("an AVIF source");
    let webp = html
        .find("<source type=\"image/webp\"")
        .expect("a WebP source");
    assert!(avif < webp, "AVIF is offered first: {html}");
    let srcset = &html[avif..];
    let srcset = &srcset[srcset.find("srcset=\"").unwrap() + 8..];
    let srcset = &srcset[..srcset.find('"').unwrap()];
    let copies: Vec<&str> = srcset.split(", ").collect();
    assert_eq!(copies.len(), 2, "200 and 400 wide: {srcset}");
    for copy in copies {
        let (url, width) = copy.split_once(' ').unwrap();
        let rel = url.strip_prefix("https://example.org/").unwrap();
        let file = site.out().join(rel);
        let bytes = std::fs::read(&file).unwrap();
        assert_eq!(&bytes[4..12], b"ftypavif", "{rel} is an AVIF file");
        assert!(rel.ends_with(".avif") && width.ends_with('w'));
        let shown = chromium_colour(&file).unwrap_or_else(|| panic!("Chromium cannot show {rel}"));
        for (got, want) in shown.iter().zip(teal) {
            assert!(got.abs_diff(want) <= 6, "{rel}: {shown:?} against {teal:?}");
        }
    }
    // For the record (`--nocapture`): the copies' sizes, by format.
    for entry in std::fs::read_dir(site.out().join("processed_images")).unwrap() {
        let path = entry.unwrap().path();
        let (w, h) = image::image_dimensions(&path).unwrap_or((0, 0));
        eprintln!(
            "{}: {w} x {h}, {} bytes",
            path.display(),
            path.metadata().unwrap().len()
        );
    }
}

/// The 300 x 380 image of Zola's `resize_image` examples, at `static/zola.png`.
fn zola_png(site: &Site) {
    png(
        &site.root().join("static/zola.png"),
        300,
        380,
        [10, 120, 200],
    );
}

fn size_at(site: &Site, url: &str) -> (u32, u32) {
    let rel = url
        .strip_prefix("https://example.org/")
        .unwrap_or_else(|| panic!("a URL of the site: {url}"));
    image::image_dimensions(site.out().join(rel)).unwrap()
}

#[test]
fn resize_image_takes_what_zola_themes_pass() {
    let site = site("");
    zola_png(&site);
    png(
        &site.root().join("content/gallery/pic.png"),
        200,
        100,
        [200, 50, 50],
    );
    // A lossy WebP: `format="auto"` makes a JPEG of it, as Zola does.
    let px = vec![90u8; 64 * 32 * 3];
    let lossy = webp::Encoder::from_rgb(&px, 64, 32).encode(70.0);
    std::fs::write(site.root().join("static/lossy.webp"), &*lossy).unwrap();
    // A theme's shortcode: the page's own folder, Zola's and fascia's ways.
    site.write(
        "templates/shortcodes/thumbs.html",
        "{% for p in [page.colocated_path ~ src, src, \"@/gallery/\" ~ src, \"content/gallery/\" ~ src] %}{% set t = resize_image(path=p, width=50, op=\"fit_width\") %}{{ t.url }} {% endfor %}",
    )
    .write(
        "content/gallery/index.md",
        "+++\ntitle = \"Gallery\"\n+++\n\n{{ thumbs(src=\"pic.png\") }}\n",
    );
    // An earlier result resized again, by its static_path and by its url.
    let out = probe(
        &site,
        "{% set r = resize_image(path=\"static/zola.png\", width=150, op=\"fit_width\", format=\"webp\") %}\
         {% set s = resize_image(path=r.static_path, width=50, op=\"fit_width\") %}\
         {% set u = resize_image(path=r.url, width=30, height=30) %}\
         {% set l = resize_image(path=\"lossy.webp\", width=32, op=\"fit_width\") %}\
         {{ r.url }} {{ s.url }} {{ s.orig_width }}x{{ s.orig_height }} {{ s.width }}x{{ s.height }} {{ u.url }} {{ l.url }}",
    );
    let parts: Vec<&str> = out.split(' ').collect();
    assert_eq!(parts.len(), 6, "{out}");
    assert_eq!(size_at(&site, parts[0]), (150, 190));
    assert_eq!(parts[2], "150x190", "orig_* are the earlier copy's: {out}");
    assert_eq!(parts[3], "50x63");
    assert_eq!(size_at(&site, parts[1]), (50, 63));
    assert!(
        parts[1].ends_with(".png") && parts[1].contains("/zola."),
        "auto makes a lossless WebP a PNG, named after the first source: {out}"
    );
    assert_eq!(size_at(&site, parts[4]), (30, 30));
    assert!(
        parts[5].ends_with(".jpg"),
        "a lossy WebP becomes a JPEG: {out}"
    );
    assert_eq!(size_at(&site, parts[5]), (32, 16));
    let html = site.read("gallery/index.html");
    let urls: Vec<&str> = html.split_whitespace().collect();
    assert_eq!(urls.len(), 4, "{html}");
    for url in &urls {
        assert_eq!(url, &urls[0], "the four forms name one file: {html}");
    }
    assert_eq!(size_at(&site, urls[0]), (50, 25));
}

#[test]
fn resize_image_errors_name_the_template_call_and_what_to_do() {
    let site = site("");
    png(&site.root().join("static/zola.png"), 30, 38, [1, 2, 3]);
    for (call, says, help) in [
        (
            "path=\"nope.png\", width=10, height=10",
            "no image `nope.png`",
            "give the path from the site root",
        ),
        (
            "path=\"../x.png\", width=10, height=10",
            "leaves the site folder",
            "name an image below",
        ),
        (
            "path=\"zola.png\", width=10, op=\"fill\"",
            "op `fill` needs a height",
            "docs/templates.md",
        ),
        (
            "path=\"zola.png\", width=10, op=\"fit_width\", format=\"jpg\", quality=0",
            "quality 0 is outside 1 to 100",
            "leave it out",
        ),
    ] {
        site.write(
            "templates/probe.html",
            &format!("<p>\n  {{{{ resize_image({call}).url }}}}\n</p>"),
        )
        .write(
            "content/probe.md",
            "+++\ntitle = \"Probe\"\ntemplate = \"probe.html\"\n+++\n",
        );
        site.build()
            .failure()
            .stderr_has("templates/probe.html:2:")
            .stderr_has(says)
            .stderr_has(help);
    }
}

#[test]
fn a_remote_image_with_a_title_is_a_numbered_figure() {
    let site = site("");
    site.edit(
        "config.toml",
        "[images]",
        "[markdown]\nimage_figures = true\n\n[images]",
    );
    site.write(
        "content/maps.md",
        "+++\ntitle = \"Maps\"\n+++\n\n![Trial sites](https://example.invalid/map.png \"Where the trials ran\")\n",
    );
    site.build().success();
    let html = site.read("maps/index.html");
    assert!(
        html.contains("<figure class=\"figure\" id=\"figure-1\">"),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"figure-label\">Figure 1.</span> Where the trials ran"),
        "{html}"
    );
    assert!(!html.contains("fascia:"), "{html}");
}
