//! Pure aggregation for the insights dashboard: counts per tag, trend by month, breakdowns
//! by industry and company size with the small-group rule, and the geometry of the SVG
//! charts. No IO, so every rule here is unit-tested.

use std::collections::{BTreeMap, BTreeSet};

/// A breakdown cell is shown only when it covers at least this many companies, so that no
/// single company can be recognised in the dashboard or the CSV.
pub const MIN_COMPANIES: usize = 3;

/// The cell that collects groups below [`MIN_COMPANIES`].
pub const OTHER_LABEL: &str = "Andere (weniger als 3 Unternehmen)";

/// One pain point as the aggregation sees it.
#[derive(Debug, Clone)]
pub struct Point {
    /// The tag's label, if tagged.
    pub tag: Option<String>,
    /// Wish (`true`) or obstacle.
    pub wish: bool,
    /// `YYYY-MM` in Vienna time.
    pub month: String,
    /// The company, if the point belongs to one.
    pub lead: Option<i64>,
    /// Industry label of the company.
    pub industry: Option<String>,
    /// Size label of the company.
    pub size: Option<String>,
}

/// A breakdown cell: which companies it covers and what they said.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Group {
    /// Industry or size label (or [`OTHER_LABEL`]).
    pub label: String,
    /// Distinct companies (lead ids) in the cell.
    pub companies: BTreeSet<i64>,
    /// Obstacles named.
    pub obstacles: i64,
    /// Wishes named.
    pub wishes: i64,
    /// Points per tag, for the most frequent tag.
    pub tags: BTreeMap<String, i64>,
}

impl Group {
    /// The most frequent tag (ties: alphabetical), or "–".
    pub fn top_tag(&self) -> String {
        let mut best: Option<(&String, i64)> = None;
        for (label, &n) in &self.tags {
            if best.is_none_or(|(_, b)| n > b) {
                best = Some((label, n));
            }
        }
        best.map_or_else(|| "–".to_owned(), |(l, n)| format!("{l} ({n})"))
    }

    fn absorb(&mut self, other: Group) {
        self.companies.extend(other.companies);
        self.obstacles += other.obstacles;
        self.wishes += other.wishes;
        for (tag, n) in other.tags {
            *self.tags.entry(tag).or_default() += n;
        }
    }
}

/// The small-group rule, in one place for page and CSV: a cell with fewer than
/// [`MIN_COMPANIES`] companies is merged into [`OTHER_LABEL`]; if that cell itself covers
/// fewer than [`MIN_COMPANIES`] companies, it is dropped. Shown cells keep their order.
pub fn protect_small_groups(groups: Vec<Group>) -> Vec<Group> {
    let mut shown = Vec::new();
    let mut other = Group {
        label: OTHER_LABEL.to_owned(),
        ..Group::default()
    };
    for g in groups {
        if g.companies.len() >= MIN_COMPANIES {
            shown.push(g);
        } else {
            other.absorb(g);
        }
    }
    if other.companies.len() >= MIN_COMPANIES {
        shown.push(other);
    }
    shown
}

/// Groups the points that belong to a company by `key` (industry or size), biggest first,
/// with the small-group rule applied.
pub fn breakdown(points: &[Point], key: impl Fn(&Point) -> Option<&str>) -> Vec<Group> {
    let mut map: BTreeMap<String, Group> = BTreeMap::new();
    for p in points {
        let (Some(lead), Some(label)) = (p.lead, key(p)) else {
            continue;
        };
        let g = map.entry(label.to_owned()).or_insert_with(|| Group {
            label: label.to_owned(),
            ..Group::default()
        });
        g.companies.insert(lead);
        if p.wish {
            g.wishes += 1;
        } else {
            g.obstacles += 1;
        }
        if let Some(tag) = &p.tag {
            *g.tags.entry(tag.clone()).or_default() += 1;
        }
    }
    let mut groups: Vec<Group> = map.into_values().collect();
    groups.sort_by(|a, b| {
        (b.obstacles + b.wishes)
            .cmp(&(a.obstacles + a.wishes))
            .then_with(|| a.label.cmp(&b.label))
    });
    protect_small_groups(groups)
}

/// Counts per tag for obstacles (`wish == false`) or wishes, most frequent first.
pub fn top_tags(points: &[Point], wish: bool) -> Vec<(String, i64)> {
    let mut map: BTreeMap<String, i64> = BTreeMap::new();
    for p in points.iter().filter(|p| p.wish == wish) {
        if let Some(tag) = &p.tag {
            *map.entry(tag.clone()).or_default() += 1;
        }
    }
    let mut v: Vec<(String, i64)> = map.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// One month of the trend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthCount {
    /// `YYYY-MM`.
    pub month: String,
    /// German label, e.g. "Nov 2026".
    pub label: String,
    /// Obstacles recorded that month.
    pub obstacles: i64,
    /// Wishes recorded that month.
    pub wishes: i64,
}

const MONTHS: [&str; 12] = [
    "Jän", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez",
];

