//! The search index, built after rendering from every page and section and
//! written as script files below `search/` that the theme's client
//! (`themes/fibre/static/search/search.js`) loads with `<script>` tags, so
//! search works from `file://` as well as over http (see `docs/search.md`).
//!
//! The index is an inverted index (term -> field -> document -> term
//! frequency) in the shape `MiniSearch` keeps in memory; the client hands it
//! to the vendored `MiniSearch` library, which does the BM25 ranking with field
//! boosts. Terms are made here exactly as the client makes query terms: split
//! on anything that is not a letter or digit, lowercased, accents removed,
//! stop words dropped. A term on more than `[search] max_pages_per_term`
//! pages keeps the pages where it counts most (and says how many had it).
//!
//! Files: `search/index.js` holds the documents (path, title, section),
//! field lengths, boosts, synonym phrases and, while the whole index is small
//! (`[search] split_index_above`), every term and every page's text too.
//! Larger indexes put terms in `search/shards/t-<n>.js` (runs of terms in
//! sorted order, about `shard_size` each) and the text used for snippets in
//! `search/shards/x-<n>.js` (runs of documents), so a query loads only what
//! it needs. Each file is one statement that registers its JSON with
//! `JSON.parse` in `self.fasciaSearchData`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use crate::config::SearchConfig;
use crate::diagnostics::Diagnostic;
use crate::output::{Output, OutputFile};
use crate::render::RenderState;
use crate::site::{DocId, Site};
use crate::templates::{TemplateSet, template_error};

/// Every field the index can hold, in the order of their ids.
pub const FIELDS: &[&str] = &[
    "title",
    "synonyms",
    "headings",
    "description",
    "tags",
    "body",
    "links",
];

/// How much a match in each field of [`FIELDS`] counts: title > synonyms >
/// headings > description, tags > body.
const BOOSTS: &[f64] = &[8.0, 6.0, 3.0, 2.0, 2.0, 1.0, 1.0];

/// Words too common to be worth indexing (the client drops them from queries too).
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it",
    "its", "of", "on", "or", "s", "t", "that", "the", "their", "this", "to", "was", "were",
    "which", "with",
];

/// The index's entry file, relative to the output folder.
pub const INDEX_FILE: &str = "search/index.js";
/// Where shards go.
pub const SHARD_DIR: &str = "search/shards/";
/// Bumped when the data layout changes (the client checks it).
const FORMAT: u32 = 1;

/// One part of a document's body: the text before the first heading (empty
/// `anchor` and `heading`), then one per heading with an id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocSection {
    pub anchor: String,
    pub heading: String,
    pub text: String,
}

/// One page or section as the index sees it.
#[derive(Debug, Clone, Default)]
pub struct SearchDoc {
    /// Site-root-relative URL path (`/techniques/iastm/`).
    pub path: String,
    pub title: String,
    /// The parent section's title (none at the top level).
    pub section: Option<String>,
    /// The parent section's URL path (`/techniques/`), with `section`.
    pub section_path: Option<String>,
    pub description: String,
    /// Page `[extra] synonyms` and the glossary terms and aliases of terms
    /// whose `page` is this document.
    pub synonyms: Vec<String>,
    /// Every taxonomy term of the page.
    pub tags: Vec<String>,
    pub sections: Vec<DocSection>,
    /// The sentences in which other pages link here.
    pub links: Vec<String>,
}

/// Output files of the index: (path, bytes).
pub type IndexFiles = Vec<(String, Vec<u8>)>;

/// Where the search page goes, unless a content page already claims `/search/`.
pub const PAGE_FILE: &str = "search/index.html";

/// Build the index of `state`'s site and add its files to `output`, with the
/// search page rendered from `search.html` when the templates have one and
/// no content page is at `/search/`. Returns errors in the `[search]`
/// settings or the template.
pub fn add(
    state: &Arc<RenderState>,
    output: &mut Output,
    env: &minijinja::Environment<'_>,
    set: &TemplateSet,
) -> Vec<Diagnostic> {
    let site = &state.site;
    let cfg = &site.config.search;
    if !cfg.enabled {
        return Vec::new();
    }
    if let Err(d) = check_config(cfg) {
        return vec![d];
    }
    for (path, bytes) in index_files(state) {
        output.insert_bytes(path, bytes);
    }
    if set.has("search.html") && !output.files.contains_key(PAGE_FILE) {
        let ctx = minijinja::context! {
            config => state.config_value.clone(),
            current_url => site.config.permalink("/search/"),
            current_path => "/search/",
            taxonomies => state.taxonomies.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
        };
        match env.get_template("search.html").and_then(|t| t.render(ctx)) {
            Ok(html) => output.insert_bytes(PAGE_FILE.into(), html.into_bytes()),
            Err(e) => return vec![template_error(&e, set, &site.root)],
        }
    }
    Vec::new()
}

/// The index files of `state`'s site, without the search page (`serve`
/// refreshes them after an incremental rebuild); none when search is off.
pub fn index_files(state: &RenderState) -> IndexFiles {
    let cfg = &state.site.config.search;
    if !cfg.enabled || check_config(cfg).is_err() {
        return Vec::new();
    }
    build(&collect(state), cfg)
}

