//! Helpers shared by the command-line tests: running the built `wijkmonitor` binary and checking its outcome.

#![allow(dead_code)]

use std::process::{Command, Output};

/// Runs the binary under test with these arguments.
pub fn wijkmonitor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wijkmonitor")).args(args).output().expect("the binary runs")
}

/// Runs the binary, asserts success and returns its standard output.
pub fn ok(args: &[&str]) -> String {
    let out = wijkmonitor(args);
    assert!(
        out.status.success(),
        "wijkmonitor {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Runs the binary, asserts failure and returns its standard error.
pub fn fails(args: &[&str]) -> String {
    let out = wijkmonitor(args);
    assert!(!out.status.success(), "wijkmonitor {args:?} should fail");
    String::from_utf8(out.stderr).expect("utf-8 output")
}
