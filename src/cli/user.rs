//! `vanthu user`: users and their API tokens.

use clap::Subcommand;

use super::actor;
use crate::config::Config;
use crate::registry::types::Role;

/// Manage users and their API tokens
#[derive(Debug, Clone, Subcommand)]
pub enum UserCommand {
    /// Create a user and print its API token (only the token, on stdout)
    Add {
        /// Login name
        name: String,
        /// clerk, auditor or admin
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Print a new token for an existing user (the old one stops working)
    Token {
        /// Login name
        name: String,
    },
    /// Disable a user
    Disable {
        /// Login name
        name: String,
    },
    /// List users
    List,
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("role must be one of: {}", Role::choices()))
}

/// Run one user command.
pub async fn run(config: &Config, command: UserCommand) -> anyhow::Result<u8> {
    let reg = super::open(config).await?;
    match command {
        UserCommand::Add { name, role } => {
            let (_, token) = reg.add_user(&name, role, &actor()).await?;
            println!("{token}");
        }
        UserCommand::Token { name } => {
            println!("{}", reg.rotate_token(&name, &actor()).await?);
            if !reg.user_is_active(&name).await? {
                eprintln!(
                    "warning: user {name} is disabled; the new token works only once an administrator enables the user"
                );
            }
        }
        UserCommand::Disable { name } => {
            reg.set_user_active(&name, false, None, &actor()).await?;
            eprintln!("user {name} disabled");
        }
        UserCommand::List => {
            for u in reg.list_users().await? {
                println!(
                    "{}\t{}\t{}",
                    u.name,
                    u.role,
                    if u.active { "active" } else { "disabled" }
                );
            }
        }
    }
    Ok(0)
}