fn check_config(cfg: &SearchConfig) -> Result<(), Diagnostic> {
    for f in &cfg.fields {
        if !FIELDS.contains(&f.as_str()) {
            let hint = crate::diagnostics::closest(f, FIELDS.iter().copied());
            return Err(Diagnostic::error(
                "search-config",
                format!("unknown search field `{f}` in [search] fields"),
            )
            .in_file("config.toml")
            .with_help(match hint {
                Some(h) => format!("did you mean `{h}`? fields are {}", FIELDS.join(", ")),
                None => format!("fields are {}", FIELDS.join(", ")),
            }));
        }
    }
    if cfg.shard_size == 0 {
        return Err(
            Diagnostic::error("search-config", "[search] shard_size must be more than 0")
                .in_file("config.toml"),
        );
    }
    Ok(())
}

/// The line `build` prints about the index, if the output has one:
/// `Search index: 1 file, 182 KB`.
pub fn summary(output: &Output) -> Option<String> {
    let size = |f: &OutputFile| match f {
        OutputFile::Bytes(b) => b.len(),
        OutputFile::Copy(p) => std::fs::metadata(p).map_or(0, |m| m.len() as usize),
    };
    let main = size(output.files.get(INDEX_FILE)?);
    let shards: Vec<usize> = output
        .files
        .range(SHARD_DIR.to_string()..)
        .take_while(|(k, _)| k.starts_with(SHARD_DIR))
        .map(|(_, f)| size(f))
        .collect();
    if shards.is_empty() {
        return Some(format!("Search index: 1 file, {}", human(main)));
    }
    let total = main + shards.iter().sum::<usize>();
    Some(format!(
        "Search index: 1 + {} shard files, {} in all (index.js {}, largest shard {})",
        shards.len(),
        human(total),
        human(main),
        human(shards.iter().copied().max().unwrap_or(0))
    ))
}

/// Print [`summary`] to stderr.
pub fn report(output: &Output) {
    if let Some(line) = summary(output) {
        eprintln!("{line}");
    }
}

