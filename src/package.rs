//! The package model: the readiness package as typed data, built once per build from the loaded
//! [`Project`] and its [`Assessment`]. References are resolved, statuses and coverage are
//! computed, records are in the order the package shows them; there are no display strings here
//! (no joined IDs, no "—" for a missing value, no sentences).
//!
//! Every output derives from it: the restricted views ([`crate::view::restricted`], the policy
//! register and risk section in [`crate::view::registers`], the coverage grid in
//! [`crate::view::coverage`]) and the control matrix workbook and CSV files
//! ([`crate::view::workbook`]). Wording and formatting belong to those views and the theme.
//!
//! Restricted: the package model holds everything, restricted fields included. A public output
//! must only ever receive the public view derived from it ([`crate::view::public`]).
//!
//! IDs are unique once `check` passes; lookups by ID here keep the behaviour the views always had
//! when they are not (a control ID names the last control with it, a policy or evidence ID the
//! first), so that a project that renders despite a problem renders the same way.

use crate::assess::{Assessment, CategoryResult, CriterionResult, Gap, RemediationRow, Status};
use crate::catalog::catalog;
use crate::coverage::{ControlCoverage, Coverage};
use crate::project::model::*;
use crate::project::policy::{Policy, PolicyStatus};
use crate::project::risk::Risk;
use std::collections::{BTreeMap, HashMap};

/// The whole package, as data. Build it with [`package`].
#[derive(Debug, Clone)]
pub struct Package<'p> {
    /// The project it was built from (its files: assets, root; and its configuration).
    pub project: &'p Project,
    /// The readiness assessment it was built from.
    pub assessment: &'p Assessment,
    /// The organization's name, as written in trustbook.yaml.
    pub organization: &'p str,
    /// The system's name, as written in trustbook.yaml.
    pub system: &'p str,
    /// Type 1 or Type 2.
    pub report_type: ReportType,
    /// True for a Type 2 package (tests of operating effectiveness over a period).
    pub type2: bool,
    /// What the package speaks for: a period (Type 2) or a date (Type 1).
    pub period: ReportPeriod,
    /// The date the content speaks for ([`Project::content_date`]).
    pub content_date: Date,
    /// The in-scope categories, in the catalog's order (security first).
    pub categories: Vec<Category>,
    /// The firm engaged for the examination, if named.
    pub auditor: Option<&'p str>,
    /// The organization's logo, resolved once: an image under content/ that exists.
    pub logo: Option<Logo>,
    /// Every control, in file order, with what stands behind it.
    pub controls: Vec<ControlEntry<'p>>,
    /// Every in-scope criterion, in catalog order, with its controls.
    pub criteria: Vec<CriterionEntry<'p>>,
    /// The in-scope criteria grouped by category, then by series, in catalog order (indices into
    /// [`Package::criteria`]).
    pub groups: Vec<CategoryGroup>,
    /// Every test, in file order, with the control it tests.
    pub tests: Vec<TestEntry<'p>>,
    /// Every evidence record, in file order.
    pub evidence: Vec<EvidenceEntry<'p>>,
    /// Every vendor, in file order (subservice organizations and subprocessors alike).
    pub vendors: Vec<VendorEntry<'p>>,
    /// The complementary user entity controls, in file order.
    pub cuecs: &'p [Cuec],
    /// The remediation tracker (dates, overdue flag), in file order.
    pub remediation: &'p [RemediationRow],
    /// Narratives by section, each section in load order (order, then file). Every section,
    /// trust-page sections included; the package shows the DC 200 ones.
    pub narratives: BTreeMap<Section, Vec<&'p Narrative>>,
    /// Every policy, by ID.
    pub policies: Vec<PolicyEntry<'p>>,
    /// The risk register, highest residual score first (then highest inherent score, then ID).
    pub risks: Vec<RiskEntry<'p>>,
    /// The readiness figures.
    pub readiness: Readiness<'p>,
    /// Type 2: the period's expected occurrences of every control and their evidence.
    pub coverage: Option<&'p Coverage>,
    control_index: HashMap<&'p str, usize>,
    criterion_index: HashMap<&'p str, usize>,
    evidence_index: HashMap<&'p str, usize>,
    policy_index: HashMap<&'p str, usize>,
}

