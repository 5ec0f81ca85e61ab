//! The `kipilot` command line: `serve`, `migrate`, `check`, `admin create`.

use std::io::BufRead;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kipilot::config::Config;

/// KI-Pilotprojekt platform: campaign site, lead capture and back office in one binary.
#[derive(Parser)]
#[command(name = "kipilot", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the website and back office (default).
    Serve,
    /// Create or upgrade the database schema and exit.
    Migrate,
    /// KI-Risiko-Check: evaluate a fact object (JSON file, or `-` for standard input) and
    /// print the result JSON. Exit code 2 on invalid input.
    Check {
        /// Path of the JSON file with the facts, or `-` for standard input.
        file: String,
    },
    /// Manage team accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a team account, or set a new password for an existing one. The password is
    /// read from standard input (one line).
    Create {
        /// Login e-mail address.
        #[arg(long)]
        email: String,
    },
}

/// Shortest accepted password for a team account.
const MIN_PASSWORD_CHARS: usize = 12;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Before logging starts: the logs go to stdout, which belongs to the result JSON here.
    if let Some(Command::Check { file }) = &cli.command {
        return kipilot::api::check_command(file);
    }
    kipilot::telemetry::init();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("Konfigurationsfehler: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => kipilot::startup::connect_and_migrate(&config.database_url)
            .await
            .map(|_| {
                eprintln!("Datenbank ist auf dem neuesten Stand.");
            }),
        Command::Check { file } => return kipilot::api::check_command(&file),
        Command::Admin {
            command: AdminCommand::Create { email },
        } => create_admin(&config, &email).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Fehler: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = kipilot::startup::Application::build(config).await?;
    eprintln!("kipilot läuft auf http://{}", app.local_addr()?);
    app.run().await
}

async fn create_admin(config: &Config, email: &str) -> anyhow::Result<()> {
    let email = domain::Email::parse(email).map_err(|e| anyhow::anyhow!("{e}"))?;
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprint!("Passwort für {email} (mindestens {MIN_PASSWORD_CHARS} Zeichen): ");
    }
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password)?;
    let password = password.trim_end_matches(['\n', '\r']).to_owned();
    if password.chars().count() < MIN_PASSWORD_CHARS {
        anyhow::bail!("Das Passwort ist zu kurz: mindestens {MIN_PASSWORD_CHARS} Zeichen, bitte.");
    }
    let db = kipilot::startup::connect_and_migrate(&config.database_url).await?;
    let hash = kipilot::password::hash(password).await?;
    let key = email.as_str().to_lowercase();
    let id = storage::users::upsert(&db, &key, &hash, domain::UnixMs::now()).await?;
    storage::audit::record(
        &db,
        domain::UnixMs::now(),
        "cli",
        "Team-Konto angelegt oder Passwort gesetzt",
        &format!("admin #{id}"),
    )
    .await?;
    eprintln!(
        "Team-Konto {key} ist bereit. Anmelden unter {}/admin",
        config.base_url
    );
    Ok(())
}
