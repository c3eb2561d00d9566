//! Turns a template and resolved values into a plan: every file of the
//! project, rendered in memory. Nothing here touches the disk.

pub mod filters;

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::{anyhow, bail, Result};
use tera::{Context, Tera};

use crate::inputs::answers::{self, ANSWERS_FILE};
use crate::template::{File, Template, RENDER_SUFFIX};
use crate::values::{is_identifier, Values};

/// Every file of the project, rendered, with its path inside the project.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub files: Vec<File>,
}

impl Plan {
    pub fn total_bytes(&self) -> usize {
        self.files.iter().map(|f| f.contents.len()).sum()
    }
}

const COND_PREFIX: &str = "__condition__/";
const PATH_PREFIX: &str = "__path__/";

/// A compiled template: every templated name and condition parsed once, and
/// each `.tera` file parsed once, when it is first rendered (a file whose
/// condition is false is never parsed; `template check` parses them all).
struct Engine<'t> {
    tera: RefCell<Tera>,
    /// `.tera` files not parsed yet: name → text.
    pending: RefCell<HashMap<String, String>>,
    /// `.tera` files parsed as a [`Skeleton`]: name → its runs.
    skeletons: RefCell<HashMap<String, Vec<Vec<Piece>>>>,
    /// Files that are plain text with `{{ variable }}` substitutions only.
    simple: HashMap<String, Vec<Piece>>,
    /// Conditions evaluated without tera (see [`quick_condition`]), by key.
    quick: HashMap<String, Vec<Atom>>,
    template: &'t Template,
}

/// Part of a template that needs no parser: text, `{{ a.b }}`, or
/// `{{ a.b | yaml_string }}` (the one filter YAML templates use on every value).
#[derive(Debug, PartialEq)]
enum Piece {
    Text(String),
    Var(Vec<String>),
    YamlString(Vec<String>),
}

fn simple_pieces(text: &str) -> Option<Vec<Piece>> {
    if text.contains("{%") || text.contains("{#") {
        return None;
    }
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("{{") {
        pieces.push(Piece::Text(rest[..i].to_string()));
        let after = &rest[i + 2..];
        let j = after.find("}}")?;
        let inner = &after[..j];
        let (expr, yaml) = match inner.split_once('|') {
            Some((var, filter)) if filter.trim() == "yaml_string" => (var.trim(), true),
            Some(_) => return None,
            None => (inner.trim(), false),
        };
        let keyword = matches!(
            expr,
            "true" | "false" | "True" | "False" | "and" | "or" | "not" | "in" | "is"
        );
        if inner.starts_with('-') || inner.ends_with('-') || keyword || expr.starts_with("__") {
            return None;
        }
        if !expr.split('.').all(is_identifier) {
            return None;
        }
        let path = expr.split('.').map(str::to_string).collect();
        pieces.push(if yaml {
            Piece::YamlString(path)
        } else {
            Piece::Var(path)
        });
        rest = &after[j + 2..];
    }
    pieces.push(Piece::Text(rest.to_string()));
    Some(pieces)
}

/// Whether a template includes, extends or imports another (one pass over its tags).
fn refers_to_others(text: &str) -> bool {
    text.match_indices("{%").any(|(i, _)| {
        let tag = text[i + 2..].trim_start_matches('-').trim_start();
        ["include", "extends", "import"]
            .iter()
            .any(|k| tag.starts_with(k))
    })
}

/// What stands for a run of text in a [`Skeleton`]'s source: a character
/// from Unicode's private use area, one text node to tera.
const RUN_MARK: char = '\u{E000}';

/// A template as tera is given it: its tags, with each run of text between
/// them (text and plain `{{ variable }}` substitutions, as [`simple_pieces`]
/// takes them) replaced by [`RUN_MARK`], and the runs, already trimmed as the
/// tags' `-` ask. tera's parser (pest) is slow on text, which it reads a
/// character at a time, and on each `{{ }}`, which it reads as a full
/// expression: of the README's 10 KiB and 70 tags, it parses some 30 tags.
/// Once parsed, the text nodes of the tree get the runs, rendered
/// ([`fill_runs`]): tera renders the same bytes.
#[derive(Debug)]
struct Skeleton {
    source: String,
    runs: Vec<Vec<Piece>>,
}