/// What the package speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportPeriod {
    /// Type 2: the period, first and last day.
    Period { start: Date, end: Date },
    /// Type 1: the date.
    AsOf(Date),
    /// The configuration does not state it (`check` reports this).
    NotStated,
}

/// The organization's logo: an image file under content/.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    /// The path relative to content/, e.g. `assets/logo.svg`.
    pub rel: String,
}

impl Logo {
    /// The path renderers read it at: `/content/assets/logo.svg` (Typst's virtual path).
    pub fn virtual_path(&self) -> String {
        format!("/content/{}", self.rel)
    }
    /// The path relative to the project root, for messages: `content/assets/logo.svg`.
    pub fn source(&self) -> String {
        format!("content/{}", self.rel)
    }
    /// The file's bytes.
    pub fn bytes<'a>(&self, project: &'a Project) -> Option<&'a [u8]> {
        project.assets.get(&self.rel).map(Vec::as_slice)
    }
}

/// A reference as written in a record, resolved to the record it names (`None`: no such record).
#[derive(Debug)]
pub struct Ref<'p, T> {
    /// The ID as written.
    pub id: &'p str,
    /// The record, if one has that ID.
    pub record: Option<&'p T>,
}

impl<T> Clone for Ref<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Ref<'_, T> {}

/// A control and what stands behind it.
#[derive(Debug, Clone)]
pub struct ControlEntry<'p> {
    /// The record.
    pub record: &'p Control,
    /// Its tests, in file order (Type 1 packages carry tests too; the views decide to show them).
    pub tests: Vec<&'p Test>,
    /// The evidence records it lists, resolved.
    pub evidence: Vec<Ref<'p, Evidence>>,
    /// The policies it carries out, resolved.
    pub policies: Vec<Ref<'p, Policy>>,
    /// Its own status in the criteria's vocabulary ([`crate::assess::control_status`]).
    pub status: Status,
    /// Type 2: its expected occurrences and their evidence.
    pub coverage: Option<&'p ControlCoverage>,
    /// The in-scope criterion under which the package shows it in full: the first one it maps
    /// to that is not "not relevant" (failing that, the first at all), in catalog order. `None`
    /// when it maps to no in-scope criterion.
    pub home: Option<&'p str>,
}

impl ControlEntry<'_> {
    /// The control's ID.
    pub fn id(&self) -> &str {
        &self.record.id.value
    }
    /// True when implemented (the other states are a plan or a gap).
    pub fn implemented(&self) -> bool {
        self.record.status.value == ControlStatus::Implemented
    }
    /// The criterion IDs it maps to, as written.
    pub fn criteria(&self) -> impl Iterator<Item = &str> {
        self.record.criteria.iter().map(|c| c.value.as_str())
    }
    /// Its ISO/IEC 27001:2022 Annex A mappings, as written.
    pub fn iso27001(&self) -> impl Iterator<Item = &str> {
        self.record
            .mappings
            .iter()
            .filter(|(fw, _)| fw.value == "iso27001-2022")
            .flat_map(|(_, ids)| ids.iter().map(|x| x.value.as_str()))
    }
}

/// An in-scope criterion and its controls.
#[derive(Debug, Clone)]
pub struct CriterionEntry<'p> {
    /// The assessment's result: ID, category, series, title, status, not-relevant reason.
    pub result: &'p CriterionResult,
    /// Its controls (indices into [`Package::controls`]), in file order.
    pub controls: Vec<usize>,
}

/// The in-scope criteria of one category, by series.
#[derive(Debug, Clone)]
pub struct CategoryGroup {
    pub category: Category,
    pub series: Vec<SeriesGroup>,
}

