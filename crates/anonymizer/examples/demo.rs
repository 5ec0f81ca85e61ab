//! Prints the pseudonymized form of each stdin paragraph (blank-line separated).
//!
//! Usage: `cargo run -p anonymizer --example demo < text.txt`

use std::io::Read;

fn main() {
    let a = anonymizer::Anonymizer::new();
    let mut s = String::new();
    if std::io::stdin().read_to_string(&mut s).is_err() {
        return;
    }
    for para in s.split("\n\n") {
        let out = a.pseudonymize(para);
        println!("{}", out.text);
        for e in &out.entities {
            println!(
                "   {:>13} {:?}",
                e.label.as_str(),
                &para[e.byte_start..e.byte_end]
            );
        }
        println!("---");
    }
}