fn human(bytes: usize) -> String {
    if bytes < 1000 * 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// Every page and section that goes in the index, in site order.
pub fn collect(state: &RenderState) -> Vec<SearchDoc> {
    let site = &state.site;
    let mut glossary_names: HashMap<DocId, Vec<String>> = HashMap::new();
    for t in &site.glossary.terms {
        if let Some(id) = t
            .page
            .as_deref()
            .and_then(|p| site.by_rel(p.trim_start_matches("@/")))
        {
            let names = glossary_names.entry(id).or_default();
            names.push(t.term.clone());
            names.extend(t.aliases.iter().cloned());
        }
    }
    let ids: Vec<DocId> = site
        .doc_ids()
        .filter(|&id| {
            let doc = site.doc(id);
            let hidden =
                matches!(id, DocId::Section(i) if site.sections[i].doc.fm.render == Some(false));
            !hidden && doc.fm.in_search_index != Some(false)
        })
        .collect();
    let mut docs: Vec<SearchDoc> = ids
        .par_iter()
        .map(|&id| {
            let mut d = one_doc(state, id);
            if let Some(names) = glossary_names.get(&id) {
                d.synonyms.extend(names.iter().cloned());
            }
            d
        })
        .collect();
    // Pages in URL order, so that a shard of texts holds neighbours.
    docs.sort_by(|a, b| a.path.cmp(&b.path));
    docs
}

fn one_doc(state: &RenderState, id: DocId) -> SearchDoc {
    let site = &state.site;
    let cfg = &site.config.search;
    let doc = site.doc(id);
    let html = state.content(site.slot(id)).unwrap_or(&doc.body.html);
    let mut sections = html_sections(html);
    if cfg.include_content {
        truncate_sections(&mut sections, cfg.truncate_content_length);
        if let DocId::Page(i) = id {
            let facts: Vec<String> = site.graph.facts[site.slot(DocId::Page(i))]
                .iter()
                .map(|f| format!("{}: {}.", f.label, f.text))
                .collect();
            if !facts.is_empty() {
                let intro = &mut sections[0].text;
                if !intro.is_empty() {
                    intro.push(' ');
                }
                intro.push_str(&facts.join(" "));
            }
        }
    } else {
        for s in &mut sections {
            s.text.clear();
        }
    }
    if site.graph.glossary_page == Some(id) {
        sections.extend(site.glossary.terms.iter().map(|t| {
            let mut text = String::new();
            if cfg.include_content {
                if !t.aliases.is_empty() {
                    let _ = write!(text, "Also: {}. ", t.aliases.join(", "));
                }
                text.push_str(&t.definition);
            }
            DocSection {
                anchor: t.id.clone(),
                heading: t.term.clone(),
                text,
            }
        }));
    }
    let synonyms = match doc.fm.extra.get("synonyms") {
        Some(toml::Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(toml::Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    SearchDoc {
        path: site.path_of(id).to_string(),
        title: site.title_of(id).to_string(),
        section: section_label(site, id).map(|(label, _)| label),
        section_path: section_label(site, id).map(|(_, path)| path),
        description: if cfg.include_description {
            doc.fm.description.clone().unwrap_or_default()
        } else {
            String::new()
        },
        synonyms,
        tags: doc.fm.taxonomies.values().flatten().cloned().collect(),
        sections,
        links: site.graph.backlinks[site.slot(id)]
            .iter()
            .filter(|b| b.source != id)
            .map(|b| b.sentence.clone())
            .collect(),
    }
}

/// The title and path of the section a document sits in, below the home page.
fn section_label(site: &Site, id: DocId) -> Option<(String, String)> {
    let parent = match id {
        DocId::Page(i) => Some(site.pages[i].section),
        DocId::Section(i) => site.sections[i].parent,
    }?;
    let s = &site.sections[parent];
    if s.dir.is_empty() {
        return None;
    }
    let nav = s.doc.fm.extra.get("nav_title").and_then(|v| v.as_str());
    Some((nav.unwrap_or(s.title()).to_string(), s.path.clone()))
}

/// Keep at most `limit` characters of body text, in order; later sections
/// keep their heading.
fn truncate_sections(sections: &mut [DocSection], limit: usize) {
    let mut left = limit;
    for s in sections {
        let n = s.text.chars().count();
        if n <= left {
            left -= n;
            continue;
        }
        let cut = s
            .text
            .char_indices()
            .nth(left)
            .map_or(s.text.len(), |(i, _)| i);
        // End on a word boundary when one is near.
        let cut = match s.text[..cut].rfind(' ') {
            Some(sp) if cut - sp < 40 => sp,
            _ => cut,
        };
        s.text.truncate(cut);
        left = 0;
    }
}

/// Split finished body HTML into text sections at headings that have an id.
/// Heading anchor links (`<a class="anchor">`), footnote markers, scripts,
/// styles and SVG are left out.
pub fn html_sections(html: &str) -> Vec<DocSection> {
    const BLOCKS: &[&str] = &[
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "table",
        "thead",
        "tbody",
        "blockquote",
        "pre",
        "section",
        "figure",
        "figcaption",
        "details",
        "summary",
        "br",
        "hr",
        "aside",
        "caption",
        "nav",
        "header",
        "footer",
        "main",
        "article",
    ];
    let mut out = vec![DocSection::default()];
    let mut heading: Option<(String, String)> = None;
    let mut skip: Option<(String, usize)> = None;
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if skip.is_none() {
                push_text(&mut out, &mut heading, rest);
            }
            break;
        };
        if skip.is_none() {
            push_text(&mut out, &mut heading, &rest[..lt]);
        }
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        let end = tag_end(rest);
        let tag = &rest[1..end.saturating_sub(1).max(1)];
        rest = &rest[end..];
        let closing = tag.starts_with('/');
        let body = tag.trim_start_matches('/');
        let name_len = body
            .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
            .unwrap_or(body.len());
        let name = body[..name_len].to_ascii_lowercase();
        let attrs = &body[name_len..];
        if let Some((skip_name, depth)) = &mut skip {
            if *skip_name == name {
                if closing {
                    *depth -= 1;
                    if *depth == 0 {
                        skip = None;
                    }
                } else if !attrs.trim_end().ends_with('/') {
                    *depth += 1;
                }
            }
            continue;
        }
        let class = attr(attrs, "class").unwrap_or_default();
        let has_class = |c: &str| class.split_whitespace().any(|x| x == c);
        if !closing
            && (matches!(
                name.as_str(),
                "script" | "style" | "svg" | "template" | "math"
            ) || (name == "a" && has_class("anchor"))
                || (name == "sup" && has_class("footnote-ref")))
        {
            skip = Some((name, 1));
            continue;
        }
        let is_heading =
            name.len() == 2 && name.starts_with('h') && matches!(name.as_bytes()[1], b'1'..=b'6');
        if is_heading {
            if closing {
                if let Some((anchor, text)) = heading.take() {
                    out.push(DocSection {
                        anchor,
                        heading: collapse(&text),
                        text: String::new(),
                    });
                }
            } else if let Some(id) = attr(attrs, "id") {
                heading = Some((id, String::new()));
            }
            push_text(&mut out, &mut heading, " ");
        } else if BLOCKS.contains(&name.as_str()) {
            push_text(&mut out, &mut heading, " ");
        }
    }
    for s in &mut out {
        s.text = collapse(&s.text);
    }
    out
}

fn push_text(out: &mut [DocSection], heading: &mut Option<(String, String)>, raw: &str) {
    if raw.is_empty() {
        return;
    }
    let target = match heading {
        Some((_, t)) => t,
        None => &mut out.last_mut().expect("there is always one section").text,
    };
    decode_entities(raw, target);
}

/// Byte index just past the `>` that ends the tag at the start of `s`.
fn tag_end(s: &str) -> usize {
    let mut quote: Option<u8> = None;
    for (i, b) in s.bytes().enumerate().skip(1) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return i + 1,
            _ => {}
        }
    }
    s.len()
}

