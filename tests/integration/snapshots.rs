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
