//! Three-way line merge of one file, as `git merge-file -p --diff3` does it.
//!
//! Each side is diffed against the base the way git's xdiff does (common
//! ends kept, lines the other file lacks set aside, a Myers diff that meets
//! in the middle, changes slid to git's places), because which of several
//! equally short diffs is chosen decides whether two changes touch: `diffy`
//! chose otherwise and merged base `c g c`, ours `c`, theirs `F c` cleanly
//! where git has a conflict. The two diffs are then merged by git's rules:
//! - changes of the two sides conflict when they overlap or touch in the
//!   base, unless they are the same change; conflicts that touch are one;
//! - conflict markers end in CRLF when the lines around them do (git's
//!   rule: the line before the conflict on both sides, and the base's first
//!   line).
//!
//! Checked byte for byte against `git merge-file` as an oracle (see
//! `tests/integration/update.rs`). Here too: binary detection.

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

/// Lines with their endings.
fn lines(text: &str) -> Vec<&[u8]> {
    text.as_bytes().split_inclusive(|&b| b == b'\n').collect()
}

/// One change of a side: base lines `b0..b1` became side lines `s0..s1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Change {
    b0: isize,
    b1: isize,
    s0: isize,
    s1: isize,
}

/// `side`'s changes of `base`, in order, placed where git's xdiff places
/// them (see [`mark`] and [`compact`]).
fn changes(b: &[&[u8]], s: &[&[u8]]) -> Vec<Change> {
    let (mut cb, mut cs) = mark(b, s);
    compact(b, &mut cb, &cs);
    compact(s, &mut cs, &cb);
    // Unchanged lines pair up in order; the changed runs between pairs are
    // the changes.
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < b.len() || j < s.len() {
        let (b0, s0) = (i, j);
        while i < b.len() && cb[i] {
            i += 1;
        }
        while j < s.len() && cs[j] {
            j += 1;
        }
        if i > b0 || j > s0 {
            let n = |x: usize| x as isize;
            out.push(Change {
                b0: n(b0),
                b1: n(i),
                s0: n(s0),
                s1: n(j),
            });
        }
        i += 1;
        j += 1;
    }
    out
}

/// Which lines of `a` and of `b` a minimal diff changes, chosen as git's
/// xdiff chooses among equally short diffs: the lines both files start
/// with, then those they end with, are kept; a line the other file lacks
/// is changed, as is a line found many times in the other file amid such
/// lines; the rest goes to a Myers diff that meets in the middle, forward
/// and backward, with git's order of search.
fn mark<'x>(a: &[&'x [u8]], b: &[&'x [u8]]) -> (Vec<bool>, Vec<bool>) {
    let (mut ca, mut cb) = (vec![false; a.len()], vec![false; b.len()]);
    let head = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    // Lines as numbers, and how often each occurs in each file.
    let mut ids: std::collections::HashMap<&'x [u8], usize> = std::collections::HashMap::new();
    let mut id = |l: &'x [u8]| -> usize {
        let next = ids.len();
        *ids.entry(l).or_insert(next)
    };
    let (ia, ib): (Vec<usize>, Vec<usize>) = (
        a.iter().map(|l| id(l)).collect(),
        b.iter().map(|l| id(l)).collect(),
    );
    let mut count = vec![[0usize; 2]; ids.len()];
    ia.iter().for_each(|&i| count[i][0] += 1);
    ib.iter().for_each(|&i| count[i][1] += 1);
    let keep = |lines: &[usize], from: usize, to: usize, side: usize, changed: &mut [bool]| {
        let limit = bogosqrt(lines.len()).min(1024);
        // 0: not in the other file; 1: in it; 2: in it many times.
        let dis: Vec<u8> = lines
            .iter()
            .map(|&l| match count[l][1 - side] {
                0 => 0,
                n if n >= limit => 2,
                _ => 1,
            })
            .collect();
        let mut kept = Vec::new();
        for i in from..to {
            if dis[i] == 1 || (dis[i] == 2 && !lone_multimatch(&dis, i, from, to - 1)) {
                kept.push(i);
            } else {
                changed[i] = true;
            }
        }
        kept
    };
    let ka = keep(&ia, head, a.len() - tail, 0, &mut ca);
    let kb = keep(&ib, head, b.len() - tail, 1, &mut cb);
    let ha: Vec<usize> = ka.iter().map(|&i| ia[i]).collect();
    let hb: Vec<usize> = kb.iter().map(|&i| ib[i]).collect();
    let (mut fa, mut fb) = (vec![false; ha.len()], vec![false; hb.len()]);
    let max_cost = (bogosqrt(ha.len() + hb.len() + 3) as isize).max(256);
    compare(
        &ha,
        &hb,
        0,
        ha.len(),
        0,
        hb.len(),
        &mut fa,
        &mut fb,
        false,
        max_cost,
    );
    for (k, &i) in ka.iter().enumerate() {
        ca[i] |= fa[k];
    }
    for (k, &i) in kb.iter().enumerate() {
        cb[i] |= fb[k];
    }
    (ca, cb)
}

