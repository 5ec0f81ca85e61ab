//! The placeholder ↔ original mapping of one session.
//!
//! Serialized as a flat JSON object `{"[PERSON_1]": "Elisabeth Haas", …}` so
//! the CLI (`--map MAP.json`) and the HTTP API can pass it around directly.
//! Everything else (reverse index, person identities, counters) is derived
//! from those entries and rebuilt on deserialization.
//!
//! Placeholder scheme: each distinct real-world value gets a number per label
//! (`[IBAN_1]`, `[PERSON_2]`). The first surface form of that value uses the
//! plain placeholder. Later, *different* surface forms of the same value
//! ("Frau Haas" after "Elisabeth Haas", an IBAN once with and once without
//! spaces) keep the number and add a variant suffix (`[PERSON_1.2]`), so the
//! AI still sees one person while restoration stays exact.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::label::Label;

/// One person identity: the normalized name tokens seen for it.
#[derive(Debug, Clone, Default)]
struct PersonRec {
    n: u32,
    tokens: Vec<String>,
}

/// Placeholder → original mapping, reusable across the messages of a session.
///
/// Why: the same person must get the same placeholder in every message, and
/// `deanonymize` needs the originals to restore the AI's answer.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    entries: Vec<(String, String)>,
    by_placeholder: HashMap<String, usize>,
    by_surface: HashMap<(Label, String), String>,
    by_key: HashMap<(Label, String), u32>,
    variants: HashMap<(Label, u32), u32>,
    next: HashMap<Label, u32>,
    persons: Vec<PersonRec>,
    /// name token -> indexes into `persons`
    person_tokens: HashMap<String, Vec<usize>>,
    /// person number -> index into `persons`
    person_by_n: HashMap<u32, usize>,
}

/// Parsed form of a placeholder such as `[PERSON_3.2]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PlaceholderId {
    pub label: Label,
    pub n: u32,
    pub variant: u32,
}

impl PlaceholderId {
    /// Canonical text, e.g. `[PERSON_3]` or `[PERSON_3.2]`.
    pub(crate) fn render(self) -> String {
        if self.variant <= 1 {
            format!("[{}_{}]", self.label.as_str(), self.n)
        } else {
            format!("[{}_{}.{}]", self.label.as_str(), self.n, self.variant)
        }
    }

    /// Parses the canonical form only.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        let inner = s.strip_prefix('[')?.strip_suffix(']')?;
        let (label, rest) = inner.rsplit_once('_')?;
        let label: Label = label.parse().ok()?;
        let (n, variant) = match rest.split_once('.') {
            Some((a, b)) => (a.parse().ok()?, b.parse().ok()?),
            None => (rest.parse().ok()?, 1),
        };
        Some(PlaceholderId { label, n, variant })
    }
}

/// Lower-case, umlaut-folded, separators removed: the identity key of a value.
pub(crate) fn norm_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            'ä' | 'Ä' => out.push_str("ae"),
            'ö' | 'Ö' => out.push_str("oe"),
            'ü' | 'Ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            c if c.is_alphanumeric() || c == '@' => out.extend(c.to_lowercase()),
            _ => {}
        }
    }
    out
}

fn name_tokens(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .map(norm_key)
        .filter(|t| t.len() >= 2)
        .collect()
}

impl Mapping {
    /// An empty mapping.
    ///
    /// Why: each new session starts without placeholders.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of placeholders.
    ///
    /// Why: UIs show how much was replaced.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no placeholder was issued.
    ///
    /// Why: callers can skip restoration.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The original value for a canonical placeholder such as `[PERSON_1]`.
    ///
    /// Why: restoration and UIs look values up by placeholder.
    pub fn get(&self, placeholder: &str) -> Option<&str> {
        self.by_placeholder
            .get(placeholder)
            .and_then(|&i| self.entries.get(i))
            .map(|(_, v)| v.as_str())
    }

