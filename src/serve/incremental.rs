//! Which rebuild a batch of changes needs, decided from the changed paths
//! alone (pure, unit-tested). The rebuild itself is the pipeline's:
//! [`crate::pipeline::live::Live`].

use super::watch::Change;

/// How much a batch of changes requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Only these Markdown files (below content/) changed: try the fast path.
    Bodies(Vec<String>),
    /// Everything else: rebuild (unchanged files are not re-parsed).
    Full,
}

/// Decide from the changed paths alone.
pub fn plan(changes: &[Change]) -> Plan {
    let mut rels = Vec::new();
    for c in changes {
        match c {
            Change::Content(rel) if rel.ends_with(".md") => rels.push(rel.clone()),
            _ => return Plan::Full,
        }
    }
    rels.sort();
    rels.dedup();
    if rels.is_empty() {
        Plan::Full
    } else {
        Plan::Bodies(rels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_from_changed_paths() {
        assert_eq!(
            plan(&[
                Change::Content("a.md".into()),
                Change::Content("a.md".into())
            ]),
            Plan::Bodies(vec!["a.md".into()])
        );
        assert_eq!(
            plan(&[Change::Content("a.md".into()), Change::Template]),
            Plan::Full
        );
        assert_eq!(plan(&[Change::Content("folder".into())]), Plan::Full);
        assert_eq!(
            plan(&[Change::ContentAsset("a/pic.png".into())]),
            Plan::Full
        );
        assert_eq!(plan(&[Change::Static]), Plan::Full);
        assert_eq!(plan(&[Change::Sass]), Plan::Full);
        assert_eq!(plan(&[Change::Config]), Plan::Full);
        assert_eq!(plan(&[Change::Data]), Plan::Full);
        assert_eq!(plan(&[Change::Rescan]), Plan::Full);
        assert_eq!(plan(&[]), Plan::Full);
    }
}