/// `n`'s square root, roughly, as git's xdiff reckons it.
fn bogosqrt(mut n: usize) -> usize {
    let mut i = 1;
    while n > 0 {
        i <<= 1;
        n >>= 2;
    }
    i
}

/// Whether line `i`, found many times in the other file (`dis` 2), sits
/// among lines the other file lacks (`dis` 0) enough to be changed with
/// them rather than matched: git's rule, over a window of 100 lines.
fn lone_multimatch(dis: &[u8], i: usize, from: usize, last: usize) -> bool {
    let from = from.max(i.saturating_sub(100));
    let last = last.min(i + 100);
    let run = |steps: &mut dyn Iterator<Item = usize>| {
        let (mut none, mut many) = (0, 1);
        for j in steps {
            match dis[j] {
                0 => none += 1,
                2 => many += 1,
                _ => break,
            }
        }
        (none, many)
    };
    let (none_before, many_before) = run(&mut (from..i).rev());
    if none_before == 0 {
        return false;
    }
    let (none_after, many_after) = run(&mut (i + 1..=last));
    if none_after == 0 {
        return false;
    }
    let (none, many) = (none_before + none_after, many_before + many_after);
    many * 4 < many + none
}

/// Myers' diff of `a[off1..lim1]` and `b[off2..lim2]`, marking the lines
/// it changes: common ends are kept, the rest split where a forward and a
/// backward search meet, each half compared again.
#[allow(clippy::too_many_arguments)]
fn compare(
    a: &[usize],
    b: &[usize],
    mut off1: usize,
    mut lim1: usize,
    mut off2: usize,
    mut lim2: usize,
    ca: &mut [bool],
    cb: &mut [bool],
    need_min: bool,
    max_cost: isize,
) {
    while off1 < lim1 && off2 < lim2 && a[off1] == b[off2] {
        off1 += 1;
        off2 += 1;
    }
    while off1 < lim1 && off2 < lim2 && a[lim1 - 1] == b[lim2 - 1] {
        lim1 -= 1;
        lim2 -= 1;
    }
    if off1 == lim1 {
        cb[off2..lim2].fill(true);
    } else if off2 == lim2 {
        ca[off1..lim1].fill(true);
    } else {
        let (i1, i2, min_lo, min_hi) = split(a, b, (off1, lim1, off2, lim2), need_min, max_cost);
        compare(a, b, off1, i1, off2, i2, ca, cb, min_lo, max_cost);
        compare(a, b, i1, lim1, i2, lim2, ca, cb, min_hi, max_cost);
    }
}

