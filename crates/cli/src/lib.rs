//! The subcommands of the `wijkmonitor` binary, as a library: one module per subcommand under [`cmd`], and
//! the bits they share in [`common`]. The binary (`main.rs`) parses arguments and calls these; the work itself
//! is done by the application layer (`wijkmonitor-pipeline`) and the crates below it.

pub mod cmd;
pub mod common;
