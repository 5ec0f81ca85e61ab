//! Synthetic labeled German corpus generator (AT/DE/CH mix, fixed seed).
//!
//! Usage: `cargo run -p anonymizer --example gen_corpus -- main|holdout DOCS SEED > out.jsonl`
//! Output: one JSON object per line, `{"id","text","spans":[{"start","end","label"}]}`
//! with code point offsets. Names come 85 % from the crate's lists and 15 %
//! from generator-only names that the detector's gazetteer does not contain.

mod templates;
mod values;

use std::io::Write;

use values::{Loc, Rng};

const FIRST: &str = include_str!("../../data/first_names_faker.txt");
const LAST: &str = include_str!("../../data/surnames_faker.txt");
const CITIES: &str = include_str!("../../data/cities_faker.txt");
const UNSEEN_FIRST: &[&str] = &[
    "Thorben",
    "Jolanda",
    "Berit",
    "Ottokar",
    "Wiebke",
    "Fenja",
    "Malte",
    "Gesine",
    "Hinnerk",
    "Swantje",
    "Kunigunde",
    "Radegund",
    "Leonore",
    "Adelheid",
    "Eyüp",
    "Dragica",
    "Mirela",
    "Bojan",
    "Kasimir",
    "Notburga",
    "Wendelin",
    "Hildegund",
    "Ansgar",
    "Gislinde",
    "Reinhild",
    "Lioba",
    "Severin",
    "Vinzenz",
    "Zsófia",
    "Anneliese",
];
const UNSEEN_LAST: &[&str] = &[
    "Kranawetter",
    "Pfeifenberger",
    "Grabmayr",
    "Zehetgruber",
    "Oberhollenzer",
    "Schwingshackl",
    "Dworschak",
    "Nowotny",
    "Prohaska",
    "Ratzenböck",
    "Kasparek",
    "Wimmersberger",
    "Tschurtschenthaler",
    "Hämmerle",
    "Stöckl",
    "Brandauer",
    "Pöltl",
    "Gföllner",
    "Aschauer",
    "Edlinger",
    "Fahrngruber",
    "Haselsteiner",
    "Kitzmüller",
    "Lindorfer",
];
const SMALL_TOWNS: &[&str] = &[
    "Pöchlarn",
    "Ybbsitz",
    "Gaflenz",
    "Thalgau",
    "Weißkirchen",
    "Kirchdorf",
    "Uttendorf",
    "Neukirchen",
    "Oberndorf",
    "Grünau",
];

struct Person {
    first: String,
    last: String,
}

fn list(s: &str) -> Vec<&str> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

fn person(r: &mut Rng, firsts: &[&str], lasts: &[&str]) -> Person {
    let mut first = if r.chance(0.15) {
        r.pick(UNSEEN_FIRST).to_string()
    } else {
        r.pick(firsts).to_string()
    };
    let mut last = if r.chance(0.15) {
        r.pick(UNSEEN_LAST).to_string()
    } else {
        r.pick(lasts).to_string()
    };
    if r.chance(0.05) {
        first = format!("{first}-{}", r.pick(firsts));
    }
    if r.chance(0.05) {
        last = format!("{last}-{}", r.pick(lasts));
    }
    Person { first, last }
}

fn translit(s: &str) -> String {
    s.to_lowercase()
        .replace('ä', "ae")
        .replace('ö', "oe")
        .replace('ü', "ue")
        .replace('ß', "ss")
        .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "")
}

/// OCR-like noise applied to template text only (never inside values).
fn noisy(s: &str, r: &mut Rng, on: bool) -> String {
    if !on {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        match c {
            'ü' if r.chance(0.5) => out.push('u'),
            'ß' if r.chance(0.5) => out.push_str("ss"),
            ',' if r.chance(0.3) => out.push_str(" ,"),
            _ => out.push(c),
        }
    }
    out
}

struct Ctx<'a> {
    r: Rng,
    firsts: Vec<&'a str>,
    lasts: Vec<&'a str>,
    cities: Vec<&'a str>,
}

