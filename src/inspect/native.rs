//! Dependencies that need something from the system the Python base image
//! lacks. Some pip builds from source on Linux, because their publishers ship
//! no Linux wheel: a slim or Alpine image has no C compiler and none of the
//! headers they need, so the install fails (`error: command 'gcc' failed`,
//! `pg_config executable not found`). Others run a program or load a library
//! at run time (GitPython runs `git`, python-magic loads libmagic), so the
//! app fails at import or on first use. The system packages each one needs,
//! for Debian and for Alpine images.

use std::collections::BTreeSet;

use serde::Serialize;

/// Built from source: (distribution, Debian packages, Alpine packages),
/// besides a C compiler.
const COMPILED: &[(&str, &str, &str)] = &[
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

/// Needed at run time: (distribution, Debian packages, Alpine packages).
const AT_RUN_TIME: &[(&str, &str, &str)] = &[
    ("gitpython", "git", "git"),
    ("python-magic", "libmagic1", "libmagic"),
    ("pdf2image", "poppler-utils", "poppler-utils"),
    ("ffmpeg-python", "ffmpeg", "ffmpeg"),
    ("pyzbar", "libzbar0", "zbar"),
];

/// What the image installs from the base's package manager before the
/// dependencies.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SystemPackages {
    /// The dependencies that are built from source (they need the compiler).
    pub compiled: Vec<&'static str>,
    /// The dependencies that need a program or library at run time.
    pub run_time: Vec<&'static str>,
    /// `apt-get install` packages: the compiler when something is built,
    /// then each one's headers (whose runtime libraries they bring along)
    /// and the run-time ones.
    pub debian: String,
    /// `apk add` packages, the same for Alpine.
    pub alpine: String,
}

/// The system packages `names` (normalised distribution names) need, if any.
pub fn system_packages(names: &BTreeSet<String>) -> Option<SystemPackages> {
    let of = |table: &'static [(&'static str, &'static str, &'static str)]| {
        table
            .iter()
            .filter(|(dist, ..)| names.contains(*dist))
            .collect::<Vec<_>>()
    };
    let (compiled, run_time) = (of(COMPILED), of(AT_RUN_TIME));
    if compiled.is_empty() && run_time.is_empty() {
        return None;
    }
    let packages = |compiler: &str, column: usize| {
        let mut all: Vec<&str> = Vec::new();
        if !compiled.is_empty() {
            all.extend(compiler.split(' '));
        }
        for row in compiled.iter().chain(&run_time) {
            let list = if column == 1 { row.1 } else { row.2 };
            for p in list.split_whitespace() {
                if !all.contains(&p) {
                    all.push(p);
                }
            }
        }
        all.join(" ")
    };
    Some(SystemPackages {
        compiled: compiled.iter().map(|(d, ..)| *d).collect(),
        run_time: run_time.iter().map(|(d, ..)| *d).collect(),
        debian: packages("gcc libc6-dev", 1),
        alpine: packages("gcc musl-dev", 2),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: &[&str]) -> BTreeSet<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn only_dependencies_without_a_linux_wheel_or_with_a_system_need_get_packages() {
        assert_eq!(
            system_packages(&names(&["flask", "psycopg2-binary", "gunicorn"])),
            None
        );
        let t = system_packages(&names(&["flask", "psycopg2", "uwsgi"])).unwrap();
        assert_eq!(t.compiled, ["psycopg2", "uwsgi"]);
        assert!(t.run_time.is_empty());
        assert_eq!(t.debian, "gcc libc6-dev libpq-dev");
        assert_eq!(t.alpine, "gcc musl-dev postgresql-dev linux-headers");
        // A run-time need alone brings no compiler.
        let t = system_packages(&names(&["flask", "gitpython"])).unwrap();
        assert_eq!((t.debian.as_str(), t.alpine.as_str()), ("git", "git"));
        let t = system_packages(&names(&["gitpython", "mysqlclient"])).unwrap();
        assert_eq!(
            t.debian,
            "gcc libc6-dev pkg-config default-libmysqlclient-dev git"
        );
    }
}
