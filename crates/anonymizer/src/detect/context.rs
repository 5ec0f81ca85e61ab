//! Context words before a candidate ("Tel.", "geb.", "Rechnungsnr.").
//!
//! Presidio-style context, simplified: look at a small window of text before
//! the candidate, lower-cased, and find the *nearest* keyword of each kind.
//! Substring matching is deliberate: German compounds ("Kundennummer",
//! "Telefonnummer") contain the keyword.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

/// Keyword families used by the number and pattern detectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ctx {
    Phone,
    Birth,
    Negative,
    Svnr,
    Tax,
    Card,
    Plate,
    IdDoc,
    Bank,
    Postal,
}

const PHONE: &[&str] = &[
    "tel",
    "phone",
    "mobil",
    "handy",
    "fax",
    "durchwahl",
    "dw.",
    "erreichbar",
    "anruf",
    "rückruf",
    "ruf ",
    "hotline",
    "whatsapp",
    "natel",
    "mob.",
    "festnetz",
];
const BIRTH: &[&str] = &[
    "geb.", "geboren", "geburt", "geb ", "dob", "birth", "geb.-dat", "* ", "jahrgang",
];
const NEGATIVE: &[&str] = &[
    "rechnung",
    "bestell",
    "artikel",
    "art.-nr",
    "art.nr",
    "kunden-nr",
    "kundennr",
    "kundennummer",
    "auftrag",
    "lieferschein",
    "beleg",
    "vorgang",
    "ticket",
    "order",
    "invoice",
    "ean",
    "gtin",
    "version",
    "vers.",
    "betrag",
    "eur",
    "€",
    "chf",
    "usd",
    "summe",
    "preis",
    "menge",
    "stück",
    "aktenzeichen",
    "az.",
    "gz.",
    "geschäftszahl",
    "referenz",
    "ref.",
    "seite",
    "kapitel",
    "paket",
    "sendung",
    "gesamt",
    "netto",
    "brutto",
    "konto",
    "tracking",
    "lieferung",
    "charge",
    "serien",
    "projekt",
    "vertrag",
    "angebot",
    "dokument",
    "modell",
    "fn ",
    "firmenbuch",
    "hrb",
    "hra",
    "bestellung",
    "kosten",
    "umsatz",
    "gewinn",
    "lager",
    "inventar",
    "barcode",
    "isbn",
    "plz",
    "postleitzahl",
    "zimmer",
    "raum",
    "termin am",
    "datum",
    "frist",
    "fällig",
    "uhr",
    "lieferdatum",
    "vom ",
    "bis ",
];
const SVNR: &[&str] = &[
    "svnr",
    "sv-nr",
    "sv nr",
    "vsnr",
    "versicherungsn",
    "sozialvers",
    "e-card",
    "ecard",
    "ahv",
    "avs",
    "sozialversicherung",
    "versicherungsnr",
    "sv-nummer",
];
const TAX: &[&str] = &[
    "steuer",
    "st.-nr",
    "stnr",
    "idnr",
    "identifikationsn",
    "tax",
];
const CARD: &[&str] = &[
    "karte",
    "card",
    "visa",
    "mastercard",
    "amex",
    "maestro",
    "kreditk",
    "kk-nr",
    "diners",
    "jcb",
];
const PLATE: &[&str] = &[
    "kennzeichen",
    "kfz",
    "nummernschild",
    "fahrzeug",
    "pkw",
    "lkw",
    "auto",
    "wagen",
    "motorrad",
    "anhänger",
    "zugelassen",
    "geparkt",
    "halter",
    "kontrollschild",
];
const IDDOC: &[&str] = &[
    "pass",
    "ausweis",
    "id-karte",
    "identitätskarte",
    "dokumentennummer",
    "personalausw",
    "reisepass",
    "id card",
    "id-nr",
    "identity",
];
const BANK: &[&str] = &["bic", "swift", "iban", "bank", "konto"];
const POSTAL: &[&str] = &[
    "plz",
    "wohnhaft",
    "anschrift",
    "adresse",
    "wohnort",
    "ort:",
    "wohnt in",
    "sitz",
    "zustell",
];

fn words(c: Ctx) -> &'static [&'static str] {
    match c {
        Ctx::Phone => PHONE,
        Ctx::Birth => BIRTH,
        Ctx::Negative => NEGATIVE,
        Ctx::Svnr => SVNR,
        Ctx::Tax => TAX,
        Ctx::Card => CARD,
        Ctx::Plate => PLATE,
        Ctx::IdDoc => IDDOC,
        Ctx::Bank => BANK,
        Ctx::Postal => POSTAL,
    }
}

const ALL: [Ctx; 10] = [
    Ctx::Phone,
    Ctx::Birth,
    Ctx::Negative,
    Ctx::Svnr,
    Ctx::Tax,
    Ctx::Card,
    Ctx::Plate,
    Ctx::IdDoc,
    Ctx::Bank,
    Ctx::Postal,
];

/// One automaton over all keyword families (pattern id -> family).
static KEYWORDS: LazyLock<Option<(AhoCorasick, Vec<Ctx>)>> = LazyLock::new(|| {
    let mut pats = Vec::new();
    let mut kinds = Vec::new();
    for c in ALL {
        for w in words(c) {
            pats.push(*w);
            kinds.push(c);
        }
    }
    AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(&pats)
        .ok()
        .map(|ac| (ac, kinds))
});

/// A lower-cased window of text before a position, with the nearest
/// keyword distance of each family precomputed.
#[derive(Debug)]
pub struct Window {
    text: String,
    nearest: [Option<usize>; 10],
}

impl Window {
    /// The `max` bytes before `pos` (adjusted to char boundaries), lower-cased.
    pub fn before(text: &str, pos: usize, max: usize) -> Window {
        let mut s = pos.saturating_sub(max);
        while s > 0 && !text.is_char_boundary(s) {
            s -= 1;
        }
        let pos = pos.min(text.len());
        let slice = text.get(s..pos).unwrap_or("");
        let text = if slice.is_ascii() {
            slice.to_ascii_lowercase()
        } else {
            slice.to_lowercase()
        };
        let mut nearest = [None; 10];
        if let Some((ac, kinds)) = KEYWORDS.as_ref() {
            for m in ac.find_overlapping_iter(text.as_str()) {
                // keywords must start a word (compounds start with them)
                if text[..m.start()]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphabetic)
                {
                    continue;
                }
                let Some(k) = kinds.get(m.pattern().as_usize()) else {
                    continue;
                };
                let Some(idx) = ALL.iter().position(|c| c == k) else {
                    continue;
                };
                let d = text.len() - m.start();
                nearest[idx] = Some(nearest[idx].map_or(d, |x: usize| x.min(d)));
            }
        }
        Window { text, nearest }
    }

    /// Distance (in bytes from the window end) of the nearest keyword of `c`.
    pub fn nearest(&self, c: Ctx) -> Option<usize> {
        ALL.iter()
            .position(|x| *x == c)
            .and_then(|i| self.nearest[i])
    }

    /// Does any keyword of `c` occur in the window?
    pub fn has(&self, c: Ctx) -> bool {
        self.nearest(c).is_some()
    }
}

impl Window {
    /// The lower-cased window text.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}