/// Where the forward and backward searches over diagonals `d = i1 - i2`
/// first meet, searching as git's xdiff does, and whether each half must
/// then be searched to the end. Unless `need_min`, a search that has cost
/// `max_cost` stops at the furthest point either direction reached (git's
/// bound on the time a diff of very different files takes).
fn split(
    a: &[usize],
    b: &[usize],
    (off1, lim1, off2, lim2): (usize, usize, usize, usize),
    need_min: bool,
    max_cost: isize,
) -> (usize, usize, bool, bool) {
    let (off1, lim1, off2, lim2) = (off1 as isize, lim1 as isize, off2 as isize, lim2 as isize);
    let (dmin, dmax) = (off1 - lim2, lim1 - off2);
    let (fmid, bmid) = (off1 - off2, lim1 - lim2);
    let odd = (fmid - bmid) & 1 != 0;
    let (mut fmin, mut fmax, mut bmin, mut bmax) = (fmid, fmid, bmid, bmid);
    let size = (dmax - dmin + 3) as usize;
    let at = |d: isize| (d - dmin + 1) as usize;
    let (mut kf, mut kb) = (vec![-1isize; size], vec![isize::MAX; size]);
    kf[at(fmid)] = off1;
    kb[at(bmid)] = lim1;
    let same = |i1: isize, i2: isize| a[i1 as usize] == b[i2 as usize];
    let mut cost = 0;
    loop {
        cost += 1;
        if fmin > dmin {
            fmin -= 1;
            kf[at(fmin - 1)] = -1;
        } else {
            fmin += 1;
        }
        if fmax < dmax {
            fmax += 1;
            kf[at(fmax + 1)] = -1;
        } else {
            fmax -= 1;
        }
        let mut d = fmax;
        while d >= fmin {
            let mut i1 = if kf[at(d - 1)] >= kf[at(d + 1)] {
                kf[at(d - 1)] + 1
            } else {
                kf[at(d + 1)]
            };
            let mut i2 = i1 - d;
            while i1 < lim1 && i2 < lim2 && same(i1, i2) {
                i1 += 1;
                i2 += 1;
            }
            kf[at(d)] = i1;
            if odd && bmin <= d && d <= bmax && kb[at(d)] <= i1 {
                return (i1 as usize, i2 as usize, true, true);
            }
            d -= 2;
        }
        if bmin > dmin {
            bmin -= 1;
            kb[at(bmin - 1)] = isize::MAX;
        } else {
            bmin += 1;
        }
        if bmax < dmax {
            bmax += 1;
            kb[at(bmax + 1)] = isize::MAX;
        } else {
            bmax -= 1;
        }
        let mut d = bmax;
        while d >= bmin {
            let mut i1 = if kb[at(d - 1)] < kb[at(d + 1)] {
                kb[at(d - 1)]
            } else {
                kb[at(d + 1)] - 1
            };
            let mut i2 = i1 - d;
            while i1 > off1 && i2 > off2 && same(i1 - 1, i2 - 1) {
                i1 -= 1;
                i2 -= 1;
            }
            kb[at(d)] = i1;
            if !odd && fmin <= d && d <= fmax && i1 <= kf[at(d)] {
                return (i1 as usize, i2 as usize, true, true);
            }
            d -= 2;
        }
        if need_min || cost < max_cost {
            continue;
        }
        // Enough: the furthest-reaching point by i1 + i2, forward or backward.
        let (mut fbest, mut fbest1) = (-1, -1);
        let mut d = fmax;
        while d >= fmin {
            let (mut i1, mut i2) = (kf[at(d)].min(lim1), 0);
            i2 += i1 - d;
            if lim2 < i2 {
                (i1, i2) = (lim2 + d, lim2);
            }
            if fbest < i1 + i2 {
                (fbest, fbest1) = (i1 + i2, i1);
            }
            d -= 2;
        }
        let (mut bbest, mut bbest1) = (isize::MAX, isize::MAX);
        let mut d = bmax;
        while d >= bmin {
            let (mut i1, mut i2) = (kb[at(d)].max(off1), 0);
            i2 += i1 - d;
            if i2 < off2 {
                (i1, i2) = (off2 + d, off2);
            }
            if i1 + i2 < bbest {
                (bbest, bbest1) = (i1 + i2, i1);
            }
            d -= 2;
        }
        return if (lim1 + lim2) - bbest < fbest - (off1 + off2) {
            (fbest1 as usize, (fbest - fbest1) as usize, true, false)
        } else {
            (bbest1 as usize, (bbest - bbest1) as usize, false, true)
        };
    }
}

