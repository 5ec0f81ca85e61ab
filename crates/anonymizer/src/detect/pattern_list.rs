//! The pattern list of the single-pass scanner, in priority order, plus the
//! small word lists its validators use.
//!
//! Kept apart from the scanning logic (`patterns.rs`) so the regexes can be
//! read and reviewed on their own. ASCII word boundaries `(?-u:\b)` only.

pub(crate) const P_URL: usize = 0;
pub(crate) const P_EMAIL: usize = 1;
pub(crate) const P_EMAIL_OBF: usize = 2;
pub(crate) const P_VAT_AT: usize = 3;
pub(crate) const P_VAT_DE: usize = 4;
pub(crate) const P_VAT_CH: usize = 5;
pub(crate) const P_IBAN: usize = 6;
pub(crate) const P_BIC: usize = 7;
pub(crate) const P_AHV: usize = 8;
pub(crate) const P_IPV4: usize = 9;
pub(crate) const P_IPV6: usize = 10;
pub(crate) const P_DATE_MONTH: usize = 11;
pub(crate) const P_POSTAL: usize = 12;
pub(crate) const P_ADDRESS: usize = 13;
pub(crate) const P_PLATE: usize = 14;
pub(crate) const P_IDNUM: usize = 15;
pub(crate) const P_DIGITS: usize = 16;
pub(crate) const P_BIC_CUE: usize = 17;

const SUFFIX: &str = r"(?:stra(?:ß|ss)e|str\.|gasse|weg|platz|allee|ring|damm|ufer|kai|zeile|lände|steig|graben|markt|promenade|chaussee|pfad|gürtel|anger|siedlung|steg|gassl|gürtel)";
const SUFFIX_SEP: &str = r"(?:Stra(?:ß|ss)e|Str\.|Gasse|Weg|Platz|Allee|Ring|Damm|Ufer|Kai|Zeile|Lände|Steig|Graben|Markt|Promenade|Chaussee|Gürtel|Hof|Park|Anger|Siedlung|Hauptstra(?:ß|ss)e|Landstra(?:ß|ss)e|Bundesstra(?:ß|ss)e)";

