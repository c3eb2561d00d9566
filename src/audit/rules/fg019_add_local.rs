//! FG019 add-local-files: ADD of local files or folders, where COPY says
//! what happens. ADD of a URL, a git repository or a local tar archive (which
//! ADD unpacks) is left alone.

use crate::audit::context::Context;
use crate::audit::rules::ADD_LOCAL;
use crate::audit::Finding;

fn needs_add(src: &str) -> bool {
    let s = src.to_ascii_lowercase();
    s.contains("://")
        || s.starts_with("git@")
        || [
            ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst",
        ]
        .iter()
        .any(|e| s.ends_with(e))
}

pub fn check(ctx: &Context) -> Vec<Finding> {
    ctx.all()
        .filter(|(_, x)| x.keyword == "ADD")
        .filter_map(|(_, x)| {
            let words = x.words();
            let srcs = &words[..words.len().saturating_sub(1)];
            if srcs.is_empty() || srcs.iter().any(|s| needs_add(s)) {
                return None;
            }
            Some(Finding::new(
                &ADD_LOCAL,
                &ctx.df,
                x.line,
                format!("ADD {}: local files are copied with COPY", srcs.join(" ")),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::audit::testing::{catches, catches_not};

    #[test]
    fn caught() {
        catches(check, "FROM python:3.12-slim\nADD . /app\n");
        catches(
            check,
            "FROM python:3.12-slim\nADD [\"requirements.txt\", \"/app/\"]\n",
        );
    }

    #[test]
    fn not_caught() {
        catches_not(check, "FROM python:3.12-slim\nCOPY . /app\n");
        catches_not(
            check,
            "FROM python:3.12-slim\nADD https://example.org/x.tar.gz /opt/\n",
        );
        catches_not(check, "FROM python:3.12-slim\nADD vendor.tar.gz /opt/\n");
    }
}
