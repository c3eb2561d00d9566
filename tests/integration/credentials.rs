//! A kit URL with credentials (`http://user:SECRET@host/kit.git`): the
//! credentials reach git and nothing else — not the answers file, the first
//! commit, status lines, errors (git's own lines included) or JSON — and a
//! private kit's `update` gets them from git's credential helpers or from
//! `--template-url` / `FLASKGEN_TEMPLATE_URL`.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output, Stdio};

use crate::git::{fake_git, git};
use crate::*;

const SECRET: &str = "S3CRETtoken";
/// `Basic ` + base64 of `user:S3CRETtoken`.
const AUTHORIZATION: &str = "Basic dXNlcjpTM0NSRVR0b2tlbg==";

/// A bare kit repository `root/srv/kit.git` with a tag `v1.0.0`.
fn private_kit(root: &Path) {
    let work = root.join("work");
    fs::create_dir_all(&work).unwrap();
    fs::write(
        work.join("flaskgen.toml"),
        "[template]\nname = \"private\"\nversion = \"1.0.0\"\n",
    )
    .unwrap();
    fs::write(work.join("hello.txt.tera"), "hello {{ name }}\n").unwrap();
    git(&work, &["init", "-q"]);
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-qm", "v1"]);
    git(&work, &["tag", "v1.0.0"]);
    fs::create_dir_all(root.join("srv")).unwrap();
    git(root, &["clone", "-q", "--bare", "work", "srv/kit.git"]);
}

/// git's smart http on 127.0.0.1 for the repositories under `dir`
/// (`git http-backend` as a CGI), answering 401 to any request without
/// `user:SECRET` credentials: a private kit. Returns the `host:port`.
fn private_server(dir: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let dir = dir.clone();
            std::thread::spawn(move || serve(conn, &dir));
        }
    });
    addr
}

fn serve(mut conn: TcpStream, dir: &Path) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    if header("authorization") != AUTHORIZATION {
        let _ = conn.write_all(
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"kits\"\r\n\
              Content-Length: 0\r\nConnection: close\r\n\r\n",
        );
        return;
    }
    let mut words = request.split_whitespace();
    let method = words.next().unwrap_or("GET").to_string();
    let target = words.next().unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut body = vec![0u8; header("content-length").parse().unwrap_or(0)];
    reader.read_exact(&mut body).unwrap();
    let mut cgi = StdCommand::new("git")
        .arg("http-backend")
        .env("GIT_PROJECT_ROOT", dir)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("REQUEST_METHOD", &method)
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("CONTENT_TYPE", header("content-type"))
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("HTTP_CONTENT_ENCODING", header("content-encoding"))
        .env("HTTP_GIT_PROTOCOL", header("git-protocol"))
        .env("REMOTE_USER", "user")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    cgi.stdin.take().unwrap().write_all(&body).unwrap();
    let out = cgi.wait_with_output().unwrap().stdout;
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let (cgi_head, cgi_body) = (String::from_utf8_lossy(&out[..split]), &out[split + 4..]);
    let mut status = "200 OK".to_string();
    let mut head = String::new();
    for line in cgi_head.lines() {
        match line.strip_prefix("Status:") {
            Some(s) => status = s.trim().to_string(),
            None => head.push_str(&format!("{line}\r\n")),
        }
    }
    let _ = conn.write_all(
        format!(
            "HTTP/1.1 {status}\r\n{head}Content-Length: {}\r\nConnection: close\r\n\r\n",
            cgi_body.len()
        )
        .as_bytes(),
    );
    let _ = conn.write_all(cgi_body);
}

fn run(cwd: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    flaskgen(cwd)
        .env("FLASKGEN_VCS", "git")
        .env("GIT_CONFIG_GLOBAL", cwd.join("no-gitconfig"))
        .envs(env.iter().copied())
        .args(args)
        .output()
        .unwrap()
}

/// No byte of `SECRET` in `out`'s stdout or stderr.
fn assert_silent(out: &Output) {
    let all = format!("{}{}", stdout(out), stderr(out));
    assert!(!all.contains(SECRET), "{all}");
}

/// No file under `root` (its `.git` included) and no commit holds `SECRET`.
fn assert_nowhere(root: &Path) {
    for f in files(root) {
        let bytes = fs::read(root.join(&f)).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(SECRET),
            "{f} holds the secret"
        );
    }
    let log = git(root, &["log", "-p", "--all"]);
    assert!(log.contains("hello.txt"), "{log}");
    assert!(!log.contains(SECRET), "{log}");
}

