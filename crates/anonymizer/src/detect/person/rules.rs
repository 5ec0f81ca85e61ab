//! Person rules that look beyond one token: closings with the name on the
//! next line, e-mail display names, and in-document propagation of names.

use super::{F_LABEL, PersonScan};
use crate::detect::Cand;
use crate::detect::person_words::{C_PARTICLE, class};
use crate::gazetteer::{FastSet, lower_into};
use crate::label::Label;

/// Does any span in `sorted` (by start) overlap `s..e`? Spans may overlap each other.
fn overlaps(sorted: &[(usize, usize)], s: usize, e: usize) -> bool {
    let idx = sorted.partition_point(|&(a, _)| a < e);
    // spans starting before `e`; check the nearest few (names are short)
    sorted[..idx].iter().rev().take(64).any(|&(_, b)| b > s)
}

impl PersonScan<'_> {
    pub(super) fn closing(&self, i: usize, out: &mut Vec<Cand>) {
        let after = self.after(i);
        let n = self.toks.len();
        if i + 1 >= n {
            return;
        }
        if !after.contains('\n') {
            // "LG Anna", "Grüße, Anna" (but not "Grüße aus Graz")
            let g = after.trim_matches(|c: char| c == ' ' || c == ',');
            if g.is_empty()
                && (after.contains(',') || self.lw(i).len() <= 3 || self.lw(i).starts_with("gr"))
                && let Some((a, b)) = self.read_name(i + 1, false)
                && (b + 1 >= n
                    || self.after(b).contains('\n')
                    || self.after(b).trim().is_empty()
                    || self.after(b).trim_start().starts_with(['.', '!']))
            {
                self.emit(Some((a, b)), 60, out);
            }
            return;
        }
        // name on the next non-empty line, which must hold little else
        if let Some((a, b)) = self.read_name(i + 1, false) {
            let rest = self.after(b);
            let line_end = rest.contains('\n') || b + 1 >= n || rest.trim_start().starts_with(',');
            if line_end && self.line_start(i + 1) {
                self.emit(Some((a, b)), 60, out);
            }
        }
    }

    pub(super) fn display_name(&self, i: usize, out: &mut Vec<Cand>) {
        let mut a = i;
        while a > 0
            && i - a < 3
            && (self.gap(a) == " " || self.gap(a) == ", ")
            && self.name_like(a - 1)
            && !self.has(a - 1, F_LABEL)
        {
            a -= 1;
        }
        if self.name_like(a) && self.name_like(i) {
            self.emit(Some((a, i)), 58, out);
        }
    }

    /// Masks every other occurrence of a token of a detected name.
    pub(super) fn propagate(&self, from: usize, out: &mut Vec<Cand>) {
        let mut names: FastSet<String> = FastSet::default();
        let mut buf = String::new();
        for c in &out[from..] {
            if let Some(t) = self.text.get(c.start..c.end) {
                for w in t.split([' ', ',']).filter(|w| w.chars().count() >= 3) {
                    let l = lower_into(&mut buf, w);
                    if !self.gaz.is_ambiguous(l) && class(l) & C_PARTICLE == 0 && !names.contains(l)
                    {
                        names.insert(l.to_string());
                    }
                }
            }
        }
        if names.is_empty() {
            return;
        }
        let mut covered: Vec<(usize, usize)> =
            out[from..].iter().map(|c| (c.start, c.end)).collect();
        covered.sort_unstable();
        let mut i = 0;
        while i < self.toks.len() {
            let t = self.toks[i];
            let l = self.lw(i);
            if names.contains(l)
                && !overlaps(&covered, t.s, t.e)
                && self.name_like(i)
                && !self.is_company(i)
            {
                let mut c = Cand::new(t.s, t.e, Label::Person);
                c.prio = 50;
                // merge "Anna Huber" when both parts are known
                if self.gap(i + 1) == " " && names.contains(self.lw(i + 1)) && self.name_like(i + 1)
                {
                    c.end = self.toks[i + 1].e;
                    i += 1;
                }
                out.push(c);
            }
            i += 1;
        }
    }
}