/// git's sliding of the changed runs of one file (`changed`, over `lines`):
/// each run moves up as far as its lines repeat, then down as far as they
/// repeat (joining runs it meets), and ends at the lowest place where it
/// lines up with a changed run of the other file (`other`), or else at the
/// lowest place of all.
fn compact(lines: &[&[u8]], changed: &mut [bool], other: &[bool]) {
    let n = lines.len();
    // Unchanged lines of the other file: the k-th pairs with this file's k-th.
    let kept: Vec<usize> = (0..other.len()).filter(|&i| !other[i]).collect();
    // Whether the other file has changed lines where this file's run is,
    // after `k` unchanged lines: between its own k-th and (k+1)-th.
    let other_run = |k: usize| {
        let from = if k == 0 { 0 } else { kept[k - 1] + 1 };
        let to = kept.get(k).copied().unwrap_or(other.len());
        to > from
    };
    // `k`: how many unchanged lines are above `start`.
    let (mut start, mut k) = (0, 0);
    while start < n {
        if !changed[start] {
            start += 1;
            k += 1;
            continue;
        }
        let mut end = start;
        while end < n && changed[end] {
            end += 1;
        }
        let (mut matching, mut earliest);
        loop {
            let size = end - start;
            // Up, joining runs above.
            while start > 0 && lines[start - 1] == lines[end - 1] {
                start -= 1;
                end -= 1;
                k -= 1;
                changed[start] = true;
                changed[end] = false;
                while start > 0 && changed[start - 1] {
                    start -= 1;
                }
            }
            earliest = end;
            matching = other_run(k).then_some(end);
            // Down, joining runs below.
            while end < n && lines[start] == lines[end] {
                changed[start] = false;
                changed[end] = true;
                start += 1;
                end += 1;
                k += 1;
                while end < n && changed[end] {
                    end += 1;
                }
                if other_run(k) {
                    matching = Some(end);
                }
            }
            if end - start == size {
                break;
            }
        }
        if end != earliest {
            if let Some(m) = matching {
                while end > m {
                    start -= 1;
                    end -= 1;
                    k -= 1;
                    changed[start] = true;
                    changed[end] = false;
                }
            }
        }
        start = end;
    }
}

/// A stretch of the merge: which side it takes (or a conflict), with its
/// lines in the base, ours and theirs.
#[derive(Debug, Clone, Copy)]
struct Region {
    /// 0: conflict; 1: ours; 2: theirs.
    mode: u8,
    b0: isize,
    b1: isize,
    o0: isize,
    o1: isize,
    t0: isize,
    t1: isize,
}

/// Adds `r`, joined to the last region when they overlap or touch on
/// either side (then a conflict, unless both take the same side).
fn append(regions: &mut Vec<Region>, r: Region) {
    if let Some(m) = regions.last_mut() {
        if r.o0 <= m.o1 || r.t0 <= m.t1 {
            if m.mode != r.mode {
                m.mode = 0;
            }
            m.b1 = r.b1;
            m.o1 = r.o1;
            m.t1 = r.t1;
            return;
        }
    }
    regions.push(r);
}

