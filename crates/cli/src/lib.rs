//! The subcommands of the `wijkmonitor` binary, as a library: one module per subcommand under [`cmd`], and
//! the bits they share in [`common`]. The binary (`main.rs`) parses arguments and calls these; other crates'
//! tests call [`cmd::demo::build_demo_database`] to get the same demo database the command builds.

pub mod cmd;
pub mod common;
