//! `.dockerignore` matching as Docker does it: paths relative to the context,
//! `*`, `?` and `**`, a pattern that matches a folder excludes what is in it,
//! `!` re-includes, and the last matching pattern wins.

use regex::Regex;

pub struct Patterns(Vec<(bool, Regex)>);

fn to_regex(pattern: &str) -> Option<Regex> {
    let p = pattern
        .trim()
        .trim_start_matches("./")
        .trim_start_matches('/');
    let p = p.trim_end_matches('/');
    if p.is_empty() {
        return None;
    }
    let mut re = String::from("^");
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                if chars.peek() == Some(&'/') {
                    chars.next();
                    re.push_str("(?:.*/)?");
                } else {
                    re.push_str(".*");
                }
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '[' => {
                // A character class, copied through to its end.
                let mut class = String::from("[");
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    if c == '\\' {
                        class.push_str("\\\\");
                    } else {
                        class.push(c);
                    }
                }
                class.push(']');
                re.push_str(&class);
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    Regex::new(&re).ok()
}

impl Patterns {
    pub fn parse(text: &str) -> Patterns {
        Patterns(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .filter_map(|l| match l.strip_prefix('!') {
                    Some(p) => to_regex(p).map(|r| (false, r)),
                    None => to_regex(l).map(|r| (true, r)),
                })
                .collect(),
        )
    }

    /// Whether `path` (relative, `/`-separated) is left out of the context.
    pub fn excludes(&self, path: &str) -> bool {
        let parts: Vec<&str> = path.split('/').collect();
        let mut excluded = false;
        // A folder's exclusion covers its contents: test each ancestor, then the path.
        for end in 1..=parts.len() {
            let prefix = parts[..end].join("/");
            for (exclude, re) in &self.0 {
                if re.is_match(&prefix) && (*exclude || end == parts.len()) {
                    excluded = *exclude;
                }
            }
        }
        excluded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching() {
        let p = Patterns::parse("# c\n.git\n**/.env\n**/.venv\n*.pyc\n!keep.pyc\nsecrets/\n");
        assert!(p.excludes(".git"));
        assert!(p.excludes(".git/config"));
        assert!(p.excludes(".env"));
        assert!(p.excludes("a/b/.env"));
        assert!(p.excludes(".venv"));
        assert!(p.excludes("x.pyc"));
        assert!(!p.excludes("keep.pyc"));
        assert!(p.excludes("secrets/key"));
        assert!(!p.excludes("app.py"));
        assert!(!p.excludes(".envrc"));
    }
}