/// Merges `ours` and `theirs`, both descended from `base`, line by line;
/// overlapping changes become conflicts in diff3 style:
/// `<<<<<<< ours`, `||||||| base`, `=======`, `>>>>>>> theirs`.
/// All three must be text (see [`is_binary`]).
pub fn merge(base: &str, ours: &str, theirs: &str) -> Merged {
    let (b, o, t) = (lines(base), lines(ours), lines(theirs));
    let (co, ct) = (changes(&b, &o), changes(&b, &t));
    if co.is_empty() {
        return Merged::Clean(theirs.as_bytes().to_vec());
    }
    if ct.is_empty() {
        return Merged::Clean(ours.as_bytes().to_vec());
    }
    // A change of one side alone (`x`, with the other side `shift` lines
    // on from the base there).
    let ours_only = |x: &Change, shift: isize| Region {
        mode: 1,
        b0: x.b0,
        b1: x.b1,
        o0: x.s0,
        o1: x.s1,
        t0: x.b0 + shift,
        t1: x.b1 + shift,
    };
    let theirs_only = |y: &Change, shift: isize| Region {
        mode: 2,
        o0: y.b0 + shift,
        o1: y.b1 + shift,
        t0: y.s0,
        t1: y.s1,
        ..ours_only(y, 0)
    };
    let shift = |c: &Change| c.s0 - c.b0;
    let mut regions = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < co.len() && j < ct.len() {
        let (x, y) = (co[i], ct[j]);
        if x.b1 < y.b0 {
            append(&mut regions, ours_only(&x, shift(&y)));
            i += 1;
            continue;
        }
        if y.b1 < x.b0 {
            append(&mut regions, theirs_only(&y, shift(&x)));
            j += 1;
            continue;
        }
        let same = x.b0 == y.b0
            && x.b1 == y.b1
            && o[x.s0 as usize..x.s1 as usize] == t[y.s0 as usize..y.s1 as usize];
        if !same {
            let (b0, b1) = (x.b0.min(y.b0), x.b1.max(y.b1));
            append(
                &mut regions,
                Region {
                    mode: 0,
                    b0,
                    b1,
                    o0: x.s0 - (x.b0 - b0),
                    o1: x.s1 + (b1 - x.b1),
                    t0: y.s0 - (y.b0 - b0),
                    t1: y.s1 + (b1 - y.b1),
                },
            );
        }
        if x.b1 >= y.b1 {
            j += 1;
        }
        if y.b1 >= x.b1 {
            i += 1;
        }
    }
    let len = |v: &[&[u8]]| v.len() as isize;
    for x in &co[i..] {
        append(&mut regions, ours_only(x, len(&t) - len(&b)));
    }
    for y in &ct[j..] {
        append(&mut regions, theirs_only(y, len(&o) - len(&b)));
    }
    write(&b, &o, &t, &regions)
}

/// The merged text: ours, with theirs' changes and the conflicts put in.
fn write(b: &[&[u8]], o: &[&[u8]], t: &[&[u8]], regions: &[Region]) -> Merged {
    let mut out = Vec::new();
    let copy = |out: &mut Vec<u8>, lines: &[&[u8]], eol_if_missing: Option<&[u8]>| {
        for l in lines {
            out.extend_from_slice(l);
        }
        if let (Some(eol), Some(last)) = (eol_if_missing, lines.last()) {
            if !last.ends_with(b"\n") {
                out.extend_from_slice(eol);
            }
        }
    };
    let (mut i, mut conflicts) = (0, 0);
    let u = |x: isize| x.max(0) as usize;
    for r in regions {
        let (b0, b1, o0, o1, t0, t1) = (u(r.b0), u(r.b1), u(r.o0), u(r.o1), u(r.t0), u(r.t1));
        match r.mode {
            1 => copy(&mut out, &o[i..o1], None),
            2 => {
                copy(&mut out, &o[i..o0], None);
                copy(&mut out, &t[t0..t1], None);
            }
            _ => {
                conflicts += 1;
                copy(&mut out, &o[i..o0], None);
                let eol: &[u8] = if crlf_needed(b, o, t, o0, t0) {
                    b"\r\n"
                } else {
                    b"\n"
                };
                let marker = |out: &mut Vec<u8>, m: String| {
                    out.extend_from_slice(m.as_bytes());
                    out.extend_from_slice(eol);
                };
                marker(&mut out, format!("<<<<<<< {OURS}"));
                copy(&mut out, &o[o0..o1], Some(eol));
                marker(&mut out, format!("||||||| {BASE}"));
                copy(&mut out, &b[b0..b1], Some(eol));
                marker(&mut out, "=======".into());
                copy(&mut out, &t[t0..t1], Some(eol));
                marker(&mut out, format!(">>>>>>> {THEIRS}"));
            }
        }
        i = o1;
    }
    copy(&mut out, &o[i..], None);
    if conflicts == 0 {
        Merged::Clean(out)
    } else {
        Merged::Conflict(out, conflicts)
    }
}