/// The value of attribute `name` in a tag's attribute text.
fn attr(attrs: &str, name: &str) -> Option<String> {
    let mut rest = attrs;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            return None;
        }
        let key_len = rest
            .find(|c: char| c == '=' || c.is_whitespace() || c == '/')
            .unwrap_or(rest.len());
        let key = &rest[..key_len];
        rest = rest[key_len..].trim_start();
        let value = if let Some(v) = rest.strip_prefix('=') {
            let v = v.trim_start();
            let (val, after) = if let Some(q @ ('"' | '\'')) = v.chars().next() {
                let body = &v[1..];
                let e = body.find(q).unwrap_or(body.len());
                (&body[..e], body.get(e + 1..).unwrap_or(""))
            } else {
                let e = v.find(char::is_whitespace).unwrap_or(v.len());
                (&v[..e], &v[e..])
            };
            rest = after;
            val
        } else {
            ""
        };
        if key.eq_ignore_ascii_case(name) {
            let mut out = String::new();
            decode_entities(value, &mut out);
            return Some(out);
        }
    }
}

/// Append `s` to `out` with HTML character references decoded.
fn decode_entities(s: &str, out: &mut String) {
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let semi = rest[..rest.len().min(12)].find(';');
        let decoded = semi.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                "ndash" => Some('–'),
                "mdash" => Some('—'),
                "hellip" => Some('…'),
                "lsquo" => Some('‘'),
                "rsquo" => Some('’'),
                "ldquo" => Some('“'),
                "rdquo" => Some('”'),
                _ => {
                    let num = name.strip_prefix('#')?;
                    let n = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(n)
                }
            }?;
            Some((c, e + 1))
        });
        if let Some((c, len)) = decoded {
            out.push(c);
            rest = &rest[len..];
        } else {
            out.push('&');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------
// Terms

/// Lowercase letters whose accents the client strips (Unicode canonical
/// decomposition minus combining marks, recomposed), as pairs: the letter,
/// then what it becomes. Generated from Python's `unicodedata` so that
/// [`fold`] agrees with the client's
/// `s.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "").normalize("NFC")`.
const FOLD_PAIRS: &str = concat!(
    "àaáaâaãaäaåaçcèeéeêeëeìiíiîiïiñnòoóoôoõoöoùuúuûuüuýyÿyāaăaąaćcĉcċcčcďdēeĕeėeęeěe",
    "ĝgğgġgģgĥhĩiīiĭiįiĵjķkĺlļlľlńnņnňnōoŏoőoŕrŗrřrśsŝsşsšsţtťtũuūuŭuůuűuųuŵwŷyźzżzžz",
    "ơoưuǎaǐiǒoǔuǖuǘuǚuǜuǟaǡaǣæǧgǩkǫoǭoǯʒǰjǵgǹnǻaǽæǿøȁaȃaȅeȇeȉiȋiȍoȏoȑrȓrȕuȗușsțtȟhȧa",
    "ȩeȫoȭoȯoȱoȳyʹʹΐιάαέεήηίιΰυϊιϋυόούυώωϓϒϔϒйиѐеёеѓгїіќкѝиўуѷѵӂжӑаӓаӗеӛәӝжӟзӣиӥиӧоӫө",
    "ӭэӯуӱуӳуӵчӹыآاأاؤوإائيۀەۂہۓےऩनऱरऴळक़कख़खग़गज़जड़डढ़ढफ़फय़यড়ডঢ়ঢয়যਲ਼ਲਸ਼ਸਖ਼ਖਗ਼ਗਜ਼ਜਫ਼ਫଡ଼ଡଢ଼ଢஔஒགྷགཌྷཌདྷད",
    "བྷབཛྷཛཀྵཀဦဥᬆᬅᬈᬇᬊᬉᬌᬋᬎᬍᬒᬑḁaḃbḅbḇbḉcḋdḍdḏdḑdḓdḕeḗeḙeḛeḝeḟfḡgḣhḥhḧhḩhḫhḭiḯiḱkḳkḵkḷlḹlḻl",
    "ḽlḿmṁmṃmṅnṇnṉnṋnṍoṏoṑoṓoṕpṗpṙrṛrṝrṟrṡsṣsṥsṧsṩsṫtṭtṯtṱtṳuṵuṷuṹuṻuṽvṿvẁwẃwẅwẇwẉwẋx",
    "ẍxẏyẑzẓzẕzẖhẗtẘwẙyẛſạaảaấaầaẩaẫaậaắaằaẳaẵaặaẹeẻeẽeếeềeểeễeệeỉiịiọoỏoốoồoổoỗoộoớo",
    "ờoởoỡoợoụuủuứuừuửuữuựuỳyỵyỷyỹyἀαἁαἂαἃαἄαἅαἆαἇαἐεἑεἒεἓεἔεἕεἠηἡηἢηἣηἤηἥηἦηἧηἰιἱιἲι",
    "ἳιἴιἵιἶιἷιὀοὁοὂοὃοὄοὅοὐυὑυὒυὓυὔυὕυὖυὗυὠωὡωὢωὣωὤωὥωὦωὧωὰαάαὲεέεὴηήηὶιίιὸοόοὺυύυὼω",
    "ώωᾀαᾁαᾂαᾃαᾄαᾅαᾆαᾇαᾐηᾑηᾒηᾓηᾔηᾕηᾖηᾗηᾠωᾡωᾢωᾣωᾤωᾥωᾦωᾧωᾰαᾱαᾲαᾳαᾴαᾶαᾷαιιῂηῃηῄηῆηῇηῐιῑι",
    "ῒιΐιῖιῗιῠυῡυῢυΰυῤρῥρῦυῧυῲωῳωῴωῶωῷωがかぎきぐくげけごこざさじしずすぜせぞそだたぢちづつでてどとばはぱはびひぴひぶふぷふべへぺへ",
    "ぼほぽほゔうゞゝガカギキグクゲケゴコザサジシズスゼセゾソダタヂチヅツデテドトバハパハビヒピヒブフプフベヘペヘボホポホヴウヷワヸヰヹヱヺヲヾヽ豈豈更更車車賈賈滑滑",
    "串串句句龜龜龜龜契契金金喇喇奈奈懶懶癩癩羅羅蘿蘿螺螺裸裸邏邏樂樂洛洛烙烙珞珞落落酪酪駱駱亂亂卵卵欄欄爛爛蘭蘭鸞鸞嵐嵐濫濫藍藍襤襤拉拉臘臘蠟蠟廊廊朗朗浪浪狼狼郎郎",
    "來來冷冷勞勞擄擄櫓櫓爐爐盧盧老老蘆蘆虜虜路路露露魯魯鷺鷺碌碌祿祿綠綠菉菉錄錄鹿鹿論論壟壟弄弄籠籠聾聾牢牢磊磊賂賂雷雷壘壘屢屢樓樓淚淚漏漏累累縷縷陋陋勒勒肋肋凜凜",
    "凌凌稜稜綾綾菱菱陵陵讀讀拏拏樂樂諾諾丹丹寧寧怒怒率率異異北北磻磻便便復復不不泌泌數數索索參參塞塞省省葉葉說說殺殺辰辰沈沈拾拾若若掠掠略略亮亮兩兩凉凉梁梁糧糧良良",
    "諒諒量量勵勵呂呂女女廬廬旅旅濾濾礪礪閭閭驪驪麗麗黎黎力力曆曆歷歷轢轢年年憐憐戀戀撚撚漣漣煉煉璉璉秊秊練練聯聯輦輦蓮蓮連連鍊鍊列列劣劣咽咽烈烈裂裂說說廉廉念念捻捻",
    "殮殮簾簾獵獵令令囹囹寧寧嶺嶺怜怜玲玲瑩瑩羚羚聆聆鈴鈴零零靈靈領領例例禮禮醴醴隸隸惡惡了了僚僚寮寮尿尿料料樂樂燎燎療療蓼蓼遼遼龍龍暈暈阮阮劉劉杻杻柳柳流流溜溜琉琉",
    "留留硫硫紐紐類類六六戮戮陸陸倫倫崙崙淪淪輪輪律律慄慄栗栗率率隆隆利利吏吏履履易易李李梨梨泥泥理理痢痢罹罹裏裏裡裡里里離離匿匿溺溺吝吝燐燐璘璘藺藺隣隣鱗鱗麟麟林林",
    "淋淋臨臨立立笠笠粒粒狀狀炙炙識識什什茶茶刺刺切切度度拓拓糖糖宅宅洞洞暴暴輻輻行行降降見見廓廓兀兀嗀嗀塚塚晴晴凞凞猪猪益益礼礼神神祥祥福福靖靖精精羽羽蘒蘒諸諸逸逸",
    "都都飯飯飼飼館館鶴鶴郞郞隷隷侮侮僧僧免免勉勉勤勤卑卑喝喝嘆嘆器器塀塀墨墨層層屮屮悔悔慨慨憎憎懲懲敏敏既既暑暑梅梅海海渚渚漢漢煮煮爫爫琢琢碑碑社社祉祉祈祈祐祐祖祖",
    "祝祝禍禍禎禎穀穀突突節節練練縉縉繁繁署署者者臭臭艹艹艹艹著著褐褐視視謁謁謹謹賓賓贈贈辶辶逸逸難難響響頻頻恵恵𤋮𤋮舘舘並並况况全全侀侀充充冀冀勇勇勺勺喝喝啕啕喙喙",
    "嗢嗢塚塚墳墳奄奄奔奔婢婢嬨嬨廒廒廙廙彩彩徭徭惘惘慎慎愈愈憎憎慠慠懲懲戴戴揄揄搜搜摒摒敖敖晴晴朗朗望望杖杖歹歹殺殺流流滛滛滋滋漢漢瀞瀞煮煮瞧瞧爵爵犯犯猪猪瑱瑱甆甆",
    "画画瘝瘝瘟瘟益益盛盛直直睊睊着着磌磌窱窱節節类类絛絛練練缾缾者者荒荒華華蝹蝹襁襁覆覆視視調調諸諸請請謁謁諾諾諭諭謹謹變變贈贈輸輸遲遲醙醙鉶鉶陼陼難難靖靖韛韛響響",
    "頋頋頻頻鬒鬒龜龜𢡊𢡊𢡄𢡄𣏕𣏕㮝㮝䀘䀘䀹䀹𥉉𥉉𥳐𥳐𧻓𧻓齃齃龎龎יִיײַײשׁששׂששּׁששּׂשאַאאָאאּאבּבגּגדּדהּהוּוזּזטּטיּיךּךכּכלּלמּמנּנסּסףּףפּפ",
    "צּצקּקרּרשּשתּתוֹובֿבכֿכפֿפ",
);

fn fold_table() -> &'static HashMap<char, char> {
    static TABLE: OnceLock<HashMap<char, char>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let chars: Vec<char> = FOLD_PAIRS.chars().collect();
        chars.chunks(2).map(|p| (p[0], p[1])).collect()
    })
}

