//! The `kipilot` command line: `serve`, `migrate`, `check`, `anonymize`, `deanonymize`,
//! `admin create`.

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
    /// Replace personal data in German text with placeholders (stdin when no FILE).
    Anonymize {
        /// Text file, or `-`/nothing for standard input.
        file: Option<String>,
        /// `pseudonymize` (reversible placeholders) or `mask` (irreversible).
        #[arg(long, default_value = "pseudonymize")]
        mode: String,
        /// Write the placeholder mapping to this JSON file (needed for `deanonymize`).
        #[arg(long)]
        map: Option<String>,
        /// Input lines are `{"id": …, "text": …}`; output lines add `entities`.
        #[arg(long)]
        jsonl: bool,
    },
    /// Put the original values back into a text with placeholders.
    Deanonymize {
        /// Mapping written by `anonymize --map`.
        #[arg(long)]
        map: String,
        /// Text file, or `-`/nothing for standard input.
        file: Option<String>,
    },
    /// Print-ready flyer (PDF) for an event's tracked link.
    Flyer {
        /// Short code of the event's tracked link.
        #[arg(long)]
        event: String,
        /// Output file.
        #[arg(long)]
        out: String,
        /// `a6` (default) or `a5`.
        #[arg(long, default_value = "a6")]
        format: String,
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
    match &cli.command {
        Some(Command::Check { file }) => return kipilot::api::check_command(file),
        Some(Command::Anonymize {
            file,
            mode,
            map,
            jsonl,
        }) => {
            return kipilot::toolkit::anonymize_cli::anonymize_command(
                file.as_deref(),
                mode,
                map.as_deref(),
                *jsonl,
            );
        }
        Some(Command::Deanonymize { map, file }) => {
            return kipilot::toolkit::anonymize_cli::deanonymize_command(map, file.as_deref());
        }
        _ => {}
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
        // Handled before logging and configuration start (their output owns stdout).
        Command::Check { .. } | Command::Anonymize { .. } | Command::Deanonymize { .. } => Ok(()),
        Command::Admin {
            command: AdminCommand::Create { email },
        } => create_admin(&config, &email).await,
        Command::Flyer { event, out, format } => {
            return kipilot::channels::flyer::command(
                &config.database_url,
                &config.base_url,
                &event,
                &out,
                &format,
            )
            .await;
        }
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
