//! Images (issue 22, points 1, 2 and 6): Markdown images get their size,
//! lazy loading and WebP copies in `srcset`; copies are cached between
//! builds; a missing alt is a warning and an unreadable image an error at
//! `file:line:col`; Zola's `resize_image` and `get_image_metadata` with the
//! examples of Zola's documentation (a 300 x 380 image); figures numbered
//! per page; link cards as `og:image`. Every image is made here, by the
//! `image` crate.

mod harness;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use harness::pictures::probe;
use harness::{Run, Site};

/// A PNG of `w` x `h` with a gradient (so encoders have something to do).
fn png(path: &Path, w: u32, h: u32) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    })
    .save(path)
    .unwrap();
}

fn jpeg(path: &Path, w: u32, h: u32) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([200, (x % 256) as u8, (y % 256) as u8])
    })
    .save_with_format(path, image::ImageFormat::Jpeg)
    .unwrap();
}

/// The size of an image file.
#[track_caller]
fn size_of(path: &Path) -> (u32, u32) {
    image::image_dimensions(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A small site with its own templates and a page bundle of images.
fn site() -> Site {
    let site = harness::pictures::site("widths = [480, 960, 1440]");
    site.write(
        "content/gallery/index.md",
        "+++\ntitle = \"Gallery\"\n+++\n\nA wide chart:\n\n![Wide chart](wide.png)\n\nA photo ![A photo](/pics/photo.jpg) inline.\n\n![Small](small.png)\n",
    );
    let root = site.root();
    png(&root.join("content/gallery/wide.png"), 1600, 900);
    png(&root.join("content/gallery/small.png"), 300, 200);
    jpeg(&root.join("static/pics/photo.jpg"), 800, 600);
    site
}

fn run_with(site: &Site, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(harness::bin());
    cmd.args(args)
        .current_dir(site.dir.path())
        .env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn build_timed(site: &Site) -> Run {
    let (root, out) = (site.root(), site.out());
    let args = [
        "build",
        "--root",
        root.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    let run = run_with(site, &args, &[("FASCIA_TIMINGS", "1")]);
    run.success();
    run
}

/// The `<img ...>` tag whose alt is `alt`, and what comes before it.
#[track_caller]
fn img_tag<'a>(html: &'a str, alt: &str) -> &'a str {
    let at = html
        .find(&format!("alt=\"{alt}\""))
        .unwrap_or_else(|| panic!("no image {alt} in {html}"));
    let start = html[..at].rfind("<img ").unwrap();
    let end = at + html[at..].find('>').unwrap() + 1;
    &html[start..end]
}

/// The `srcset` of the `<source>` just before the image `alt`.
#[track_caller]
fn srcset<'a>(html: &'a str, alt: &str) -> Vec<(&'a str, u32)> {
    let at = html.find(&format!("alt=\"{alt}\"")).unwrap();
    let source = html[..at]
        .rfind("<source type=\"image/webp\" srcset=\"")
        .unwrap();
    let list = &html[source + 34..];
    let list = &list[..list.find('"').unwrap()];
    list.split(", ")
        .map(|item| {
            let (url, w) = item.rsplit_once(' ').unwrap();
            (url, w.trim_end_matches('w').parse().unwrap())
        })
        .collect()
}

#[test]
fn markdown_images_get_their_size_and_lazy_loading_after_the_first() {
    let site = site();
    site.build().success();
    let html = site.read("gallery/index.html");
    let wide = img_tag(&html, "Wide chart");
    assert!(wide.contains("width=\"1600\" height=\"900\""), "{wide}");
    assert!(
        !wide.contains("loading="),
        "the first image loads at once: {wide}"
    );
    let photo = img_tag(&html, "A photo");
    assert!(photo.contains("src=\"/pics/photo.jpg\""), "{photo}");
    assert!(photo.contains("width=\"800\" height=\"600\""), "{photo}");
    assert!(
        photo.contains("loading=\"lazy\" decoding=\"async\""),
        "{photo}"
    );
    assert!(img_tag(&html, "Small").contains("width=\"300\" height=\"200\""));
}

#[test]
fn srcset_offers_webp_copies_at_the_configured_widths() {
    let site = site();
    site.build().success();
    let html = site.read("gallery/index.html");
    let wide = srcset(&html, "Wide chart");
    let widths: Vec<u32> = wide.iter().map(|(_, w)| *w).collect();
    assert_eq!(
        widths,
        [480, 960, 1440, 1600],
        "no copy wider than the original"
    );
    for (url, w) in &wide {
        let rel = url.strip_prefix("https://example.org/").unwrap();
        assert!(
            rel.starts_with("processed_images/") && rel.ends_with(".webp"),
            "{url}"
        );
        let file = site.out().join(rel);
        assert_eq!(std::fs::read(&file).unwrap()[8..12], *b"WEBP");
        let (fw, fh) = size_of(&file);
        assert_eq!(fw, *w);
        assert_eq!(fh, w * 900 / 1600, "aspect ratio kept");
    }
    let photo: Vec<u32> = srcset(&html, "A photo").iter().map(|(_, w)| *w).collect();
    assert_eq!(photo, [480, 800]);
    assert!(html.contains("sizes=\"(max-width: 1600px) 100vw, 1600px\""));
    // The originals stay the fallback, copied as they are.
    assert_eq!(size_of(&site.out().join("gallery/wide.png")), (1600, 900));
}

#[test]
fn no_formats_means_sizes_only() {
    let site = site();
    site.edit("config.toml", "widths = [480, 960, 1440]", "formats = []");
    site.build().success();
    let html = site.read("gallery/index.html");
    assert!(!html.contains("<picture>"));
    assert!(img_tag(&html, "Wide chart").contains("width=\"1600\""));
    assert!(!site.exists("processed_images"));
}

/// Each cache entry's modification time, by name.
fn cache_times(site: &Site) -> Vec<(String, std::time::SystemTime)> {
    let dir = site.root().join(".fascia-cache/images");
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().unwrap().modified().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn unchanged_images_come_from_the_cache() {
    let site = site();
    let first = build_timed(&site);
    assert!(
        first.stderr.contains("images: 0 from the cache, 7 made"),
        "{}",
        first.stderr
    );
    let times = cache_times(&site);
    assert_eq!(times.len(), 7);
    let second = build_timed(&site);
    assert!(
        second.stderr.contains("images: 7 from the cache, 0 made"),
        "{}",
        second.stderr
    );
    assert_eq!(cache_times(&site), times, "no cache file was written again");
    // A changed image is made again; the others still come from the cache.
    png(&site.root().join("content/gallery/small.png"), 300, 201);
    png(&site.root().join("content/gallery/wide.png"), 1600, 800);
    let third = build_timed(&site);
    assert!(
        third.stderr.contains("images: 2 from the cache, 5 made"),
        "{}",
        third.stderr
    );
    let html = site.read("gallery/index.html");
    assert!(img_tag(&html, "Wide chart").contains("height=\"800\""));
}

#[test]
fn the_cache_folder_is_never_an_output_folder() {
    let site = site();
    site.build().success();
    let cache = site.root().join(".fascia-cache");
    let run = site.run(&[
        "build",
        "--root",
        site.root().to_str().unwrap(),
        "-o",
        cache.to_str().unwrap(),
        "--force",
    ]);
    run.failure().stderr_has(".fascia-cache");
}

#[test]
fn a_missing_alt_is_a_warning_and_an_error_under_strict() {
    let site = site();
    site.write(
        "content/bare.md",
        "+++\ntitle = \"Bare\"\n+++\n\nText.\n\n![](../gallery/small.png)\n",
    );
    site.check(&[])
        .success()
        .stderr_has("content/bare.md:7:1: warning")
        .stderr_has("image has no alt text");
    site.check(&["--strict"])
        .failure()
        .stderr_has("content/bare.md:7:1");
}

#[test]
fn an_unreadable_image_is_an_error_at_its_line() {
    let site = site();
    std::fs::write(
        site.root().join("content/gallery/broken.png"),
        b"not a picture",
    )
    .unwrap();
    site.write(
        "content/gallery/index.md",
        "+++\ntitle = \"Gallery\"\n+++\n\nText.\n\nSee ![Broken](broken.png).\n",
    );
    site.check(&[])
        .failure()
        .stderr_has("content/gallery/index.md:7:5: error")
        .stderr_has("cannot read image `broken.png`");
    site.build().failure().stderr_has("broken.png");
    // A repository cloned without Git LFS has pointers where images were.
    std::fs::write(
        site.root().join("content/gallery/broken.png"),
        b"version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 1\n",
    )
    .unwrap();
    site.check(&[])
        .failure()
        .stderr_has("content/gallery/index.md:7:5: error")
        .stderr_has("a Git LFS pointer, not the image itself (run `git lfs pull`");
}

#[test]
fn a_missing_image_is_an_error_at_its_line() {
    let site = site();
    site.write(
        "content/gallery/index.md",
        "+++\ntitle = \"Gallery\"\n+++\n\n![Gone](gone.png)\n",
    );
    site.build()
        .failure()
        .stderr_has("content/gallery/index.md:5:1")
        .stderr_has("gone.png");
}

#[test]
fn resize_image_follows_zolas_documented_examples() {
    let site = site();
    png(&site.root().join("static/zola.png"), 300, 380);
    let calls = [
        ("op=\"scale\", width=150, height=150", (150, 150)),
        ("op=\"fit_width\", width=100", (100, 126)),
        ("op=\"fit_height\", height=150", (118, 150)),
        ("op=\"fit\", width=150, height=150", (118, 150)),
        ("op=\"fit\", width=400, height=400", (300, 380)),
        ("op=\"fill\", width=100, height=200", (100, 200)),
        ("width=150, height=150", (150, 150)),
    ];
    let mut template = String::new();
    for (args, _) in &calls {
        let _ = writeln!(
            template,
            "{{% set r = resize_image(path=\"zola.png\", {args}) %}}{{{{ r.width }}}}x{{{{ r.height }}}} {{{{ r.orig_width }}}}x{{{{ r.orig_height }}}} {{{{ r.static_path }}}} {{{{ r.url }}}}"
        );
    }
    let out = probe(&site, &template);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), calls.len(), "{out}");
    for (line, (args, (w, h))) in lines.iter().zip(calls) {
        let parts: Vec<&str> = line.split(' ').collect();
        assert_eq!(parts[0], format!("{w}x{h}"), "{args}");
        assert_eq!(parts[1], "300x380");
        // Zola's `static_path`: where Zola would keep it, below static/.
        let served = parts[2]
            .strip_prefix("static/")
            .unwrap_or_else(|| panic!("static_path below static/: {line}"));
        assert!(served.starts_with("processed_images/"), "{line}");
        assert_eq!(parts[3], format!("https://example.org/{served}"));
        assert!(parts[2].ends_with(".png"), "auto keeps a PNG a PNG: {line}");
        assert_eq!(size_of(&site.out().join(served)), (w, h), "{args}");
    }
}

