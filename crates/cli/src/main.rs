//! The `wijkmonitor` command. It parses arguments, calls the library crates and turns errors into messages
//! and exit codes; it holds no domain logic of its own. One module per subcommand lives in the library's
//! `cmd` (`src/cmd/`), so that other crates' tests can call the same code.

use clap::{Parser, Subcommand};
use std::process::ExitCode;
use wijkmonitor_cli::cmd;

/// wijkmonitor: the open monitor of the Nationaal Programma Leefbaarheid en Veiligheid (NPLV).
///
/// It keeps national figures (CBS, Politie, Leefbaarometer) per buurt, wijk and gemeente in one SQLite file,
/// knows the 20 focus areas and the indicator catalogue, and exports every figure with its source.
#[derive(Parser)]
#[command(name = "wijkmonitor", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the demo database (synthetic figures, or real files with --from) and print what is in it.
    Demo(cmd::demo::Args),
    /// Import a source file or folder into the database (atomic and idempotent).
    Import(cmd::import::Args),
    /// Download a table from the CBS OData API, keep the raw responses and import them.
    Fetch(cmd::fetch::Args),
    /// List the focus areas of a delineation (the built-in indicative one unless --areas is given).
    Areas(cmd::areas::Args),
    /// List the indicator catalogue.
    Indicators(cmd::indicators::Args),
    /// Compute every indicator for every region, area and year, with comparisons, effects and disclosure control.
    Compute(cmd::compute::Args),
    /// A consistent copy of a database, also while the server writes it; checked before it is kept.
    Backup(cmd::backup::BackupArgs),
    /// Put a backup back (checked first; stop the server before).
    Restore(cmd::backup::RestoreArgs),
    /// Does an area change because of the programme? Effects against comparable buurten, with placebo inference.
    Effect(cmd::effect::Args),
    /// Write figures in the canonical long format (region,period,variable,value,status) to stdout.
    Export(cmd::export::Args),
    /// Print the programme register per area: agreements, grants, designations, progress, payments and flags.
    Register(cmd::register::Args),
    /// Print what a database holds: regions, variables, periods and imports.
    Summary(cmd::summary::Args),
    /// Serve the dashboard and JSON API (the built-in demo database unless --db is given).
    Serve(cmd::serve::Args),
    /// Bring every national source up to date (conditional downloads), import, build the crosswalks, recompute.
    Update(cmd::update::Args),
    /// A crosswalk between two classification years from the overlap of their boundary maps.
    Crosswalk(cmd::crosswalk::Args),
    /// Publish the public side as static files (every page, twin, download and report), with an archive.
    Publish(cmd::publish::Args),
    /// Reports: the analysis report of an area or the national progress report, as PDF or HTML.
    Report(cmd::report::Args),
    /// Accounts of the workspace: add, list, disable, enable.
    User(cmd::user::Args),
    /// Personal API tokens: `token create --email E` prints a new token once; `token list`, `token revoke`.
    Token(cmd::user::TokenArgs),
    /// The audit log: `audit verify` checks its hash chain and names the first row that does not fit.
    Audit(cmd::audit::Args),
    /// Benchmarks: `bench compute` times a Netherlands-scale recompute against DuckDB.
    Bench(cmd::bench::Args),
}

fn main() -> ExitCode {
    // `println!` panics when the reader of standard output has gone (`wijkmonitor areas | head`); that is the
    // reader's choice, not a failure: leave quietly, as other command-line tools do.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        // The importer contains a panic of the spreadsheet reader and reports it as an error on the file.
        if wijkmonitor_import::kwb_sheet::in_spreadsheet_reader() {
            return;
        }
        default_hook(info);
    }));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => cmd::demo::run(args),
        Command::Import(args) => cmd::import::run(args),
        Command::Fetch(args) => cmd::fetch::run(args),
        Command::Areas(args) => cmd::areas::run(args),
        Command::Indicators(args) => cmd::indicators::run(args),
        Command::Compute(args) => cmd::compute::run(args),
        Command::Effect(args) => cmd::effect::run(args),
        Command::Backup(args) => cmd::backup::backup(args),
        Command::Restore(args) => cmd::backup::restore(args),
        Command::Audit(args) => cmd::audit::run(args),
        Command::Export(args) => cmd::export::run(args),
        Command::Summary(args) => cmd::summary::run(args),
        Command::Register(args) => cmd::register::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Bench(args) => cmd::bench::run(args),
        Command::User(args) => cmd::user::run(args),
        Command::Token(args) => cmd::user::run_token(args),
        Command::Report(args) => cmd::report::run(args),
        Command::Publish(args) => cmd::publish::run(args),
        Command::Crosswalk(args) => cmd::crosswalk::run(args),
        Command::Update(args) => cmd::update::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // A broken pipe (e.g. `wijkmonitor export | head`) is not an error worth reporting.
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}
