//! Snapshots of every generated file, for the default project and a variant.

use rstest::rstest;

use crate::*;

#[rstest]
#[case::default("default", &["new", "hello-flask", "--yes"][..])]
#[case::alpine_custom("alpine-8080-registry", &["new", "orders-api", "--yes", "-p", "8080", "-b", "python:3.13-alpine", "--image", "registry.example.com:5000/shop/orders-api:1.0"][..])]
#[case::minimal("minimal", &["new", "hello-flask", "--yes", "--minimal"][..])]
fn generated_files(#[case] variant: &str, #[case] args: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    flaskgen(tmp.path()).args(args).assert().success();
    let root = tmp.path().join(args[1]);
    for f in files(&root) {
        insta::assert_snapshot!(
            format!("{variant}__{}", f.replace('/', "__")),
            read(root.join(&f))
        );
    }
}

/// Snapshots of the deploy and CI files (issue 14), which only these options add.
#[rstest]
#[case::deploy_all("deploy-all", &["new", "hello-flask", "--yes", "-d", "deploy=swarm,kubernetes", "-d", "ci=github"][..])]
#[case::deploy_custom("deploy-custom", &["new", "7shop_orders.api", "--yes", "-p", "8080", "-b", "python:3.13-alpine", "--image", "registry.example.com:5000/shop/orders-api:1.0", "-d", "deploy=kubernetes,swarm", "-d", "ci=github", "-d", "replicas=3", "-d", "graceful_timeout=25"][..])]
fn deploy_and_ci_files(#[case] variant: &str, #[case] args: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    flaskgen(tmp.path()).args(args).assert().success();
    let root = tmp.path().join(args[1]);
    let new: Vec<String> = files(&root)
        .into_iter()
        .filter(|f| f.starts_with("deploy/") || f.starts_with(".github/"))
        .collect();
    assert_eq!(new.len(), 11, "{new:?}");
    for f in new {
        insta::assert_snapshot!(
            format!("{variant}__{}", f.replace('/', "__")),
            read(root.join(&f))
        );
    }
}

/// Snapshots of every file `flaskgen init` writes, for every fixture project
/// and every dependency manager: pip (factory, migrate, module-app,
/// req-includes, two-apps), pdm, pipenv and poetry with and without their
/// locks, uv, pyproject (src-layout), none, and installable packages:
/// setup.py beside a CLI's requirements.txt (pkg-setuppy), setup.cfg
/// (pkg-setupcfg) and a flit pyproject (flaskr-package). `remove` is deleted from the
/// copy first; seed-tutorial has a Dockerfile of its own, so it takes --force.
#[rstest]
#[case::factory("factory", &[][..], &[][..])]
#[case::migrate("migrate", &[][..], &[][..])]
#[case::module_app("module-app", &[][..], &[][..])]
#[case::pdm("pdm", &[][..], &[][..])]
#[case::pipfile("pipfile", &[][..], &[][..])]
#[case::pipfile_unlocked("pipfile", &["Pipfile.lock"][..], &[][..])]
#[case::poetry("poetry", &[][..], &[][..])]
#[case::poetry_unlocked("poetry", &["poetry.lock"][..], &[][..])]
#[case::req_includes("req-includes", &[][..], &[][..])]
#[case::seed_tutorial("seed-tutorial", &[][..], &["--force"][..])]
#[case::src_layout("src-layout", &[][..], &[][..])]
#[case::two_apps("two-apps", &[][..], &["--entry", "web:app"][..])]
#[case::uv("uv", &[][..], &[][..])]
#[case::no_dependency_file("factory", &["requirements.txt"][..], &[][..])]
#[case::pkg_setuppy("pkg-setuppy", &[][..], &[][..])]
#[case::pkg_setupcfg("pkg-setupcfg", &[][..], &[][..])]
#[case::flaskr_package("flaskr-package", &[][..], &[][..])]
fn init_files(#[case] fixture_name: &str, #[case] remove: &[&str], #[case] flags: &[&str]) {
    let (_t, dir) = crate::existing::project(fixture_name);
    for r in remove {
        std::fs::remove_file(dir.join(r)).unwrap();
    }
    let before = files(&dir);
    let out = flaskgen(dir.parent().unwrap())
        .args(["init", "--yes"])
        .arg(&dir)
        .args(flags)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let variant = match remove.first() {
        Some(r) => format!("init-{fixture_name}-without-{r}"),
        None => format!("init-{fixture_name}"),
    };
    let written: Vec<String> = stderr(&out)
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("Wrote ")
                .or(l.trim().strip_prefix("Replaced "))
        })
        .map(|p| {
            p.strip_prefix(&format!("{}/", dir.display()))
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(written.iter().any(|f| f == ".flaskgen.toml"), "{written:?}");
    for f in files(&dir) {
        if before.contains(&f) && !written.contains(&f) {
            continue;
        }
        insta::assert_snapshot!(
            format!("{variant}__{}", f.replace('/', "__")),
            read(dir.join(&f))
        );
    }
}
