//! The services of a compose file that matter to `check`: those that
//! `build:` this project (all of them when none does), with their ports,
//! healthcheck and `build.target`, read with the YAML parser in [`super::yaml`].

use super::yaml::{self, Node};
use crate::files::{Kind, Project};

/// The names compose looks for, in its order.
pub const FILES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Service {
    pub name: String,
    pub line: usize,
    pub builds: bool,
    /// `build.target`: the Dockerfile stage this service runs.
    pub target: Option<String>,
    /// Container ports of `ports:`, with their lines.
    pub ports: Vec<(u16, usize)>,
    /// `healthcheck:`: its line, and whether it is switched off (`disable: true`).
    pub healthcheck: Option<(usize, bool)>,
}

#[derive(Debug, Clone, Default)]
pub struct Compose {
    /// The file read, relative to the project root.
    pub file: String,
    /// The services built from this project (all services when none is).
    pub services: Vec<Service>,
}

/// The container port of a `ports:` item: `"8080:5000"`, `9000:9000/tcp`,
/// `5000`, or the long form's `target:`.
fn container_port(item: &Node) -> Option<u16> {
    let s = match item.get("target") {
        Some(t) => t.as_str()?,
        None => item.as_str()?,
    };
    let s = s.split('/').next()?;
    s.rsplit(':').next()?.trim().parse().ok()
}

fn service(name: &str, n: &Node) -> Service {
    let build = n.get("build");
    let healthcheck = n.get("healthcheck").map(|h| {
        let off = h.get("disable").and_then(Node::as_str) == Some("true")
            || h.get("test")
                .and_then(|t| t.as_str().or_else(|| t.items().first()?.as_str()))
                == Some("NONE");
        (h.line, off)
    });
    Service {
        name: name.to_string(),
        line: n.line,
        builds: build.is_some(),
        target: build
            .and_then(|b| b.get("target"))
            .and_then(Node::as_str)
            .map(String::from),
        ports: n
            .get("ports")
            .map(|p| {
                p.items()
                    .iter()
                    .filter_map(|i| Some((container_port(i)?, i.line)))
                    .collect()
            })
            .unwrap_or_default(),
        healthcheck,
    }
}

/// The services of a compose file's text; empty when it is not YAML.
pub fn services(text: &str) -> Vec<Service> {
    let Some(doc) = yaml::parse(text) else {
        return vec![];
    };
    let all: Vec<Service> = doc
        .get("services")
        .map(|s| s.entries().iter().map(|(k, v)| service(k, v)).collect())
        .unwrap_or_default();
    let any_build = all.iter().any(|s| s.builds);
    all.into_iter().filter(|s| s.builds || !any_build).collect()
}

/// The project's compose file, the first of [`FILES`] present.
pub fn read(project: &Project) -> Option<Compose> {
    FILES.iter().find_map(|name| {
        let text = project.text(name, Kind::Config)?;
        Some(Compose {
            file: name.to_string(),
            services: services(&text),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_of_the_built_service() {
        let t = "services:\n  web:\n    ports:\n      - \"8080:5000\"\n      - 9000:9000/tcp\n    environment:\n      PORT: 1\n";
        assert_eq!(services(t)[0].ports, vec![(5000, 4), (9000, 5)]);
        // Only the service built from this project counts, not its database.
        let t = "version: '3'\nservices:\n  app:\n    build: .\n    ports:\n      - 5007:5000\n  db:\n    image: postgres:16.1\n    ports:\n     - 5010:5432\nvolumes:\n  data:\n";
        let s = services(t);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].ports, vec![(5000, 6)]);
    }

    #[test]
    fn target_healthcheck_and_long_ports() {
        let t = "services:\n  app:\n    build:\n      context: .\n      target: prod\n    ports:\n      - target: 8000\n        published: 80\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n";
        let s = &services(t)[0];
        assert_eq!(s.target.as_deref(), Some("prod"));
        assert_eq!(s.ports, vec![(8000, 7)]);
        assert_eq!(s.healthcheck, Some((9, false)));
        let t = "services:\n  app:\n    build: .\n    healthcheck:\n      disable: true\n";
        assert_eq!(services(t)[0].healthcheck, Some((4, true)));
    }
}
