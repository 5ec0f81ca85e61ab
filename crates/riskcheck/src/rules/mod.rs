//! The decision engine: evaluation order of aiact-facts.md §3.
//!
//! Each step lives in its own module and writes into one [`State`]: reasons
//! in evaluation order, the review flag and the obligation slots. The steps
//! never panic; contradictions become `needs_review` with a reason.

pub mod meta;
mod normalize;
mod prohibited;
mod scope;
pub mod table;
mod transparency;

mod annex;

use std::borrow::Cow;

use crate::facts::{Facts, PointSet};
use crate::model::{Assessment, RiskClass, Role};
use crate::obligations::{Obligation, TAG_COUNT, Tag};
use crate::vocab::AnnexISection;
use meta::{Reason, RuleMeta};
pub(crate) use normalize::Derived;

/// Working state shared by the steps of one evaluation.
pub(crate) struct State<'a> {
    pub f: &'a Facts,
    pub d: Derived,
    pub reasons: Vec<Reason>,
    pub review: bool,
    slots: [Option<Obligation>; TAG_COUNT],
    /// The AI Act applies (AI system, no Art. 2 exclusion).
    pub in_scope: bool,
    /// The GDPR does not apply (Art. 2(2) GDPR).
    pub gdpr_excluded: bool,
    pub role: Role,
    /// Art. 25(1) letters that apply: bit 0 = a, 1 = b, 2 = c.
    pub art25: u8,
    pub own_use: bool,
    pub prohibited: bool,
    /// High-risk via Annex I (Art. 6(1)) and its section.
    pub annex_i: Option<AnnexISection>,
    /// Effective Annex III points before the Art. 6(3) filter.
    pub points: PointSet,
    /// Annex III high-risk after the Art. 6(3) filter.
    pub high_iii: bool,
    /// The Art. 6(3) derogation holds.
    pub derogation: bool,
}

impl<'a> State<'a> {
    fn new(f: &'a Facts) -> Self {
        Self {
            f,
            d: Derived::default(),
            reasons: Vec::with_capacity(16),
            review: false,
            slots: [const { None }; TAG_COUNT],
            in_scope: true,
            gdpr_excluded: false,
            role: Role::Deployer,
            art25: 0,
            own_use: true,
            prohibited: false,
            annex_i: None,
            points: PointSet::default(),
            high_iii: false,
            derogation: false,
        }
    }

    /// Adds a reason built from a rule.
    pub fn say(&mut self, rule: &'static RuleMeta, text: impl Into<Cow<'static, str>>) {
        self.reasons.push(Reason::new(rule, text));
    }

    /// Adds a reason and sets `needs_review`.
    pub fn flag(&mut self, rule: &'static RuleMeta, text: impl Into<Cow<'static, str>>) {
        self.review = true;
        self.say(rule, text);
    }

    /// Adds a tag with the table's defaults (idempotent).
    pub fn tag(&mut self, tag: Tag) {
        self.tag_with(tag, None, None);
    }

    /// Adds a tag with a filled-in legal reference and/or date.
    pub fn tag_with(
        &mut self,
        tag: Tag,
        legal_ref: Option<Cow<'static, str>>,
        applies_from: Option<&'static str>,
    ) {
        let mut o = Obligation::from_spec(tag);
        if let Some(r) = legal_ref {
            o.legal_ref = r;
        }
        if let Some(d) = applies_from {
            o.applies_from = d;
        }
        if let Some(slot) = self.slots.get_mut(tag as usize) {
            *slot = Some(o);
        }
    }

    /// The obligation for a tag, if added.
    pub fn obligation(&self, tag: Tag) -> Option<&Obligation> {
        self.slots.get(tag as usize).and_then(Option::as_ref)
    }

    /// True if the tag was added.
    pub fn has(&self, tag: Tag) -> bool {
        self.slots.get(tag as usize).is_some_and(Option::is_some)
    }

    /// High-risk for the full regime (Annex III, or Annex I Section A).
    pub fn high_full(&self) -> bool {
        self.high_iii || self.annex_i == Some(AnnexISection::A)
    }

    /// The AI Act tags of Art. 4 and 50 apply (not prohibited, not Section B).
    pub fn ai_act_general(&self) -> bool {
        self.in_scope && !self.prohibited && self.annex_i != Some(AnnexISection::B)
    }
}

/// Runs all steps of aiact-facts.md §3 on parsed facts.
pub(crate) fn run(f: &Facts) -> Assessment {
    let mut st = State::new(f);
    normalize::run(&mut st);
    scope::ai_system(&mut st);
    let role_pos = st.reasons.len();
    if st.in_scope {
        prohibited::run(&mut st);
        if !st.prohibited {
            annex::annex_i(&mut st);
            annex::annex_iii(&mut st);
        }
    }
    let mut role_reasons = scope::role(&mut st);
    let tail = st.reasons.split_off(role_pos.min(st.reasons.len()));
    st.reasons.append(&mut role_reasons);
    st.reasons.extend(tail);
    if st.in_scope && !st.prohibited {
        annex::high_risk_tags(&mut st);
        transparency::run(&mut st);
    }
    if st.prohibited {
        crate::gdpr::prohibited_note(&mut st);
    } else if !st.gdpr_excluded {
        crate::gdpr::run(&mut st);
    }
    finish(st)
}

fn finish(mut st: State<'_>) -> Assessment {
    let class = if st.prohibited {
        RiskClass::Prohibited
    } else if st.high_iii || st.annex_i.is_some() {
        RiskClass::High
    } else if st.slots.iter().flatten().any(|o| o.tag.is_art50()) {
        RiskClass::Limited
    } else {
        RiskClass::Minimal
    };
    if st.in_scope
        && matches!(class, RiskClass::Limited | RiskClass::Minimal)
        && st.f.annex_iii_point == crate::facts::AnnexIiiAnswer::NotAsked
    {
        st.flag(
            &table::F_NOT_ASKED,
            "Die Frage nach den Hochrisiko-Bereichen (Anhang III) wurde nicht beantwortet; \
             das Ergebnis ist deshalb nur vorläufig",
        );
    }
    let (summary, article) = crate::texts::result_summary(&st, class);
    st.reasons
        .push(Reason::new(&table::RESULT, summary).with_article(article));
    st.reasons.push(crate::texts::disclaimer());
    Assessment {
        risk_class: class,
        role: st.role,
        obligations: st.slots.into_iter().flatten().collect(),
        needs_review: st.review,
        reasons: st.reasons,
    }
}
