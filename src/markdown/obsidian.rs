//! Obsidian's own Markdown, read when the site sets `obsidian = true`:
//! `%%comments%%` (inline or over several lines) are removed before
//! parsing, outside code, with line numbers kept. (`==mark==` is comrak's
//! `highlight` extension, and wikilinks by file name or heading text are
//! resolved by the link stage.)

use std::borrow::Cow;

/// `src` without its `%%...%%` comments. Fenced code and inline code are
/// left alone; the newlines of a comment stay, so positions still match.
pub fn strip_comments(src: &str) -> Cow<'_, str> {
    if !src.contains("%%") {
        return Cow::Borrowed(src);
    }
    let mut out = String::with_capacity(src.len());
    let mut fence: Option<String> = None;
    let mut in_comment = false;
    for line in src.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if !in_comment {
            if let Some(f) = &fence {
                if trimmed.starts_with(f.as_str()) {
                    fence = None;
                }
                out.push_str(line);
                continue;
            }
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                let ch = trimmed.chars().next().unwrap_or('`');
                let n = trimmed.chars().take_while(|c| *c == ch).count();
                fence = Some(ch.to_string().repeat(n));
                out.push_str(line);
                continue;
            }
        }
        in_comment = strip_line(line, in_comment, &mut out);
    }
    Cow::Owned(out)
}

/// Copy one line without its comments; returns whether a comment is still open.
fn strip_line(line: &str, mut in_comment: bool, out: &mut String) -> bool {
    let mut rest = line;
    loop {
        if in_comment {
            let Some(end) = rest.find("%%") else {
                if rest.ends_with('\n') {
                    out.push('\n');
                }
                return true;
            };
            rest = &rest[end + 2..];
            in_comment = false;
            continue;
        }
        // Skip inline code spans on the line.
        let next_tick = rest.find('`');
        let next_mark = rest.find("%%");
        match (next_tick, next_mark) {
            (Some(t), Some(m)) if t < m => {
                let run = rest[t..].bytes().take_while(|b| *b == b'`').count();
                let ticks = &rest[t..t + run];
                let after = &rest[t + run..];
                let close = after.find(ticks).map_or(0, |c| c + run);
                let upto = t + run + close;
                out.push_str(&rest[..upto]);
                rest = &rest[upto..];
            }
            (_, Some(m)) => {
                out.push_str(&rest[..m]);
                rest = &rest[m + 2..];
                in_comment = true;
            }
            (_, None) => {
                out.push_str(rest);
                return false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_go_and_lines_stay() {
        assert_eq!(strip_comments("a %%hidden%% b\n"), "a  b\n");
        assert_eq!(
            strip_comments("a\n%%\nsecret\nlines\n%%\nb\n"),
            "a\n\n\n\n\nb\n"
        );
        assert_eq!(strip_comments("`%%code%%` %%x%%y\n"), "`%%code%%` y\n");
        let fenced = "```\n%%kept%%\n```\n";
        assert_eq!(strip_comments(fenced), fenced);
    }
}
