//! Stops the build on targets flaskgen does not support, with a sentence
//! saying so, before the compiler meets the Unix-only code (libc, file modes,
//! signals) and fails obscurely. flaskgen supports Linux and macOS.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let family = std::env::var("CARGO_CFG_TARGET_FAMILY").unwrap_or_default();
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if !family.split(',').any(|f| f == "unix") {
        eprintln!(
            "error: flaskgen supports Linux and macOS; {os} is not supported \
             (on Windows, install it inside WSL)"
        );
        std::process::exit(1);
    }
}
