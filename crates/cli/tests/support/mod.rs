//! Helpers shared by the command-line tests: running the built `wijkmonitor` binary and checking its outcome.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

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

/// Starts the server on a free port and returns it with its address once it listens.
pub fn serve(db: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wijkmonitor"))
        .args(["serve", "--db", db.to_str().unwrap_or(""), "--addr", "127.0.0.1:0", "--insecure-cookies", "--quiet"])
        .args(["--today", "2026-05-01"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve runs");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.split("http://").nth(1).and_then(|r| r.split('/').next()).map(str::to_string))
        .expect("the server says where it listens");
    // Keep reading its output so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

/// The body of a GET answered 200.
pub fn get_text(addr: &str, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).expect("connects");
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes()).expect("writes");
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("reads");
    assert!(answer.starts_with("HTTP/1.1 200"), "GET {path}: {}", answer.lines().next().unwrap_or(""));
    answer.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default()
}