/// The in-scope criteria of one series.
#[derive(Debug, Clone)]
pub struct SeriesGroup {
    /// `CC6`.
    pub code: String,
    /// The series as the catalog names it, code first: `CC6 Logical and Physical Access Controls`.
    pub title: String,
    /// Indices into [`Package::criteria`].
    pub criteria: Vec<usize>,
}

/// A test and the control it tests.
#[derive(Debug, Clone)]
pub struct TestEntry<'p> {
    pub record: &'p Test,
    /// Index into [`Package::controls`]; `None` when no control has the ID it names.
    pub control: Option<usize>,
    /// The deviations its exceptions count in all (saturating).
    pub deviations: u64,
}

/// An evidence record.
#[derive(Debug, Clone)]
pub struct EvidenceEntry<'p> {
    pub record: &'p Evidence,
    /// Older than its refresh interval at the report date.
    pub stale: bool,
}

/// A vendor and the controls that monitor it.
#[derive(Debug, Clone)]
pub struct VendorEntry<'p> {
    pub record: &'p Vendor,
    /// The monitoring controls it lists, resolved.
    pub monitoring: Vec<Ref<'p, Control>>,
}

/// A policy and its review dates.
#[derive(Debug, Clone)]
pub struct PolicyEntry<'p> {
    pub record: &'p Policy,
    /// When the next review falls due (approval date plus the review interval).
    pub next_review: Option<Date>,
    /// Approved and its review fell due before the content date.
    pub review_overdue: bool,
    /// True when approved (it then has its own PDF).
    pub approved: bool,
}

/// A risk and what treats it.
#[derive(Debug, Clone)]
pub struct RiskEntry<'p> {
    pub record: &'p Risk,
    /// The mitigating controls, resolved (see [`Package::control`] for where they are shown).
    pub controls: Vec<Ref<'p, Control>>,
    /// The remediation items, resolved.
    pub remediation: Vec<Ref<'p, Remediation>>,
}

/// The readiness figures (see [`crate::assess`] for how they are computed).
#[derive(Debug, Clone)]
pub struct Readiness<'p> {
    /// 0–100, one decimal.
    pub score: f64,
    /// The formula, printed with every score.
    pub formula: &'static str,
    /// Per in-scope category.
    pub categories: &'p [CategoryResult],
    pub overall: &'p CategoryResult,
    /// How many in-scope criteria have each status, in [`Status::ALL`] order.
    pub status_counts: Vec<(Status, usize)>,
    /// The gap list, by severity.
    pub gaps: &'p [Gap],
    /// ISO/IEC 27001:2022 Annex A controls with at least one mapped control, in Annex A order.
    pub iso27001: Vec<&'p crate::assess::IsoRow>,
}

impl<'p> Package<'p> {
    /// The control with this ID.
    pub fn control(&self, id: &str) -> Option<&ControlEntry<'p>> {
        self.control_index.get(id).map(|&i| &self.controls[i])
    }
    /// The in-scope criterion with this ID.
    pub fn criterion(&self, id: &str) -> Option<&CriterionEntry<'p>> {
        self.criterion_index.get(id).map(|&i| &self.criteria[i])
    }
    /// The in-scope categories a control's criteria belong to.
    pub fn control_categories(&self, c: &ControlEntry) -> std::collections::BTreeSet<Category> {
        c.criteria()
            .filter_map(|id| self.criterion(id))
            .map(|x| x.result.category)
            .collect()
    }
    /// A control's status as seen from one category: its own status, lowered to that of every
    /// criterion of the category it maps to (not relevant ones aside), since a criterion's status
    /// counts all of its controls. What the trust page shows per control theme.
    pub fn control_status_in(&self, c: &ControlEntry, category: Category) -> Status {
        c.criteria()
            .filter_map(|id| self.criterion(id))
            .map(|x| x.result)
            .filter(|r| r.category == category && r.status != Status::NotRelevant)
            .map(|r| r.status)
            .fold(c.status, Status::max)
    }
    /// The evidence record with this ID.
    pub fn evidence_record(&self, id: &str) -> Option<&EvidenceEntry<'p>> {
        self.evidence_index.get(id).map(|&i| &self.evidence[i])
    }
    /// The policy with this ID.
    pub fn policy(&self, id: &str) -> Option<&PolicyEntry<'p>> {
        self.policy_index.get(id).map(|&i| &self.policies[i])
    }
    /// The controls of an in-scope criterion.
    pub fn criterion_controls(
        &self,
        c: &CriterionEntry<'p>,
    ) -> impl Iterator<Item = &ControlEntry<'p>> {
        c.controls.iter().map(|&i| &self.controls[i])
    }
    /// The subservice organizations (carve-out or inclusive), in file order.
    pub fn subservice(&self) -> impl Iterator<Item = &VendorEntry<'p>> {
        self.vendors
            .iter()
            .filter(|v| v.record.subservice.value != Subservice::None)
    }
    /// The narratives of one section (empty if none).
    pub fn narratives_of(&self, s: Section) -> &[&'p Narrative] {
        self.narratives.get(&s).map(Vec::as_slice).unwrap_or(&[])
    }
    /// True if Section IV shows this control in full (it maps to an in-scope criterion).
    pub fn shown_in_full(&self, id: &str) -> bool {
        self.control(id).is_some_and(|c| c.home.is_some())
    }
}