/// A token as the index stores it: lowercase, without accents
/// (`Graston` -> `graston`, `Gió` -> `gio`).
pub fn fold(token: &str) -> String {
    let table = fold_table();
    token
        .to_lowercase()
        .chars()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .map(|c| table.get(&c).copied().unwrap_or(c))
        .collect()
}

/// The index terms of `text`: split on anything that is not a letter or a
/// digit, folded, stop words dropped. The client splits queries with
/// `/[^\p{Alphabetic}\p{N}]+/u`, the same classes as [`char::is_alphanumeric`].
pub fn terms(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(fold)
        .filter(|t| !t.is_empty() && !STOP_WORDS.contains(&t.as_str()))
}

/// Query terms joined by spaces: how a synonym phrase is matched whole.
pub fn phrase_key(text: &str) -> String {
    terms(text).collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------
// Writing the index

/// Term frequencies of one document, per enabled field, and field lengths.
struct DocTerms {
    fields: Vec<HashMap<String, u32>>,
}

fn field_texts<'a>(d: &'a SearchDoc, field: &str) -> Vec<&'a str> {
    match field {
        "title" => vec![d.title.as_str()],
        "synonyms" => d.synonyms.iter().map(String::as_str).collect(),
        "headings" => d.sections.iter().map(|s| s.heading.as_str()).collect(),
        "description" => vec![d.description.as_str()],
        "tags" => d.tags.iter().map(String::as_str).collect(),
        "body" => d.sections.iter().map(|s| s.text.as_str()).collect(),
        "links" => d.links.iter().map(String::as_str).collect(),
        _ => Vec::new(),
    }
}

