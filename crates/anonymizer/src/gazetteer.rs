//! Embedded word lists (first names, surnames, places, ambiguous words).
//!
//! The lists are plain text files in `data/` (sources and licences in
//! `data/SOURCES.md`), embedded with `include_str!` so nothing is read or
//! downloaded at run time. Lookups are per token: the person detector has
//! already split the text into words, so a hash set keyed by the lower-cased
//! word is O(1) per token and handles umlauts and `ß` exactly, which the
//! ASCII-only case folding of a byte automaton would not.

use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: tiny, fast hasher for short keys (word lookups dominate detection time).
#[derive(Default, Clone, Copy, Debug)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

const FIRST_FAKER: &str = include_str!("../data/first_names_faker.txt");
const FIRST_EXTRA: &str = include_str!("../data/first_names_extra.txt");
const LAST_FAKER: &str = include_str!("../data/surnames_faker.txt");
const LAST_EXTRA: &str = include_str!("../data/surnames_extra.txt");
const CITIES_FAKER: &str = include_str!("../data/cities_faker.txt");
const CITIES_EXTRA: &str = include_str!("../data/cities_extra.txt");
const AMBIGUOUS: &str = include_str!("../data/name_ambiguous.txt");

/// Lower-cases `s` into `buf` (reused to avoid an allocation per lookup).
///
/// Why: every gazetteer key is lower case so lookups ignore capitalisation.
pub fn lower_into<'b>(buf: &'b mut String, s: &str) -> &'b str {
    buf.clear();
    for c in s.chars() {
        if c.is_ascii() {
            buf.push(c.to_ascii_lowercase());
        } else {
            buf.extend(c.to_lowercase());
        }
    }
    buf.as_str()
}

/// Hash set with the FNV hasher.
pub type FastSet<T> = std::collections::HashSet<T, BuildHasherDefault<Fnv>>;

/// Hash map with the FNV hasher.
pub type FastMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<Fnv>>;

/// Bit: known first name.
pub const G_FIRST: u8 = 1;
/// Bit: known surname.
pub const G_LAST: u8 = 2;
/// Bit: known place name.
pub const G_CITY: u8 = 4;
/// Bit: also an ordinary word.
pub const G_AMBIG: u8 = 8;

fn load_into(map: &mut FastMap<String, u8>, src: &str, bit: u8) {
    let mut buf = String::new();
    for line in src.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        *map.entry(lower_into(&mut buf, line).to_string())
            .or_insert(0) |= bit;
    }
}

/// The loaded word lists: one map from lower-cased word to class bits.
///
/// Why: one immutable value shared by all detectors (and threads); one hash
/// lookup answers all gazetteer questions about a token.
#[derive(Debug, Clone)]
pub struct Gazetteer {
    words: FastMap<String, u8>,
}

impl Gazetteer {
    /// Parses the embedded lists.
    ///
    /// Why: done once when the anonymizer is built.
    pub fn load() -> Self {
        let mut words = FastMap::default();
        for (src, bit) in [
            (FIRST_FAKER, G_FIRST),
            (FIRST_EXTRA, G_FIRST),
            (LAST_FAKER, G_LAST),
            (LAST_EXTRA, G_LAST),
            (CITIES_FAKER, G_CITY),
            (CITIES_EXTRA, G_CITY),
            (AMBIGUOUS, G_AMBIG),
        ] {
            load_into(&mut words, src, bit);
        }
        Gazetteer { words }
    }

    /// All class bits (`G_*`) of a lower-cased word.
    ///
    /// Why: the person detector needs several answers per token.
    pub fn bits(&self, lower: &str) -> u8 {
        self.words.get(lower).copied().unwrap_or(0)
    }

    /// Is the lower-cased word a known first name?
    ///
    /// Why: first names are the main cue for uncued names.
    pub fn is_first(&self, lower: &str) -> bool {
        self.bits(lower) & G_FIRST != 0
    }

    /// Is the lower-cased word a known surname?
    ///
    /// Why: extends a name span ("Thomas Gruber", "Gruber Thomas").
    pub fn is_last(&self, lower: &str) -> bool {
        self.bits(lower) & G_LAST != 0
    }

    /// Is the lower-cased text a known place name?
    ///
    /// Why: "1060 Wien" is a postcode + place; "2024 Umsatz" is not.
    pub fn is_city(&self, lower: &str) -> bool {
        self.bits(lower) & G_CITY != 0
    }

    /// Is the lower-cased word also an ordinary word (Ernst, Mai, Koch, …)?
    ///
    /// Why: such names only count with a strong cue.
    pub fn is_ambiguous(&self, lower: &str) -> bool {
        self.bits(lower) & G_AMBIG != 0
    }

    /// Approximate heap size of the lists in bytes.
    ///
    /// Why: the issue caps gazetteer memory at 50 MB; this makes it measurable.
    pub fn heap_bytes(&self) -> usize {
        self.words.keys().map(|w| w.capacity()).sum::<usize>()
            + self.words.capacity() * (std::mem::size_of::<String>() + 1 + 8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_load() {
        let g = Gazetteer::load();
        assert!(g.is_first("elisabeth"));
        assert!(g.is_first("mehmet"));
        assert!(g.is_last("huber"));
        assert!(g.is_city("wien"));
        assert!(g.is_city("zürich"));
        assert!(g.is_ambiguous("ernst"));
        assert!(g.heap_bytes() < 50 * 1024 * 1024);
    }
}