/// Builds the package model of a project (which should have passed `check` without errors).
pub fn package<'p>(project: &'p Project, assessment: &'p Assessment) -> Package<'p> {
    let cfg = &project.config;
    let type2 = cfg.report.kind.value == ReportType::Type2;
    let control_index: HashMap<&str, usize> = project
        .controls
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.value.as_str(), i))
        .collect();
    let mut evidence_index: HashMap<&str, usize> = HashMap::new();
    for (i, e) in project.evidence.iter().enumerate() {
        evidence_index.entry(e.id.value.as_str()).or_insert(i);
    }
    let policies = policy_entries(project);
    let mut policy_index: HashMap<&str, usize> = HashMap::new();
    for (i, p) in policies.iter().enumerate() {
        policy_index.entry(p.record.id.value.as_str()).or_insert(i);
    }
    let criterion_index: HashMap<&str, usize> = assessment
        .criteria
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let criteria: Vec<CriterionEntry> = assessment
        .criteria
        .iter()
        .map(|c| CriterionEntry {
            result: c,
            controls: c
                .controls
                .iter()
                .filter_map(|id| control_index.get(id.as_str()).copied())
                .collect(),
        })
        .collect();
    let controls = control_entries(
        project,
        assessment,
        &evidence_index,
        &policies,
        &policy_index,
    );
    let resolve_control = |id: &'p S<String>| Ref {
        id: id.value.as_str(),
        record: control_index
            .get(id.value.as_str())
            .map(|&i| &project.controls[i]),
    };
    let tests = project
        .tests
        .iter()
        .map(|t| TestEntry {
            record: t,
            control: control_index.get(t.control.value.as_str()).copied(),
            deviations: t
                .exceptions
                .iter()
                .filter_map(|e| e.deviations.as_ref().map(|d| d.value))
                .fold(0u64, u64::saturating_add),
        })
        .collect();
    let evidence = project
        .evidence
        .iter()
        .map(|e| EvidenceEntry {
            record: e,
            stale: assessment.stale_evidence.contains(&e.id.value),
        })
        .collect();
    let vendors = project
        .vendors
        .iter()
        .map(|v| VendorEntry {
            record: v,
            monitoring: v.monitoring.iter().map(resolve_control).collect(),
        })
        .collect();
    let remediation_index: HashMap<&str, &Remediation> = project
        .remediation
        .iter()
        .map(|r| (r.id.value.as_str(), r))
        .collect();
    let risks = risk_order(project)
        .into_iter()
        .map(|r| RiskEntry {
            record: r,
            controls: r.controls.iter().map(resolve_control).collect(),
            remediation: r
                .remediation
                .iter()
                .map(|g| Ref {
                    id: g.value.as_str(),
                    record: remediation_index.get(g.value.as_str()).copied(),
                })
                .collect(),
        })
        .collect();
    let mut narratives: BTreeMap<Section, Vec<&Narrative>> = BTreeMap::new();
    for n in &project.narratives {
        narratives.entry(n.section.value).or_default().push(n);
    }
    Package {
        project,
        assessment,
        organization: &cfg.organization.name.value,
        system: &cfg.system.name.value,
        report_type: cfg.report.kind.value,
        type2,
        period: report_period(&cfg.report),
        content_date: project.content_date(),
        categories: Category::VALUES
            .iter()
            .filter_map(|v| Category::parse(v))
            .filter(|c| project.in_scope(*c))
            .collect(),
        auditor: cfg.report.auditor.as_ref().map(|a| a.firm.value.as_str()),
        logo: logo(project),
        groups: group_criteria(&assessment.criteria),
        controls,
        criteria,
        tests,
        evidence,
        vendors,
        cuecs: &project.cuecs,
        remediation: &assessment.remediation,
        narratives,
        policies,
        risks,
        readiness: readiness(assessment),
        coverage: assessment.coverage.as_ref(),
        control_index,
        criterion_index,
        evidence_index,
        policy_index,
    }
}