fn json<T: serde::Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).expect("index data serialises")
}

/// A data file: registers `value` under `key` in `self.fasciaSearchData`.
/// The JSON goes through `JSON.parse` of a string, which browsers parse
/// several times faster than the same data written as a JavaScript literal.
fn data_file(key: &str, value_json: &str) -> Vec<u8> {
    let mut s = String::with_capacity(value_json.len() + value_json.len() / 32 + 160);
    s.push_str("/* fascia search index: generated by `fascia build`, do not edit */\n");
    let _ = write!(
        s,
        "(self.fasciaSearchData=self.fasciaSearchData||{{}})[{}]=JSON.parse('",
        json(key)
    );
    for c in value_json.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '\'' => s.push_str("\\'"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\u{2028}' => s.push_str("\\u2028"),
            '\u{2029}' => s.push_str("\\u2029"),
            c => s.push(c),
        }
    }
    s.push_str("');\n");
    s.into_bytes()
}

/// The index files for `docs`.
pub fn build(docs: &[SearchDoc], cfg: &SearchConfig) -> IndexFiles {
    let fields: Vec<&str> = FIELDS
        .iter()
        .copied()
        .filter(|f| cfg.fields.iter().any(|g| g == f))
        .filter(|f| *f != "body" || cfg.include_content)
        .filter(|f| *f != "description" || cfg.include_description)
        .collect();
    let per_doc: Vec<DocTerms> = docs
        .par_iter()
        .map(|d| DocTerms {
            fields: fields
                .iter()
                .map(|f| {
                    let mut tf: HashMap<String, u32> = HashMap::new();
                    for text in field_texts(d, f) {
                        for t in terms(text) {
                            *tf.entry(t).or_insert(0) += 1;
                        }
                    }
                    tf
                })
                .collect(),
        })
        .collect();
    let lengths: Vec<Vec<usize>> = per_doc
        .iter()
        .map(|d| d.fields.iter().map(HashMap::len).collect())
        .collect();
    let n = docs.len().max(1) as f64;
    let avg: Vec<f64> = (0..fields.len())
        .map(|f| {
            let mean = lengths.iter().map(|l| l[f]).sum::<usize>() as f64 / n;
            (mean * 1000.0).round() / 1000.0
        })
        .collect();
    // term -> per field -> (doc, tf), docs ascending.
    let mut postings: BTreeMap<String, Vec<Vec<(u32, u32)>>> = BTreeMap::new();
    for (doc, d) in per_doc.into_iter().enumerate() {
        for (f, tf) in d.fields.into_iter().enumerate() {
            for (term, count) in tf {
                postings
                    .entry(term)
                    .or_insert_with(|| vec![Vec::new(); fields.len()])[f]
                    .push((doc as u32, count));
            }
        }
    }
    let limit = cfg.max_pages_per_term.max(1);
    let boosts: Vec<f64> = fields.iter().map(|f| boost_of(f)).collect();
    let entries: Vec<(String, String)> = postings
        .into_par_iter()
        .map(|(term, mut per_field)| {
            let pages = prune(&mut per_field, limit, &lengths, &avg, &boosts);
            let mut s = String::with_capacity(32);
            s.push('[');
            s.push_str(&json(&term));
            for (f, list) in per_field.into_iter().enumerate() {
                if list.is_empty() {
                    continue;
                }
                let mut list = list;
                list.sort_unstable();
                let _ = write!(s, ",{f},[");
                let mut prev = 0;
                for (i, (doc, tf)) in list.into_iter().enumerate() {
                    if i > 0 {
                        s.push(',');
                    }
                    let _ = write!(s, "{},{tf}", doc - prev);
                    prev = doc;
                }
                s.push(']');
            }
            if let Some(n) = pages {
                // Pruned: how many pages really have the term, for its weight.
                let _ = write!(s, ",-{n}");
            }
            s.push(']');
            (term, s)
        })
        .collect();
    let texts: Vec<String> = docs
        .par_iter()
        .map(|d| {
            let sections: Vec<(&str, &str, &str)> = d
                .sections
                .iter()
                .map(|s| (s.anchor.as_str(), s.heading.as_str(), s.text.as_str()))
                .collect();
            json(&(&d.description, sections))
        })
        .collect();
    let meta = Meta::new(docs, &fields, lengths, avg);
    let meta_json = meta.json();
    let terms_size: usize = entries.iter().map(|(_, e)| e.len() + 1).sum();
    let texts_size: usize = texts.iter().map(|t| t.len() + 1).sum();
    if meta_json.len() + terms_size + texts_size <= cfg.split_index_above {
        let joined_terms = join_array(entries.iter().map(|(_, e)| e.as_str()));
        let joined_texts = join_array(texts.iter().map(String::as_str));
        let whole = format!(
            "{},\"terms\":{joined_terms},\"texts\":{joined_texts}}}",
            &meta_json[..meta_json.len() - 1]
        );
        return vec![(INDEX_FILE.to_string(), data_file("index", &whole))];
    }
    let mut files = Vec::new();
    // Term shards: runs of terms in sorted order, each about `shard_size`.
    let mut firsts: Vec<&str> = Vec::new();
    let mut start = 0;
    let mut size = 0;
    for i in 0..=entries.len() {
        let end = i == entries.len();
        if end || (i > start && size + entries[i].1.len() > cfg.shard_size) {
            if i > start {
                let name = format!("t-{}", firsts.len());
                let body = join_array(entries[start..i].iter().map(|(_, e)| e.as_str()));
                files.push((format!("{SHARD_DIR}{name}.js"), data_file(&name, &body)));
                firsts.push(&entries[start].0);
            }
            start = i;
            size = 0;
        }
        if !end {
            size += entries[i].1.len() + 1;
        }
    }
    // Text shards by runs of documents: small, as the results shown need
    // one each.
    let text_shard = (cfg.shard_size / 6).max(1);
    let mut starts = Vec::new();
    let mut start = 0;
    let mut size = 0;
    for (i, t) in texts.iter().enumerate() {
        if i > start && size + t.len() > text_shard {
            starts.push(start);
            start = i;
            size = 0;
        }
        size += t.len() + 1;
    }
    if !texts.is_empty() {
        starts.push(start);
    }
    for (n, &s) in starts.iter().enumerate() {
        let e = starts.get(n + 1).copied().unwrap_or(texts.len());
        let name = format!("x-{n}");
        let body = join_array(texts[s..e].iter().map(String::as_str));
        files.push((format!("{SHARD_DIR}{name}.js"), data_file(&name, &body)));
    }
    let whole = format!(
        "{},\"termShards\":{},\"textShards\":{}}}",
        &meta_json[..meta_json.len() - 1],
        json(&firsts),
        json(&starts)
    );
    files.push((INDEX_FILE.to_string(), data_file("index", &whole)));
    files
}