    /// All `(placeholder, original)` pairs in the order they were issued.
    ///
    /// Why: UIs list the mapping in reading order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Length in bytes of the longest placeholder issued.
    ///
    /// Why: the streaming restorer holds back at most this much text.
    pub fn max_placeholder_len(&self) -> usize {
        self.entries.iter().map(|(k, _)| k.len()).max().unwrap_or(0)
    }

    /// Returns the placeholder for `surface` of type `label`, issuing a new one if needed.
    ///
    /// Why: the single place that decides "same value → same placeholder".
    pub fn placeholder_for(&mut self, label: Label, surface: &str) -> String {
        if let Some(p) = self.by_surface.get(&(label, surface.to_string())) {
            return p.clone();
        }
        let n = if label == Label::Person {
            self.person_number(surface)
        } else {
            let key = norm_key(surface);
            match self.by_key.get(&(label, key.clone())) {
                Some(&n) => n,
                None => {
                    let n = self.bump(label);
                    self.by_key.insert((label, key), n);
                    n
                }
            }
        };
        let v = self.variants.entry((label, n)).or_insert(0);
        *v += 1;
        let id = PlaceholderId {
            label,
            n,
            variant: *v,
        };
        let ph = id.render();
        self.insert_entry(ph.clone(), surface.to_string(), label);
        ph
    }

    /// Ensures numbers up to `n` are never issued for `label` (unless already mapped).
    pub(crate) fn reserve(&mut self, label: Label, n: u32) {
        let c = self.next.entry(label).or_insert(0);
        *c = (*c).max(n);
    }

    fn bump(&mut self, label: Label) -> u32 {
        let c = self.next.entry(label).or_insert(0);
        *c += 1;
        *c
    }

    /// Finds (or creates) the person identity for a name mention.
    fn person_number(&mut self, surface: &str) -> u32 {
        let toks = name_tokens(surface);
        let compatible = |p: &PersonRec| {
            if toks.is_empty() {
                return false;
            }
            if toks.len() == 1 {
                return p.tokens.contains(&toks[0]);
            }
            let last = toks.last().map(String::as_str).unwrap_or("");
            let shares_last = p.tokens.iter().any(|t| t == last);
            let p_in_m = p.tokens.iter().all(|t| toks.contains(t));
            let m_in_p = toks.iter().all(|t| p.tokens.contains(t));
            (shares_last || p.tokens.len() == 1) && (p_in_m || m_in_p)
        };
        let mut cand: Vec<usize> = toks
            .iter()
            .filter_map(|t| self.person_tokens.get(t))
            .flatten()
            .copied()
            .collect();
        cand.sort_unstable();
        cand.dedup();
        let found = cand
            .into_iter()
            .rev()
            .find(|&i| self.persons.get(i).is_some_and(compatible));
        match found {
            Some(i) => {
                self.add_person_tokens(i, toks);
                self.persons.get(i).map_or(0, |p| p.n)
            }
            None => {
                let n = self.bump(Label::Person);
                self.new_person(n, toks);
                n
            }
        }
    }

    fn new_person(&mut self, n: u32, toks: Vec<String>) {
        let i = self.persons.len();
        self.persons.push(PersonRec {
            n,
            tokens: Vec::new(),
        });
        self.person_by_n.insert(n, i);
        self.add_person_tokens(i, toks);
    }

    fn add_person_tokens(&mut self, i: usize, toks: Vec<String>) {
        let Some(p) = self.persons.get_mut(i) else {
            return;
        };
        for t in toks {
            if !p.tokens.contains(&t) {
                self.person_tokens.entry(t.clone()).or_default().push(i);
                p.tokens.push(t);
            }
        }
    }

    fn insert_entry(&mut self, ph: String, original: String, label: Label) {
        self.by_placeholder.insert(ph.clone(), self.entries.len());
        self.by_surface
            .insert((label, original.clone()), ph.clone());
        self.entries.push((ph, original));
    }

