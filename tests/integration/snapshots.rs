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
