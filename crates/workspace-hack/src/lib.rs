//! No code: this crate depends on the third-party crates the workspace's packages share, with
//! every feature any of them asks for, so cargo builds each of those one way whichever package it
//! is asked to build. After `cargo build --workspace`, `cargo run -p <slide>` compiles nothing.
//! Written by `cargo hakari generate` (settings in `.config/hakari.toml`); every member depends
//! on it through `cargo hakari manage-deps`. tests/no_recompile.rs says when it is out of date.