    /// Builds a mapping from `(placeholder, original)` pairs, rebuilding all indexes.
    ///
    /// Why: a mapping loaded from JSON must keep numbering new values
    /// consistently (no placeholder reuse, same person → same number).
    pub fn from_pairs<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Self {
        let mut m = Mapping::new();
        for (ph, original) in pairs {
            if m.by_placeholder.contains_key(&ph) {
                continue;
            }
            match PlaceholderId::parse(&ph) {
                Some(id) => {
                    let c = m.next.entry(id.label).or_insert(0);
                    *c = (*c).max(id.n);
                    let v = m.variants.entry((id.label, id.n)).or_insert(0);
                    *v = (*v).max(id.variant);
                    if id.label == Label::Person {
                        let toks = name_tokens(&original);
                        match m.person_by_n.get(&id.n).copied() {
                            Some(pi) => m.add_person_tokens(pi, toks),
                            None => m.new_person(id.n, toks),
                        }
                    } else {
                        m.by_key.insert((id.label, norm_key(&original)), id.n);
                    }
                    m.insert_entry(ph, original, id.label);
                }
                None => {
                    // Foreign placeholder format: keep it for restoration only.
                    m.by_placeholder.insert(ph.clone(), m.entries.len());
                    m.entries.push((ph, original));
                }
            }
        }
        m
    }
}

impl Serialize for Mapping {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.entries.len()))?;
        for (k, v) in &self.entries {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Mapping {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw: BTreeMap<String, String> = BTreeMap::deserialize(d)?;
        let mut pairs: Vec<(String, String)> = raw.into_iter().collect();
        // Issue order: by label, number, variant (so indexes rebuild deterministically).
        pairs.sort_by_key(|(k, _)| PlaceholderId::parse(k).map(|id| (id.label, id.n, id.variant)));
        Ok(Mapping::from_pairs(pairs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_person_same_number() {
        let mut m = Mapping::new();
        assert_eq!(
            m.placeholder_for(Label::Person, "Elisabeth Haas"),
            "[PERSON_1]"
        );
        assert_eq!(m.placeholder_for(Label::Person, "Haas"), "[PERSON_1.2]");
        assert_eq!(
            m.placeholder_for(Label::Person, "Elisabeth Haas"),
            "[PERSON_1]"
        );
        assert_eq!(
            m.placeholder_for(Label::Person, "Thomas Haas"),
            "[PERSON_2]"
        );
        assert_eq!(
            m.placeholder_for(Label::Person, "Elisabeth"),
            "[PERSON_1.3]"
        );
        assert_eq!(
            m.placeholder_for(Label::Iban, "AT61 1904 3002 3457 3201"),
            "[IBAN_1]"
        );
        assert_eq!(
            m.placeholder_for(Label::Iban, "AT611904300234573201"),
            "[IBAN_1.2]"
        );
    }

    #[test]
    fn surname_first_then_full() {
        let mut m = Mapping::new();
        assert_eq!(m.placeholder_for(Label::Person, "Haas"), "[PERSON_1]");
        assert_eq!(
            m.placeholder_for(Label::Person, "Elisabeth Haas"),
            "[PERSON_1.2]"
        );
    }

    #[test]
    fn json_roundtrip_keeps_numbering() {
        let mut m = Mapping::new();
        m.placeholder_for(Label::Person, "Elisabeth Haas");
        m.placeholder_for(Label::Email, "a@b.at");
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(
            json,
            r#"{"[PERSON_1]":"Elisabeth Haas","[EMAIL_1]":"a@b.at"}"#
        );
        let mut back: Mapping = serde_json::from_str(&json).unwrap();
        assert_eq!(back.get("[PERSON_1]"), Some("Elisabeth Haas"));
        assert_eq!(
            back.placeholder_for(Label::Person, "Frau Haas".trim_start_matches("Frau ")),
            "[PERSON_1.2]"
        );
        assert_eq!(
            back.placeholder_for(Label::Person, "Max Muster"),
            "[PERSON_2]"
        );
    }
}