#[test]
fn resize_image_formats_and_errors() {
    let site = site();
    png(&site.root().join("static/zola.png"), 300, 380);
    let out = probe(
        &site,
        "{{ resize_image(path=\"pics/photo.jpg\", width=80, op=\"fit_width\").static_path }} {{ resize_image(path=\"zola.png\", width=60, op=\"fit_width\", format=\"webp\", quality=70).static_path }}",
    );
    let out = out.replace("static/processed_images/", "processed_images/");
    let (jpg, webp) = out.split_once(' ').unwrap();
    assert!(jpg.ends_with(".jpg"), "auto keeps a JPEG a JPEG");
    assert_eq!(size_of(&site.out().join(jpg)), (80, 60));
    assert!(webp.ends_with(".webp"));
    assert_eq!(size_of(&site.out().join(webp)), (60, 76));
    site.write(
        "templates/probe.html",
        "{{ resize_image(path=\"zola.png\", width=10, op=\"stretch\") }}",
    );
    site.build().failure().stderr_has("unknown op `stretch`");
    site.write(
        "templates/probe.html",
        "{{ resize_image(path=\"nope.png\", width=10, height=10) }}",
    );
    site.build().failure().stderr_has("no image `nope.png`");
}

#[test]
fn get_image_metadata_reads_the_header() {
    let site = site();
    png(&site.root().join("static/zola.png"), 300, 380);
    let out = probe(
        &site,
        "{% set m = get_image_metadata(path=\"zola.png\") %}{{ m.width }} {{ m.height }} {{ m.format }} {{ m.mime }}|{% set j = get_image_metadata(path=\"pics/photo.jpg\") %}{{ j.width }} {{ j.height }} {{ j.mime }}|{{ get_image_metadata(path=\"none.png\", allow_missing=true) is none }}",
    );
    assert_eq!(out, "300 380 png image/png|800 600 image/jpeg|true");
}

