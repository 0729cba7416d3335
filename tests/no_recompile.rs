//! One workspace build is enough: after it, `cargo run -p <slide>` starts at once. Cargo unifies
//! a dependency's features over the packages it is asked to build, so without the
//! workspace-hack crate (`crates/workspace-hack`, from `cargo hakari generate`) building one
//! package alone would compile tokio, hyper or rustls again with fewer features.

mod support;

use std::process::Command;

/// What the workshop runs one package at a time: every slide, and the server they talk to.
fn runnable_packages() -> Vec<&'static str> {
    let mut packages: Vec<&str> = lab::talk::SLIDES
        .iter()
        .map(|slide| slide.package)
        .collect();
    packages.push("httpbin-lite");
    packages.sort_unstable();
    packages.dedup();
    packages
}

#[test]
fn after_the_workspace_build_running_any_one_slide_compiles_nothing() {
    // `cargo build --workspace --bins`, in this test's profile.
    let binaries = support::binaries();
    let release = binaries.dir().ends_with("release");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut rebuilt = Vec::new();
    for package in runnable_packages() {
        let mut build = Command::new(&cargo);
        build.args(["build", "--locked", "-p", package]);
        if release {
            build.arg("--release");
        }
        let output = build.output().expect("cargo runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "cargo build -p {package} failed:\n{stderr}"
        );
        let compiled: Vec<&str> = stderr
            .lines()
            .map(str::trim)
            .filter(|line| line.starts_with("Compiling"))
            .collect();
        if !compiled.is_empty() {
            rebuilt.push(format!("-p {package}: {}", compiled.join(", ")));
        }
    }
    assert!(
        rebuilt.is_empty(),
        "building one package compiled again what the workspace build had built; \
         run `cargo hakari generate && cargo hakari manage-deps` to bring the \
         workspace-hack crate up to date:\n{}",
        rebuilt.join("\n")
    );
}