impl Ctx<'_> {
    fn address(&mut self, loc: Loc) -> String {
        let sur = self.r.pick(&self.lasts).to_string();
        let first = self.r.pick(&self.firsts).to_string();
        let st = if loc == Loc::Ch { "strasse" } else { "straße" };
        let street = match self.r.below(8) {
            0 => format!("{sur}gasse"),
            1 => format!("{sur}{st}"),
            2 => format!("{first}-{sur}-Gasse"),
            3 => format!("Haupt{st}"),
            4 => "Mariahilfer Straße".to_string(),
            5 => "Am Hof".to_string(),
            6 => format!("Linden{}", self.r.pick(&["weg", "allee", "platz", "ring"])),
            _ => format!(
                "Wiener {}",
                if loc == Loc::Ch { "Strasse" } else { "Straße" }
            ),
        };
        let n = 1 + self.r.below(120);
        let num = match (loc, self.r.below(6)) {
            (Loc::At, 0) => format!("{n}/{}/{}", 1 + self.r.below(5), 1 + self.r.below(20)),
            (Loc::At, 1) => format!("{n}/{}", 1 + self.r.below(30)),
            (Loc::At, 2) => format!(
                "{n}/Stiege {}/Tür {}",
                1 + self.r.below(5),
                1 + self.r.below(20)
            ),
            (_, 3) => format!("{n}{}", self.r.pick(&["a", "b", "c"])),
            _ => n.to_string(),
        };
        format!("{street} {num}")
    }

    fn postal(&mut self, loc: Loc) -> String {
        let city = if self.r.chance(0.2) {
            self.r.pick(SMALL_TOWNS).to_string()
        } else {
            self.r.pick(&self.cities).to_string()
        };
        match loc {
            Loc::De => format!("{:05} {city}", 1001 + self.r.below(98000)),
            _ => format!("{} {city}", 1010 + self.r.below(8900)),
        }
    }

    fn order(&mut self) -> String {
        match self.r.below(4) {
            0 => format!("{}-{:04}", 2020 + self.r.below(7), self.r.below(10000)),
            1 => format!("RE-{}", self.r.digits(7)),
            2 => format!("4500{}", self.r.digits(6)),
            _ => format!("AB{}", self.r.digits(6)),
        }
    }

    fn ean(&mut self) -> String {
        let body = format!("400{}", self.r.digits(9));
        let s: u32 = body
            .chars()
            .enumerate()
            .map(|(i, c)| c.to_digit(10).unwrap_or(0) * if i % 2 == 0 { 1 } else { 3 })
            .sum();
        format!("{body}{}", (10 - s % 10) % 10)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let set = args.get(1).map_or("main", String::as_str);
    let docs: usize = args.get(2).map_or(Ok(2000), |s| s.parse())?;
    let seed: u64 = args.get(3).map_or(Ok(42), |s| s.parse())?;
    let templates = match set {
        "holdout" => templates::HOLDOUT,
        "holdout2" => templates::HOLDOUT2,
        _ => templates::MAIN,
    };
    let mut cx = Ctx {
        r: Rng::new(seed),
        firsts: list(FIRST),
        lasts: list(LAST),
        cities: list(CITIES),
    };
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    for id in 0..docs {
        let loc = match cx.r.below(100) {
            0..=49 => Loc::At,
            50..=84 => Loc::De,
            _ => Loc::Ch,
        };
        let p1 = person(&mut cx.r, &cx.firsts.clone(), &cx.lasts.clone());
        let p2 = person(&mut cx.r, &cx.firsts.clone(), &cx.lasts.clone());
        let ocr = cx.r.chance(0.1);
        let mut text = String::new();
        let mut spans: Vec<(usize, usize, &str)> = Vec::new();
        let n_t = 1 + cx.r.below(3);
        for k in 0..n_t {
            if k > 0 {
                text.push_str("\n\n");
            }
            let t = *cx.r.pick(templates);
            let mut rest = t;
            while let Some(open) = rest.find('{') {
                text.push_str(&noisy(&rest[..open], &mut cx.r, ocr));
                let Some(close) = rest[open..].find('}') else {
                    break;
                };
                let slot = &rest[open + 1..open + close];
                rest = &rest[open + close + 1..];
                let r = &mut cx.r;
                let email = |p: &Person, r: &mut Rng| {
                    format!(
                        "{}.{}@{}",
                        translit(&p.first),
                        translit(&p.last),
                        r.pick(&[
                            "firma.at",
                            "beispiel.de",
                            "muster.ch",
                            "gmx.at",
                            "gmail.com",
                            "web.de",
                            "bluewin.ch"
                        ])
                    )
                };
                let (value, label): (String, Option<&str>) = match slot {
                    "FULL" => (format!("{} {}", p1.first, p1.last), Some("PERSON")),
                    "FULL2" => (format!("{} {}", p2.first, p2.last), Some("PERSON")),
                    "FIRST" => (p1.first.clone(), Some("PERSON")),
                    "FIRST2" => (p2.first.clone(), Some("PERSON")),
                    "FIRSTLOW" => (p1.first.to_lowercase(), Some("PERSON")),
                    "SUR" => (p1.last.clone(), Some("PERSON")),
                    "REV" => (format!("{} {}", p1.last, p1.first), Some("PERSON")),
                    "COMMA" => (format!("{}, {}", p1.last, p1.first), Some("PERSON")),
                    "TITLE" => (
                        r.pick(&["", "", "Dr. ", "Mag. ", "Mag.a ", "DI ", "Ing. ", "Prof. "])
                            .to_string(),
                        None,
                    ),
                    "EMAIL" => (email(&p1, r), Some("EMAIL")),
                    "PHONE" => (values::phone(r, loc), Some("PHONE")),
                    "IBAN" => (values::iban(r, loc), Some("IBAN")),
                    "BIC" => (values::bic(r, loc), Some("BIC")),
                    "CARD" => (values::card(r), Some("CREDIT_CARD")),
                    "NATID" => match loc {
                        Loc::At => (values::svnr(r), Some("SVNR")),
                        Loc::Ch => (values::ahv(r), Some("SVNR")),
                        Loc::De => (values::steuer_id(r), Some("TAX_ID")),
                    },
                    "AHV" => (values::ahv(r), Some("SVNR")),
                    "TAXID" => (values::steuer_id(r), Some("TAX_ID")),
                    "VAT" => (values::vat(r, loc), Some("VAT_ID")),
                    "PLATE" => (values::plate(r, loc), Some("LICENSE_PLATE")),
                    "IP" => (values::ip(r), Some("IP_ADDRESS")),
                    "DOB" => (values::date(r, true), Some("DATE_OF_BIRTH")),
                    "DOBISO" => {
                        let d = values::date(r, true);
                        (d, Some("DATE_OF_BIRTH"))
                    }
                    "IDNUM" => (values::id_number(r), Some("ID_NUMBER")),
                    "URL" => (
                        format!(
                            "https://www.linkedin.com/in/{}-{}-{}",
                            translit(&p1.first),
                            translit(&p1.last),
                            r.digits(3)
                        ),
                        Some("URL"),
                    ),
                    "DATE" => (values::date(r, false), None),
                    "AMOUNT" => (
                        r.pick(&[
                            "EUR 1.234,56",
                            "€ 99,90",
                            "CHF 2'500.00",
                            "EUR 12.500",
                            "45,00 Euro",
                        ])
                        .to_string(),
                        None,
                    ),
                    "ORDER" => (cx.order(), None),
                    "EAN" => (cx.ean(), None),
                    "VERSION" => (
                        r.pick(&["1.2.3", "v2.10.4", "3.0", "2024.1"]).to_string(),
                        None,
                    ),
                    "COMPANY" => {
                        let s = cx.r.pick(&cx.lasts).to_string();
                        (
                            format!(
                                "{s} {}",
                                cx.r.pick(&[
                                    "& Partner GmbH",
                                    "Bau GmbH",
                                    "Stiftung",
                                    "AG",
                                    "Logistik KG"
                                ])
                            ),
                            None,
                        )
                    }
                    "CITY" => (cx.r.pick(&cx.cities).to_string(), None),
                    "ADDR" => (cx.address(loc), Some("ADDRESS")),
                    "PLZ" => (cx.postal(loc), Some("POSTAL_CITY")),
                    _ => (String::new(), None),
                };
                let start = text.chars().count();
                text.push_str(&value);
                if let Some(l) = label
                    && !value.is_empty()
                {
                    spans.push((start, text.chars().count(), l));
                }
            }
            text.push_str(&noisy(rest, &mut cx.r, ocr));
        }
        // case variants keep char offsets (per-char mapping only when 1:1)
        let case = cx.r.below(100);
        if case < 8 || case < 12 {
            let lower = case < 8;
            text = text
                .chars()
                .map(|c| {
                    let m: Vec<char> = if lower {
                        c.to_lowercase().collect()
                    } else {
                        c.to_uppercase().collect()
                    };
                    if m.len() == 1 { m[0] } else { c }
                })
                .collect();
        }
        let spans_json: Vec<serde_json::Value> = spans
            .iter()
            .map(|(s, e, l)| serde_json::json!({"start": s, "end": e, "label": l}))
            .collect();
        let line = serde_json::json!({"id": format!("{set}-{id}"), "locale": format!("{loc:?}"), "text": text, "spans": spans_json});
        writeln!(w, "{line}")?;
    }
    Ok(())
}