/// Splits a template into a [`Skeleton`]. `None` (parse the template as it
/// is) for anything this does not follow: raw blocks, macros, blocks and
/// inheritance (a macro's body cannot see the template's variables), an
/// unterminated tag, the marker character itself; and a template without tags.
fn skeleton(text: &str) -> Option<Skeleton> {
    struct Tag<'a> {
        source: &'a str,
        trims_before: bool,
        trims_after: bool,
    }
    if text.contains(RUN_MARK) {
        return None;
    }
    // Text and tags, alternating: texts[i] comes before tags[i].
    let mut texts: Vec<&str> = Vec::new();
    let mut tags: Vec<Tag> = Vec::new();
    let mut rest = text;
    loop {
        let start = rest
            .match_indices('{')
            .map(|(i, _)| i)
            .find(|&i| matches!(rest.as_bytes().get(i + 1), Some(b'{' | b'%' | b'#')));
        let Some(start) = start else {
            texts.push(rest);
            break;
        };
        texts.push(&rest[..start]);
        let tag = &rest[start..];
        let len = if let Some(comment) = tag.strip_prefix("{#") {
            comment.find("#}")? + 4
        } else {
            let close = if tag.starts_with("{{") { "}}" } else { "%}" };
            let mut i = 2;
            loop {
                let c = *tag.as_bytes().get(i)?;
                if matches!(c, b'"' | b'\'' | b'`') {
                    i += 1 + tag[i + 1..].find(c as char)? + 1;
                } else if tag[i..].starts_with(close) {
                    break i + 2;
                } else {
                    i += 1;
                }
            }
        };
        let source = &tag[..len];
        if let Some(inner) = source.strip_prefix("{%") {
            let keyword = inner.trim_start_matches('-').split_whitespace().next();
            let unfollowed = [
                "raw", "endraw", "macro", "block", "extends", "include", "import",
            ];
            if keyword.is_none_or(|k| unfollowed.iter().any(|u| k.starts_with(u))) {
                return None;
            }
        }
        if source.contains("super(") {
            return None;
        }
        // Comments that open the template, before any text, are dropped by
        // tera's parser with their `-` unheeded.
        let leading = source.starts_with("{#")
            && texts.iter().all(|r| r.is_empty())
            && tags.iter().all(|t| t.source.starts_with("{#"));
        tags.push(Tag {
            source,
            trims_before: !leading && source.as_bytes()[2] == b'-',
            trims_after: !leading && source.as_bytes()[len - 3] == b'-',
        });
        rest = &tag[len..];
    }
    if tags.is_empty() {
        return None;
    }
    // Names the template binds itself ({% set %}, {% for %}, `loop`) are tera's to print.
    let mut bound = vec!["loop"];
    // Open blocks: tera leaves the `-` of a for loop's `else` unheeded; not followed here.
    let mut open = Vec::new();
    for t in tags.iter().filter(|t| t.source.starts_with("{%")) {
        let inner = t.source[2..t.source.len() - 2].trim_matches('-');
        let mut words = inner.split_whitespace();
        let keyword = words.clone().next();
        match keyword {
            Some(k @ ("if" | "for" | "filter")) => open.push(k),
            Some("endif" | "endfor" | "endfilter") => {
                open.pop();
            }
            Some("else") if open.last() == Some(&"for") => return None,
            _ => {}
        }
        match words.next() {
            Some("set" | "set_global") => {
                bound.extend(inner.split('=').next()?.split_whitespace().nth(1));
            }
            Some("for") => {
                let names = inner
                    .trim_start()
                    .strip_prefix("for")?
                    .split(" in ")
                    .next()?;
                bound.extend(names.split(',').map(str::trim));
            }
            _ => {}
        }
    }
    let absorbed = |t: &Tag| -> bool {
        match simple_pieces(t.source).as_deref() {
            Some([Piece::Text(a), Piece::Var(path) | Piece::YamlString(path), Piece::Text(b)]) => {
                a.is_empty() && b.is_empty() && !bound.contains(&path[0].as_str())
            }
            _ => false,
        }
    };
    let mut source = String::new();
    let mut runs = Vec::new();
    let mut run = String::new();
    let mut trim_start = false;
    for (i, text) in texts.iter().enumerate() {
        run.push_str(text);
        let tag = tags.get(i);
        if let Some(t) = tag.filter(|t| absorbed(t)) {
            run.push_str(t.source);
            continue;
        }
        let mut pieces = simple_pieces(&run)?;
        if trim_start {
            if let Some(Piece::Text(t)) = pieces.first_mut() {
                *t = t.trim_start().to_string();
            }
        }
        if tag.is_some_and(|t| t.trims_before) {
            if let Some(Piece::Text(t)) = pieces.last_mut() {
                *t = t.trim_end().to_string();
            }
        }
        if pieces
            .iter()
            .any(|p| !matches!(p, Piece::Text(t) if t.is_empty()))
        {
            source.push(RUN_MARK);
            runs.push(pieces);
        }
        run.clear();
        if let Some(t) = tag {
            source.push_str(t.source);
            trim_start = t.trims_after;
        }
    }
    Some(Skeleton { source, runs })
}

/// Calls `f` on each text node of a parsed template's tree, in the order of the source.
fn each_text(nodes: &mut [tera::ast::Node], f: &mut dyn FnMut(&mut String)) {
    use tera::ast::Node;
    for node in nodes {
        match node {
            Node::Text(t) => f(t),
            Node::If(i, _) => {
                for (_, _, body) in &mut i.conditions {
                    each_text(body, f);
                }
                if let Some((_, body)) = &mut i.otherwise {
                    each_text(body, f);
                }
            }
            Node::Forloop(_, l, _) => {
                each_text(&mut l.body, f);
                if let Some(body) = &mut l.empty_body {
                    each_text(body, f);
                }
            }
            Node::FilterSection(_, s, _) => each_text(&mut s.body, f),
            Node::Block(_, b, _) => each_text(&mut b.body, f),
            Node::MacroDefinition(_, m, _) => each_text(&mut m.body, f),
            _ => {}
        }
    }
}

