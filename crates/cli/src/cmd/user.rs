//! `wijkmonitor user` (add, list, disable, enable accounts) and `wijkmonitor token create` (a personal API token,
//! printed once). Passwords are read from standard input, never from the command line, where they would end up
//! in the shell history and the process list.

use crate::common::{load_areas, now_rfc3339, open_existing_store, DEFAULT_DB};
use anyhow::{bail, Context, Result};
use std::io::BufRead;
use std::path::PathBuf;
use wijkmonitor_access::{hash_password, new_token, token_hash, Role};
use wijkmonitor_store::accounts::NewUser;

/// Who the audit log names for changes made on the command line.
const CLI_ACTOR: &str = "cli";

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: UserCommand,
}

#[derive(clap::Subcommand)]
pub enum UserCommand {
    /// Add an account; the password is read from standard input (--password-stdin).
    Add(AddArgs),
    /// List the accounts.
    List(DbArgs),
    /// Disable an account: it can no longer sign in, its sessions end and its API tokens are revoked.
    Disable(EmailArgs),
    /// Enable a disabled account again and lift a lock-out (its old API tokens stay revoked).
    Enable(EmailArgs),
    /// Set a new password, read from standard input (--password-stdin); ends the account's sessions.
    Password(PasswordArgs),
}

#[derive(clap::Args)]
pub struct PasswordArgs {
    #[arg(long)]
    pub email: String,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
    /// The database file.
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
}

#[derive(clap::Args)]
pub struct DbArgs {
    /// The database file.
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
}

#[derive(clap::Args)]
pub struct EmailArgs {
    #[arg(long)]
    pub email: String,
    /// The database file.
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
}

#[derive(clap::Args)]
pub struct AddArgs {
    #[arg(long)]
    pub email: String,
    /// area-editor, analyst or admin.
    #[arg(long)]
    pub role: String,
    /// A focus area the area editor works for (repeat for several); only for area editors.
    #[arg(long = "area")]
    pub areas: Vec<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
    /// The delineation whose area ids are valid (the built-in one when not given).
    #[arg(long = "areas-file")]
    pub areas_file: Option<PathBuf>,
    /// The database file.
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
}

#[derive(clap::Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub command: TokenCommand,
}

#[derive(clap::Subcommand)]
pub enum TokenCommand {
    /// List the API tokens of an account (never the tokens themselves) with their last use.
    List(EmailArgs),
    /// Revoke one API token of an account (its number from `token list`).
    Revoke(TokenRevokeArgs),
    /// Create a personal API token for an account and print it (it is shown only this once).
    Create(TokenCreateArgs),
}

#[derive(clap::Args)]
pub struct TokenRevokeArgs {
    #[arg(long)]
    pub email: String,
    /// The token's number, from `wijkmonitor token list`.
    #[arg(long)]
    pub id: i64,
    /// The database file.
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
}

#[derive(clap::Args)]
pub struct TokenCreateArgs {
    #[arg(long)]
    pub email: String,
    /// What the token is for (shown in the audit log).
    #[arg(long, default_value = "API token")]
    pub label: String,
    /// The database file.
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
}

/// Checks the form of an email address (one `@`, something on both sides, no spaces).
pub fn check_email(email: &str) -> Result<()> {
    let ok = email.split('@').count() == 2
        && email.split('@').all(|p| !p.is_empty())
        && !email.chars().any(char::is_whitespace)
        && email.rsplit('@').next().is_some_and(|d| d.contains('.'));
    if !ok {
        bail!("'{email}' is not an email address");
    }
    Ok(())
}

pub fn run(args: Args) -> Result<()> {
    match args.command {
        UserCommand::Add(a) => add(a),
        UserCommand::List(a) => list(a),
        UserCommand::Disable(a) => set_disabled(a, true),
        UserCommand::Enable(a) => set_disabled(a, false),
        UserCommand::Password(a) => set_password(a),
    }
}

