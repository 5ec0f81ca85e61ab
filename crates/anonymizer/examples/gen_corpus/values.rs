//! Value generators for the synthetic corpus (fixed-seed PRNG, valid checksums).

/// SplitMix64: small, deterministic, good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() % 10_000) as f64 / 10_000.0 < p
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
    pub fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Loc {
    At,
    De,
    Ch,
}

fn iban_check(country: &str, bban: &str) -> String {
    let s = format!("{bban}{country}00");
    let mut rem: u32 = 0;
    for c in s.chars() {
        let v = c.to_digit(36).unwrap_or(0);
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    format!("{country}{:02}{bban}", 98 - rem)
}

fn group4(s: &str) -> String {
    let c: Vec<char> = s.chars().collect();
    c.chunks(4)
        .map(|g| g.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn iban(r: &mut Rng, loc: Loc) -> String {
    let raw = match loc {
        Loc::At => iban_check("AT", &r.digits(16)),
        Loc::De => iban_check("DE", &r.digits(18)),
        Loc::Ch => iban_check("CH", &r.digits(17)),
    };
    match r.below(10) {
        0..=6 => group4(&raw),
        7 => {
            // line break inside (PDF copy)
            let g = group4(&raw);
            let parts: Vec<&str> = g.split(' ').collect();
            let k = 2 + r.below(parts.len().saturating_sub(3).max(1));
            format!("{}\n{}", parts[..k].join(" "), parts[k..].join(" "))
        }
        _ => raw,
    }
}

pub fn bic(r: &mut Rng, loc: Loc) -> String {
    let v: &[&str] = match loc {
        Loc::At => &[
            "BKAUATWW",
            "RLNWATWW",
            "GIBAATWWXXX",
            "OBKLAT2L",
            "SPLSAT2S",
        ],
        Loc::De => &[
            "COBADEFFXXX",
            "DEUTDEFF",
            "GENODEF1M04",
            "HYVEDEMMXXX",
            "BYLADEM1001",
        ],
        Loc::Ch => &[
            "UBSWCHZH80A",
            "CRESCHZZ80A",
            "POFICHBEXXX",
            "ZKBKCHZZ80A",
            "RAIFCH22",
        ],
    };
    r.pick(v).to_string()
}

fn luhn_complete(prefix: &str, len: usize, r: &mut Rng) -> String {
    let mut s = format!("{prefix}{}", r.digits(len - prefix.len() - 1));
    for check in 0..10 {
        let cand = format!("{s}{check}");
        let sum: u32 = cand
            .chars()
            .rev()
            .enumerate()
            .map(|(i, c)| {
                let d = c.to_digit(10).unwrap_or(0);
                if i % 2 == 1 {
                    if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
                } else {
                    d
                }
            })
            .sum();
        if sum.is_multiple_of(10) {
            s = cand;
            break;
        }
    }
    s
}

pub fn card(r: &mut Rng) -> String {
    let (p, len) = *r.pick(&[
        ("4", 16),
        ("51", 16),
        ("55", 16),
        ("2221", 16),
        ("2720", 16),
        ("34", 15),
        ("37", 15),
        ("6759", 16),
        ("3530", 16),
        ("4", 19),
    ]);
    let raw = luhn_complete(p, len, r);
    if r.chance(0.7) && len == 16 {
        group4(&raw)
    } else if r.chance(0.3) && len == 15 {
        format!("{} {} {}", &raw[..4], &raw[4..10], &raw[10..])
    } else {
        raw
    }
}

pub fn svnr(r: &mut Rng) -> String {
    loop {
        let serial = format!("{}{}", 1 + r.below(9), r.digits(2));
        let date = format!(
            "{:02}{:02}{:02}",
            1 + r.below(28),
            1 + r.below(12),
            r.below(100)
        );
        let d: Vec<u32> = format!("{serial}0{date}")
            .chars()
            .filter_map(|c| c.to_digit(10))
            .collect();
        let w = [3, 7, 9, 0, 5, 8, 4, 2, 1, 6];
        let c = d.iter().zip(w).map(|(a, b)| a * b).sum::<u32>() % 11;
        if c == 10 {
            continue;
        }
        return if r.chance(0.7) {
            format!("{serial}{c} {date}")
        } else {
            format!("{serial}{c}{date}")
        };
    }
}

pub fn ahv(r: &mut Rng) -> String {
    let body = format!("756{}", r.digits(9));
    let s: u32 = body
        .chars()
        .enumerate()
        .map(|(i, c)| c.to_digit(10).unwrap_or(0) * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    let c = (10 - s % 10) % 10;
    let full = format!("{body}{c}");
    format!(
        "{}.{}.{}.{}",
        &full[..3],
        &full[3..7],
        &full[7..11],
        &full[11..]
    )
}

fn mod11_10(d: &[u32]) -> u32 {
    let mut p = 10;
    for &x in d {
        let mut s = (x + p) % 10;
        if s == 0 {
            s = 10;
        }
        p = (2 * s) % 11;
    }
    let c = 11 - p;
    if c == 10 { 0 } else { c }
}

pub fn steuer_id(r: &mut Rng) -> String {
    loop {
        let mut pool: Vec<u32> = (0..10).collect();
        for i in (1..10).rev() {
            let j = r.below(i + 1);
            pool.swap(i, j);
        }
        let mut d: Vec<u32> = pool[..9].to_vec();
        let dup = d[r.below(9)];
        d.insert(r.below(10), dup);
        if d[0] == 0 || d.windows(2).any(|w| w[0] == w[1]) {
            continue;
        }
        d.push(mod11_10(&d));
        let s: String = d.iter().map(|x| char::from(b'0' + *x as u8)).collect();
        return if r.chance(0.3) {
            format!("{} {} {} {}", &s[..2], &s[2..5], &s[5..8], &s[8..])
        } else {
            s
        };
    }
}

pub fn vat(r: &mut Rng, loc: Loc) -> String {
    loop {
        match loc {
            Loc::At => {
                let d: Vec<u32> = r.digits(7).chars().filter_map(|c| c.to_digit(10)).collect();
                let mut s = d[0] + d[2] + d[4] + d[6];
                for x in [d[1], d[3], d[5]] {
                    s += x / 5 + (2 * x) % 10;
                }
                let c = (10 - (s + 4) % 10) % 10;
                let body: String = d.iter().map(|x| char::from(b'0' + *x as u8)).collect();
                return format!("ATU{body}{c}");
            }
            Loc::De => {
                let d: Vec<u32> = format!("{}{}", 1 + r.below(9), r.digits(7))
                    .chars()
                    .filter_map(|c| c.to_digit(10))
                    .collect();
                let c = mod11_10(&d);
                let body: String = d.iter().map(|x| char::from(b'0' + *x as u8)).collect();
                return if r.chance(0.3) {
                    format!("DE {} {} {}{c}", &body[..3], &body[3..6], &body[6..])
                } else {
                    format!("DE{body}{c}")
                };
            }
            Loc::Ch => {
                let d: Vec<u32> = r.digits(8).chars().filter_map(|c| c.to_digit(10)).collect();
                let w = [5, 4, 3, 2, 7, 6, 5, 4];
                let c = (11 - d.iter().zip(w).map(|(a, b)| a * b).sum::<u32>() % 11) % 11;
                if c == 10 {
                    continue;
                }
                let b: String = d.iter().map(|x| char::from(b'0' + *x as u8)).collect();
                return format!(
                    "CHE-{}.{}.{}{c}{}",
                    &b[..3],
                    &b[3..6],
                    &b[6..],
                    if r.chance(0.5) { " MWST" } else { "" }
                );
            }
        }
    }
}

pub fn phone(r: &mut Rng, loc: Loc) -> String {
    match (loc, r.below(5)) {
        (Loc::At, 0) => format!(
            "+43 {} {}",
            r.pick(&["664", "676", "699", "650", "660"]),
            r.digits(7)
        ),
        (Loc::At, 1) => format!("0{}/{}", r.pick(&["664", "676", "699"]), r.digits(7)),
        (Loc::At, 2) => {
            let k = 1 + r.below(2);
            format!("+43 1 {}-{}", r.digits(5), r.digits(k))
        }
        (Loc::At, 3) => format!(
            "0{} {}",
            r.pick(&["316", "512", "662", "732", "463"]),
            r.digits(6)
        ),
        (Loc::At, _) => format!("0664 {} {} {}", r.digits(3), r.digits(2), r.digits(2)),
        (Loc::De, 0) => format!(
            "+49 {} {}",
            r.pick(&["30", "40", "89", "69", "221"]),
            r.digits(8)
        ),
        (Loc::De, 1) => format!("0{} {}", r.pick(&["151", "160", "171", "176"]), r.digits(8)),
        (Loc::De, 2) => format!("+49 (0)89 {}-{}", r.digits(6), r.digits(1)),
        (Loc::De, 3) => format!("0{}/{}", r.pick(&["30", "40", "221", "6131"]), r.digits(7)),
        (Loc::De, _) => format!("0049 {} {}", r.pick(&["30", "89"]), r.digits(7)),
        (Loc::Ch, 0) => format!(
            "+41 {} {} {} {}",
            r.pick(&["44", "31", "61", "79", "78"]),
            r.digits(3),
            r.digits(2),
            r.digits(2)
        ),
        (Loc::Ch, 1) => format!(
            "0{} {} {} {}",
            r.pick(&["79", "78", "76"]),
            r.digits(3),
            r.digits(2),
            r.digits(2)
        ),
        (Loc::Ch, _) => format!(
            "0{} {} {} {}",
            r.pick(&["44", "31", "61"]),
            r.digits(3),
            r.digits(2),
            r.digits(2)
        ),
    }
}

pub fn plate(r: &mut Rng, loc: Loc) -> String {
    let up = |r: &mut Rng, n: usize| -> String {
        (0..n)
            .map(|_| char::from(b'A' + r.below(26) as u8))
            .collect()
    };
    match loc {
        Loc::At => {
            let (a, b) = (3 + r.below(3), 1 + r.below(2));
            format!(
                "{}-{} {}",
                r.pick(&["W", "G", "L", "S", "GU", "MD", "BN", "I", "K"]),
                r.digits(a),
                up(r, b)
            )
        }
        Loc::De => {
            let b = 1 + r.below(2);
            format!(
                "{}-{} {}",
                r.pick(&["M", "B", "HH", "K", "F", "S", "DÜW", "KA"]),
                up(r, b),
                1 + r.below(9999)
            )
        }
        Loc::Ch => format!(
            "{} {}",
            r.pick(&["ZH", "BE", "LU", "AG", "SG", "VD", "GE"]),
            1 + r.below(999_999)
        ),
    }
}

pub fn ip(r: &mut Rng) -> String {
    if r.chance(0.8) {
        format!(
            "{}.{}.{}.{}",
            1 + r.below(223),
            r.below(256),
            r.below(256),
            1 + r.below(254)
        )
    } else {
        format!("2001:db8:{:x}::{:x}", r.below(65535), 1 + r.below(65535))
    }
}

const MONTHS: [&str; 12] = [
    "Jänner",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];

pub fn date(r: &mut Rng, birth: bool) -> String {
    let (d, m) = (1 + r.below(28), 1 + r.below(12));
    let y = if birth {
        1940 + r.below(65)
    } else {
        2020 + r.below(8)
    };
    match r.below(4) {
        0 => format!(
            "{d}. {} {y}",
            MONTHS[m - 1].replace("Jänner", if r.chance(0.5) { "Januar" } else { "Jänner" })
        ),
        1 => format!("{y}-{m:02}-{d:02}"),
        _ => format!("{d:02}.{m:02}.{y}"),
    }
}

pub fn id_number(r: &mut Rng) -> String {
    const A: &[u8] = b"0123456789CFGHJKLMNPRTVWXYZ";
    if r.chance(0.5) {
        format!("{}{}", char::from(*r.pick(b"PUX")), r.digits(7))
    } else {
        let first = char::from(*r.pick(b"LMNPRTVWXY"));
        let rest: String = (0..8).map(|_| char::from(*r.pick(A))).collect();
        format!("{first}{rest}")
    }
}