/// Whether a parsed [`Skeleton`] has one text node per run, each the marker.
fn marks_match(ast: &mut [tera::ast::Node], runs: usize) -> bool {
    let (mut count, mut all_marks) = (0, true);
    each_text(ast, &mut |t| {
        count += 1;
        all_marks &= t.len() == RUN_MARK.len_utf8() && t.starts_with(RUN_MARK);
    });
    count == runs && all_marks
}

/// Puts the rendered runs into the text nodes of a parsed [`Skeleton`], in order.
fn fill_runs(ast: &mut [tera::ast::Node], runs: Vec<String>) {
    let mut runs = runs.into_iter();
    each_text(ast, &mut |t| *t = runs.next().unwrap_or_default());
}

/// One term of a condition evaluated without tera.
#[derive(Debug, PartialEq)]
enum Atom {
    /// `var`, `not var` (negated).
    Truthy(bool, String),
    /// `"text" in var`.
    In(String, String),
    /// `var == "text"`, `var != "text"` (negated).
    Equals(bool, String, String),
}

fn string_literal(s: &str) -> Option<&str> {
    let q = s.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let inner = s.strip_prefix(q)?.strip_suffix(q)?;
    (!inner.contains(q)).then_some(inner)
}

fn variable_name(s: &str) -> Option<String> {
    let keyword = matches!(
        s,
        "true" | "false" | "True" | "False" | "not" | "and" | "or" | "in" | "is"
    );
    (is_identifier(s) && !keyword).then(|| s.to_string())
}

/// The common conditions, evaluated without tera: terms joined by `and`,
/// each `var`, `not var`, `"text" in var`, `var == "text"` or `var != "text"`.
fn quick_condition(expr: &str) -> Option<Vec<Atom>> {
    if expr.contains(['(', ')', '\t', '\n', '\r']) || expr.contains(" or ") {
        return None;
    }
    expr.split(" and ")
        .map(|term| {
            let term = term.trim();
            if let Some((var, text)) = term.split_once("==") {
                return Some(Atom::Equals(
                    false,
                    variable_name(var.trim())?,
                    string_literal(text.trim())?.to_string(),
                ));
            }
            if let Some((var, text)) = term.split_once("!=") {
                return Some(Atom::Equals(
                    true,
                    variable_name(var.trim())?,
                    string_literal(text.trim())?.to_string(),
                ));
            }
            if let Some((text, var)) = term.split_once(" in ") {
                return Some(Atom::In(
                    string_literal(text.trim())?.to_string(),
                    variable_name(var.trim())?,
                ));
            }
            match term.strip_prefix("not ") {
                Some(var) => Some(Atom::Truthy(true, variable_name(var.trim())?)),
                None => Some(Atom::Truthy(false, variable_name(term)?)),
            }
        })
        .collect()
}

impl Atom {
    fn variable(&self) -> &str {
        match self {
            Atom::Truthy(_, v) | Atom::In(_, v) | Atom::Equals(_, v, _) => v,
        }
    }
}

/// A quick condition's value, as tera's `if` has it (`and` stops at the
/// first false term); `None` for a value whose type it leaves to tera.
fn holds(atoms: &[Atom], json: &serde_json::Value) -> Option<bool> {
    use serde_json::Value as J;
    for atom in atoms {
        let value = json.get(atom.variable());
        let term = match (atom, value) {
            (Atom::Truthy(negated, _), v) => truthy(v) != *negated,
            (Atom::In(text, _), Some(J::String(s))) => s.contains(text.as_str()),
            (Atom::Equals(negated, _, text), Some(J::String(s))) => (s == text) != *negated,
            _ => return None,
        };
        if !term {
            return Some(false);
        }
    }
    Some(true)
}

/// Truthiness as tera's `if` has it.
fn truthy(v: Option<&serde_json::Value>) -> bool {
    use serde_json::Value as J;
    match v {
        None | Some(J::Null) => false,
        Some(J::Bool(b)) => *b,
        Some(J::Number(n)) => n.as_f64() != Some(0.0),
        Some(J::String(s)) => !s.is_empty(),
        Some(J::Array(a)) => !a.is_empty(),
        Some(J::Object(o)) => !o.is_empty(),
    }
}

fn render_simple(name: &str, pieces: &[Piece], ctx: &serde_json::Value) -> Result<String> {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Var(path) | Piece::YamlString(path) => {
                let value = path.iter().try_fold(ctx, |v, key| v.get(key));
                let text = match value {
                    Some(serde_json::Value::String(s)) => Some(s.clone()),
                    Some(v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) => {
                        Some(v.to_string())
                    }
                    _ => None,
                };
                match (text, piece) {
                    (Some(t), Piece::YamlString(_)) => out.push_str(&filters::yaml_string(&t)),
                    (Some(t), _) => out.push_str(&t),
                    (None, _) => match value {
                        Some(_) => bail!(
                            "{name}: `{}` is not a value that can be printed",
                            path.join(".")
                        ),
                        None => bail!("{name}: Variable `{}` not found in context", path.join(".")),
                    },
                }
            }
        }
    }
    Ok(out)
}

