//! A limit on how deeply Markdown blocks nest.
//!
//! comrak's work grows with the square of the nesting depth of block quotes
//! and lists (100,000 `>` on one line did not finish in 30 s), and no reader
//! needs more than a few levels. Bodies nested deeper than [`MAX_DEPTH`] are
//! refused, at the line and column where the limit is passed, before comrak
//! sees them. Fenced code is not counted.

/// The deepest nesting of block quotes and list items accepted (markdown-it
/// uses the same figure).
pub const MAX_DEPTH: usize = 100;

/// (line, column, depth) of the first line nested deeper than [`MAX_DEPTH`],
/// both 1-based, the column in characters.
pub fn too_deep(body: &str) -> Option<(usize, usize, usize)> {
    let mut fence: Option<(u8, usize)> = None;
    for (i, line) in body.lines().enumerate() {
        let trimmed = line.trim_start_matches([' ', '\t']);
        let mark = trimmed.bytes().next().filter(|b| *b == b'`' || *b == b'~');
        if let Some(m) = mark {
            let run = trimmed.bytes().take_while(|b| *b == m).count();
            if run >= 3 {
                fence = match fence {
                    None => Some((m, run)),
                    Some((fm, fr)) if fm == m && run >= fr => None,
                    open => open,
                };
                continue;
            }
        }
        if fence.is_some() {
            continue;
        }
        if let Some((at, depth)) = depth_of(line) {
            return Some((i + 1, line[..at].chars().count() + 1, depth));
        }
    }
    None
}

/// The byte offset where the nesting of `line`'s prefix passes the limit.
fn depth_of(line: &str) -> Option<(usize, usize)> {
    let b = line.as_bytes();
    let (mut i, mut depth, mut indent) = (0, 0, 0);
    loop {
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            indent += if b[i] == b'\t' { 4 } else { 1 };
            i += 1;
        }
        let marker = match b.get(i) {
            Some(b'>') => 1,
            Some(b'-' | b'*' | b'+') if matches!(b.get(i + 1), Some(b' ' | b'\t') | None) => 1,
            Some(c) if c.is_ascii_digit() => {
                let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                match (b.get(i + digits), b.get(i + digits + 1)) {
                    (Some(b'.' | b')'), Some(b' ' | b'\t') | None) if digits <= 9 => digits + 1,
                    _ => 0,
                }
            }
            _ => 0,
        };
        if marker == 0 {
            return None;
        }
        depth += 1;
        // A nested list item is indented by at least two columns a level.
        let levels = depth + indent / 2;
        if levels > MAX_DEPTH {
            return Some((i, levels));
        }
        i += marker;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_deep_quotes_and_lists_but_not_code() {
        assert_eq!(too_deep("> a\n> > b\n- c\n  - d\n"), None);
        let quote = format!("ok\n{} deep\n", ">".repeat(150));
        assert_eq!(too_deep(&quote), Some((2, 101, 101)));
        let mut list = String::new();
        for n in 0..120 {
            list.push_str(&"  ".repeat(n));
            list.push_str("- a\n");
        }
        assert_eq!(too_deep(&list).map(|(l, _, _)| l), Some(101));
        let fenced = format!("```\n{}\n```\n", ">".repeat(500));
        assert_eq!(too_deep(&fenced), None);
        assert_eq!(
            too_deep(&format!("{}x\n", "1. ".repeat(101))).map(|x| x.2),
            Some(101)
        );
    }
}
