//! `flaskgen list`: the templates and the suggested base images.

use anyhow::Result;
use serde_json::json;

use crate::inputs::config;
use crate::present::{self, escape};
use crate::template::{Origin, Template};
use crate::values::SUGGESTED_BASE_IMAGES;

pub fn run(as_json: bool, no_config: bool) -> Result<()> {
    let config = config::load(no_config)?;
    let builtin = Template::builtin()?;
    let meta = &builtin.manifest.meta;
    let configured = config.defaults.template.clone();
    if as_json {
        let mut templates = vec![json!({
            "name": meta.name, "version": meta.version, "description": meta.description,
            "source": Origin::BUILTIN, "default": configured.is_none(),
        })];
        if let Some(src) = &configured {
            templates.push(json!({"source": src, "default": true, "config": config.path}));
        }
        let images: Vec<_> = SUGGESTED_BASE_IMAGES
            .iter()
            .enumerate()
            .map(|(i, (img, why))| json!({"image": img, "default": i == 0, "when": why}))
            .collect();
        present::stdout(&present::json::document(
            &json!({"templates": templates, "base_images": images}),
        ));
        return Ok(());
    }
    let mut out = String::from("Templates:\n");
    let mark = |d: bool| if d { " (default)" } else { "" };
    out.push_str(&format!(
        "  {} {}  built-in{}\n      {}\n",
        escape(&meta.name),
        escape(&meta.version),
        mark(configured.is_none()),
        escape(&meta.description)
    ));
    if let Some(src) = &configured {
        let from = config
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        out.push_str(&format!(
            "  {}  (default, from {})\n",
            escape(src),
            escape(&from)
        ));
    }
    out.push_str("\nBase images (--base-image):\n");
    for (i, (img, why)) in SUGGESTED_BASE_IMAGES.iter().enumerate() {
        let line = format!("  {img:<20}{}", mark(i == 0));
        out.push_str(&format!("{}\n      {why}\n", line.trim_end()));
    }
    out.push_str("  Any other reference with an explicit tag or digest works too, e.g. registry.example.com/python:3.14-slim\n");
    present::stdout(&out);
    Ok(())
}