/// git's rule for a conflict's marker lines: CRLF when ours' line before
/// the conflict (or its first), theirs' likewise and the base's first line
/// all end in CRLF; a side that cannot tell (no lines, one line without an
/// ending) does not decide, and undecided is LF.
fn crlf_needed(b: &[&[u8]], o: &[&[u8]], t: &[&[u8]], o0: usize, t0: usize) -> bool {
    // Some(true): CRLF; Some(false): LF; None: cannot tell.
    fn crlf(lines: &[&[u8]], i: usize) -> Option<bool> {
        let is = |l: &[u8]| l.ends_with(b"\r\n");
        let line = lines.get(i)?;
        if i + 1 < lines.len() || line.ends_with(b"\n") {
            return Some(is(line));
        }
        if i == 0 {
            return None;
        }
        Some(is(lines[i - 1]))
    }
    let before = |n: usize| n.saturating_sub(1);
    let mut needs = crlf(o, before(o0));
    if needs != Some(false) {
        needs = crlf(t, before(t0));
    }
    if needs != Some(false) {
        needs = crlf(b, 0);
    }
    needs == Some(true)
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

    /// `merge` of the three gives one conflict, written as `want`.
    fn one_conflict(base: &str, ours: &str, theirs: &str, want: &str) {
        let got = merge(base, ours, theirs);
        assert_eq!(got, Merged::Conflict(want.as_bytes().to_vec(), 1));
    }

    #[test]
    fn overlapping_changes_conflict_with_the_base_shown() {
        let want = "a\n<<<<<<< ours\nB1\n||||||| base\nb\n=======\nB2\n>>>>>>> theirs\nc\n";
        one_conflict("a\nb\nc\n", "a\nB1\nc\n", "a\nB2\nc\n", want);
    }

    #[test]
    fn a_users_own_marker_like_line_is_left_alone() {
        let base = "||||||| original\nx\n";
        let got = merge(base, "||||||| original\ny\n", base);
        assert_eq!(got, Merged::Clean(b"||||||| original\ny\n".to_vec()));
    }

    /// git merge-file reports a conflict here (ours deletes `c g`, theirs
    /// replaces `c g` with `F`); diffy's merge called it clean.
    #[test]
    fn changes_that_touch_where_git_puts_them_conflict() {
        let want = "<<<<<<< ours\nc\n||||||| base\nc\ng\nc\n=======\nF\nc\n>>>>>>> theirs\n";
        one_conflict("c\ng\nc\n", "c\n", "F\nc\n", want);
    }

    /// As `git merge-file` writes them: markers end in CRLF in a CRLF file,
    /// and a last line without an ending gets one before a marker.
    #[test]
    fn markers_in_a_crlf_file_end_in_crlf() {
        let want = "a\r\n<<<<<<< ours\r\nB1\r\n||||||| base\r\nb\r\n=======\r\nB2\r\n>>>>>>> theirs\r\nc\r\n";
        one_conflict(
            "a\r\nb\r\nc\r\n",
            "a\r\nB1\r\nc\r\n",
            "a\r\nB2\r\nc\r\n",
            want,
        );
        let want =
            "a\r\n<<<<<<< ours\r\nB1\r\n||||||| base\r\nb\r\n=======\r\nB2\r\n>>>>>>> theirs\r\n";
        one_conflict("a\r\nb", "a\r\nB1", "a\r\nB2", want);
    }

    /// Very different large files still merge quickly: the search is bounded.
    #[test]
    fn a_large_rewrite_merges_in_bounded_time() {
        let base: String = (0..20_000).map(|i| format!("{}\n", i % 7)).collect();
        let ours: String = (0..20_000).map(|i| format!("{}\n", (i * 3) % 5)).collect();
        let theirs = format!("{base}tail\n");
        let started = std::time::Instant::now();
        assert!(matches!(merge(&base, &ours, &theirs), Merged::Conflict(..)));
        assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
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
