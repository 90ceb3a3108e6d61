//! One module per subcommand: its arguments (clap) and its `run` function.

pub mod areas;
pub mod audit;
pub mod backup;
pub mod bench;
pub mod bench_effect;
pub mod compute;
pub mod crosswalk;
pub mod demo;
pub mod effect;
pub mod export;
pub mod fetch;
pub mod import;
pub mod indicators;
pub mod publish;
pub mod register;
pub mod report;
pub mod serve;
pub mod summary;
pub mod update;
pub mod user;