/// The last `n` months up to `current` (`YYYY-MM`), including months without points.
pub fn trend(points: &[Point], current: &str, n: usize) -> Vec<MonthCount> {
    let mut year: i64 = current
        .get(0..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or(2026);
    let mut month: i64 = current.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    let mut out = Vec::new();
    for _ in 0..n {
        let key = format!("{year:04}-{month:02}");
        let idx = usize::try_from(month - 1).unwrap_or(0).min(11);
        let in_month = points.iter().filter(|p| p.month == key);
        let (mut obstacles, mut wishes) = (0, 0);
        for p in in_month {
            if p.wish {
                wishes += 1;
            } else {
                obstacles += 1;
            }
        }
        out.push(MonthCount {
            label: format!("{} {year}", MONTHS[idx]),
            month: key,
            obstacles,
            wishes,
        });
        month -= 1;
        if month == 0 {
            month = 12;
            year -= 1;
        }
    }
    out.reverse();
    out
}

/// A horizontal bar chart, laid out on the server.
#[derive(Debug, Clone)]
pub struct BarChart {
    /// Unique id prefix for `aria-labelledby`.
    pub id: &'static str,
    /// Chart title (`<title>`).
    pub title: String,
    /// Text alternative (`<desc>` and the paragraph under the chart).
    pub summary: String,
    /// Total SVG height.
    pub height: i64,
    /// The bars.
    pub bars: Vec<Bar>,
}

/// One bar with its position.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Label left of the bar (shortened; the table has the full text).
    pub label: String,
    /// The value printed after the bar.
    pub value: i64,
    /// Top of the bar.
    pub y: i64,
    /// Baseline of the label text.
    pub text_y: i64,
    /// Bar length in pixels.
    pub width: i64,
    /// Where the value is printed.
    pub value_x: i64,
}

/// Chart width in SVG units (the chart scales with the page).
pub const CHART_WIDTH: i64 = 640;
const LABEL_W: i64 = 230;
const BAR_AREA: i64 = 350;
const ROW: i64 = 30;