fn boost_of(field: &str) -> f64 {
    BOOSTS[FIELDS.iter().position(|g| *g == field).unwrap_or(0)]
}

/// Keep only the `limit` pages where a term counts most (by its BM25 weight
/// in each field, times the field's boost), so that a word on nearly every
/// page of a large site costs a bounded amount of work per keystroke. Returns
/// how many pages had the term when some were dropped.
fn prune(
    per_field: &mut [Vec<(u32, u32)>],
    limit: usize,
    lengths: &[Vec<usize>],
    avg: &[f64],
    boosts: &[f64],
) -> Option<usize> {
    let mut score: HashMap<u32, f64> = HashMap::new();
    for (f, list) in per_field.iter().enumerate() {
        for &(doc, tf) in list {
            let len = lengths[doc as usize][f] as f64;
            let norm = 1.0 - 0.7 + 0.7 * len / avg[f].max(1.0);
            let tf = f64::from(tf);
            *score.entry(doc).or_insert(0.0) += boosts[f] * (0.5 + tf * 2.2 / (tf + 1.2 * norm));
        }
    }
    if score.len() <= limit {
        return None;
    }
    let total = score.len();
    let mut ranked: Vec<(u32, f64)> = score.into_iter().collect();
    ranked.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let keep: HashSet<u32> = ranked[..limit].iter().map(|(d, _)| *d).collect();
    for list in per_field.iter_mut() {
        list.retain(|(d, _)| keep.contains(d));
    }
    Some(total)
}

