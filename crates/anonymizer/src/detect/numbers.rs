//! Classification of digit runs: phone, card, SVNR, Steuer-ID, birth date, or nothing.
//!
//! One regex finds every run of digits with phone-like separators; this
//! module decides what the run is. Doing it in code (instead of one regex per
//! type) lets overlapping interpretations compete on checksums and context,
//! and keeps the regex pass single. A run that is not one thing as a whole is
//! split at spaces ("12.03.2024 0664 1234567" → date + phone).

use super::Cand;
use super::context::{Ctx, Window};
use crate::label::Label;
use crate::validate;

/// What a (sub-)run is.
enum Class {
    Entity(Label, usize, usize),
    Negative,
    Unknown,
}

fn small(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// dd.mm.yyyy, d.m.yy, dd/mm/yyyy, yyyy-mm-dd (spaces after dots allowed).
pub(crate) fn date_shape(r: &str) -> bool {
    let compact: String = r.chars().filter(|c| *c != ' ').collect();
    for sep in ['.', '/', '-'] {
        let parts: Vec<&str> = compact.split(sep).collect();
        if parts.len() != 3 {
            continue;
        }
        let (Some(a), Some(b), Some(c)) = (small(parts[0]), small(parts[1]), small(parts[2]))
        else {
            continue;
        };
        if parts[0].len() == 4 && sep == '-' {
            return (1..=12).contains(&b) && (1..=31).contains(&c);
        }
        if parts[0].len() <= 2 && parts[1].len() <= 2 && matches!(parts[2].len(), 2 | 4) {
            return (1..=31).contains(&a) && (1..=12).contains(&b);
        }
    }
    false
}

fn only_seps(r: &str, allowed: &[u8]) -> bool {
    r.bytes()
        .all(|b| b.is_ascii_digit() || allowed.contains(&b))
}

fn group_sizes(r: &str) -> Vec<usize> {
    r.split([' ', '-'])
        .filter(|g| !g.is_empty())
        .map(str::len)
        .collect()
}

fn classify(text: &str, s: usize, e: usize, win: &Window) -> Class {
    let Some(mut r) = text.get(s..e) else {
        return Class::Unknown;
    };
    let mut s = s;
    // "(4111 1111 …)": a bracket that does not open a phone area code
    if r.starts_with('(') && !r.starts_with("(0") && !r.starts_with("(+") {
        r = &r[1..];
        s += 1;
    }
    let d = validate::digits(r);
    let n = d.len();
    if n == 0 {
        return Class::Unknown;
    }
    if date_shape(r) {
        return match win.nearest(Ctx::Birth) {
            Some(dist) if dist <= 30 => Class::Entity(Label::DateOfBirth, s, e),
            _ => Class::Negative,
        };
    }
    let positive = [Ctx::Phone, Ctx::Svnr, Ctx::Tax, Ctx::Card, Ctx::IdDoc]
        .iter()
        .filter_map(|c| win.nearest(*c))
        .min();
    if let Some(neg) = win.nearest(Ctx::Negative)
        && positive.is_none_or(|p| neg < p)
    {
        return Class::Negative;
    }
    let phone_first = win.nearest(Ctx::Phone).is_some_and(|p| positive == Some(p));
    let plus = r.starts_with('+') || r.starts_with("(+");
    let trunk = r.starts_with('0') || r.starts_with("(0");
    if n == 13 && d[..3] == [7, 5, 6] && validate::ahv(&d) {
        return Class::Entity(Label::Svnr, s, e);
    }
    if !plus && !trunk && (12..=19).contains(&n) && only_seps(r, b" -") && validate::credit_card(&d)
    {
        let g = group_sizes(r);
        let grouped = g.len() > 1 && g[..g.len() - 1].iter().all(|&x| x == 4)
            || g == [4, 6, 5]
            || g.len() == 1;
        if grouped && (win.has(Ctx::Card) || matches!(n, 15 | 16) || g.len() > 1) {
            return Class::Entity(Label::CreditCard, s, e);
        }
    }
    if n == 10 && !phone_first && only_seps(r, b" ") && validate::svnr(&d) {
        let g = group_sizes(r);
        if g == [10] || g == [4, 6] {
            return Class::Entity(Label::Svnr, s, e);
        }
    }
    if n == 11 && !phone_first && only_seps(r, b" ") && validate::steuer_id(&d) {
        return Class::Entity(Label::TaxId, s, e);
    }
    if r.contains('/') && (10..=13).contains(&n) && win.nearest(Ctx::Tax).is_some() && !phone_first
    {
        return Class::Entity(Label::TaxId, s, e);
    }
    let has_phone_ctx = win.has(Ctx::Phone);
    let is_phone = if plus {
        (8..=15).contains(&n)
    } else if d.starts_with(&[0, 0]) {
        (10..=16).contains(&n)
    } else if trunk {
        (6..=13).contains(&n) && (n >= 8 || has_phone_ctx || r.contains('/'))
    } else {
        has_phone_ctx && (5..=13).contains(&n) && !r.contains('.')
    };
    if is_phone {
        // an unbalanced "(" is not part of the number
        let s2 = if r.starts_with('(') && !r.contains(')') {
            s + 1
        } else {
            s
        };
        return Class::Entity(Label::Phone, s2, e);
    }
    Class::Unknown
}

/// Classifies the run `text[s..e]`, splitting at spaces when needed.
pub(crate) fn scan_run(text: &str, s: usize, e: usize, out: &mut Vec<Cand>) {
    let Some(run) = text.get(s..e) else { return };
    // short numbers are never PII unless they are dates: skip the context work
    if run.bytes().filter(u8::is_ascii_digit).count() < 5 && !date_shape(run) {
        return;
    }
    // token boundaries: pieces separated by single spaces
    let mut toks: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for (i, b) in run.bytes().enumerate() {
        if b == b' ' {
            if i > start {
                toks.push((s + start, s + i));
            }
            start = i + 1;
        }
    }
    if start < run.len() {
        toks.push((s + start, e));
    }
    let mut i = 0;
    while i < toks.len() {
        let mut advanced = false;
        let win = Window::before(text, toks[i].0, 40);
        // at most 8 space-separated groups form one value (bounds the work)
        for k in (i + 1..=toks.len().min(i + 8)).rev() {
            match classify(text, toks[i].0, toks[k - 1].1, &win) {
                Class::Entity(label, a, b) => {
                    out.push(Cand::new(a, b, label));
                    i = k;
                    advanced = true;
                    break;
                }
                Class::Negative => {
                    i = k;
                    advanced = true;
                    break;
                }
                Class::Unknown => {}
            }
        }
        if !advanced {
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(text: &str) -> Vec<(Label, String)> {
        let mut out = Vec::new();
        scan_run(text, 0, text.len(), &mut out);
        out.iter()
            .map(|c| (c.label, text[c.start..c.end].to_string()))
            .collect()
    }

    #[test]
    fn dates() {
        assert!(date_shape("12.03.1985"));
        assert!(date_shape("1985-03-12"));
        assert!(date_shape("05.11.2027"));
        assert!(!date_shape("0664 1234567"));
    }

    #[test]
    fn runs() {
        assert_eq!(
            labels("0664 1234567"),
            vec![(Label::Phone, "0664 1234567".into())]
        );
        assert_eq!(
            labels("+43 1 53114-0"),
            vec![(Label::Phone, "+43 1 53114-0".into())]
        );
        assert_eq!(
            labels("4111 1111 1111 1111"),
            vec![(Label::CreditCard, "4111 1111 1111 1111".into())]
        );
        assert_eq!(
            labels("1237 010180"),
            vec![(Label::Svnr, "1237 010180".into())]
        );
        assert_eq!(
            labels("86095742719"),
            vec![(Label::TaxId, "86095742719".into())]
        );
        assert!(labels("05.11.2027").is_empty());
        assert!(labels("2024").is_empty());
        assert_eq!(
            labels("(0162-4930565").first().map(|x| x.1.clone()),
            Some("0162-4930565".into())
        );
    }
}