fn shorten(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_owned()
    } else {
        let cut: String = label.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

/// Lays out `rows` (label, value) as a bar chart with its text alternative.
pub fn bar_chart(id: &'static str, title: &str, rows: &[(String, i64)]) -> BarChart {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, (label, value))| {
            let y = 8 + i64::try_from(i).unwrap_or(0) * ROW;
            let width = (value * BAR_AREA / max).max(if *value > 0 { 2 } else { 0 });
            Bar {
                label: shorten(label, 32),
                value: *value,
                y,
                text_y: y + 15,
                width,
                value_x: LABEL_W + width + 6,
            }
        })
        .collect::<Vec<_>>();
    let summary = if rows.is_empty() {
        "Noch keine Daten.".to_owned()
    } else {
        rows.iter()
            .map(|(l, v)| format!("{l}: {v}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    BarChart {
        id,
        title: title.to_owned(),
        summary,
        height: 16 + i64::try_from(bars.len()).unwrap_or(0).max(1) * ROW,
        bars,
    }
}

/// The label column's right edge (text anchors there).
pub const LABEL_EDGE: i64 = LABEL_W - 8;
/// The bars' left edge.
pub const BAR_X: i64 = LABEL_W;

/// The trend chart: two bars (obstacles, wishes) per month.
#[derive(Debug, Clone)]
pub struct TrendChart {
    /// Text alternative.
    pub summary: String,
    /// One column per month.
    pub columns: Vec<TrendColumn>,
}

/// One month's pair of bars.
#[derive(Debug, Clone)]
pub struct TrendColumn {
    /// Month label, e.g. "Nov 2026".
    pub label: String,
    /// Label x (centre).
    pub label_x: i64,
    /// Obstacle bar x, y, height and count.
    pub ox: i64,
    /// Top of the obstacle bar.
    pub oy: i64,
    /// Height of the obstacle bar.
    pub oh: i64,
    /// Obstacles.
    pub obstacles: i64,
    /// Wish bar x.
    pub wx: i64,
    /// Top of the wish bar.
    pub wy: i64,
    /// Height of the wish bar.
    pub wh: i64,
    /// Wishes.
    pub wishes: i64,
}

/// Baseline of the trend chart's bars.
pub const TREND_BASE: i64 = 170;
const TREND_H: i64 = 140;

/// Lays out the trend by month.
pub fn trend_chart(months: &[MonthCount]) -> TrendChart {
    let max = months
        .iter()
        .map(|m| m.obstacles.max(m.wishes))
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = CHART_WIDTH / i64::try_from(months.len()).unwrap_or(1).max(1);
    let columns = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let x0 = i64::try_from(i).unwrap_or(0) * slot;
            let oh = m.obstacles * TREND_H / max;
            let wh = m.wishes * TREND_H / max;
            TrendColumn {
                label: m.label.clone(),
                label_x: x0 + slot / 2,
                ox: x0 + slot / 2 - 17,
                oy: TREND_BASE - oh,
                oh,
                obstacles: m.obstacles,
                wx: x0 + slot / 2 + 1,
                wy: TREND_BASE - wh,
                wh,
                wishes: m.wishes,
            }
        })
        .collect();
    let summary = months
        .iter()
        .filter(|m| m.obstacles + m.wishes > 0)
        .map(|m| {
            format!(
                "{}: {} Hindernisse, {} Wünsche",
                m.label, m.obstacles, m.wishes
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    TrendChart {
        summary: if summary.is_empty() {
            "In diesem Zeitraum wurde noch nichts erfasst.".to_owned()
        } else {
            summary
        },
        columns,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(lead: i64, industry: &str, wish: bool, tag: Option<&str>) -> Point {
        Point {
            tag: tag.map(str::to_owned),
            wish,
            month: "2026-11".to_owned(),
            lead: Some(lead),
            industry: Some(industry.to_owned()),
            size: Some("10–49".to_owned()),
        }
    }

    fn group(label: &str, companies: &[i64]) -> Group {
        Group {
            label: label.to_owned(),
            companies: companies.iter().copied().collect(),
            obstacles: i64::try_from(companies.len()).unwrap_or(0),
            ..Group::default()
        }
    }

    #[test]
    fn three_companies_are_shown_two_are_not() {
        let shown = protect_small_groups(vec![group("Bau", &[1, 2, 3]), group("Handel", &[4, 5])]);
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].label, "Bau");
    }

    #[test]
    fn small_groups_merge_into_other_when_that_covers_three() {
        let shown = protect_small_groups(vec![
            group("Bau", &[1, 2, 3]),
            group("Handel", &[4, 5]),
            group("Tourismus", &[6]),
        ]);
        let labels: Vec<_> = shown.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(labels, ["Bau", OTHER_LABEL]);
        assert_eq!(shown[1].companies.len(), 3);
        assert_eq!(shown[1].obstacles, 3);
    }

    #[test]
    fn other_counts_distinct_companies_not_points() {
        // One company in two small cells (cannot happen for industry, can for a mix) still
        // counts once.
        let shown = protect_small_groups(vec![group("A", &[1, 2]), group("B", &[1, 2])]);
        assert!(shown.is_empty());
    }

    #[test]
    fn many_points_of_one_company_do_not_make_a_group() {
        let points: Vec<Point> = (0..10)
            .map(|_| point(7, "Bau", false, Some("Kosten")))
            .collect();
        assert!(breakdown(&points, |p| p.industry.as_deref()).is_empty());
    }

    #[test]
    fn breakdown_counts_and_top_tag() {
        let points = vec![
            point(1, "Bau", false, Some("Kosten")),
            point(2, "Bau", false, Some("Kosten")),
            point(3, "Bau", true, Some("Tool-Auswahl")),
            point(4, "Handel", false, None),
        ];
        let groups = breakdown(&points, |p| p.industry.as_deref());
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].obstacles, 2);
        assert_eq!(groups[0].wishes, 1);
        assert_eq!(groups[0].top_tag(), "Kosten (2)");
    }

    #[test]
    fn points_without_company_stay_out_of_breakdowns() {
        let mut p = point(1, "Bau", false, None);
        p.lead = None;
        assert!(breakdown(&[p.clone(), p.clone(), p], |p| p.industry.as_deref()).is_empty());
    }

    #[test]
    fn top_tags_sorted_and_split() {
        let points = vec![
            point(1, "Bau", false, Some("Kosten")),
            point(1, "Bau", false, Some("Kosten")),
            point(1, "Bau", false, Some("Datenqualität")),
            point(1, "Bau", true, Some("Tool-Auswahl")),
            point(1, "Bau", false, None),
        ];
        assert_eq!(
            top_tags(&points, false),
            vec![("Kosten".to_owned(), 2), ("Datenqualität".to_owned(), 1)]
        );
        assert_eq!(
            top_tags(&points, true),
            vec![("Tool-Auswahl".to_owned(), 1)]
        );
    }

    #[test]
    fn trend_covers_months_across_the_year_boundary() {
        let mut p = point(1, "Bau", false, None);
        p.month = "2025-12".to_owned();
        let t = trend(&[p], "2026-02", 3);
        let labels: Vec<_> = t.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(labels, ["Dez 2025", "Jän 2026", "Feb 2026"]);
        assert_eq!(t[0].obstacles, 1);
        assert_eq!(t[2].obstacles, 0);
    }

    #[test]
    fn bar_chart_scales_to_the_largest_value() {
        let c = bar_chart(
            "x",
            "T",
            &[
                ("Kosten".to_owned(), 4),
                (
                    "Sehr langer Name eines Schlagworts mit Überlänge".to_owned(),
                    2,
                ),
            ],
        );
        assert_eq!(c.bars[0].width, BAR_AREA);
        assert_eq!(c.bars[1].width, BAR_AREA / 2);
        assert!(c.bars[1].label.ends_with('…'));
        assert!(c.summary.contains("Kosten: 4"));
    }
}