#[test]
fn figures_are_numbered_with_caption_credit_and_licence() {
    let site = site();
    site.edit(
        "config.toml",
        "[images]",
        "[markdown]\nimage_figures = true\n\n[images]",
    );
    site.write(
        "content/gallery/index.md",
        "+++\ntitle = \"Gallery\"\n+++\n\n![Wide chart](wide.png \"Where the evidence is\")\n\nText ![Small](small.png \"inline, not a figure\").\n\n{{ figure(src=\"small.png\", alt=\"A small square\", caption=\"A small one\", credit=\"The authors\", licence=\"CC BY 4.0\") }}\n",
    );
    site.build().success();
    let html = site.read("gallery/index.html");
    assert!(
        html.contains("<figure class=\"figure\" id=\"figure-1\"><picture>"),
        "{html}"
    );
    assert!(html.contains("<figcaption><span class=\"figure-label\">Figure 1.</span> Where the evidence is</figcaption>"), "{html}");
    assert!(html.contains("id=\"figure-2\""));
    assert!(html.contains("<span class=\"figure-label\">Figure 2.</span> A small one <span class=\"figure-credit\">Credit: The authors.</span> <span class=\"figure-licence\">Licence: CC BY 4.0.</span>"), "{html}");
    assert_eq!(
        html.matches("<figure").count(),
        2,
        "the inline image is no figure"
    );
    assert!(img_tag(&html, "A small square").contains("width=\"300\" height=\"200\""));
}

