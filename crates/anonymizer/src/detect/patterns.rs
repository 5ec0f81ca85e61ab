//! The single-pass pattern scanner for structured identifiers.
//!
//! All structured patterns are compiled into one `regex_automata::meta::Regex`
//! (`new_many`), searched leftmost-first in one pass. Each hit is validated in
//! code (checksums, context words). When a hit fails validation, the search
//! resumes one character later so that a weaker pattern that started at the
//! same place is not lost; a digit run is retried where a postcode or date
//! pattern failed. Patterns use ASCII word boundaries `(?-u:\b)` only: a
//! Unicode `\b` makes the lazy DFA give up on umlauts (see pii.md §0.6).

use regex_automata::meta::Regex;
use regex_automata::{Anchored, Input, PatternID};

use super::Cand;
use super::context::{Ctx, Window};
use super::numbers;
use crate::gazetteer::{Gazetteer, lower_into};
use crate::label::Label;
use crate::validate;

use super::pattern_list::*;

/// Compiled scanner.
#[derive(Debug, Clone)]
pub(crate) struct Patterns {
    re: Regex,
}

/// Raw URL hit, judged later once person names are known.
pub(crate) type UrlHit = (usize, usize);

fn prev_char(text: &str, pos: usize) -> Option<char> {
    text.get(..pos).and_then(|s| s.chars().next_back())
}

