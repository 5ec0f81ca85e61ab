//! Check-digit and plausibility validators for structured identifiers.
//!
//! Every function takes already-extracted characters (separators removed by
//! the caller where noted) and returns `false` instead of failing, so that
//! detection never panics on odd input. Algorithms follow
//! `shared/reference/pii.md` §2.

/// Digits of `s` as numbers, ignoring every non-digit.
///
/// Why: callers pass spans with spaces, dots or dashes inside.
pub fn digits(s: &str) -> Vec<u8> {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect()
}

/// IBAN mod-97 check plus the per-country length (AT 20, DE 22, CH/LI 21, …).
///
/// Why: a random letters+digits run must not become an IBAN entity.
/// `compact` must be upper-case without separators.
pub fn iban(compact: &str) -> bool {
    let b = compact.as_bytes();
    if b.len() < 15 || b.len() > 34 || !b.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    match iban_length(&compact[..2]) {
        Some(n) if n == b.len() => {}
        _ => return false,
    }
    if !b[2].is_ascii_digit() || !b[3].is_ascii_digit() {
        return false;
    }
    let mut rem: u32 = 0;
    for &c in b[4..].iter().chain(b[..4].iter()) {
        let v = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// Expected IBAN length for a country code, for the countries seen in DACH business mail.
///
/// Why: the detector trims trailing words by the known length.
pub fn iban_length(cc: &str) -> Option<usize> {
    Some(match cc {
        "AT" => 20,
        "DE" => 22,
        "CH" | "LI" => 21,
        "NL" => 18,
        "BE" => 16,
        "FR" | "IT" | "MC" => 27,
        "ES" | "SE" | "SK" | "CZ" => 24,
        "LU" | "SI" => 19,
        "PL" | "HU" => 28,
        "HR" | "LV" => 21,
        "GB" | "IE" => 22,
        "DK" | "FI" => 18,
        "PT" => 25,
        "NO" => 15,
        "RS" => 22,
        "TR" => 26,
        "BA" => 20,
        _ => return None,
    })
}

/// Luhn checksum over digits.
///
/// Why: payment card numbers carry a Luhn check digit.
pub fn luhn(d: &[u8]) -> bool {
    if d.is_empty() {
        return false;
    }
    let mut sum = 0u32;
    for (i, &x) in d.iter().rev().enumerate() {
        let mut v = u32::from(x);
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

/// Payment card: length and issuer range (Visa, Mastercard incl. 2-series,
/// Amex, Maestro, JCB, Diners, Discover/UnionPay) plus Luhn.
///
/// Why: Luhn alone accepts 10 % of random numbers.
pub fn credit_card(d: &[u8]) -> bool {
    let n = d.len();
    if !(12..=19).contains(&n) || !luhn(d) {
        return false;
    }
    let p = |k: usize| d.iter().take(k).fold(0u32, |a, &x| a * 10 + u32::from(x));

    match d[0] {
        4 => matches!(n, 13 | 16 | 19),
        5 => {
            (51..=55).contains(&p(2)) && n == 16
                || (p(2) == 50 || (56..=59).contains(&p(2))) && n >= 12
        }
        2 => (2221..=2720).contains(&p(4)) && n == 16,
        3 => {
            (matches!(p(2), 34 | 37) && n == 15)
                || ((3528..=3589).contains(&p(4)) && (16..=19).contains(&n))
                || ((matches!(p(2), 36 | 38) || (300..=305).contains(&p(3)))
                    && (14..=19).contains(&n))
        }
        6 => n >= 12,
        _ => false,
    }
}

/// Austrian SVNR: 10 digits, check digit at position 4, plausible birth date.
///
/// Why: about 1 in 11 random 10-digit numbers passes the checksum, so the
/// date part (DDMMYY, months 1–12 or the 13–15 substitute range) is checked too.
pub fn svnr(d: &[u8]) -> bool {
    if d.len() != 10 || d[0] == 0 {
        return false;
    }
    const W: [u32; 10] = [3, 7, 9, 0, 5, 8, 4, 2, 1, 6];
    let s: u32 = d.iter().zip(W).map(|(&x, w)| u32::from(x) * w).sum();
    let c = s % 11;
    if c == 10 || c != u32::from(d[3]) {
        return false;
    }
    let day = d[4] * 10 + d[5];
    let month = d[6] * 10 + d[7];
    (1..=31).contains(&day) && (1..=15).contains(&month)
}

/// CH AHV number (756 + 10 digits) with EAN-13 check digit.
///
/// Why: Swiss social security numbers replace the SVNR in CH text.
pub fn ahv(d: &[u8]) -> bool {
    if d.len() != 13 || d[..3] != [7, 5, 6] {
        return false;
    }
    let s: u32 = d[..12]
        .iter()
        .enumerate()
        .map(|(i, &x)| u32::from(x) * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    (10 - s % 10) % 10 == u32::from(d[12])
}

/// ISO 7064 MOD 11,10 check digit over `d`.
///
/// Why: shared by the DE Steuer-ID and the DE USt-IdNr.
fn mod11_10(d: &[u8]) -> u8 {
    let mut p: u32 = 10;
    for &x in d {
        let mut s = (u32::from(x) + p) % 10;
        if s == 0 {
            s = 10;
        }
        p = (2 * s) % 11;
    }
    let c = 11 - p;
    if c == 10 { 0 } else { c as u8 }
}

/// DE Steuer-ID: 11 digits, first ≠ 0, digit-frequency rule and MOD 11,10.
///
/// Why: random 11-digit numbers (orders, phones) must not pass.
pub fn steuer_id(d: &[u8]) -> bool {
    if d.len() != 11 || d[0] == 0 {
        return false;
    }
    let mut counts = [0u8; 10];
    for &x in &d[..10] {
        counts[usize::from(x)] += 1;
    }
    let multi = counts.iter().filter(|&&c| c >= 2).count();
    if multi != 1 || counts.iter().any(|&c| c > 3) {
        return false;
    }
    if d[..10].windows(3).any(|w| w[0] == w[1] && w[1] == w[2]) {
        return false;
    }
    mod11_10(&d[..10]) == d[10]
}

/// AT UID digits (the 8 digits after `ATU`).
///
/// Why: Austrian VAT numbers carry a check digit.
pub fn at_uid(d: &[u8]) -> bool {
    if d.len() != 8 {
        return false;
    }
    let mut s = u32::from(d[0]) + u32::from(d[2]) + u32::from(d[4]) + u32::from(d[6]);
    for &x in &[d[1], d[3], d[5]] {
        let x = u32::from(x);
        s += x / 5 + (2 * x) % 10;
    }
    (10 - (s + 4) % 10) % 10 == u32::from(d[7])
}

/// DE USt-IdNr digits (the 9 digits after `DE`).
///
/// Why: German VAT numbers carry a MOD 11,10 check digit.
pub fn de_vat(d: &[u8]) -> bool {
    d.len() == 9 && d[0] != 0 && mod11_10(&d[..8]) == d[8]
}

/// CH UID digits (the 9 digits after `CHE`).
///
/// Why: Swiss enterprise numbers carry a mod-11 check digit.
pub fn ch_uid(d: &[u8]) -> bool {
    if d.len() != 9 {
        return false;
    }
    const W: [u32; 8] = [5, 4, 3, 2, 7, 6, 5, 4];
    let s: u32 = d[..8].iter().zip(W).map(|(&x, w)| u32::from(x) * w).sum();
    let c = (11 - s % 11) % 11;
    c != 10 && c == u32::from(d[8])
}

/// IPv4 dotted quad with octets ≤ 255 and no leading zeros beyond "0".
///
/// Why: version strings like 1.2.3.400 must not pass.
pub fn ipv4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && !(p.len() > 1 && p.starts_with('0'))
                && p.parse::<u16>().is_ok_and(|v| v <= 255)
        })
}

/// Calendar plausibility of a day/month/year triple (year 1900–2099).
///
/// Why: dates are only a DATE_OF_BIRTH when they are real dates.
pub fn date(day: u32, month: u32, year: u32) -> bool {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let max = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2099).contains(&year) && day >= 1 && day <= max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans() {
        assert!(iban("DE89370400440532013000"));
        assert!(iban("AT611904300234573201"));
        assert!(iban("CH9300762011623852957"));
        assert!(iban("LI21088100002324013AA"));
        assert!(!iban("DE89370400440532013001"));
        assert!(!iban("DE8937040044053201300"));
    }

    #[test]
    fn cards() {
        for c in [
            "4111111111111111",
            "5555555555554444",
            "2223003122003222",
            "6759649826438453",
            "378282246310005",
        ] {
            assert!(credit_card(&digits(c)), "{c}");
        }
        assert!(!credit_card(&digits("4111111111111112")));
        assert!(!credit_card(&digits("1234567812345670")));
    }

    #[test]
    fn ids() {
        assert!(svnr(&digits("1237 010180")));
        assert!(!svnr(&digits("1238 010180")));
        assert!(steuer_id(&digits("86095742719")));
        assert!(steuer_id(&digits("12345678995")));
        assert!(steuer_id(&digits("36574261809")));
        assert!(!steuer_id(&digits("36574261890")));
        assert!(at_uid(&digits("13585627")));
        assert!(!at_uid(&digits("13585626")));
        assert!(de_vat(&digits("136695976")));
        assert!(!de_vat(&digits("136695978")));
        assert!(ahv(&digits("756.9217.0769.85")));
        assert!(!ahv(&digits("756.9217.0769.84")));
        assert!(ch_uid(&digits("100155212")));
        assert!(!ch_uid(&digits("100155213")));
    }

    #[test]
    fn misc() {
        assert!(ipv4("192.168.10.1"));
        assert!(!ipv4("1.2.3.400"));
        assert!(date(29, 2, 2024));
        assert!(!date(29, 2, 2023));
    }
}