#[test]
fn a_figure_shortcode_without_its_image_is_an_error() {
    let site = site();
    site.write(
        "content/gallery/index.md",
        "+++\ntitle = \"Gallery\"\n+++\n\n{{ figure(src=\"gone.png\", alt=\"x\", caption=\"y\") }}\n",
    );
    site.build()
        .failure()
        .stderr_has("content/gallery/index.md:5:1")
        .stderr_has("no image `gone.png`");
}

/// A site on the fibre theme (the repository's own).
fn fibre_site(link_cards: bool) -> Site {
    let dir = tempfile::tempdir().unwrap();
    let site = Site { dir };
    let themes = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes");
    site.write(
        "config.toml",
        &format!(
            "title = \"Soft Tissue\"\nbase_url = \"https://example.org\"\ntheme = \"fibre\"\nthemes_dir = {:?}\n\n[images]\nlink_cards = {link_cards}\n",
            themes.display().to_string()
        ),
    )
    .write("content/_index.md", "+++\ntitle = \"Home\"\n+++\n")
    .write("content/about/_index.md", "+++\ntitle = \"About\"\n+++\n")
    .write("content/techniques/_index.md", "+++\ntitle = \"Techniques\"\n+++\n")
    .write(
        "content/techniques/stretching/index.md",
        "+++\ntitle = \"Stretching\"\n+++\n\n![Arms](arms.png \"Arms raised\")\n",
    );
    png(
        &site.root().join("content/techniques/stretching/arms.png"),
        640,
        480,
    );
    site
}