#[test]
fn credentials_in_a_kit_url_are_used_and_never_kept_or_shown() {
    let tmp = tempfile::tempdir().unwrap();
    private_kit(tmp.path());
    let host = private_server(tmp.path().join("srv"));
    let url = format!("http://{host}/kit.git");
    let with_secret = format!("http://user:{SECRET}@{host}/kit.git");

    // Without credentials the private kit is refused: the server really asks.
    let out = run(tmp.path(), &[], &["new", "nope", "--yes", "-t", &url]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!tmp.path().join("nope").exists());

    let out = run(
        tmp.path(),
        &[],
        &["new", "svc", "--yes", "-v", "-t", &with_secret],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_silent(&out);
    let project = tmp.path().join("svc");
    assert_eq!(read(project.join("hello.txt")), "hello svc\n");
    let answers = read(project.join(".flaskgen.toml"));
    assert!(
        answers.contains(&format!("source = \"{url}\"")),
        "{answers}"
    );
    assert_nowhere(&project);

    let out = run(
        tmp.path(),
        &[],
        &[
            "new",
            "dry",
            "--yes",
            "--dry-run",
            "--json",
            "-t",
            &with_secret,
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&url), "{}", stdout(&out));
    assert_silent(&out);
}

#[test]
fn a_private_kit_updates_with_the_url_given_again_or_a_credential_helper() {
    let tmp = tempfile::tempdir().unwrap();
    private_kit(tmp.path());
    let host = private_server(tmp.path().join("srv"));
    let url = format!("http://{host}/kit.git");
    let with_secret = format!("http://user:{SECRET}@{host}/kit.git");
    let out = run(
        tmp.path(),
        &[],
        &["new", "svc", "--yes", "-t", &with_secret],
    );
    assert!(out.status.success(), "{}", stderr(&out));

    // The recorded URL has no credentials, and git may not ask for them.
    let out = run(tmp.path(), &[], &["update", "svc", "--yes"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("could not clone template {url}")),
        "{err}"
    );

    // Given again, by flag or environment.
    let out = run(
        tmp.path(),
        &[],
        &["update", "svc", "--yes", "--template-url", &with_secret],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_silent(&out);
    let out = run(
        tmp.path(),
        &[("FLASKGEN_TEMPLATE_URL", &with_secret)],
        &["update", "svc", "--yes", "--json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_silent(&out);

    // Through git's own credential helper.
    let store = tmp.path().join("git-credentials");
    fs::write(&store, format!("{with_secret}\n")).unwrap();
    let config = tmp.path().join("gitconfig");
    fs::write(
        &config,
        format!(
            "[credential]\n\thelper = store --file={}\n",
            store.display()
        ),
    )
    .unwrap();
    let out = flaskgen(tmp.path())
        .env("GIT_CONFIG_GLOBAL", &config)
        .args(["update", "svc", "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_silent(&out);
    assert_nowhere(&tmp.path().join("svc"));

    // An answers file from before credentials were left out still updates,
    // neither the status lines nor the JSON show what it holds.
    let answers = tmp.path().join("svc/.flaskgen.toml");
    let old = read(&answers).replace(&url, &with_secret);
    fs::write(&answers, &old).unwrap();
    let out = run(
        tmp.path(),
        &[],
        &["update", "svc", "--yes", "--json", "--allow-dirty"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&url), "{}", stdout(&out));
    assert_silent(&out);
    // ... and the update records the source without them.
    assert!(!read(&answers).contains(SECRET));
}

/// `--template-url` must name the recorded repository; credentials aside.
#[test]
fn a_template_url_for_another_repository_is_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("proj");
    fs::create_dir(&project).unwrap();
    let answers = "[template]\nname = \"k\"\nversion = \"1.0.0\"\n\
        source = \"http://127.0.0.1:9/acme/kit.git\"\n\n[values]\n\n[files]\n";
    fs::write(project.join(".flaskgen.toml"), answers).unwrap();
    for (flag, env) in [
        (
            Some(format!("http://user:{SECRET}@127.0.0.1:9/other.git")),
            None,
        ),
        (
            None,
            Some(format!("https://user:{SECRET}@127.0.0.1:9/acme/kit.git")),
        ),
    ] {
        let mut cmd = flaskgen(tmp.path());
        cmd.args(["update", "proj", "--yes"]);
        if let Some(f) = &flag {
            cmd.args(["--template-url", f]);
        }
        if let Some(e) = &env {
            cmd.env("FLASKGEN_TEMPLATE_URL", e);
        }
        let out = cmd.output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("--template-url")
                && err.contains("is not the project's template")
                && err.contains("http://127.0.0.1:9/acme/kit.git"),
            "{err}"
        );
        assert_silent(&out);
        assert_eq!(read(project.join(".flaskgen.toml")), answers);
    }
}

/// A clone that fails: neither the status lines, the error (git's own lines
/// echo the URL) nor `--json` show the credentials.
#[test]
fn a_failing_clone_never_shows_the_credentials() {
    let tmp = tempfile::tempdir().unwrap();
    // A port nothing listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://user:{SECRET}@127.0.0.1:{port}/kit.git");
    for json in [false, true] {
        let mut args = vec!["new", "svc", "--yes", "-v", "-t", &url];
        if json {
            args.push("--json");
        }
        let out = run(tmp.path(), &[], &args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains(&format!(
                "could not clone template http://127.0.0.1:{port}/kit.git"
            )),
            "{err}"
        );
        // git's own line, with the URL it echoes redacted.
        assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
        assert_silent(&out);
        assert!(!tmp.path().join("svc").exists());
    }
}

/// A git that echoes the URL it was given with its credentials, as older
/// versions and remote helpers do: what it says is shown redacted.
#[test]
fn gits_own_lines_are_redacted() {
    let tmp = tempfile::tempdir().unwrap();
    // The arguments end with `-- URL DIR`.
    let path = fake_git(
        tmp.path(),
        "for a in \"$@\"; do prev=$url; url=$a; done\n\
         echo \"fatal: unable to access '$prev': The requested URL returned error: 403\" >&2\n\
         echo \"remote: token user:S3CRETtoken is expired\" >&2\nexit 128\n",
    );
    let url = format!("https://user:{SECRET}@git.example.invalid/kit.git");
    let out = flaskgen(tmp.path())
        .env("PATH", path)
        .args(["new", "x", "--yes", "-t", &url])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("fatal: unable to access 'https://***@git.example.invalid/kit.git'")
            && err.contains("remote: token *** is expired"),
        "{err}"
    );
    assert_silent(&out);
}