/// The readiness figures of the assessment.
fn readiness(assessment: &Assessment) -> Readiness<'_> {
    Readiness {
        score: assessment.score,
        formula: assessment.formula,
        categories: &assessment.categories,
        overall: &assessment.overall,
        status_counts: Status::ALL
            .iter()
            .map(|s| {
                let n = assessment
                    .criteria
                    .iter()
                    .filter(|c| c.status == *s)
                    .count();
                (*s, n)
            })
            .collect(),
        gaps: &assessment.gaps,
        iso27001: assessment
            .iso27001
            .iter()
            .filter(|r| !r.controls.is_empty())
            .collect(),
    }
}

/// The period (Type 2) or date (Type 1) the report speaks for.
fn report_period(r: &Report) -> ReportPeriod {
    match r.kind.value {
        ReportType::Type2 => match &r.period {
            Some(p) => ReportPeriod::Period {
                start: p.start.value,
                end: p.end.value,
            },
            None => ReportPeriod::NotStated,
        },
        ReportType::Type1 => match &r.as_of {
            Some(d) => ReportPeriod::AsOf(d.value),
            None => ReportPeriod::NotStated,
        },
    }
}

/// The organization's logo, when `organization.logo` names an image under content/ that exists.
/// The one place the logo path is resolved (relative to trustbook.yaml, as image links are).
pub fn logo(project: &Project) -> Option<Logo> {
    let l = project.config.organization.logo.as_ref()?;
    let rel = crate::markdown::md_ast::resolve_image("content/trustbook.yaml", &l.value).ok()?;
    project.assets.contains_key(&rel).then_some(Logo { rel })
}

/// Groups criteria (in catalog order) by category, then by series: the one grouping every view
/// of the criteria uses. Consecutive criteria of the same category and series form a group.
pub fn group_criteria(criteria: &[CriterionResult]) -> Vec<CategoryGroup> {
    let cat = catalog();
    let mut groups: Vec<CategoryGroup> = Vec::new();
    for (i, c) in criteria.iter().enumerate() {
        if groups.last().is_none_or(|g| g.category != c.category) {
            groups.push(CategoryGroup {
                category: c.category,
                series: vec![],
            });
        }
        let g = groups.last_mut().expect("pushed above");
        if g.series.last().is_none_or(|s| s.code != c.series) {
            g.series.push(SeriesGroup {
                code: c.series.clone(),
                title: cat
                    .criterion(&c.id)
                    .map(|x| x.group.clone())
                    .unwrap_or_else(|| c.series.clone()),
                criteria: vec![],
            });
        }
        g.series.last_mut().expect("pushed above").criteria.push(i);
    }
    groups
}

/// Every series of the catalog (in or out of scope), in catalog order: (code, catalog title).
pub fn catalog_series() -> Vec<(&'static str, &'static str)> {
    let mut series: Vec<(&str, &str)> = Vec::new();
    for c in &catalog().criteria {
        let code = c.series();
        if !series.iter().any(|(s, _)| *s == code) {
            series.push((code, c.group.as_str()));
        }
    }
    series
}