/// The `content` of `<meta property="{name}">`.
#[track_caller]
fn meta<'a>(html: &'a str, name: &str) -> &'a str {
    let key = format!("<meta property=\"{name}\" content=\"");
    let at = html.find(&key).unwrap_or_else(|| panic!("no {name}")) + key.len();
    &html[at..at + html[at..].find('"').unwrap()]
}

#[test]
fn link_cards_are_pngs_of_the_stated_size() {
    let site = fibre_site(true);
    site.build().success();
    let html = site.read("techniques/stretching/index.html");
    let url = meta(&html, "og:image");
    let rel = url.strip_prefix("https://example.org/").unwrap();
    assert_eq!(meta(&html, "og:image:width"), "1200");
    assert_eq!(meta(&html, "og:image:height"), "630");
    assert_eq!(
        meta(&html, "og:image:alt"),
        "Stretching (Techniques), Soft Tissue"
    );
    let bytes = std::fs::read(site.out().join(rel)).unwrap();
    assert!(bytes.starts_with(b"\x89PNG"));
    assert_eq!(size_of(&site.out().join(rel)), (1200, 630));
    // Each page has its own card.
    let home = site.read("index.html");
    assert_ne!(meta(&home, "og:image"), url);
    assert_eq!(meta(&home, "og:locale"), "en_US");
    assert!(!html.contains("\"dateModified\":null") && !html.contains("\"lastReviewed\":null"));
}

#[test]
fn link_cards_are_off_unless_asked_for() {
    let site = fibre_site(false);
    site.build().success();
    let html = site.read("techniques/stretching/index.html");
    assert!(!html.contains("og:image"));
    assert!(
        !site.exists("processed_images")
            || std::fs::read_dir(site.out().join("processed_images"))
                .unwrap()
                .all(|e| !e
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with("card."))
    );
}

#[test]
fn the_print_edition_lists_the_figures_and_has_a_title() {
    let site = fibre_site(false);
    site.build().success();
    let print = site.read("print/index.html");
    assert!(
        print.contains("<meta property=\"og:title\""),
        "print edition has og:title"
    );
    let list = print
        .find("id=\"print-figures-title\"")
        .expect("a list of figures");
    let entry = &print[list..];
    assert!(
        entry.contains("Stretching, Figure 1. Arms raised"),
        "{entry}"
    );
    let href = "href=\"#p-techniques-stretching--figure-1\"";
    assert!(entry.contains(href), "{entry}");
    assert!(print.contains("id=\"p-techniques-stretching--figure-1\""));
}

/// Zola's own gallery shortcode (its documentation's image-processing page):
/// `page.assets` are paths below content/ with a leading `/`, which
/// `resize_image` and `get_url` take as they are.
#[test]
fn zolas_gallery_shortcode_resizes_a_pages_assets() {
    let site = site();
    site.write(
        "templates/shortcodes/gallery.html",
        "<div>\n{% for asset in page.assets -%}\n  {%- if asset is matching(\"[.](jpg|png)$\") -%}\n    {% set image = resize_image(path=asset, width=240, height=180) %}\n    <a href=\"{{ get_url(path=asset) }}\" target=\"_blank\">\n      <img src=\"{{ image.url }}\" />\n    </a>\n  {%- endif %}\n{%- endfor %}\n</div>\n",
    )
    .write(
        "content/gallery/index.md",
        "+++\ntitle = \"Gallery\"\n+++\n\n{{ gallery() }}\n",
    );
    site.build().success();
    let html = site.read("gallery/index.html");
    for name in ["small.png", "wide.png"] {
        assert!(
            html.contains(&format!("href=\"https://example.org/gallery/{name}\"")),
            "{html}"
        );
    }
    let made: Vec<&str> = html
        .split("<img src=\"https://example.org/")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(made.len(), 2, "{html}");
    for rel in made {
        assert_eq!(size_of(&site.out().join(rel)), (240, 180), "{rel}");
    }
}