/// Builds the pattern list in priority order (earlier wins at the same start).
pub(crate) fn pattern_sources() -> Vec<String> {
    let house = r" [0-9]{1,4}[a-zA-Z]?(?:[ ]?[-/][ ]?[0-9]{1,4}[a-zA-Z]?){0,3}(?:(?:, ?| ?/ ?| )(?:Stiege|Stg\.|Top|Tür|Türe|Whg\.|Wohnung|Stock|Haus|Block|OG|EG|DG)\.? ?[0-9]{1,3}[a-z]?){0,3}(?-u:\b)";
    let street = format!(
        r"(?:[A-Za-zÄÖÜäöü][a-zäöüß]+(?i:{SUFFIX})|(?:[A-Za-zÄÖÜäöüÉé][a-zäöüßéèáàçñëïô]*\.?-)+(?i:{SUFFIX_SEP})|[A-ZÄÖÜa-zäöü][a-zäöüß]+er (?i:{SUFFIX_SEP})|(?:Am|An der|An den|Auf der|Auf dem|Im|In der|In den|Unter den|Zum|Zur|Hinter der|Vor dem|Beim|Bei der) [A-ZÄÖÜ][a-zäöüß]+(?: [A-ZÄÖÜ][a-zäöüß]+)?)"
    );
    let months = r"(?i:jänner|januar|jan\.|feber|februar|feb\.|märz|maerz|april|apr\.|mai|juni|juli|august|aug\.|september|sept?\.|oktober|okt\.|november|nov\.|dezember|dez\.)";
    let city = r"(?:(?:St\.|Sankt|Bad) )?[A-Za-zÄÖÜäöü][A-Za-zÄÖÜäöüßéèâ]+(?:-[A-Za-zÄÖÜäöü][a-zäöüß]+)*(?: (?:am|an der|an den|im|in|bei|ob der|ob|in der) [A-ZÄÖÜ][a-zäöüß]+(?: [A-ZÄÖÜ][a-zäöüß]+)?| [A-ZÄÖÜ][a-zäöüß]+)?";
    vec![
        r#"(?:https?://|www\.)[^ \t\r\n<>"']+"#.to_string(),
        r"[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9äöüÄÖÜ](?:[A-Za-z0-9äöüÄÖÜ\-]*[A-Za-z0-9äöüÄÖÜ])?(?:\.[A-Za-z0-9äöüÄÖÜ\-]+)*\.[A-Za-z]{2,24}".to_string(),
        r"[A-Za-z0-9][A-Za-z0-9._%+\-]* ?[\[(] ?(?i:at|ät) ?[\])] ?[A-Za-z0-9\-]+(?:(?:\.| ?[\[(] ?(?i:dot|punkt) ?[\])] ?)[A-Za-z0-9\-]+)*".to_string(),
        r"(?-u:\b)(?i:atu) ?[0-9]{8}(?-u:\b)".to_string(),
        r"(?-u:\b)(?i:de) ?[0-9]{3} ?[0-9]{3} ?[0-9]{3}(?-u:\b)".to_string(),
        r"(?-u:\b)(?i:che)[- ]?[0-9]{3}\.?[0-9]{3}\.?[0-9]{3}(?: ?(?:MWST|TVA|IVA|HR))?(?-u:\b)".to_string(),
        r"(?-u:\b)[A-Za-z]{2}[0-9]{2}(?:[ \t]?[A-Za-z0-9]|\r?\n[A-Za-z0-9]){11,32}".to_string(),
        r"(?-u:\b)[A-Z]{4}(?:AT|DE|CH|LI)[A-Z0-9]{2}(?:[A-Z0-9]{3})?(?-u:\b)".to_string(),
        r"(?-u:\b)756[. ]?[0-9]{4}[. ]?[0-9]{4}[. ]?[0-9]{2}(?-u:\b)".to_string(),
        r"(?-u:\b)[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?-u:\b)".to_string(),
        r"(?-u:\b)[0-9A-Fa-f]*:[0-9A-Fa-f]*:[0-9A-Fa-f:]*".to_string(),
        format!(r"(?-u:\b)[0-9]{{1,2}}\. ?{months} ?[0-9]{{4}}(?-u:\b)"),
        format!(r"(?-u:\b)(?:(?:A|D|CH|FL)-)?[0-9]{{4,5}} {city}"),
        format!("{street}{house}"),
        r"(?-u:\b)(?:[A-ZÄÖÜ]{1,3}[- ][A-Z]{1,2} ?[0-9]{1,4}[EH]?|[A-Z]{1,2}[- ][0-9]{1,6} ?[A-Z]{1,3}|[A-Z]{1,2}[- ][A-Z]{1,5} ?[0-9]{1,3}|(?:ZH|BE|LU|UR|SZ|OW|NW|GL|ZG|FR|SO|BS|BL|SH|AR|AI|SG|GR|AG|TG|TI|VD|VS|NE|GE|JU) ?[0-9]{1,6})(?-u:\b)".to_string(),
        r"(?-u:\b)[A-Za-z]+[0-9][A-Za-z0-9]*(?-u:\b)".to_string(),
        r"(?:\+|\(\+?|(?-u:\b))[0-9](?:[0-9]|[ ./\-]?\(0\) ?[0-9]|\) ?[0-9]|[./\-][0-9]| [0-9]| ?/ [0-9]| - [0-9])*".to_string(),
        // lower-case BIC right after its label ("bic: bkauatww")
        r"(?-u:\b)(?i:bic|swift)(?:-code)?:? ?[a-z]{4}(?:at|de|ch|li)[a-z0-9]{2}(?:[a-z0-9]{3})?(?-u:\b)".to_string(),
    ]
}

/// Function mailboxes that do not identify a person.
pub(crate) const ROLE_MAILBOXES: &[&str] = &[
    "office",
    "info",
    "support",
    "service",
    "kontakt",
    "contact",
    "noreply",
    "no-reply",
    "buchhaltung",
    "rechnung",
    "rechnungen",
    "invoice",
    "sales",
    "hello",
    "hallo",
    "team",
    "admin",
    "webmaster",
    "post",
    "mail",
    "verwaltung",
    "empfang",
    "bestellung",
    "orders",
    "presse",
    "jobs",
    "karriere",
    "datenschutz",
    "privacy",
    "hr",
    "marketing",
    "vertrieb",
    "einkauf",
    "postmaster",
    "abuse",
    "billing",
    "helpdesk",
];

pub(crate) const STREET_STOP: &[&str] = &[
    "jahr",
    "jahre",
    "jahren",
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonntag",
    "beispiel",
    "ende",
    "anfang",
    "monat",
    "zeitraum",
    "rahmen",
    "rahmen",
    "moment",
    "januar",
    "jänner",
    "februar",
    "märz",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "dezember",
    "quartal",
    "kapitel",
    "abschnitt",
    "punkt",
    "absatz",
    "schluss",
    "vergleich",
    "durchschnitt",
    "schnitt",
    "wert",
    "betrag",
    "stand",
    "zuge",
    "laufe",
    "bereich",
    "alter",
    "preis",
    "tag",
    "jahrgang",
    "minute",
    "stunde",
    "team",
    "vertrag",
];
