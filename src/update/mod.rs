//! `flaskgen update`: carries template changes into an existing project
//! with a three-way merge per file (base: the template the project was made
//! from; ours: the project on disk; theirs: the new template), all or
//! nothing. `merge` merges one file, `plan` decides every file, `patch` writes
//! the plan as a patch for `--dry-run`, `releases`
//! keeps every released built-in template, `source` fetches the base and
//! target of a kit.

pub mod merge;
pub mod patch;
pub mod plan;
pub mod releases;
pub mod source;
