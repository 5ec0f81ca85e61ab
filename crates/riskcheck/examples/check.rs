//! Evaluates a facts JSON file (or stdin) and prints the §4 result.
//! Usage: `cargo run -p riskcheck --example check -- FILE.json`

use std::io::Read;

fn main() -> std::process::ExitCode {
    let mut input = String::new();
    let read = match std::env::args().nth(1) {
        Some(path) => std::fs::read_to_string(path).map(|s| input = s),
        None => std::io::stdin().read_to_string(&mut input).map(|_| ()),
    };
    if let Err(e) = read {
        eprintln!("Eingabe nicht lesbar: {e}");
        return std::process::ExitCode::from(2);
    }
    match riskcheck::evaluate_to_string(&input) {
        Ok(v) => {
            println!("{v}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::from(2)
        }
    }
}
