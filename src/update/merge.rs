//! Three-way line merge of one file, git-style.
//!
//! The merge itself is `diffy`'s (Myers diff of each side against the base,
//! then diff3's chunking): a well-kept crate whose diff3 conflict output
//! matches `git merge-file -p --diff3` byte for byte on our oracle cases
//! (see the tests and `tests/integration/update.rs`). Here: labels, line
//! endings left alone, and binary detection.

/// Marker labels, as `git merge-file -L ours -L base -L theirs` writes them.
pub const OURS: &str = "ours";
pub const BASE: &str = "base";
pub const THEIRS: &str = "theirs";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merged {
    /// Both sides' changes, combined without overlap.
    Clean(Vec<u8>),
    /// The merged text with conflict markers, and how many conflicts it holds.
    Conflict(Vec<u8>, usize),
}

/// True for contents a line merge must not touch: not UTF-8, or holding a NUL
/// byte (git's test for binary is the NUL within the first 8000 bytes).
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes.contains(&0) || std::str::from_utf8(bytes).is_err()
}

/// Merges `ours` and `theirs`, both descended from `base`, line by line;
/// overlapping changes become conflicts in diff3 style:
/// `<<<<<<< ours`, `||||||| base`, `=======`, `>>>>>>> theirs`.
/// All three must be text (see [`is_binary`]).
pub fn merge(base: &str, ours: &str, theirs: &str) -> Merged {
    let mut opts = diffy::MergeOptions::new();
    opts.set_conflict_style(diffy::ConflictStyle::Diff3)
        .set_incomplete_hunk_style(diffy::IncompleteHunkStyle::Git);
    match opts.merge(base, ours, theirs) {
        Ok(text) => Merged::Clean(text.into_bytes()),
        Err(text) => {
            let (text, n) = relabel(&text);
            Merged::Conflict(text.into_bytes(), n)
        }
    }
}

/// How many conflicts marked by an update are still in `bytes`: a
/// `<<<<<<< ours` line, then a `=======` line, then a `>>>>>>> theirs` line
/// (LF or CRLF), as [`merge`] writes them.
pub fn unresolved(bytes: &[u8]) -> usize {
    let open = format!("<<<<<<< {OURS}");
    let close = format!(">>>>>>> {THEIRS}");
    let (mut state, mut count) = (0, 0);
    for line in bytes.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        state = match state {
            _ if line == open.as_bytes() => 1,
            1 | 2 if line == b"=======" => 2,
            2 if line == close.as_bytes() => {
                count += 1;
                0
            }
            s => s,
        };
    }
    count
}

/// diffy names the base section `original`; git's is named by `-L`. Only
/// marker lines inside a conflict are renamed, never a user's own line.
fn relabel(text: &str) -> (String, usize) {
    let open = format!("<<<<<<< {OURS}");
    let close = format!(">>>>>>> {THEIRS}");
    let mut out = String::with_capacity(text.len());
    let (mut inside, mut count) = (false, 0);
    for line in text.split_inclusive('\n') {
        let bare = line.strip_suffix('\n').unwrap_or(line);
        if !inside && bare == open {
            inside = true;
            count += 1;
        } else if inside && bare == "||||||| original" {
            out.push_str(&format!("||||||| {BASE}"));
            out.push_str(&line[bare.len()..]);
            continue;
        } else if inside && bare == close {
            inside = false;
        }
        out.push_str(line);
    }
    (out, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separate_changes_merge_cleanly() {
        let base = "a\nb\nc\nd\ne\n";
        let ours = "A\nb\nc\nd\ne\n";
        let theirs = "a\nb\nc\nd\nE\n";
        assert_eq!(
            merge(base, ours, theirs),
            Merged::Clean(b"A\nb\nc\nd\nE\n".to_vec())
        );
    }

    #[test]
    fn overlapping_changes_conflict_with_the_base_shown() {
        let got = merge("a\nb\nc\n", "a\nB1\nc\n", "a\nB2\nc\n");
        let want = "a\n<<<<<<< ours\nB1\n||||||| base\nb\n=======\nB2\n>>>>>>> theirs\nc\n";
        assert_eq!(got, Merged::Conflict(want.as_bytes().to_vec(), 1));
    }

    #[test]
    fn a_users_own_marker_like_line_is_left_alone() {
        let base = "||||||| original\nx\n";
        let got = merge(base, "||||||| original\ny\n", base);
        assert_eq!(got, Merged::Clean(b"||||||| original\ny\n".to_vec()));
    }

    #[test]
    fn unresolved_markers_are_counted() {
        let Merged::Conflict(text, 1) = merge("a\nb\nc\n", "a\nB1\nc\n", "a\nB2\nc\n") else {
            panic!("a conflict")
        };
        assert_eq!(unresolved(&text), 1);
        assert_eq!(unresolved(&text.repeat(2)), 2);
        let crlf = String::from_utf8(text).unwrap().replace('\n', "\r\n");
        assert_eq!(unresolved(crlf.as_bytes()), 1);
        assert_eq!(unresolved(b"<<<<<<< ours\nx\n>>>>>>> theirs\n"), 0);
        assert_eq!(unresolved(b"=======\n"), 0);
    }

    #[test]
    fn binary_is_nul_or_not_utf8() {
        assert!(is_binary(b"a\0b"));
        assert!(is_binary(&[0xff, 0xfe]));
        assert!(!is_binary("héllo\n".as_bytes()));
    }
}