fn next_boundary(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

impl Patterns {
    /// Compiles all patterns into one multi-pattern regex.
    pub(crate) fn new() -> Result<Self, crate::Error> {
        let src = pattern_sources();
        let refs: Vec<&str> = src.iter().map(String::as_str).collect();
        let re = Regex::builder()
            .configure(Regex::config().hybrid_cache_capacity(16 * 1024 * 1024))
            .build_many(&refs)
            .map_err(|e| crate::Error::Pattern(e.to_string()))?;
        Ok(Patterns { re })
    }

    /// Scans `text`, pushing validated candidates to `out` and raw URLs to `urls`.
    pub(crate) fn scan(
        &self,
        text: &str,
        gaz: &Gazetteer,
        out: &mut Vec<Cand>,
        urls: &mut Vec<UrlHit>,
    ) {
        let mut pos = 0;
        let mut buf = String::new();
        while pos < text.len() {
            let Some(m) = self.re.search(&Input::new(text).span(pos..text.len())) else {
                break;
            };
            let (s, e, pid) = (m.start(), m.end(), m.pattern().as_usize());
            if let Some(next) = self.try_at(text, pid, s, e, gaz, out, urls, &mut buf) {
                pos = next;
                continue;
            }
            // A weaker pattern may match at the same start: try them anchored.
            let mut next = None;
            for q in pid + 1..=P_DIGITS {
                let Ok(id) = PatternID::new(q) else { continue };
                let inp = Input::new(text)
                    .span(s..text.len())
                    .anchored(Anchored::Pattern(id));
                if let Some(m2) = self.re.search(&inp) {
                    next = self.try_at(text, q, s, m2.end(), gaz, out, urls, &mut buf);
                    if next.is_some() {
                        break;
                    }
                }
            }
            if let Some(n) = next {
                pos = n;
                continue;
            }
            pos = next_boundary(text, s + 1);
        }
    }

    /// Handles one hit; returns where to continue if it was consumed.
    #[allow(clippy::too_many_arguments)]
    fn try_at(
        &self,
        text: &str,
        pid: usize,
        s: usize,
        e: usize,
        gaz: &Gazetteer,
        out: &mut Vec<Cand>,
        urls: &mut Vec<UrlHit>,
        buf: &mut String,
    ) -> Option<usize> {
        // continue after what was consumed (an IBAN may be shorter than the hit)
        let mut consumed = e;
        if !self.handle(text, pid, s, e, gaz, out, urls, buf, &mut consumed) && pid != P_DIGITS {
            return None;
        }
        Some(consumed.max(s + 1))
    }

    #[allow(clippy::too_many_arguments)]
    fn handle(
        &self,
        text: &str,
        pid: usize,
        s: usize,
        e: usize,
        gaz: &Gazetteer,
        out: &mut Vec<Cand>,
        urls: &mut Vec<UrlHit>,
        buf: &mut String,
        consumed: &mut usize,
    ) -> bool {
        let Some(m) = text.get(s..e) else {
            return false;
        };
        // ASCII `\b` also fires inside words after umlauts ("LÄUFT"): reject
        // letter-led hits that continue a word
        if !matches!(pid, P_DIGITS | P_URL | P_EMAIL | P_EMAIL_OBF | P_ADDRESS)
            && prev_char(text, s).is_some_and(char::is_alphanumeric)
        {
            return false;
        }
        let d = || validate::digits(m);
        let push = |out: &mut Vec<Cand>, a: usize, b: usize, l: Label| {
            out.push(Cand::new(a, b, l));
            true
        };
        match pid {
            P_URL => {
                let t = m.trim_end_matches(['.', ',', ')', ';', ':', '!', '?', ']']);
                urls.push((s, s + t.len()));
                true
            }
            P_EMAIL => {
                let t = m.trim_end_matches('.');
                let local = t.split('@').next().unwrap_or("").to_ascii_lowercase();
                ROLE_MAILBOXES.contains(&local.as_str()) || push(out, s, s + t.len(), Label::Email)
            }
            P_EMAIL_OBF => push(out, s, e, Label::Email),
            P_VAT_AT => validate::at_uid(&d()) && push(out, s, e, Label::VatId),
            P_VAT_DE => validate::de_vat(&d()) && push(out, s, e, Label::VatId),
            P_VAT_CH => validate::ch_uid(&d()) && push(out, s, e, Label::VatId),
            P_IBAN => {
                let cc = m.get(..2).unwrap_or("").to_ascii_uppercase();
                let Some(want) = validate::iban_length(&cc) else {
                    return false;
                };
                let mut compact = String::with_capacity(want);
                let mut end = s;
                for (i, c) in m.char_indices() {
                    if c.is_ascii_alphanumeric() {
                        compact.push(c.to_ascii_uppercase());
                        if compact.len() == want {
                            end = s + i + 1;
                            break;
                        }
                    }
                }
                let shaped = compact.len() == want
                    && text
                        .get(end..)
                        .and_then(|t| t.chars().next())
                        .is_none_or(|c| !c.is_ascii_alphanumeric());
                if !shaped {
                    return false;
                }
                *consumed = end;
                // a mistyped IBAN (bad checksum) is consumed but not reported,
                // so its digits are not re-read as a phone number
                if validate::iban(&compact) {
                    push(out, s, end, Label::Iban);
                }
                true
            }
            P_BIC => {
                let w = Window::before(text, s, 60);
                let near_iban = out
                    .last()
                    .is_some_and(|c| c.label == Label::Iban && s - c.end.min(s) < 80);
                (w.has(Ctx::Bank) || near_iban) && push(out, s, e, Label::Bic)
            }
            P_AHV => validate::ahv(&d()) && push(out, s, e, Label::Svnr),
            P_IPV4 => {
                let w = Window::before(text, s, 20);
                validate::ipv4(m)
                    && !w.text_contains("version")
                    && !matches!(prev_char(text, s), Some('v' | 'V' | '.'))
                    && push(out, s, e, Label::IpAddress)
            }
            P_IPV6 => {
                let t = if m.ends_with("::") {
                    m
                } else {
                    m.trim_end_matches(':')
                };
                t.len() >= 6
                    && t.parse::<std::net::Ipv6Addr>().is_ok()
                    && (t.contains("::") || t.matches(':').count() >= 4)
                    && push(out, s, s + t.len(), Label::IpAddress)
            }
            P_DATE_MONTH => {
                if Window::before(text, s, 30).has(Ctx::Birth) {
                    push(out, s, e, Label::DateOfBirth)
                } else {
                    true
                }
            }
            P_POSTAL => self.postal(text, s, e, gaz, out, buf),
            P_ADDRESS => {
                if let Some(first) = m.split(' ').nth(1) {
                    let f = lower_into(buf, first);
                    if m.starts_with(|c: char| c.is_uppercase())
                        && m.split(' ').next().is_some_and(|w| {
                            matches!(
                                w,
                                "Am" | "Im"
                                    | "Zum"
                                    | "Zur"
                                    | "Beim"
                                    | "An"
                                    | "Auf"
                                    | "In"
                                    | "Unter"
                                    | "Hinter"
                                    | "Vor"
                                    | "Bei"
                            )
                        })
                        && (STREET_STOP.contains(&f)
                            || [
                                "raum", "zimmer", "büro", "saal", "stock", "geschoss", "gebäude",
                                "bereich", "zentrum",
                            ]
                            .iter()
                            .any(|x| f.ends_with(x)))
                    {
                        return false;
                    }
                }
                // a bare year after a street word is not a house number
                let num = m.rsplit(' ').next().unwrap_or("");
                if num.len() == 4 && num.parse::<u32>().is_ok_and(|y| (1900..=2100).contains(&y)) {
                    return false;
                }
                push(out, s, e, Label::Address)
            }
            P_PLATE => {
                let w = Window::before(text, s, 50);
                w.has(Ctx::Plate) && push(out, s, e, Label::LicensePlate)
            }
            P_IDNUM => {
                let w = Window::before(text, s, 50);
                (8..=10).contains(&m.len()) && w.has(Ctx::IdDoc) && push(out, s, e, Label::IdNumber)
            }
            P_BIC_CUE => {
                // the code is the last word of the hit
                let code_len = m.rsplit([' ', ':']).next().map_or(0, str::len);
                push(out, e - code_len, e, Label::Bic)
            }
            P_DIGITS => {
                if prev_char(text, s).is_none_or(|c| !c.is_alphanumeric()) {
                    numbers::scan_run(text, s, e, out);
                }
                true
            }
            _ => false,
        }
    }

    fn postal(
        &self,
        text: &str,
        s: usize,
        e: usize,
        gaz: &Gazetteer,
        out: &mut Vec<Cand>,
        buf: &mut String,
    ) -> bool {
        let Some(m) = text.get(s..e) else {
            return false;
        };
        let (prefixed, rest) = match m.split_once('-') {
            Some(("A" | "D" | "CH" | "FL", r)) => (true, r),
            _ => (false, m),
        };
        let Some((code, city)) = rest.split_once(' ') else {
            return false;
        };
        let Ok(num) = code.parse::<u32>() else {
            return false;
        };
        let plausible = match code.len() {
            4 => (1000..=9999).contains(&num),
            5 => (1001..=99998).contains(&num),
            _ => false,
        };
        if !plausible {
            return false;
        }
        let city_start = e - city.len();
        // longest prefix of the city words that is a known place
        let words: Vec<(usize, &str)> = city
            .match_indices(' ')
            .map(|(i, _)| (i, &city[..i]))
            .chain(std::iter::once((city.len(), city)))
            .collect();
        for &(len, cand) in words.iter().rev() {
            if gaz.is_city(lower_into(buf, cand)) {
                out.push(Cand::new(s, city_start + len, Label::PostalCity));
                return true;
            }
            // "Wien-Floridsdorf": the part before a hyphen may be the place
            if let Some((head, _)) = cand.split_once('-')
                && gaz.is_city(lower_into(buf, head))
            {
                out.push(Cand::new(s, city_start + len, Label::PostalCity));
                return true;
            }
        }
        let first_len = words.first().map_or(city.len(), |w| w.0);
        let first = &city[..first_len];
        let after_address = out
            .last()
            .is_some_and(|c| c.label == Label::Address && s.saturating_sub(c.end) <= 3);
        let ctx = Window::before(text, s, 40).has(Ctx::Postal);
        let capital = first.starts_with(|c: char| c.is_uppercase());
        let looks_noun =
            first.ends_with("ung") || first.ends_with("keit") || first.ends_with("heit");
        if (prefixed || after_address || ctx) && capital && !looks_noun {
            out.push(Cand::new(s, city_start + first_len, Label::PostalCity));
            return true;
        }
        false
    }
}

impl Window {
    /// Plain substring test on the lower-cased window.
    pub(crate) fn text_contains(&self, needle: &str) -> bool {
        self.as_str().contains(needle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchored_fallback_and_postal() {
        let p = Patterns::new().unwrap();
        let g = Gazetteer::load();
        for (t, want) in [
            (
                "Adresse: Zehnderstrasse 67c, 8483 Weißkirchen\nTel.",
                "8483 Weißkirchen",
            ),
            ("Reisepass Nr. YL762MK3N, ausgestellt", "YL762MK3N"),
        ] {
            let (mut out, mut urls) = (Vec::new(), Vec::new());
            p.scan(t, &g, &mut out, &mut urls);
            assert!(
                out.iter().any(|c| &t[c.start..c.end] == want),
                "{t}: {out:?}"
            );
        }
    }

    #[test]
    fn debug_ipv6() {
        let p = Patterns::new().unwrap();
        let t = "IPv6 2001:db8::1 x";
        let m = p.re.search(&Input::new(t).span(5..t.len())).unwrap();
        assert_eq!(
            (m.pattern().as_usize(), &t[m.start()..m.end()]),
            (P_IPV6, "2001:db8::1")
        );
    }
}