fn is_templated(s: &str) -> bool {
    s.contains("{{") || s.contains("{%")
}

/// Whether a condition keyed `key` applies to `path`: the file itself or anything below it.
fn covers(key: &str, path: &str) -> bool {
    path.strip_prefix(key)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The template-side path a condition key refers to: `.tera` removed.
fn logical_path(path: &str) -> &str {
    path.strip_suffix(RENDER_SUFFIX).unwrap_or(path)
}

impl<'t> Engine<'t> {
    /// Parses everything; on failure returns every problem found, each naming its file.
    fn compile(template: &'t Template, lazy: bool) -> std::result::Result<Engine<'t>, Vec<String>> {
        let mut problems = Vec::new();
        let mut sources: Vec<(String, String)> = Vec::new();
        let mut pending = HashMap::new();
        let mut simple = HashMap::new();
        // A file may include, extend or import another: then all are parsed up front.
        let lazy = lazy
            && !template.files.iter().any(|f| {
                f.path.ends_with(RENDER_SUFFIX)
                    && std::str::from_utf8(&f.contents).is_ok_and(refers_to_others)
            });
        for f in &template.files {
            if f.path.ends_with(RENDER_SUFFIX) {
                match std::str::from_utf8(&f.contents) {
                    Ok(text) => match simple_pieces(text) {
                        Some(pieces) => {
                            simple.insert(f.path.clone(), pieces);
                        }
                        None if lazy => {
                            pending.insert(f.path.clone(), text.to_string());
                        }
                        None => sources.push((f.path.clone(), text.to_string())),
                    },
                    Err(_) => problems.push(format!("{}: a .tera file must be UTF-8 text", f.path)),
                }
            }
            if is_templated(&f.path) {
                sources.push((format!("{PATH_PREFIX}{}", f.path), f.path.clone()));
            }
        }
        let mut quick = HashMap::new();
        for (key, expr) in &template.manifest.conditions {
            let q = quick_condition(expr).filter(|atoms| {
                atoms
                    .iter()
                    .all(|a| template.manifest.variable(a.variable()).is_some())
            });
            match q {
                Some(q) => {
                    quick.insert(key.clone(), q);
                    // tera's, should a value be of a type `holds` leaves to it.
                    pending.insert(
                        format!("{COND_PREFIX}{key}"),
                        format!("{{% if {expr} %}}true{{% endif %}}"),
                    );
                }
                None => sources.push((
                    format!("{COND_PREFIX}{key}"),
                    format!("{{% if {expr} %}}true{{% endif %}}"),
                )),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![]);
        filters::register(&mut tera);
        // Templates are data: they may not read the user's environment.
        tera.register_function("get_env", |_: &HashMap<String, tera::Value>| {
            Err(tera::Error::msg(
                "get_env is not available in flaskgen templates",
            ))
        });
        // Parsing dominates flaskgen's run time, so each file is parsed once;
        // only when that fails is each one parsed alone, to report every broken file.
        if let Err(batch) =
            tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        {
            for (name, text) in &sources {
                if let Err(e) = Tera::default().add_raw_template(name, text) {
                    problems.push(describe(name, &e));
                }
            }
            if problems.is_empty() {
                problems.push(describe("template", &batch));
            }
            return Err(problems);
        }
        Ok(Engine {
            tera: RefCell::new(tera),
            pending: RefCell::new(pending),
            skeletons: RefCell::new(HashMap::new()),
            simple,
            quick,
            template,
        })
    }

    fn render_str(&self, name: &str, ctx: &Context, json: &serde_json::Value) -> Result<String> {
        if let Some(pieces) = self.simple.get(name) {
            return render_simple(name, pieces, json);
        }
        let text = self.pending.borrow_mut().remove(name);
        if let Some(text) = text {
            let mut tera = self.tera.borrow_mut();
            let parsed = match skeleton(&text) {
                Some(sk) if tera.add_raw_template(name, &sk.source).is_ok() => {
                    let ast = &mut tera.templates.get_mut(name).expect("just added").ast;
                    if marks_match(ast, sk.runs.len()) {
                        self.skeletons
                            .borrow_mut()
                            .insert(name.to_string(), sk.runs);
                        Ok(())
                    } else {
                        tera.add_raw_template(name, &text)
                    }
                }
                // A parse error is reported against the file as written.
                _ => tera.add_raw_template(name, &text),
            };
            parsed.map_err(|e| anyhow!(describe(name, &e)))?;
        }
        let runs = self.skeletons.borrow().get(name).map(|runs| {
            runs.iter()
                .map(|pieces| render_simple(name, pieces, json))
                .collect::<Result<Vec<String>>>()
        });
        match runs {
            Some(Ok(runs)) => {
                let mut tera = self.tera.borrow_mut();
                fill_runs(&mut tera.templates.get_mut(name).expect("parsed").ast, runs);
            }
            // A variable a run names is missing or cannot be printed: tera
            // says so only if the run is rendered, so it parses the file whole.
            Some(Err(_)) => {
                self.skeletons.borrow_mut().remove(name);
                let text = self.template.files.iter().find(|f| f.path == name);
                let text = text
                    .and_then(|f| std::str::from_utf8(&f.contents).ok())
                    .unwrap_or_default();
                self.tera
                    .borrow_mut()
                    .add_raw_template(name, text)
                    .map_err(|e| anyhow!(describe(name, &e)))?;
            }
            None => {}
        }
        let rendered = self.tera.borrow().render(name, ctx);
        rendered.map_err(|e| anyhow!(describe(name, &e)))
    }

    fn included(&self, path: &str, ctx: &Context, json: &serde_json::Value) -> Result<bool> {
        let logical = logical_path(path);
        for (key, _) in &self.template.manifest.conditions {
            if covers(key, logical) {
                let quick = self.quick.get(key).and_then(|atoms| holds(atoms, json));
                let holds = match quick {
                    Some(h) => h,
                    None => self.render_str(&format!("{COND_PREFIX}{key}"), ctx, json)? == "true",
                };
                if !holds {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    fn plan(&self, values: &Values) -> Result<Plan> {
        Ok(self.plan_traced(values)?.0)
    }

    /// The plan, and for each file the template file it came from.
    fn plan_traced(&self, values: &Values) -> Result<(Plan, BTreeMap<String, String>)> {
        let mut sources = BTreeMap::new();
        let ctx = context(self.template, values);
        let json = ctx.clone().into_json();
        let mut files = Vec::new();
        let mut seen = BTreeSet::new();
        let with_answers = self.included(ANSWERS_FILE, &ctx, &json)?;
        if with_answers {
            seen.insert(ANSWERS_FILE.to_string());
        }
        for f in &self.template.files {
            if !self.included(&f.path, &ctx, &json)? {
                continue;
            }
            let rendered_path = if is_templated(&f.path) {
                self.render_str(&format!("{PATH_PREFIX}{}", f.path), &ctx, &json)?
            } else {
                f.path.clone()
            };
            let out_path = confine(&f.path, logical_path(&rendered_path))?;
            sources.insert(out_path.clone(), f.path.clone());
            if !seen.insert(out_path.clone()) {
                bail!("template file {} renders to {out_path}, which another template file also writes", f.path);
            }
            let contents = if f.path.ends_with(RENDER_SUFFIX) {
                Cow::Owned(self.render_str(&f.path, &ctx, &json)?.into_bytes())
            } else {
                f.contents.clone()
            };
            files.push(File {
                path: out_path,
                contents,
                executable: f.executable,
            });
        }
        if with_answers {
            // Last, so it can record the hash of every other file.
            let text = answers::render(self.template, values, &files);
            files.push(File {
                path: ANSWERS_FILE.to_string(),
                contents: Cow::Owned(text.into_bytes()),
                executable: false,
            });
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok((Plan { files }, sources))
    }
}

/// Renders the whole project in memory.
pub fn render(template: &Template, values: &Values) -> Result<Plan> {
    let engine = Engine::compile(template, true).map_err(|p| anyhow!(p.join("\n")))?;
    engine.plan(values)
}

/// [`render`], with each output path's template file (path inside the
/// template): how `flaskgen update` follows a file whose name changed.
pub fn render_traced(
    template: &Template,
    values: &Values,
) -> Result<(Plan, BTreeMap<String, String>)> {
    let engine = Engine::compile(template, true).map_err(|p| anyhow!(p.join("\n")))?;
    engine.plan_traced(values)
}

/// Every problem that stops the template from rendering with `values`, for `template check`.
pub fn problems(template: &Template, values: &Values) -> Vec<String> {
    let mut problems = Vec::new();
    for (key, _) in &template.manifest.conditions {
        let known = key == ANSWERS_FILE
            || template
                .files
                .iter()
                .any(|f| covers(key, logical_path(&f.path)));
        if !known {
            problems.push(format!(
                "flaskgen.toml: condition for {key:?} names no file of the template"
            ));
        }
    }
    match Engine::compile(template, false) {
        Err(mut p) => problems.append(&mut p),
        Ok(engine) => {
            if let Err(e) = engine.plan(values) {
                problems.push(e.to_string());
            }
        }
    }
    problems
}

/// Values exposed to templates: each variable by name, plus `flaskgen`.
pub fn context(template: &Template, values: &Values) -> Context {
    let mut ctx = Context::new();
    for (name, value, _) in values.iter() {
        ctx.insert(name, value);
    }
    ctx.insert(
        "flaskgen",
        &serde_json::json!({
            "version": env!("CARGO_PKG_VERSION"),
            "template": template.manifest.meta.name,
            "template_version": template.manifest.meta.version,
        }),
    );
    ctx
}

/// Checks a rendered path stays inside the project: relative, no `..`, no empty parts.
/// Whether `path` may name a file of a project: the rule [`confine`] holds
/// rendered paths to (for paths from elsewhere, such as an answers file).
pub fn is_confined(path: &str) -> bool {
    confine("", path).is_ok()
}

fn confine(template_path: &str, rendered: &str) -> Result<String> {
    let bad = rendered.is_empty()
        || rendered.starts_with('/')
        || rendered.contains('\\')
        || rendered.contains('\0')
        || rendered
            .split('/')
            .any(|c| c.is_empty() || c == "." || c == ".." || c.trim().is_empty());
    if bad {
        bail!(
            "template file {template_path} renders to the unsafe path {}: absolute paths, `..`, `.` and empty components are refused",
            crate::text::quote(rendered)
        );
    }
    if let Some(vcs) = rendered.split('/').find(|c| crate::template::is_vcs_dir(c)) {
        bail!(
            "template file {template_path} renders to {}, inside a version-control directory ({}); a kit may not write there",
            crate::text::quote(rendered),
            crate::text::quote(vcs)
        );
    }
    Ok(rendered.to_string())
}

/// One line for a tera error: file, line and column where tera gives them.
fn describe(name: &str, err: &tera::Error) -> String {
    use std::error::Error as _;
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    let text = parts.join("\n");
    let file = name
        .strip_prefix(PATH_PREFIX)
        .map(|p| format!("{p} (file name)"))
        .unwrap_or_else(|| {
            name.strip_prefix(COND_PREFIX)
                .map(|c| format!("flaskgen.toml (condition for {c:?})"))
                .unwrap_or_else(|| name.to_string())
        });
    let location = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("--> "))
        .map(|lc| format!(":{}", lc.trim()))
        .unwrap_or_default();
    let detail: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with("-->")
                && !l.starts_with('|')
                && !l.starts_with("Failed to parse")
        })
        .filter(|l| !l.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .map(|l| l.trim_start_matches("= "))
        .collect();
    format!("{file}{location}: {}", detail.join(": "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::{Source, Value};

    fn values() -> Values {
        let mut v = Values::default();
        v.set("name", Value::Str("svc".into()), Source::CommandLine);
        v.set("port", Value::Int(8080), Source::CommandLine);
        v.set(
            "base_image",
            Value::Str("python:3.13-alpine".into()),
            Source::CommandLine,
        );
        v.set("image", Value::Str("me/svc".into()), Source::CommandLine);
        v.set("minimal", Value::Bool(false), Source::CommandLine);
        v
    }

    #[test]
    fn simple_pieces_take_only_plain_substitutions() {
        assert_eq!(
            simple_pieces("a {{ name }} b {{flaskgen.version}}"),
            Some(vec![
                Piece::Text("a ".into()),
                Piece::Var(vec!["name".into()]),
                Piece::Text(" b ".into()),
                Piece::Var(vec!["flaskgen".into(), "version".into()]),
                Piece::Text(String::new()),
            ])
        );
        assert_eq!(
            simple_pieces("k: {{ image|yaml_string }}"),
            Some(vec![
                Piece::Text("k: ".into()),
                Piece::YamlString(vec!["image".into()]),
                Piece::Text(String::new()),
            ])
        );
        for tera_only in [
            "{% if x %}{% endif %}",
            "{# c #}",
            "{{ x | upper }}",
            "{{ x | yaml_string | upper }}",
            "{{ x | yaml_string(a=1) }}",
            "{{- x }}",
            "{{ x -}}",
            "{{ true }}",
            "{{ 1 }}",
            "{{ x",
            "{{ __tera_context }}",
        ] {
            assert_eq!(simple_pieces(tera_only), None, "{tera_only}");
        }
    }

    /// The fast path renders every built-in file exactly as tera does.
    #[test]
    fn fast_path_matches_tera_on_the_builtin_template() {
        let template = Template::builtin().unwrap();
        let values = values();
        let ctx = context(&template, &values);
        let mut fast = 0;
        for f in template
            .files
            .iter()
            .filter(|f| f.path.ends_with(RENDER_SUFFIX))
        {
            let text = std::str::from_utf8(&f.contents).unwrap();
            if let Some(pieces) = simple_pieces(text) {
                fast += 1;
                let mut tera = Tera::default();
                filters::register(&mut tera);
                tera.add_raw_template("t", text).unwrap();
                let by_tera = tera.render("t", &ctx).unwrap();
                assert_eq!(
                    render_simple(&f.path, &pieces, &ctx.clone().into_json()).unwrap(),
                    by_tera,
                    "{}",
                    f.path
                );
            }
        }
        assert!(fast >= 4, "most built-in files take the fast path");
        let err = render_simple("x", &simple_pieces("{{ nope }}").unwrap(), &ctx.into_json())
            .unwrap_err();
        assert!(err.to_string().contains("nope"));
    }

    /// Renders `text` as [`Engine`] does with a [`Skeleton`]; `None` when it takes none.
    fn render_hoisted(text: &str, ctx: &Context) -> Option<String> {
        let sk = skeleton(text)?;
        let mut tera = Tera::default();
        filters::register(&mut tera);
        tera.add_raw_template("t", &sk.source).unwrap();
        let ast = &mut tera.templates.get_mut("t").unwrap().ast;
        assert!(marks_match(ast, sk.runs.len()), "{text:?}: {:?}", sk.source);
        let json = ctx.clone().into_json();
        let runs = sk
            .runs
            .iter()
            .map(|p| render_simple("t", p, &json).unwrap())
            .collect();
        fill_runs(ast, runs);
        Some(tera.render("t", ctx).unwrap())
    }

    fn render_plain(text: &str, ctx: &Context) -> String {
        let mut tera = Tera::default();
        filters::register(&mut tera);
        tera.add_raw_template("t", text).unwrap();
        tera.render("t", ctx).unwrap()
    }

    /// Every `.tera` file of the built-in template and of every release
    /// renders the same with its text hoisted out as parsed whole, for
    /// values that take each branch; and the hoisting does apply to them.
    #[test]
    fn hoisted_text_renders_as_tera_does_on_every_builtin_file() {
        let mut templates = vec![Template::builtin().unwrap()];
        for v in crate::update::releases::versions() {
            templates.push(crate::update::releases::builtin_at(&v.to_string()).unwrap());
        }
        let mut variants = Vec::new();
        for (image, base, minimal, deploy, ci) in [
            ("me/svc", "python:3.13-alpine", false, "none", "none"),
            (
                "svc",
                "python:3.14-slim",
                false,
                "swarm,kubernetes",
                "github",
            ),
            (
                "registry.example.com:5000/shop/svc:1.0",
                "python:3.12",
                true,
                "none",
                "none",
            ),
            (
                "ghcr.io/acme/tiny:2.0",
                "python@sha256:aa",
                false,
                "kubernetes",
                "github",
            ),
        ] {
            let mut v = values();
            v.set("image", Value::Str(image.into()), Source::CommandLine);
            v.set("base_image", Value::Str(base.into()), Source::CommandLine);
            v.set("minimal", Value::Bool(minimal), Source::CommandLine);
            v.set("deploy", Value::Str(deploy.into()), Source::CommandLine);
            v.set("ci", Value::Str(ci.into()), Source::CommandLine);
            v.set("replicas", Value::Int(2), Source::CommandLine);
            v.set("graceful_timeout", Value::Int(10), Source::CommandLine);
            variants.push(v);
        }
        let mut hoisted = 0;
        for template in &templates {
            for f in template
                .files
                .iter()
                .filter(|f| f.path.ends_with(RENDER_SUFFIX))
            {
                let text = std::str::from_utf8(&f.contents).unwrap();
                for v in &variants {
                    let ctx = context(template, v);
                    if let Some(out) = render_hoisted(text, &ctx) {
                        hoisted += 1;
                        assert_eq!(out, render_plain(text, &ctx), "{}", f.path);
                    }
                }
            }
        }
        // README.md and Dockerfile at least, in each template, for each variant.
        assert!(hoisted >= templates.len() * variants.len() * 2, "{hoisted}");
        let readme = Template::builtin().unwrap();
        let readme = readme
            .files
            .iter()
            .find(|f| f.path == "README.md.tera")
            .unwrap();
        let sk = skeleton(std::str::from_utf8(&readme.contents).unwrap()).unwrap();
        assert!(sk.source.len() * 5 < readme.contents.len(), "{}", sk.source);
    }

    /// Whitespace control on every side of every kind of tag, strings that
    /// hold tag delimiters, loops and filters: the same output as tera's;
    /// what hoisting does not follow is left to tera whole.
    #[test]
    fn hoisted_text_keeps_whitespace_control_and_strings() {
        let mut ctx = Context::new();
        ctx.insert("x", &true);
        ctx.insert("n", "svc");
        ctx.insert("items", &vec!["a", "b"]);
        for text in [
            "a  {{- n -}}  b\n",
            "a\n  {%- if x -%}\n  in  \n{%- else -%} out {%- endif -%}\n b",
            "a {% if not x %} no {%- elif x -%}  yes {% endif %} c",
            "{#- note -#}\n  start {# mid -#}  end {#- x #}\n",
            "{# a -#}{# b -#}  \n{{ n }} {#- c -#}\n",
            "\n{#- not leading -#}\n x",
            "t {% set s = \"}} %} {{\" %}{{ s }} '{{ '%}' }}' `{{ `#}` }}`",
            "{%- for i in items -%}\n  - {{ i }}\n{%- endfor %}\nafter",
            "{% filter upper %} up {{ n }} {% endfilter %} down",
            "lone { brace } and % and # {{ n | upper }}\n\n",
            "  {{ n }}  ",
            "{{n}}{{n}}",
            "{% set n = 'local' %}{{ n }} and {{ x }}",
            "{% for n in items %}{{ n }}/{{ loop.index }} {% endfor %}{{ n }}",
            "{% for i in items -%}  {{ n }}  {%- endfor %}",
            "{% for i in items %}{% if x -%} a {%- else -%} b {%- endif %}{% endfor %}",
            "{{- n }} {{ n -}} x {{ n | yaml_string }}",
        ] {
            assert_eq!(
                render_hoisted(text, &ctx).as_deref(),
                Some(render_plain(text, &ctx).as_str()),
                "{text:?}"
            );
        }
        for unfollowed in [
            "plain text",
            "{% raw %}{{ x }}{% endraw %} a",
            "{%- raw -%} {{ x }} {% endraw %}",
            "{% macro m() %}a{% endmacro m %}",
            "{% block b %}a{% endblock b %}",
            "{% extends \"base\" %}",
            "{% include \"x\" %}",
            "{% import \"m\" as m %}",
            "{{ x",
            "{# open",
            "{{ \"unterminated }}",
            "{% for i in items -%}  {{ n }}  {%- else %}none{% endfor %}",
        ] {
            assert!(skeleton(unfollowed).is_none(), "{unfollowed:?}");
        }
    }

    /// A run naming a variable the values lack is an error only where tera
    /// would render it: in a branch not taken it is not.
    #[test]
    fn a_missing_variable_fails_only_in_the_branch_taken() {
        let manifest = crate::template::manifest::Manifest::parse(
            "[template]\nname = \"k\"\nversion = \"1.0.0\"\n[variables.name]\nprompt = \"Name\"\n",
            "flaskgen.toml",
        )
        .unwrap();
        let file = |path: &str, text: &'static str| File {
            path: path.into(),
            contents: Cow::Borrowed(text.as_bytes()),
            executable: false,
        };
        let mut values = Values::default();
        values.set("name", Value::Str("svc".into()), Source::CommandLine);
        let template = Template {
            manifest,
            files: vec![file(
                "a.txt.tera",
                "{{ name }}{% if name == 'x' %} {{ missing }}{% endif %} end\n",
            )],
            origin: crate::template::Origin::Builtin,
        };
        let plan = render(&template, &values).unwrap();
        let a = plan.files.iter().find(|f| f.path == "a.txt").unwrap();
        assert_eq!(&a.contents[..], b"svc end\n");
        let template = Template {
            files: vec![file(
                "b.txt.tera",
                "{% if name %}{{ missing }}{% endif %}\n",
            )],
            ..template
        };
        let err = render(&template, &values).unwrap_err().to_string();
        assert!(
            err.contains("missing") && err.contains("b.txt.tera"),
            "{err}"
        );
    }

    #[test]
    fn templates_that_refer_to_others_are_seen() {
        for yes in [
            "a {% include \"x\" %}",
            "{%- include \"x\" -%}",
            "{%   extends \"base\" %}",
            "{% import \"m\" as m %}",
        ] {
            assert!(refers_to_others(yes), "{yes}");
        }
        for no in [
            "{% if x %}include{% endif %}",
            "{{ import }}",
            "{# include #}",
            "plain",
        ] {
            assert!(!refers_to_others(no), "{no}");
        }
    }

    /// Quick conditions agree with tera's `if` on every kind of value.
    #[test]
    fn quick_conditions_match_tera() {
        let mut ctx = Context::new();
        ctx.insert("t", &true);
        ctx.insert("f", &false);
        ctx.insert("zero", &0);
        ctx.insert("two", &2);
        ctx.insert("empty", "");
        ctx.insert("text", "x");
        ctx.insert("deploy", "swarm,kubernetes");
        ctx.insert("ci", "github");
        let json = ctx.clone().into_json();
        let tera = |expr: &str| {
            Tera::one_off(&format!("{{% if {expr} %}}true{{% endif %}}"), &ctx, false).unwrap()
                == "true"
        };
        let mut exprs = Vec::new();
        for var in ["t", "f", "zero", "two", "empty", "text", "deploy", "ci"] {
            exprs.extend([
                var.to_string(),
                format!("not {var}"),
                format!("  not   {var} "),
            ]);
        }
        for text in ["swarm", "kubernetes", "nomad", "", "x", "github"] {
            for var in ["deploy", "ci", "text", "empty"] {
                exprs.extend([
                    format!("\"{text}\" in {var}"),
                    format!("{var} == '{text}'"),
                    format!("{var} != \"{text}\""),
                    format!("not f and \"{text}\" in {var}"),
                    format!("t and {var} == \"{text}\" and not empty"),
                ]);
            }
        }
        for expr in &exprs {
            let atoms = quick_condition(expr).unwrap_or_else(|| panic!("{expr}"));
            assert_eq!(holds(&atoms, &json), Some(tera(expr)), "{expr}");
        }
        // A type left to tera; `and` stops at the first false term, as tera's does.
        let atoms = quick_condition("'x' in two").unwrap();
        assert_eq!(holds(&atoms, &json), None);
        let atoms = quick_condition("f and 'x' in two").unwrap();
        assert_eq!(holds(&atoms, &json), Some(false));
        for tera_only in [
            "a or b",
            "(a)",
            "x == y",
            "not",
            "true",
            "a.b",
            "not not a",
            "x == 'a and b'",
            "'a' in b and",
            "x > 'a'",
        ] {
            assert!(quick_condition(tera_only).is_none(), "{tera_only}");
        }
    }

    #[test]
    fn unsafe_paths_are_refused() {
        for bad in [
            "",
            "/abs",
            "a//b",
            "../x",
            "a/../../x",
            "./x",
            "a\\b",
            " /x",
            ".git/hooks/pre-commit",
            "sub/.GIT/config",
            ".hg/hgrc",
            ".svn/entries",
            ".git",
        ] {
            assert!(confine("t", bad).is_err(), "{bad:?}");
        }
        assert_eq!(confine("t", "a/b.txt").unwrap(), "a/b.txt");
        assert_eq!(confine("t", ".github/ci.yml").unwrap(), ".github/ci.yml");
        assert_eq!(confine("t", ".gitignore").unwrap(), ".gitignore");
    }
}
