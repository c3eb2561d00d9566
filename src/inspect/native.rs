//! Dependencies that pip builds from source on Linux, because their
//! publishers ship no Linux wheel: a slim or Alpine image has no C compiler
//! and none of the headers they need, so the install step fails
//! (`error: command 'gcc' failed`, `pg_config executable not found`). The
//! system packages each one needs, for Debian and for Alpine images.

use std::collections::BTreeSet;

use serde::Serialize;

/// (distribution, Debian packages, Alpine packages).
const NATIVE: &[(&str, &str, &str)] = &[
    ("psycopg2", "libpq-dev", "postgresql-dev"),
    (
        "mysqlclient",
        "pkg-config default-libmysqlclient-dev",
        "pkgconf mariadb-dev",
    ),
    (
        "python-ldap",
        "libldap-dev libsasl2-dev",
        "openldap-dev cyrus-sasl-dev",
    ),
    (
        "pylibmc",
        "libmemcached-dev zlib1g-dev",
        "libmemcached-dev zlib-dev",
    ),
    ("uwsgi", "", "linux-headers"),
    ("netifaces", "", "linux-headers"),
    ("pycrypto", "", ""),
];

/// What the image installs before the dependencies so they build.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BuildTools {
    /// The dependencies that need them, as named in [`NATIVE`].
    #[serde(rename = "for")]
    pub needed_by: Vec<&'static str>,
    /// `apt-get install` packages: the compiler, then each one's headers
    /// (whose runtime libraries they bring along).
    pub debian: String,
    /// `apk add` packages, the same for Alpine.
    pub alpine: String,
}

/// The build tools `names` (normalised distribution names) need, if any.
pub fn build_tools(names: &BTreeSet<String>) -> Option<BuildTools> {
    let needed: Vec<&(&str, &str, &str)> = NATIVE
        .iter()
        .filter(|(dist, ..)| names.contains(*dist))
        .collect();
    if needed.is_empty() {
        return None;
    }
    let packages =
        |base: &str, of: fn(&(&'static str, &'static str, &'static str)) -> &'static str| {
            let mut all: Vec<&str> = base.split(' ').collect();
            for n in &needed {
                for p in of(n).split_whitespace() {
                    if !all.contains(&p) {
                        all.push(p);
                    }
                }
            }
            all.join(" ")
        };
    Some(BuildTools {
        needed_by: needed.iter().map(|(d, ..)| *d).collect(),
        debian: packages("gcc libc6-dev", |n| n.1),
        alpine: packages("gcc musl-dev", |n| n.2),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: &[&str]) -> BTreeSet<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn only_dependencies_without_a_linux_wheel_need_build_tools() {
        assert_eq!(
            build_tools(&names(&["flask", "psycopg2-binary", "gunicorn"])),
            None
        );
        let t = build_tools(&names(&["flask", "psycopg2", "uwsgi"])).unwrap();
        assert_eq!(t.needed_by, ["psycopg2", "uwsgi"]);
        assert_eq!(t.debian, "gcc libc6-dev libpq-dev");
        assert_eq!(t.alpine, "gcc musl-dev postgresql-dev linux-headers");
    }
}
