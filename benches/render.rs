//! Rendering the default project in memory, and rendering plus writing it.

use criterion::{criterion_group, criterion_main, Criterion};
use flaskgen::render;
use flaskgen::template::Template;
use flaskgen::values::{Source, Value, Values};
use flaskgen::write;

fn values() -> Values {
    let mut v = Values::default();
    v.set(
        "name",
        Value::Str("hello-flask".into()),
        Source::CommandLine,
    );
    v.set("port", Value::Int(5000), Source::TemplateDefault);
    v.set(
        "base_image",
        Value::Str("python:3.14-slim".into()),
        Source::TemplateDefault,
    );
    v.set(
        "image",
        Value::Str("hello-flask".into()),
        Source::TemplateDefault,
    );
    v.set("minimal", Value::Bool(false), Source::TemplateDefault);
    v
}

fn bench(c: &mut Criterion) {
    let values = values();
    c.bench_function("load built-in template + render in memory", |b| {
        b.iter(|| render::render(&Template::builtin().unwrap(), &values).unwrap())
    });
    let template = Template::builtin().unwrap();
    c.bench_function("render in memory", |b| {
        b.iter(|| render::render(&template, &values).unwrap())
    });
    let tmp = tempfile::tempdir().unwrap();
    let mut n = 0u64;
    c.bench_function("render + write to a temp dir", |b| {
        b.iter(|| {
            n += 1;
            let plan = render::render(&template, &values).unwrap();
            write::write(&plan, &tmp.path().join(n.to_string()), false).unwrap()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
