//! The project's import graph: which of its Python files the entry point's
//! module reaches through imports (absolute and relative, inside functions
//! too, and `config.from_object("pkg.settings")`), so that what a CLI module
//! the web app never imports reads is not taken for the app's.

use std::collections::{BTreeMap, BTreeSet};

/// An import: (level of a relative import, module, names imported from it).
pub type Import = (u32, String, Vec<String>);

/// Imports read from the text's `import`/`from` lines, for a file not parsed.
pub fn scan_imports(text: &str) -> Vec<Import> {
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("from ") {
            let Some((module, names)) = rest.split_once(" import ") else {
                continue;
            };
            let module = module.trim();
            let level = module.chars().take_while(|c| *c == '.').count() as u32;
            let names = names
                .trim_matches(|c: char| c == '(' || c == ')' || c.is_whitespace())
                .split(',')
                .filter_map(|n| n.split_whitespace().next())
                .map(str::to_string)
                .collect();
            out.push((level, module.trim_start_matches('.').to_string(), names));
        } else if let Some(rest) = t.strip_prefix("import ") {
            for m in rest.split(',') {
                if let Some(m) = m.split_whitespace().next() {
                    out.push((0, m.to_string(), vec![]));
                }
            }
        }
    }
    out
}

/// Files reachable from `entry_module` (its own file, its packages'
/// `__init__.py`, and what they import, transitively); `modules` maps each
/// module name to its file, `imports` each file to its imports. `None` when
/// the entry's module is not one of the project's files.
pub fn reachable(
    entry_module: &str,
    modules: &BTreeMap<String, String>,
    imports: &BTreeMap<String, Vec<Import>>,
) -> Option<BTreeSet<String>> {
    modules.get(entry_module)?;
    Some(reachable_from(
        &[entry_module.to_string()],
        modules,
        imports,
    ))
}

/// Files reachable from any of `starts` (modules; unknown ones are passed over).
pub fn reachable_from(
    starts: &[String],
    modules: &BTreeMap<String, String>,
    imports: &BTreeMap<String, Vec<Import>>,
) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = Vec::new();
    // A module's packages run their __init__ first.
    let with_parents = |m: &str| -> Vec<String> {
        let parts: Vec<&str> = m.split('.').collect();
        (1..=parts.len())
            .filter_map(|i| modules.get(&parts[..i].join(".")).cloned())
            .collect()
    };
    for m in starts {
        todo.extend(with_parents(m));
    }
    let module_of_file: BTreeMap<&String, &String> = modules.iter().map(|(m, f)| (f, m)).collect();
    while let Some(file) = todo.pop() {
        if !seen.insert(file.clone()) {
            continue;
        }
        let Some(me) = module_of_file.get(&file) else {
            continue;
        };
        let is_pkg = file.ends_with("__init__.py");
        for (level, module, names) in imports.get(&file).into_iter().flatten() {
            let base = if *level == 0 {
                module.clone()
            } else {
                let mut parts: Vec<&str> = me.split('.').collect();
                // The package of a module is its parent; of a package, itself.
                let up = *level as usize - usize::from(is_pkg);
                if up > parts.len() {
                    continue;
                }
                parts.truncate(parts.len() - up);
                let mut b = parts.join(".");
                if !module.is_empty() {
                    if !b.is_empty() {
                        b.push('.');
                    }
                    b.push_str(module);
                }
                b
            };
            let mut targets = with_parents(&base);
            for n in names {
                targets.extend(modules.get(&format!("{base}.{n}")).cloned());
            }
            todo.extend(targets.into_iter().filter(|t| !seen.contains(t)));
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_and_absolute_imports_reach_their_files() {
        let modules: BTreeMap<String, String> = [
            ("wsgi", "wsgi.py"),
            ("shop", "shop/__init__.py"),
            ("shop.views", "shop/views.py"),
            ("shop.config", "shop/config.py"),
            ("shop.cli", "shop/cli.py"),
        ]
        .iter()
        .map(|(m, f)| (m.to_string(), f.to_string()))
        .collect();
        let imports: BTreeMap<String, Vec<Import>> = [
            ("wsgi.py", scan_imports("from shop import create_app\n")),
            (
                "shop/__init__.py",
                scan_imports("from . import views\nfrom .config import X\n"),
            ),
            ("shop/cli.py", scan_imports("import shop.config\n")),
        ]
        .into_iter()
        .map(|(f, i)| (f.to_string(), i))
        .collect();
        let r = reachable("wsgi", &modules, &imports).unwrap();
        let want: BTreeSet<String> = [
            "wsgi.py",
            "shop/__init__.py",
            "shop/views.py",
            "shop/config.py",
        ]
        .map(String::from)
        .into();
        assert_eq!(r, want);
        assert!(reachable("nowhere", &modules, &imports).is_none());
    }
}