fn control_entries<'p>(
    project: &'p Project,
    assessment: &'p Assessment,
    evidence_index: &HashMap<&str, usize>,
    policies: &[PolicyEntry<'p>],
    policy_index: &HashMap<&str, usize>,
) -> Vec<ControlEntry<'p>> {
    let type2 = project.config.report.kind.value == ReportType::Type2;
    let tests_by_control = project.tests_by_control();
    // Where each control is shown in full: the first criterion it maps to that is not "not
    // relevant" (or, failing that, the first one at all), in catalog order.
    let mut home: HashMap<&str, &str> = HashMap::new();
    for pass_relevant in [true, false] {
        for c in &assessment.criteria {
            if pass_relevant && c.status == Status::NotRelevant {
                continue;
            }
            for id in &c.controls {
                home.entry(id.as_str()).or_insert(c.id.as_str());
            }
        }
    }
    let coverage: HashMap<&str, &ControlCoverage> = assessment
        .coverage
        .iter()
        .flat_map(|c| &c.controls)
        .map(|c| (c.control.as_str(), c))
        .collect();
    project
        .controls
        .iter()
        .map(|c| {
            let id = c.id.value.as_str();
            let tests = tests_by_control.get(id).cloned().unwrap_or_default();
            ControlEntry {
                record: c,
                status: crate::assess::control_status(c, &tests, type2),
                tests,
                evidence: c
                    .evidence
                    .iter()
                    .map(|e| Ref {
                        id: e.value.as_str(),
                        record: evidence_index
                            .get(e.value.as_str())
                            .map(|&i| &project.evidence[i]),
                    })
                    .collect(),
                policies: c
                    .policies
                    .iter()
                    .map(|p| Ref {
                        id: p.value.as_str(),
                        record: policy_index
                            .get(p.value.as_str())
                            .map(|&i| policies[i].record),
                    })
                    .collect(),
                coverage: coverage.get(id).copied(),
                home: home.get(id).copied(),
            }
        })
        .collect()
}

fn policy_entries(project: &Project) -> Vec<PolicyEntry<'_>> {
    let at = project.content_date();
    let mut list: Vec<&Policy> = project.policies.iter().collect();
    list.sort_by(|a, b| a.id.value.cmp(&b.id.value));
    list.into_iter()
        .map(|p| PolicyEntry {
            record: p,
            next_review: p.next_review(),
            review_overdue: p.review_overdue(at),
            approved: p.status.value == PolicyStatus::Approved,
        })
        .collect()
}