/// An ASCII title as a slug the client can make too (`Gua Sha` -> `gua-sha`);
/// empty for other titles.
fn simple_slug(title: &str) -> String {
    if !title.is_ascii() {
        return String::new();
    }
    let mut s = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.is_empty() && !s.ends_with('-') {
            s.push('-');
        }
    }
    while s.ends_with('-') {
        s.pop();
    }
    s
}

fn join_array<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let mut s = String::from("[");
    for (i, item) in items.enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(item);
    }
    s.push(']');
    s
}

/// What `search/index.js` always holds.
#[derive(serde::Serialize)]
struct Meta<'a> {
    format: u32,
    fields: Vec<&'a str>,
    boosts: Vec<f64>,
    stop: &'static [&'static str],
    /// `[title, path]` of sections, referenced by number from `docs`.
    sections: Vec<(&'a str, &'a str)>,
    /// `[path, title, section number or -1]` per document. The path is
    /// shortened when it can be: relative to the section's path, or `0` for
    /// the section's path plus the title made a slug (see [`simple_slug`]).
    docs: Vec<(serde_json::Value, &'a str, i64)>,
    /// Unique terms per field per document.
    lengths: Vec<Vec<usize>>,
    avg: Vec<f64>,
    /// Folded synonym phrase -> documents that have it as a synonym.
    phrases: BTreeMap<String, Vec<usize>>,
}

impl<'a> Meta<'a> {
    fn new(
        docs: &'a [SearchDoc],
        fields: &[&'a str],
        lengths: Vec<Vec<usize>>,
        avg: Vec<f64>,
    ) -> Self {
        let mut sections: Vec<(&str, &str)> = Vec::new();
        let mut section_ids: HashMap<(&str, &str), i64> = HashMap::new();
        let mut phrases: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let docs_meta = docs
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let section = d.section.as_deref().zip(d.section_path.as_deref());
                let sec = section.map_or(-1, |key| {
                    *section_ids.entry(key).or_insert_with(|| {
                        sections.push(key);
                        i64::try_from(sections.len()).unwrap_or(i64::MAX) - 1
                    })
                });
                let mut seen = HashSet::new();
                for syn in &d.synonyms {
                    let key = phrase_key(syn);
                    if !key.is_empty() && seen.insert(key.clone()) {
                        phrases.entry(key).or_default().push(i);
                    }
                }
                let rest = section
                    .and_then(|(_, base)| d.path.strip_prefix(base).filter(|r| !r.is_empty()));
                let path = match rest {
                    Some(r) if r.strip_suffix('/') == Some(simple_slug(&d.title).as_str()) => {
                        serde_json::Value::from(0)
                    }
                    Some(r) => serde_json::Value::from(r),
                    None => serde_json::Value::from(d.path.as_str()),
                };
                (path, d.title.as_str(), sec)
            })
            .collect();
        let boosts = fields.iter().map(|f| boost_of(f)).collect();
        Self {
            format: FORMAT,
            fields: fields.to_vec(),
            boosts,
            stop: STOP_WORDS,
            sections,
            docs: docs_meta,
            lengths,
            avg,
            phrases,
        }
    }

    fn json(&self) -> String {
        json(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_like_the_client() {
        assert_eq!(fold("Graston"), "graston");
        assert_eq!(fold("cạo"), "cao");
        assert_eq!(fold("Gió"), "gio");
        assert_eq!(fold("ASTYM"), "astym");
        let t: Vec<String> = terms("Instrument-assisted soft tissue, and the IASTM!").collect();
        assert_eq!(t, ["instrument", "assisted", "soft", "tissue", "iastm"]);
    }

    #[test]
    fn splits_html_at_headings() {
        let html = "<p>Intro &amp; more.</p>\n<h2 id=\"evidence\">Evidence <a class=\"anchor\" href=\"#evidence\" aria-label=\"Link\">#</a></h2>\n<p>Small <em>effects</em>.<sup class=\"footnote-ref\"><a href=\"#fn-1\">1</a></sup></p><script>x()</script>";
        let s = html_sections(html);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].text, "Intro & more.");
        assert_eq!(s[1].anchor, "evidence");
        assert_eq!(s[1].heading, "Evidence");
        assert_eq!(s[1].text, "Small effects.");
    }

    #[test]
    fn truncates_across_sections() {
        let mut s = vec![
            DocSection {
                text: "one two three".into(),
                ..Default::default()
            },
            DocSection {
                anchor: "a".into(),
                heading: "A".into(),
                text: "four five six".into(),
            },
        ];
        truncate_sections(&mut s, 18);
        assert_eq!(s[0].text, "one two three");
        assert_eq!(s[1].text, "four");
        assert_eq!(s[1].heading, "A");
    }
}
