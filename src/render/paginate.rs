//! Zola's pagination, for sections (`paginate_by`, `paginate_path`,
//! `paginate_reversed` in `_index.md`) and taxonomy terms (`paginate_by`,
//! `paginate_path` of the taxonomy in config.toml): the first pager is the
//! list's own page, the others `ROOT{paginate_path}/{n}/`, and
//! `ROOT{paginate_path}/1/` is a redirect to the first
//! (`components/content/src/pagination.rs` in Zola).

use std::sync::Arc;

use minijinja::context;
use minijinja::value::Value;

use super::RenderState;
use super::context::PageObj;

/// How one list is cut into pagers.
pub struct Pagination<'a> {
    /// The list's own URL path (`/blog/`, `/tags/rust/`).
    pub root: &'a str,
    /// Zola's `paginate_path` (`page` unless set).
    pub paginate_path: &'a str,
    pub per: usize,
    /// Every page of the list, in its order.
    pub pages: Vec<usize>,
}

impl Pagination<'_> {
    /// How many pagers there are: at least one, empty.
    pub fn count(&self) -> usize {
        self.pages.len().div_ceil(self.per).max(1)
    }

    /// The URL path of pager `n` (from 1).
    pub fn path(&self, n: usize) -> String {
        match (n, self.paginate_path) {
            (1, _) => self.root.to_string(),
            (_, "") => format!("{}{n}/", self.root),
            (_, pp) => format!("{}{pp}/{n}/", self.root),
        }
    }

    /// Where Zola writes the redirect to the first pager.
    pub fn first_redirect_path(&self) -> String {
        match self.paginate_path {
            "" => format!("{}1/", self.root),
            pp => format!("{}{pp}/1/", self.root),
        }
    }

    /// `paginator` on pager `n`, with Zola's fields.
    pub fn value(&self, st: &Arc<RenderState>, n: usize) -> Value {
        let count = self.count();
        let link = |k: usize| st.site.config.permalink(&self.path(k));
        let pages: Vec<Value> = self
            .pages
            .chunks(self.per)
            .nth(n - 1)
            .map_or(Vec::new(), |c| {
                c.iter().map(|&p| PageObj::value(st, p)).collect()
            });
        let base = match self.paginate_path {
            "" => self.root.to_string(),
            pp => format!("{}{pp}/", self.root),
        };
        context! {
            paginate_by => self.per,
            pages => pages,
            current_index => n,
            number_pagers => count,
            total_pages => self.pages.len(),
            first => link(1),
            last => link(count),
            previous => if n > 1 { Value::from(link(n - 1)) } else { Value::from(()) },
            next => if n < count { Value::from(link(n + 1)) } else { Value::from(()) },
            base_url => st.site.config.permalink(&base),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Pagination;

    #[test]
    fn pager_paths_follow_zola() {
        let p = Pagination {
            root: "/blog/",
            paginate_path: "page",
            per: 2,
            pages: vec![0, 1, 2, 3, 4],
        };
        assert_eq!(p.count(), 3);
        assert_eq!(p.path(1), "/blog/");
        assert_eq!(p.path(3), "/blog/page/3/");
        assert_eq!(p.first_redirect_path(), "/blog/page/1/");
        let bare = Pagination {
            root: "/",
            paginate_path: "",
            per: 2,
            pages: vec![],
        };
        assert_eq!((bare.count(), bare.path(2)), (1, "/2/".to_string()));
    }
}
