//! The `--dry-run` patch: what an update would do, as `git diff` writes it,
//! so that `git apply` of it does exactly what the update does (every file
//! but the answers file). A moved file is its old path deleted and its new
//! path created; a binary file is a `GIT binary patch` (with the full blob
//! ids `git apply` needs to check it); a path with unusual bytes is quoted as
//! git quotes it, so a file name can never forge a line of the patch.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::update::merge::is_binary;
use crate::update::plan::{Change, UpdatePlan};

/// Every change's patch, in plan order.
pub fn patch(plan: &UpdatePlan, root: &Path) -> String {
    plan.changes.iter().map(|c| change(c, root)).collect()
}

/// One change's patch ("" when it changes nothing).
pub fn change(c: &Change, root: &Path) -> String {
    if !c.touches() {
        return String::new();
    }
    let mode_on_disk = |p: &str| match std::fs::symlink_metadata(root.join(p)) {
        Ok(m) if m.permissions().mode() & 0o111 != 0 => 0o100755,
        _ => 0o100644,
    };
    let new_mode = if c.executable { 0o100755 } else { 0o100644 };
    if let Some(beside) = &c.beside {
        return file(beside, None, c.new.as_deref().map(|n| (n, new_mode)));
    }
    let mut out = String::new();
    if let Some(from) = &c.from {
        let old = c.from_old.as_deref().map(|o| (o, mode_on_disk(from)));
        out.push_str(&file(from, old, None));
        out.push_str(&file(
            &c.path,
            None,
            c.new.as_deref().map(|n| (n, new_mode)),
        ));
        return out;
    }
    // A replaced file keeps its mode, plus the run bit the template asks for.
    let old_mode = mode_on_disk(&c.path);
    let old = c.old.as_deref().map(|o| (o, old_mode));
    let new_mode = if old.is_some() && old_mode == 0o100755 {
        old_mode
    } else {
        new_mode
    };
    file(&c.path, old, c.new.as_deref().map(|n| (n, new_mode)))
}

/// The patch of one path from `old` to `new` (contents and mode; `None`: absent).
fn file(path: &str, old: Option<(&[u8], u32)>, new: Option<(&[u8], u32)>) -> String {
    let (a, b) = (quote_path("a/", path), quote_path("b/", path));
    let mut out = format!("diff --git {a} {b}\n");
    match (old, new) {
        (None, None) => return String::new(),
        (None, Some((_, m))) => out.push_str(&format!("new file mode {m:o}\n")),
        (Some((_, m)), None) => out.push_str(&format!("deleted file mode {m:o}\n")),
        (Some((o, om)), Some((n, nm))) => {
            if o == n && om == nm {
                return String::new();
            }
            if om != nm {
                out.push_str(&format!("old mode {om:o}\nnew mode {nm:o}\n"));
            }
            if o == n {
                return out;
            }
        }
    }
    let (o, n) = (old.map(|(o, _)| o), new.map(|(n, _)| n));
    if o.is_some_and(is_binary) || n.is_some_and(is_binary) {
        let id = |b: Option<&[u8]>| b.map_or_else(|| "0".repeat(40), blob_id);
        out.push_str(&format!("index {}..{}\n", id(o), id(n)));
        out.push_str("GIT binary patch\n");
        out.push_str(&literal(n.unwrap_or(b"")));
        return out;
    }
    let (o_text, n_text) = (
        String::from_utf8_lossy(o.unwrap_or(b"")),
        String::from_utf8_lossy(n.unwrap_or(b"")),
    );
    if o_text.is_empty() && n_text.is_empty() {
        return out;
    }
    out.push_str(&format!(
        "--- {}\n+++ {}\n",
        if o.is_some() { a.as_str() } else { "/dev/null" },
        if n.is_some() { b.as_str() } else { "/dev/null" }
    ));
    let hunks = diffy::create_patch(&o_text, &n_text);
    // As git prints it: a blank context line is a single space. diffy's own
    // ---/+++ lines are replaced by the ones above.
    let body = diffy::PatchFormatter::new()
        .suppress_blank_empty(false)
        .fmt_patch(&hunks)
        .to_string();
    let body = body.splitn(3, '\n').nth(2).unwrap_or("");
    out.push_str(body);
    out
}

/// A path in a patch header, as git writes it: plain, or in double quotes
/// with C escapes when it holds a control character, a quote, a backslash
/// or a byte outside ASCII (git's default `core.quotePath`).
pub fn quote_path(prefix: &str, path: &str) -> String {
    let plain = |b: u8| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\';
    if path.bytes().all(plain) {
        return format!("{prefix}{path}");
    }
    let mut out = format!("\"{prefix}");
    for b in path.bytes() {
        match b {
            b'\x07' => out.push_str("\\a"),
            b'\x08' => out.push_str("\\b"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\x0b' => out.push_str("\\v"),
            b'\x0c' => out.push_str("\\f"),
            b'\r' => out.push_str("\\r"),
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b if plain(b) => out.push(b as char),
            b => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out.push('"');
    out
}

/// git's object id of a blob with these contents.
fn blob_id(bytes: &[u8]) -> String {
    use sha1::{Digest, Sha1};
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", bytes.len()).as_bytes());
    h.update(bytes);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// `literal N` and the zlib stream of `bytes` in git's base85 lines, then a
/// blank line. The stream uses stored (uncompressed) blocks: any inflater,
/// git's included, reads them.
fn literal(bytes: &[u8]) -> String {
    let mut z = vec![0x78, 0x01];
    let mut blocks = bytes.chunks(0xffff).peekable();
    if blocks.peek().is_none() {
        z.extend([1, 0, 0, 0xff, 0xff]);
    }
    while let Some(block) = blocks.next() {
        let len = block.len() as u16;
        z.push(u8::from(blocks.peek().is_none()));
        z.extend(len.to_le_bytes());
        z.extend((!len).to_le_bytes());
        z.extend(block);
    }
    z.extend(adler32(bytes).to_be_bytes());
    let mut out = format!("literal {}\n", bytes.len());
    for line in z.chunks(52) {
        let n = line.len() as u8;
        out.push(if n <= 26 { b'A' + n - 1 } else { b'a' + n - 27 } as char);
        for group in line.chunks(4) {
            let mut word = [0u8; 4];
            word[..group.len()].copy_from_slice(group);
            let mut v = u32::from_be_bytes(word);
            let mut five = [0u8; 5];
            for slot in five.iter_mut().rev() {
                *slot = BASE85[(v % 85) as usize];
                v /= 85;
            }
            out.push_str(std::str::from_utf8(&five).unwrap_or_default());
        }
        out.push('\n');
    }
    out.push('\n');
    out
}

const BASE85: &[u8; 85] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in bytes {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_quoted_as_git_quotes_them() {
        assert_eq!(quote_path("a/", "app.py"), "a/app.py");
        assert_eq!(
            quote_path("b/", "x\n+++ evil\x1b]0;t\x07é"),
            "\"b/x\\n+++ evil\\033]0;t\\aé\"".replace('é', "\\303\\251")
        );
    }

    #[test]
    fn blob_ids_are_gits() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            blob_id(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
    }
}