/// Reads a password from the first line of standard input.
fn read_password(password_stdin: bool) -> Result<String> {
    if !password_stdin {
        bail!("give the password on standard input with --password-stdin (never on the command line)");
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("cannot read the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn set_password(args: PasswordArgs) -> Result<()> {
    let hash = hash_password(&read_password(args.password_stdin)?)?;
    let mut store = open_existing_store(&args.db)?;
    store.set_password(&args.email, &hash, CLI_ACTOR, &now_rfc3339())?;
    println!("new password set for {}; its sessions have ended", args.email);
    Ok(())
}

fn add(args: AddArgs) -> Result<()> {
    check_email(&args.email)?;
    let role = Role::parse(&args.role)
        .with_context(|| format!("unknown role '{}' (use area-editor, analyst or admin)", args.role))?;
    match role {
        Role::AreaEditor if args.areas.is_empty() => bail!("an area editor needs at least one --area"),
        Role::Analyst | Role::Admin if !args.areas.is_empty() => {
            bail!("--area is only for area editors: analysts and administrators work on all areas")
        }
        _ => {}
    }
    let delineation = load_areas(args.areas_file.as_ref())?;
    for area in &args.areas {
        if delineation.get(area).is_none() {
            let known: Vec<&str> = delineation.areas.iter().map(|a| a.id.as_str()).collect();
            bail!("unknown focus area '{area}'; known: {}", known.join(", "));
        }
    }
    let hash = hash_password(&read_password(args.password_stdin)?)?;
    let mut store = open_existing_store(&args.db)?;
    let created_at = now_rfc3339();
    store.add_user(
        &NewUser {
            email: &args.email,
            role: role.as_str(),
            areas: &args.areas,
            password_hash: &hash,
            created_at: &created_at,
        },
        CLI_ACTOR,
    )?;
    println!(
        "added {} as {}{}",
        args.email,
        role.name_en(),
        if args.areas.is_empty() { String::new() } else { format!(" for {}", args.areas.join(", ")) }
    );
    Ok(())
}

fn list(args: DbArgs) -> Result<()> {
    let store = open_existing_store(&args.db)?;
    let users = store.users()?;
    if users.is_empty() {
        println!("no accounts; add one with `wijkmonitor user add`");
        return Ok(());
    }
    println!("{:<36} {:<12} {:<9} areas", "email", "role", "status");
    for u in users {
        let status = if u.disabled {
            "disabled"
        } else if u.locked_until.is_some() {
            "locked?"
        } else {
            "active"
        };
        println!("{:<36} {:<12} {:<9} {}", u.email, u.role, status, u.areas.into_iter().collect::<Vec<_>>().join(" "));
    }
    Ok(())
}

fn set_disabled(args: EmailArgs, disabled: bool) -> Result<()> {
    let mut store = open_existing_store(&args.db)?;
    store.set_user_disabled(&args.email, disabled, CLI_ACTOR, &now_rfc3339())?;
    println!("{} {}", if disabled { "disabled" } else { "enabled" }, args.email);
    Ok(())
}

pub fn run_token(args: TokenArgs) -> Result<()> {
    let args = match args.command {
        TokenCommand::Create(a) => a,
        TokenCommand::List(a) => return list_tokens(a),
        TokenCommand::Revoke(a) => return revoke_token(a),
    };
    let mut store = open_existing_store(&args.db)?;
    let token = new_token("wm_")?;
    store.add_api_token(&args.email, &token_hash(&token), &args.label, CLI_ACTOR, &now_rfc3339())?;
    eprintln!("API token for {} (shown only now; send it as `Authorization: Bearer <token>`):", args.email);
    println!("{token}");
    Ok(())
}

/// The account id of an email, or a clear error.
fn account_id(store: &wijkmonitor_store::Store, email: &str) -> Result<i64> {
    Ok(store.user_by_email(email)?.with_context(|| format!("no account for {email}"))?.0.id)
}

fn list_tokens(args: EmailArgs) -> Result<()> {
    let store = open_existing_store(&args.db)?;
    let tokens = store.api_tokens(account_id(&store, &args.email)?)?;
    if tokens.is_empty() {
        println!("{} has no API tokens", args.email);
        return Ok(());
    }
    println!("{:>5}  {:<24} {:<21} {:<21} status", "id", "label", "created", "last used");
    for t in tokens {
        let used = t.last_used_at.map_or_else(|| "never".to_string(), wijkmonitor_model::date::rfc3339);
        let status = if t.revoked { "revoked" } else { "valid" };
        println!("{:>5}  {:<24} {:<21} {:<21} {status}", t.id, t.label, t.created_at, used);
    }
    Ok(())
}

fn revoke_token(args: TokenRevokeArgs) -> Result<()> {
    let mut store = open_existing_store(&args.db)?;
    let owner = account_id(&store, &args.email)?;
    store.revoke_api_token(owner, args.id, CLI_ACTOR, &now_rfc3339())?;
    println!("revoked API token {} of {}", args.id, args.email);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(check_email("a@example.org").is_ok());
        assert!(check_email("a@b").is_err());
        assert!(check_email("a b@example.org").is_err());
        assert!(check_email("@example.org").is_err());
        assert!(check_email("a@@example.org").is_err());
    }
}
