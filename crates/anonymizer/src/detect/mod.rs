//! Detection pipeline: pattern scan, person rules, URL judgement, overlap resolution.
//!
//! Each family lives in its own module; this module only combines their
//! candidates and resolves overlaps (higher priority first, then longer,
//! then earlier), so the returned entities never overlap.

pub(crate) mod context;
pub(crate) mod numbers;
pub(crate) mod pattern_list;
pub(crate) mod patterns;
pub(crate) mod person;
pub(crate) mod person_words;
pub(crate) mod tokens;

use crate::gazetteer::{Gazetteer, lower_into};
use crate::label::Label;

/// A detection candidate in byte offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cand {
    pub start: usize,
    pub end: usize,
    pub label: Label,
    pub prio: u8,
}

impl Cand {
    pub(crate) fn new(start: usize, end: usize, label: Label) -> Self {
        Cand {
            start,
            end,
            label,
            prio: default_prio(label),
        }
    }
}

fn default_prio(l: Label) -> u8 {
    match l {
        Label::Email | Label::Iban => 100,
        Label::Url | Label::CreditCard | Label::VatId => 95,
        Label::Svnr | Label::TaxId | Label::Bic | Label::IpAddress => 90,
        Label::DateOfBirth => 85,
        Label::Phone => 80,
        Label::Address => 75,
        Label::PostalCity | Label::IdNumber => 70,
        Label::LicensePlate => 65,
        Label::Person => 60,
    }
}

const SOCIAL: &[&str] = &[
    "linkedin.com/in/",
    "xing.com/profile",
    "facebook.com/",
    "instagram.com/",
    "twitter.com/",
    "x.com/",
    "github.com/",
    "tiktok.com/@",
    "youtube.com/@",
    "t.me/",
    "wa.me/",
    "threads.net/@",
    "mastodon",
    "/~",
    "/user/",
    "/users/",
    "/profil",
    "/people/",
    "/team/",
    "/mitarbeiter",
    "email=",
    "mail=",
    "name=",
    "user=",
    "kunde=",
];

/// Is this URL personal? Social profiles, user paths, or a name in the path.
fn personal_url(url: &str, gaz: &Gazetteer, names: &[String], buf: &mut String) -> bool {
    let l = url.to_lowercase();
    if SOCIAL.iter().any(|s| l.contains(s)) || l.contains('@') {
        return true;
    }
    let path = l.split_once("://").map_or(l.as_str(), |x| x.1);
    let Some((_, path)) = path.split_once('/') else {
        return false;
    };
    path.split(|c: char| !c.is_alphanumeric() && c != 'ä' && c != 'ö' && c != 'ü')
        .filter(|w| w.len() >= 3)
        .any(|w| {
            let w = lower_into(buf, w);
            names.iter().any(|n| n == w) || (gaz.is_first(w) && !gaz.is_ambiguous(w))
        })
}

/// Runs all detectors and returns sorted, non-overlapping candidates.
pub(crate) fn detect(
    text: &str,
    pats: Option<&patterns::Patterns>,
    gaz: &Gazetteer,
    enabled: &[bool; 16],
) -> Vec<Cand> {
    let mut cands: Vec<Cand> = Vec::new();
    let mut urls = Vec::new();
    // ALL-CAPS text: also scan a copy with words in title case (same byte
    // offsets), so street, place and name rules that expect normal case work.
    let style = tokens::case_style(text);
    let caps = style.0;
    let titled = if caps { Some(title_case(text)) } else { None };
    if let Some(p) = pats {
        p.scan(text, gaz, &mut cands, &mut urls);
        if let Some(t) = titled.as_deref() {
            let mut more = Vec::new();
            p.scan(t, gaz, &mut more, &mut Vec::new());
            cands.extend(more);
        }
    }
    let want = |l: Label| enabled[Label::ALL.iter().position(|x| *x == l).unwrap_or(0)];
    if want(Label::Person) || want(Label::Url) {
        person::PersonScan::new(titled.as_deref().unwrap_or(text), gaz, style).run(&mut cands);
    }
    if !urls.is_empty() {
        let mut buf = String::new();
        let names: Vec<String> = cands
            .iter()
            .filter(|c| c.label == Label::Person)
            .filter_map(|c| text.get(c.start..c.end))
            .flat_map(|t| t.split(' '))
            .map(|w| w.to_lowercase())
            .collect();
        for (s, e) in urls {
            if text
                .get(s..e)
                .is_some_and(|u| personal_url(u, gaz, &names, &mut buf))
            {
                cands.push(Cand::new(s, e, Label::Url));
            }
        }
    }
    cands.retain(|c| {
        c.start < c.end
            && want(c.label)
            && text.is_char_boundary(c.start)
            && text.is_char_boundary(c.end)
    });
    resolve(cands)
}

/// Lower-cases every letter that follows a letter, keeping byte offsets.
fn title_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev_letter = false;
    for c in text.chars() {
        let letter = c.is_alphabetic();
        if letter && prev_letter {
            let mut l = c.to_lowercase();
            match (l.next(), l.next()) {
                (Some(x), None) if x.len_utf8() == c.len_utf8() => out.push(x),
                _ => out.push(c),
            }
        } else {
            out.push(c);
        }
        prev_letter = letter;
    }
    out
}

/// Greedy overlap resolution: priority, then length, then position.
pub(crate) fn resolve(mut cands: Vec<Cand>) -> Vec<Cand> {
    cands.sort_by(|a, b| {
        b.prio
            .cmp(&a.prio)
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
    });
    // accepted spans keyed by start (a B-tree keeps this O(n log n))
    let mut taken: std::collections::BTreeMap<usize, Cand> = std::collections::BTreeMap::new();
    for c in cands {
        let clash_prev = taken
            .range(..=c.start)
            .next_back()
            .is_some_and(|(_, t)| t.end > c.start);
        let clash_next = taken
            .range(c.start..)
            .next()
            .is_some_and(|(_, t)| t.start < c.end);
        if !clash_prev && !clash_next {
            taken.insert(c.start, c);
        }
    }
    taken.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_no_overlap() {
        let c = vec![
            Cand::new(0, 10, Label::Person),
            Cand::new(5, 15, Label::Email),
            Cand::new(15, 20, Label::Phone),
            Cand::new(12, 14, Label::Person),
        ];
        let r = resolve(c);
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].start, r[0].label), (5, Label::Email));
        assert_eq!((r[1].start, r[1].label), (15, Label::Phone));
    }
}