/// The risks, highest residual score first, then highest inherent score, then by ID.
fn risk_order(project: &Project) -> Vec<&Risk> {
    let mut risks: Vec<&Risk> = project.risks.iter().collect();
    risks.sort_by(|a, b| {
        let (ra, rb) = (a.residual_rating(), b.residual_rating());
        (rb.score(), b.inherent.score(), &a.id.value).cmp(&(
            ra.score(),
            a.inherent.score(),
            &b.id.value,
        ))
    });
    risks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> Project {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        crate::project::load(root)
            .project
            .expect("the example loads")
    }

    #[test]
    fn controls_resolve_their_tests_evidence_policies_and_home() {
        let p = example();
        let a = crate::assess::assess(&p);
        let pkg = package(&p, &a);
        assert_eq!(pkg.controls.len(), p.controls.len());
        let tests_by_control = p.tests_by_control();
        for c in &pkg.controls {
            assert_eq!(
                c.tests.len(),
                tests_by_control.get(c.id()).map_or(0, Vec::len),
                "{}",
                c.id()
            );
            for e in &c.evidence {
                assert_eq!(e.record.map(|x| x.id.value.as_str()), Some(e.id));
            }
            // A control's home is an in-scope criterion it maps to.
            if let Some(h) = c.home {
                assert!(c.criteria().any(|x| x == h), "{} home {h}", c.id());
                assert!(pkg.criteria.iter().any(|x| x.result.id == h));
            }
        }
        assert!(pkg.controls.iter().any(|c| c.home.is_some()));
        assert!(pkg.controls.iter().any(|c| !c.evidence.is_empty()));
        assert!(pkg.control(pkg.controls[0].id()).is_some());
        assert!(pkg.control("NO-SUCH-CONTROL").is_none());
    }

    #[test]
    fn criteria_are_grouped_by_category_then_series_in_catalog_order() {
        let p = example();
        let a = crate::assess::assess(&p);
        let pkg = package(&p, &a);
        let flat: Vec<usize> = pkg
            .groups
            .iter()
            .flat_map(|g| &g.series)
            .flat_map(|s| s.criteria.iter().copied())
            .collect();
        assert_eq!(flat, (0..pkg.criteria.len()).collect::<Vec<_>>());
        for g in &pkg.groups {
            for s in &g.series {
                assert!(s.title.starts_with(&s.code), "{} {}", s.code, s.title);
                for &i in &s.criteria {
                    assert_eq!(pkg.criteria[i].result.category, g.category);
                    assert_eq!(pkg.criteria[i].result.series, s.code);
                }
            }
        }
        let cats: Vec<Category> = pkg.groups.iter().map(|g| g.category).collect();
        assert_eq!(cats, pkg.categories);
        assert_eq!(pkg.groups[0].series[0].code, "CC1");
        let counted: usize = pkg.readiness.status_counts.iter().map(|(_, n)| n).sum();
        assert_eq!(counted, pkg.criteria.len());
    }

    #[test]
    fn a_controls_status_in_a_category_is_lowered_by_its_criteria_there() {
        let p = example();
        let a = crate::assess::assess(&p);
        let pkg = package(&p, &a);
        let mut lowered = 0;
        for c in &pkg.controls {
            for cat in pkg.control_categories(c) {
                let s = pkg.control_status_in(c, cat);
                assert!(s >= c.status, "{} {cat:?}", c.id());
                for id in c.criteria() {
                    if let Some(x) = pkg.criterion(id)
                        && x.result.category == cat
                        && x.result.status != Status::NotRelevant
                    {
                        assert!(s >= x.result.status, "{} {id}", c.id());
                    }
                }
                lowered += usize::from(s > c.status);
            }
        }
        assert!(
            lowered > 0,
            "the example has a control lowered by a criterion"
        );
        assert!(pkg.criterion("CC6.1").is_some());
        assert!(pkg.criterion("NOPE").is_none());
    }

    #[test]
    fn the_logo_is_resolved_once_relative_to_the_configuration() {
        let mut p = example();
        p.config.organization.logo = Some(S {
            value: "./assets/logo.svg".into(),
            loc: p.config.report.loc.clone(),
        });
        p.assets
            .insert("assets/logo.svg".into(), b"<svg/>".to_vec());
        let l = logo(&p).expect("a logo");
        assert_eq!(l.virtual_path(), "/content/assets/logo.svg");
        assert_eq!(l.source(), "content/assets/logo.svg");
        assert_eq!(l.bytes(&p), Some(&b"<svg/>"[..]));
        p.assets.remove("assets/logo.svg");
        assert_eq!(logo(&p), None, "a logo file that does not exist is no logo");
    }

    #[test]
    fn risks_come_highest_residual_first_with_references_resolved() {
        let p = example();
        let a = crate::assess::assess(&p);
        let pkg = package(&p, &a);
        assert_eq!(pkg.risks.len(), p.risks.len());
        for w in pkg.risks.windows(2) {
            assert!(w[0].record.residual_rating().score() >= w[1].record.residual_rating().score());
        }
        for r in &pkg.risks {
            for c in &r.controls {
                assert_eq!(c.record.is_some(), pkg.control(c.id).is_some());
            }
        }
        let ids: Vec<&str> = pkg
            .policies
            .iter()
            .map(|x| x.record.id.value.as_str())
            .collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
    }
}
