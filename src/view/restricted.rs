//! The restricted view: everything the SOC 2 readiness package shows, already in the order and
//! the wording the template needs. Templates only lay this out; no business logic lives there.
//!
//! It is derived from the package model ([`crate::package`]), one function per section of the
//! package; every display string is made by the helpers of [`super::format`].
//!
//! Narratives travel as Markdown trees ([`crate::markdown::md_ast`]), grouped by DC 200 section,
//! so that author text reaches Typst only as data.

use super::format::{
    and_list, cap, control_name, join, keyword, no_stop, or_missing, period_text, plural,
    span_long, words,
};
use crate::assess::CategoryResult;
use crate::assess::{Assessment, FORMULA, Status};
use crate::catalog::catalog;
use crate::diag::Diagnostic;
use crate::markdown::md_ast::{self, MdSource, Node};
use crate::package::{ControlEntry, CriterionEntry, Package, TestEntry, package};
use crate::project::model::*;
use crate::view::PdfOptions;
use serde::Serialize;
use std::collections::BTreeMap;

/// The whole package.
#[derive(Debug, Clone, Serialize)]
pub struct RestrictedView {
    pub meta: Meta,
    pub cover: Cover,
    /// Section I: the auditor's report placeholder.
    pub auditor: AuditorSection,
    /// Section II: management's assertion.
    pub assertion: AssertionSection,
    /// Section III: the description of the system, in DC 200 order.
    pub description: DescriptionSection,
    /// Section IV: criteria, controls and tests.
    pub testing: TestingSection,
    /// Section V: other information provided by management.
    pub other: OtherSection,
    pub readiness: ReadinessSection,
    /// v1.1: the policy register.
    pub policies: super::registers::PolicyRegister,
    /// v1.1: the risk assessment (heat maps and register).
    pub risks: super::registers::RiskSection,
    pub appendices: Appendices,
    /// Problems found while building the view (e.g. a narrative image without alt text).
    #[serde(skip)]
    pub diagnostics: Vec<Diagnostic>,
}

/// Document metadata and running header/footer text.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    pub title: String,
    pub author: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub lang: &'static str,
    pub organization: String,
    /// "Restricted" (header, left).
    pub header_label: String,
    /// The recipient when stamped.
    pub recipient: Option<String>,
    /// The diagonal watermark: "Restricted — <recipient>", only when stamped.
    pub watermark: Option<String>,
    /// "Type 1" / "Type 2".
    pub type2: bool,
    /// The running footer: every page, alone, says what the document is and is not.
    pub footer: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cover {
    pub organization: String,
    pub system: String,
    /// "SOC 2 Type 2 readiness package".
    pub title: String,
    pub report_type: String,
    /// "Period" or "As of".
    pub period_label: String,
    /// "1 January 2026 to 30 June 2026" or "30 June 2026".
    pub period_text: String,
    pub categories: Vec<String>,
    pub categories_text: String,
    /// "31 July 2026".
    pub content_date: String,
    /// "Restricted: prepared for <recipient>".
    pub recipient_line: Option<String>,
    pub auditor_line: Option<String>,
    /// The statement that this is management's readiness package, not a SOC 2 report.
    pub notice: Vec<String>,
    pub restricted_use: String,
    /// Virtual path of the organization's logo, if it is an image under content/.
    pub logo: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditorSection {
    pub title: String,
    pub firm: Option<String>,
    pub paragraphs: Vec<String>,
}

/// A narrative file, parsed.
#[derive(Debug, Clone, Serialize)]
pub struct NarrativeView {
    pub title: String,
    pub file: String,
    pub body: Vec<Node>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AssertionSection {
    pub title: String,
    /// "regarding the <system> for the period <period>".
    pub subtitle: String,
    pub narratives: Vec<NarrativeView>,
    /// Shown when there is no assertion narrative.
    pub missing: String,
}

/// One DC 200 part of Section III.
#[derive(Debug, Clone, Serialize)]
pub struct DescriptionPart {
    /// The narrative section key (`overview`) or a generated part (`criteria`, `cuecs`, ...).
    pub key: String,
    pub title: String,
    /// "DC1" etc.
    pub dc: String,
    pub narratives: Vec<NarrativeView>,
    /// Shown when a narrative part has no text.
    pub missing: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DescriptionSection {
    pub title: String,
    pub intro: String,
    /// Overview, commitments, the five components, boundaries, incidents.
    pub system_parts: Vec<DescriptionPart>,
    pub components_title: String,
    /// The entity-level components (control environment, risk assessment, …).
    pub entity_parts: Vec<DescriptionPart>,
    pub entity_title: String,
    pub criteria_title: String,
    pub criteria_intro: String,
    pub criteria: Vec<CategoryCriteria>,
    pub cuecs_title: String,
    pub cuecs_intro: String,
    pub cuecs: Vec<CuecRow>,
    pub subservice_title: String,
    pub subservice_intro: String,
    pub subservice: Vec<SubserviceView>,
    pub not_relevant_title: String,
    pub not_relevant_intro: String,
    pub not_relevant: Vec<NotRelevantRow>,
    /// Type 2 only.
    pub changes: Option<DescriptionPart>,
}

/// The in-scope criteria of one category, by series.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryCriteria {
    pub category: String,
    pub series: Vec<SeriesCriteria>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SeriesCriteria {
    pub code: String,
    pub title: String,
    pub criteria: Vec<CriterionRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CriterionRef {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CuecRow {
    pub id: String,
    pub text: String,
    pub criteria: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubserviceView {
    pub name: String,
    pub service: String,
    /// "Carve-out method" / "Inclusive method".
    pub method: String,
    pub method_text: String,
    pub criteria: String,
    pub csocs: Vec<String>,
    /// Our monitoring controls: "VM-02 Annual review of vendor SOC reports".
    pub monitoring: Vec<String>,
    /// The subservice organization's own report (v1.1 `soc_report`), as label/value rows:
    /// report type, period, opinion, bridge letter, review. Empty rows are left out.
    pub report: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotRelevantRow {
    pub id: String,
    pub title: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TestingSection {
    pub title: String,
    pub intro: Vec<String>,
    pub type2: bool,
    pub methods: Vec<(String, String)>,
    pub categories: Vec<TestingCategory>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TestingCategory {
    pub title: String,
    pub series: Vec<TestingSeries>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TestingSeries {
    pub code: String,
    pub title: String,
    pub criteria: Vec<TestingCriterion>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TestingCriterion {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub status_label: &'static str,
    pub symbol: &'static str,
    /// Not relevant: the reason; no controls: the gap sentence.
    pub note: Option<String>,
    pub controls: Vec<ControlView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlView {
    pub id: String,
    pub title: String,
    pub description: String,
    pub owner: String,
    pub frequency: String,
    pub nature: String,
    pub kind: String,
    /// Empty when implemented; otherwise "Planned" etc.
    pub status_note: Option<String>,
    pub tests: Vec<TestView>,
    /// Type 2, implemented, no test yet.
    pub untested: Option<String>,
    /// Set when the control is shown in full under another criterion (the first in-scope one
    /// it maps to, in catalog order): that criterion's ID. The entry is then a one-line
    /// cross-reference, and `tests` is empty, so a control and its tests appear once.
    pub see: Option<String>,
    /// v1.1: the policies the control carries out ("POL-ACCESS Access Control Policy").
    pub policies: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TestView {
    pub id: String,
    pub procedure: String,
    pub methods: String,
    pub population: String,
    pub sample: String,
    pub performed: String,
    /// `no-exceptions` | `exceptions` | `no-occurrence`.
    pub result: TestResult,
    /// "No exceptions noted." / "Exceptions noted." / the no-occurrence sentence.
    pub result_text: String,
    /// Each deviation, in the profession's words.
    pub deviations: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OtherSection {
    pub title: String,
    pub intro: String,
    pub narratives: Vec<NarrativeView>,
    pub responses_title: String,
    pub responses_intro: String,
    pub responses: Vec<ResponseRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResponseRow {
    pub test: String,
    pub control: String,
    pub criteria: String,
    pub exception: String,
    pub response: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadinessSection {
    pub title: String,
    pub intro: String,
    /// "87.5".
    pub score: String,
    pub formula: String,
    pub categories: Vec<CategoryResult>,
    pub overall: CategoryResult,
    pub legend: Vec<LegendRow>,
    pub map: Vec<MapCategory>,
    pub gaps: Vec<GapRow>,
    pub remediation: Vec<RemediationView>,
    pub content_date: String,
    pub type2: bool,
    /// Type 2: the coverage grid of the period (see [`super::coverage`]).
    pub coverage: Option<super::coverage::CoverageGrid>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LegendRow {
    pub status: Status,
    pub label: &'static str,
    pub symbol: &'static str,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct MapCategory {
    pub title: String,
    pub cells: Vec<MapCell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MapCell {
    pub id: String,
    pub status: Status,
    pub symbol: &'static str,
    pub label: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct GapRow {
    pub kind: String,
    pub subject: String,
    pub message: String,
    pub criteria: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RemediationView {
    pub id: String,
    pub title: String,
    pub owner: String,
    pub opened: String,
    pub due: String,
    pub status: String,
    pub overdue: bool,
    pub criteria: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Appendices {
    pub evidence_title: String,
    pub evidence: Vec<EvidenceRow>,
    pub iso_title: String,
    pub iso_intro: String,
    pub iso: Vec<IsoView>,
    pub iso_unmapped: String,
    pub glossary_title: String,
    pub glossary: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceRow {
    pub id: String,
    pub title: String,
    pub collected: String,
    pub source: String,
    pub file: String,
    pub sha256: String,
    pub stale: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct IsoView {
    pub id: String,
    pub title: String,
    pub controls: String,
}

/// Builds the restricted view of a project: its package model, then the view of that.
pub fn restricted_view(
    project: &Project,
    assessment: &Assessment,
    opts: &PdfOptions,
) -> RestrictedView {
    from_package(&package(project, assessment), opts)
}

/// Builds the restricted view from the package model, one package section at a time.
pub fn from_package(pkg: &Package, opts: &PdfOptions) -> RestrictedView {
    let cx = Ctx::new(pkg, opts);
    let (mut narratives, diagnostics) = narratives(pkg);
    RestrictedView {
        meta: meta(&cx),
        cover: cover(pkg, &cx),
        auditor: auditor_section(&cx),
        assertion: assertion(&cx, &mut narratives),
        description: description(pkg, &cx, &mut narratives),
        testing: testing(pkg, &cx),
        other: other(pkg, &cx, &mut narratives),
        readiness: readiness(pkg, &cx),
        policies: super::registers::policy_register(pkg),
        risks: super::registers::risk_section(pkg),
        appendices: appendices(pkg),
        diagnostics,
    }
}

/// What several sections say the same way: the names, the report type, the period, the stamp.
struct Ctx<'a> {
    org: &'a str,
    system: &'a str,
    type2: bool,
    /// "Type 1" / "Type 2".
    report_type: &'static str,
    /// "1 January 2026 to 30 June 2026" / "30 June 2026".
    period_text: String,
    /// "for the period 1 January 2026 to 30 June 2026" / "as of 30 June 2026".
    period_phrase: String,
    /// The in-scope categories' titles.
    categories: Vec<String>,
    /// "31 July 2026".
    content_date: String,
    recipient: Option<String>,
    /// The firm engaged for the examination, if named.
    auditor: Option<String>,
}

impl<'a> Ctx<'a> {
    fn new(pkg: &'a Package, opts: &PdfOptions) -> Ctx<'a> {
        let period_text = period_text(pkg.period);
        Ctx {
            org: pkg.organization,
            system: pkg.system,
            type2: pkg.type2,
            report_type: if pkg.type2 { "Type 2" } else { "Type 1" },
            period_phrase: if pkg.type2 {
                format!("for the period {period_text}")
            } else {
                format!("as of {period_text}")
            },
            period_text,
            categories: pkg
                .categories
                .iter()
                .map(|c| c.title().to_string())
                .collect(),
            content_date: pkg.content_date.long(),
            recipient: opts
                .recipient
                .as_ref()
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty()),
            auditor: pkg.auditor.map(str::to_string),
        }
    }
    /// "SOC 2 Type 2 readiness package".
    fn title(&self) -> String {
        format!("SOC 2 {} readiness package", self.report_type)
    }
}

/// The package's narratives, parsed, by section; taken out section by section.
struct Narratives(BTreeMap<Section, Vec<NarrativeView>>);

impl Narratives {
    fn take(&mut self, s: Section) -> Vec<NarrativeView> {
        self.0.remove(&s).unwrap_or_default()
    }
}

/// Every narrative of the package (not the trust page's), parsed in load order so that problems
/// are reported in that order.
fn narratives(pkg: &Package) -> (Narratives, Vec<Diagnostic>) {
    let project = pkg.project;
    let vars = crate::markdown::variables::values(project);
    let mut diagnostics = Vec::new();
    let mut by_section: BTreeMap<Section, Vec<NarrativeView>> = BTreeMap::new();
    for n in project
        .narratives
        .iter()
        .filter(|n| !n.section.value.is_trust())
    {
        let src = MdSource {
            file: n.file.clone(),
            first_line: n.body_line,
            assets: &project.assets,
            in_pdf: true,
        };
        let text = crate::markdown::variables::apply(&n.body, &vars);
        let (body, d) = md_ast::parse(&text, &src);
        diagnostics.extend(d);
        by_section
            .entry(n.section.value)
            .or_default()
            .push(NarrativeView {
                title: n.title.value.clone(),
                file: n.file.to_string(),
                body,
            });
    }
    (Narratives(by_section), diagnostics)
}

/// What a part says when management has not written it.
fn missing(s: Section) -> String {
    format!(
        "Management has not yet written this part: add a narrative with \"section: {}\" in its front matter under content/narratives/.",
        s.as_str()
    )
}

// ---------------------------------------------------------------------------------------------
// Metadata, cover, Sections I and II

fn meta(cx: &Ctx) -> Meta {
    let org = cx.org;
    Meta {
        title: format!("{}: {}", cx.title(), cx.system),
        author: org.to_string(),
        description: match &cx.recipient {
            Some(r) => format!(
                "Restricted readiness package prepared by the management of {org} for {r}. Not a SOC 2 report."
            ),
            None => format!(
                "Restricted readiness package prepared by the management of {}. Not a SOC 2 report.",
                no_stop(org)
            ),
        },
        keywords: {
            let mut k = vec![
                "SOC 2".to_string(),
                "readiness".into(),
                cx.report_type.to_string(),
                "restricted".into(),
            ];
            if let Some(r) = &cx.recipient {
                k.push(format!("recipient: {r}"));
            }
            k
        },
        lang: "en",
        organization: org.to_string(),
        header_label: "Restricted".into(),
        recipient: cx.recipient.clone(),
        watermark: cx.recipient.as_ref().map(|r| format!("Restricted — {r}")),
        type2: cx.type2,
        footer: format!(
            "{org} · management's SOC 2 {} readiness package, not a SOC 2 report",
            cx.report_type
        ),
    }
}

fn cover(pkg: &Package, cx: &Ctx) -> Cover {
    Cover {
        organization: cx.org.to_string(),
        system: cx.system.to_string(),
        title: cx.title(),
        report_type: cx.report_type.to_string(),
        period_label: if cx.type2 { "Period" } else { "As of" }.to_string(),
        period_text: cx.period_text.clone(),
        categories: cx.categories.clone(),
        categories_text: and_list(&cx.categories),
        content_date: cx.content_date.clone(),
        recipient_line: cx.recipient.as_ref().map(|r| format!("Restricted: prepared for {r}")),
        auditor_line: cx.auditor.clone(),
        notice: vec![
            format!("This readiness package was prepared by the management of {}. It is not a SOC 2 report.", no_stop(cx.org)),
            "It carries no opinion of a CPA firm or of any independent service auditor. The test results in it were produced by management or its internal audit function and have not been examined.".into(),
        ],
        restricted_use: "Restricted use: intended only for the management of the organization, its prospective and current customers under a confidentiality agreement, and their auditors. Do not distribute further.".into(),
        logo: pkg.logo.as_ref().map(|l| l.virtual_path()),
    }
}

fn auditor_section(cx: &Ctx) -> AuditorSection {
    AuditorSection {
        title: "Independent service auditor's report".into(),
        firm: cx.auditor.clone(),
        // The firm appears only as the firm engaged: nothing here may read as if it wrote, or
        // will sign, anything in this package.
        paragraphs: vec![
            "Reserved for the service auditor's report. No report has been issued.".into(),
            "Nothing in this package states or implies an opinion of a CPA firm or of any independent service auditor.".into(),
            match &cx.auditor {
                Some(f) => format!("Firm engaged for the examination: {f}."),
                None => format!("{} has not yet named the firm engaged for the examination.", cx.org),
            },
        ],
    }
}

fn assertion(cx: &Ctx, narratives: &mut Narratives) -> AssertionSection {
    AssertionSection {
        title: "Management's assertion".into(),
        subtitle: format!(
            "Assertion of {} management regarding the {} {}",
            cx.org, cx.system, cx.period_phrase
        ),
        narratives: narratives.take(Section::Assertion),
        missing: missing(Section::Assertion),
    }
}

// ---------------------------------------------------------------------------------------------
// Section III: the description of the system (DC 200)

fn part(narratives: &mut Narratives, s: Section, title: &str, dc: &str) -> DescriptionPart {
    DescriptionPart {
        key: s.as_str().to_string(),
        title: title.to_string(),
        dc: dc.to_string(),
        narratives: narratives.take(s),
        missing: missing(s),
    }
}

/// DC1 to DC4: overview, commitments, the five components, boundaries, incidents.
fn system_parts(narratives: &mut Narratives) -> Vec<DescriptionPart> {
    [
        (
            Section::Overview,
            "Company overview and services provided",
            "DC1",
        ),
        (
            Section::Commitments,
            "Principal service commitments and system requirements",
            "DC2",
        ),
        (Section::Infrastructure, "Infrastructure", "DC3"),
        (Section::Software, "Software", "DC3"),
        (Section::People, "People", "DC3"),
        (Section::Procedures, "Procedures", "DC3"),
        (Section::Data, "Data", "DC3"),
        (Section::Boundaries, "System boundaries", "DC3"),
        (Section::Incidents, "System incidents", "DC4"),
    ]
    .into_iter()
    .map(|(s, title, dc)| part(narratives, s, title, dc))
    .collect()
}

/// DC5: the entity-level components.
fn entity_parts(narratives: &mut Narratives) -> Vec<DescriptionPart> {
    [
        (Section::ControlEnvironment, "Control environment", "DC5"),
        (Section::RiskAssessment, "Risk assessment process", "DC5"),
        (
            Section::InformationCommunication,
            "Information and communication",
            "DC5",
        ),
        (Section::Monitoring, "Monitoring activities", "DC5"),
    ]
    .into_iter()
    .map(|(s, title, dc)| part(narratives, s, title, dc))
    .collect()
}

/// DC6: the in-scope criteria by category and series.
fn criteria_groups(pkg: &Package) -> Vec<CategoryCriteria> {
    pkg.groups
        .iter()
        .map(|g| CategoryCriteria {
            category: g.category.title().to_string(),
            series: g
                .series
                .iter()
                .map(|s| SeriesCriteria {
                    code: s.code.clone(),
                    title: s.title.clone(),
                    criteria: s
                        .criteria
                        .iter()
                        .map(|&i| CriterionRef {
                            id: pkg.criteria[i].result.id.clone(),
                            title: pkg.criteria[i].result.title.clone(),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

fn ids(v: &[S<String>]) -> String {
    join(v.iter().map(|x| x.value.as_str()))
}

/// DC6: the complementary user entity controls.
fn cuec_rows(pkg: &Package) -> Vec<CuecRow> {
    pkg.cuecs
        .iter()
        .map(|c| CuecRow {
            id: c.id.value.clone(),
            text: c.text.value.clone(),
            criteria: ids(&c.criteria),
        })
        .collect()
}

/// DC7: the subservice organizations.
fn subservice_views(pkg: &Package) -> Vec<SubserviceView> {
    pkg.subservice()
        .map(|e| {
            let v = e.record;
            let carve = v.subservice.value == Subservice::CarveOut;
            SubserviceView {
                name: v.name.value.clone(),
                service: v.service.as_ref().map(|s| s.value.clone()).unwrap_or_default(),
                method: if carve { "Carve-out method" } else { "Inclusive method" }.into(),
                method_text: if carve {
                    format!("The controls of {} are excluded from this description and from the tests in Section IV. Management assumed the complementary subservice organization controls (CSOCs) listed below.", v.name.value)
                } else {
                    format!("The relevant controls of {} are included in this description and in the tests in Section IV.", v.name.value)
                },
                criteria: ids(&v.criteria),
                csocs: v.csocs.iter().map(|c| c.value.clone()).collect(),
                monitoring: e.monitoring.iter().map(control_name).collect(),
                report: soc_report_rows(v.soc_report.as_ref()),
            }
        })
        .collect()
}

/// DC6: the criteria of the categories in scope declared not relevant.
fn not_relevant_rows(pkg: &Package) -> Vec<NotRelevantRow> {
    let cat = catalog();
    pkg.project
        .config
        .report
        .not_relevant
        .iter()
        .map(|n| NotRelevantRow {
            id: n.criterion.value.clone(),
            title: cat
                .criterion(&n.criterion.value)
                .map(|c| c.title.clone())
                .unwrap_or_default(),
            reason: n
                .reason
                .as_ref()
                .map(|r| r.value.clone())
                .unwrap_or_else(|| "No reason given.".into()),
        })
        .collect()
}

fn description(pkg: &Package, cx: &Ctx, narratives: &mut Narratives) -> DescriptionSection {
    let (org, system) = (cx.org, cx.system);
    let cuecs = cuec_rows(pkg);
    let subservice = subservice_views(pkg);
    let not_relevant = not_relevant_rows(pkg);
    DescriptionSection {
        title: format!("{org}'s description of its {system}"),
        intro: format!(
            "This description was prepared by management in accordance with DC section 200, 2018 Description Criteria for a Description of a Service Organization's System in a SOC 2 Report. It covers the {system} {}.",
            cx.period_phrase
        ),
        system_parts: system_parts(narratives),
        components_title: "Components of the system".into(),
        entity_parts: entity_parts(narratives),
        entity_title:
            "Control environment, risk assessment, information and communication, and monitoring"
                .into(),
        criteria_title: "Applicable trust services criteria and related controls".into(),
        criteria_intro: format!(
            "The categories in scope are {}. The criteria below apply; the controls that address each of them are listed in Section IV.",
            and_list(&cx.categories)
        ),
        criteria: criteria_groups(pkg),
        cuecs_title: "Complementary user entity controls".into(),
        cuecs_intro: if cuecs.is_empty() {
            "Management did not assume any complementary user entity controls in the design of the system.".into()
        } else {
            format!(
                "{org}'s controls were designed with the assumption that user entities (customers) implement the following controls. They are necessary, together with {org}'s controls, to achieve the service commitments and system requirements."
            )
        },
        cuecs,
        subservice_title: "Subservice organizations".into(),
        subservice_intro: if subservice.is_empty() {
            format!("{org} uses no subservice organizations for the {system}.")
        } else {
            format!(
                "{org} uses the following subservice organizations. For each, the method of presentation, the criteria their controls help meet, the complementary subservice organization controls assumed, and {org}'s controls that monitor them are listed."
            )
        },
        subservice,
        not_relevant_title: "Criteria not relevant to the system".into(),
        not_relevant_intro: if not_relevant.is_empty() {
            "Every criterion of the categories in scope is relevant to the system.".into()
        } else {
            "The following criteria of the categories in scope are not relevant to the system, for the reasons given.".into()
        },
        not_relevant,
        changes: cx.type2.then(|| {
            part(
                narratives,
                Section::Changes,
                "Significant changes during the period",
                "DC9",
            )
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// Section IV: criteria, controls and tests

/// What a test found, in the profession's words: the sentence and each deviation.
fn test_result(t: &Test) -> (String, Vec<String>) {
    let sample = t.sample.as_ref().map(|s| s.value);
    match t.result.value {
        TestResult::NoExceptions => ("No exceptions noted.".to_string(), vec![]),
        TestResult::NoOccurrence => (
            "No occurrences during the period; no testing of operating effectiveness was possible."
                .to_string(),
            vec![],
        ),
        TestResult::Exceptions => {
            let devs = t
                .exceptions
                .iter()
                .map(|e| {
                    let d = e.description.value.trim().to_string();
                    match (e.deviations.as_ref().map(|x| x.value), sample) {
                        (Some(n), Some(s)) if !d.contains(&format!("{n} of {s}")) => {
                            format!("{d} ({n} of {s} sampled items deviated.)")
                        }
                        _ => d,
                    }
                })
                .collect();
            ("Exceptions noted.".to_string(), devs)
        }
    }
}

fn test_view(t: &Test) -> TestView {
    let (result_text, deviations) = test_result(t);
    TestView {
        id: t.id.value.clone(),
        procedure: t.procedure.value.trim().to_string(),
        methods: cap(&join(t.methods.iter().map(|m| m.value.as_str()))),
        population: or_missing(t.population.as_ref().map(|p| p.value.to_string())),
        sample: or_missing(t.sample.as_ref().map(|s| s.value.to_string())),
        performed: match &t.performed_by {
            Some(b) => format!("{}, {}", b.value, t.performed_on.value.long()),
            None => t.performed_on.value.long(),
        },
        result: t.result.value,
        result_text,
        deviations,
    }
}

/// A control shown in full, with its tests (Type 2).
fn control_view(c: &ControlEntry, type2: bool) -> ControlView {
    let r = c.record;
    let implemented = c.implemented();
    let tests: Vec<TestView> = if type2 {
        c.tests.iter().map(|&t| test_view(t)).collect()
    } else {
        vec![]
    };
    ControlView {
        id: r.id.value.clone(),
        title: r.title.value.clone(),
        description: r.description.value.trim().to_string(),
        owner: r.owner.value.clone(),
        frequency: keyword(r.frequency.value.as_str()),
        nature: keyword(r.nature.value.as_str()).replace("It ", "IT-"),
        kind: cap(r.kind.value.as_str()),
        status_note: (!implemented).then(|| {
            format!(
                "Status: {}. Not yet in operation; see the remediation tracker.",
                words(r.status.value.as_str())
            )
        }),
        untested: (type2 && implemented && tests.is_empty()).then(|| "Not yet tested.".to_string()),
        tests,
        see: None,
        policies: c
            .policies
            .iter()
            .map(|p| super::format::id_title(p, |x| &x.title.value))
            .collect(),
    }
}

/// A control shown in full under another criterion: a one-line cross-reference to it.
fn control_see(c: &ControlEntry, home: &str) -> ControlView {
    ControlView {
        id: c.record.id.value.clone(),
        title: c.record.title.value.clone(),
        description: String::new(),
        owner: String::new(),
        frequency: String::new(),
        nature: String::new(),
        kind: String::new(),
        status_note: None,
        tests: vec![],
        untested: None,
        see: Some(home.to_string()),
        policies: vec![],
    }
}

fn testing_criterion(pkg: &Package, c: &CriterionEntry) -> TestingCriterion {
    let r = c.result;
    let controls: Vec<ControlView> = pkg
        .criterion_controls(c)
        .map(|x| match x.home {
            Some(h) if h != r.id.as_str() => control_see(x, h),
            _ => control_view(x, pkg.type2),
        })
        .collect();
    let note = match r.status {
        Status::NotRelevant => Some(format!(
            "Not relevant: {}",
            r.not_relevant_reason
                .clone()
                .unwrap_or_else(|| "no reason given".into())
        )),
        _ if controls.is_empty() => Some("Gap: no control addresses this criterion yet.".into()),
        _ => None,
    };
    TestingCriterion {
        id: r.id.clone(),
        title: r.title.clone(),
        status: r.status,
        status_label: r.status.label(),
        symbol: r.status.symbol(),
        note,
        controls,
    }
}

fn testing_categories(pkg: &Package) -> Vec<TestingCategory> {
    pkg.groups
        .iter()
        .map(|g| TestingCategory {
            title: g.category.title().to_string(),
            series: g
                .series
                .iter()
                .map(|s| TestingSeries {
                    code: s.code.clone(),
                    title: s.title.clone(),
                    criteria: s
                        .criteria
                        .iter()
                        .map(|&i| testing_criterion(pkg, &pkg.criteria[i]))
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

fn testing(pkg: &Package, cx: &Ctx) -> TestingSection {
    let (org, period_phrase) = (cx.org, &cx.period_phrase);
    TestingSection {
        // A Type 1 holds no tests of operating effectiveness: the title says what it holds.
        title: if cx.type2 {
            "Trust services criteria, related controls and tests of controls"
        } else {
            "Trust services criteria and related controls"
        }
        .into(),
        intro: if cx.type2 {
            vec![
                format!("For each applicable criterion, this section lists the controls {org} has designed to meet it and, for each control, the tests of operating effectiveness {period_phrase} and their results."),
                "The tests were performed by management or its internal audit function, not by an independent service auditor. Where a population was drawn from a system report, its completeness and accuracy were checked before sampling.".into(),
            ]
        } else {
            vec![
                format!("For each applicable criterion, this section lists the controls {org} has designed and implemented to meet it, {period_phrase}, with each control's owner, frequency, nature and kind."),
                "A Type 1 readiness package covers the design and implementation of controls at a date only: it contains no tests of operating effectiveness and no test results.".into(),
            ]
        },
        type2: cx.type2,
        methods: [
            (
                "Inquiry",
                "Asked appropriate personnel how the control operates.",
            ),
            ("Observation", "Watched the control being performed."),
            (
                "Inspection",
                "Examined documents, records, tickets, configurations or logs.",
            ),
            (
                "Reperformance",
                "Independently re-executed the control and compared the outcome.",
            ),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect(),
        categories: testing_categories(pkg),
    }
}

// ---------------------------------------------------------------------------------------------
// Section V: other information

/// One row per exception of a test (Type 2), with management's response.
fn response_rows(pkg: &Package, t: &TestEntry) -> Vec<ResponseRow> {
    let control = t.control.map(|i| &pkg.controls[i]);
    t.record
        .exceptions
        .iter()
        .map(|e| ResponseRow {
            test: t.record.id.value.clone(),
            control: control_name(&crate::package::Ref {
                id: &t.record.control.value,
                record: control.map(|c| c.record),
            }),
            criteria: control.map(|c| join(c.criteria())).unwrap_or_default(),
            exception: e.description.value.trim().to_string(),
            response: e
                .management_response
                .as_ref()
                .map(|r| r.value.trim().to_string())
                .unwrap_or_else(|| "Management has not yet responded.".into()),
        })
        .collect()
}

fn other(pkg: &Package, cx: &Ctx, narratives: &mut Narratives) -> OtherSection {
    let responses: Vec<ResponseRow> = if cx.type2 {
        pkg.tests
            .iter()
            .flat_map(|t| response_rows(pkg, t))
            .collect()
    } else {
        vec![]
    };
    OtherSection {
        title: format!("Other information provided by {}", cx.org),
        intro: "The information in this section is provided by management. It is not part of the description of the system and would not be covered by an independent service auditor's opinion.".into(),
        narratives: narratives.take(Section::OtherInformation),
        responses_title: "Management's responses to exceptions".into(),
        responses_intro: if responses.is_empty() {
            "No test found exceptions, so there are no responses.".into()
        } else {
            format!("The tests in Section IV noted {}. Management's response to each follows.", plural(responses.len() as u64, "exception", "exceptions"))
        },
        responses,
    }
}

// ---------------------------------------------------------------------------------------------
// Readiness assessment

/// The statuses a package of this type can show, with how many criteria have each.
fn legend(pkg: &Package) -> Vec<LegendRow> {
    pkg.readiness
        .status_counts
        .iter()
        .filter(|(s, _)| {
            if pkg.type2 {
                *s != Status::Designed
            } else {
                !matches!(
                    s,
                    Status::Effective | Status::DesignedNotTested | Status::ExceptionsNoted
                )
            }
        })
        .map(|&(s, count)| LegendRow {
            status: s,
            label: s.label(),
            symbol: s.symbol(),
            count,
        })
        .collect()
}

/// The status of every in-scope criterion, by category.
fn status_map(pkg: &Package) -> Vec<MapCategory> {
    pkg.groups
        .iter()
        .map(|g| MapCategory {
            title: g.category.title().to_string(),
            cells: g
                .series
                .iter()
                .flat_map(|s| &s.criteria)
                .map(|&i| {
                    let c = pkg.criteria[i].result;
                    MapCell {
                        id: c.id.clone(),
                        status: c.status,
                        symbol: c.status.symbol(),
                        label: c.status.label(),
                    }
                })
                .collect(),
        })
        .collect()
}

fn remediation_view(r: &crate::assess::RemediationRow) -> RemediationView {
    let date = |d: Option<Date>| or_missing(d.map(|d| d.to_string()));
    RemediationView {
        id: r.id.clone(),
        title: r.title.clone(),
        owner: or_missing(r.owner.clone()),
        opened: date(r.opened),
        due: date(r.due),
        status: match (r.status, r.closed_on) {
            (RemediationStatus::Closed, Some(d)) => format!("Closed {d}"),
            (s, _) => keyword(s.as_str()),
        },
        overdue: r.overdue,
        criteria: join(r.criteria.iter().map(String::as_str)),
    }
}

fn readiness(pkg: &Package, cx: &Ctx) -> ReadinessSection {
    let a = &pkg.readiness;
    ReadinessSection {
        title: "Readiness assessment".into(),
        intro: format!(
            "This assessment is computed by trustbook from the records in this package as of {}. It measures how ready the {} is for a SOC 2 {} examination; it is not an opinion.",
            cx.content_date, cx.system, cx.report_type
        ),
        score: crate::assess::whole(a.score),
        formula: FORMULA.to_string(),
        categories: a.categories.to_vec(),
        overall: a.overall.clone(),
        legend: legend(pkg),
        map: status_map(pkg),
        gaps: a
            .gaps
            .iter()
            .map(|g| GapRow {
                kind: cap(g.kind_label),
                subject: g.subject.clone(),
                message: g.message.clone(),
                criteria: join(g.criteria.iter().map(String::as_str)),
            })
            .collect(),
        remediation: pkg.remediation.iter().map(remediation_view).collect(),
        content_date: cx.content_date.clone(),
        type2: cx.type2,
        coverage: pkg.coverage.map(super::coverage::grid),
    }
}

// ---------------------------------------------------------------------------------------------
// Appendices

fn evidence_rows(pkg: &Package) -> Vec<EvidenceRow> {
    pkg.evidence
        .iter()
        .map(|x| {
            let e = x.record;
            EvidenceRow {
                id: e.id.value.clone(),
                title: e.title.value.clone(),
                collected: e.collected_on.value.to_string(),
                source: or_missing(e.source.as_ref().map(|s| s.value.clone())),
                file: e.file.as_ref().map(|f| f.value.clone()).unwrap_or_default(),
                sha256: e.file_sha256().cloned().unwrap_or_else(|| {
                    if e.file.is_some() {
                        "file missing".into()
                    } else {
                        "no file attached".into()
                    }
                }),
                stale: x.stale,
            }
        })
        .collect()
}

fn appendices(pkg: &Package) -> Appendices {
    let covered = pkg.readiness.iso27001.len();
    Appendices {
        evidence_title: "Evidence index".into(),
        evidence: evidence_rows(pkg),
        iso_title: "ISO/IEC 27001:2022 cross-reference".into(),
        iso_intro: format!(
            "Management maps some of its controls to ISO/IEC 27001:2022 Annex A controls; the {} Annex A {} with a mapping {} listed below, with the controls mapped to each. This cross-reference is provided for convenience only: it is not an ISO/IEC 27001 certification and makes no claim of conformity with the standard. Annex A titles are paraphrases, not ISO text.",
            covered,
            if covered == 1 { "control" } else { "controls" },
            if covered == 1 { "is" } else { "are" },
        ),
        iso: pkg
            .readiness
            .iso27001
            .iter()
            .map(|r| IsoView {
                id: r.id.clone(),
                title: r.title.clone(),
                controls: join(r.controls.iter().map(String::as_str)),
            })
            .collect(),
        // Only mapped controls are listed: a list of "not mapped" Annex A controls reads like
        // an ISO gap assessment, which this is not.
        iso_unmapped: String::new(),
        glossary_title: "Glossary".into(),
        glossary: glossary(),
    }
}

/// The DC7 rows describing a subservice organization's own report.
fn soc_report_rows(r: Option<&SocReport>) -> Vec<(String, String)> {
    let Some(r) = r else {
        return vec![(
            "Its report".into(),
            "No report of the subservice organization is recorded.".into(),
        )];
    };
    let kind = match r.kind.value {
        SocReportType::Type1 => "SOC 2 Type 1 report",
        SocReportType::Type2 => "SOC 2 Type 2 report",
        SocReportType::Iso27001 => "ISO/IEC 27001 certificate",
        SocReportType::None => "No assurance report is available",
    };
    let mut rows = vec![("Its report".to_string(), kind.to_string())];
    if let Some(p) = &r.period {
        rows.push((
            "Report period".into(),
            span_long(p.start.value, p.end.value),
        ));
    } else if let Some(d) = &r.as_of {
        rows.push(("As of".into(), d.value.long()));
    }
    if let Some(o) = &r.opinion {
        rows.push((
            "Opinion".into(),
            match o.value {
                Opinion::Unmodified => "Unmodified",
                Opinion::Qualified => "Qualified",
                Opinion::Adverse => "Adverse",
                Opinion::Disclaimer => "Disclaimer of opinion",
            }
            .into(),
        ));
    }
    if r.kind.value != SocReportType::None {
        rows.push((
            "Bridge letter".into(),
            match &r.bridge_letter_through {
                Some(d) => format!("Covers through {}", d.value.long()),
                None => "None".into(),
            },
        ));
    }
    rows.push((
        "Reviewed".into(),
        match (&r.reviewed_by, &r.reviewed_on) {
            (Some(b), Some(d)) => format!("By {} on {}", b.value, d.value.long()),
            (Some(b), None) => format!("By {}, date not recorded", b.value),
            (None, Some(d)) => format!("On {}, reviewer not recorded", d.value.long()),
            (None, None) => "No review is recorded".into(),
        },
    ));
    rows
}

fn glossary() -> Vec<(String, String)> {
    [
        ("Carve-out method", "A way of presenting a subservice organization: its controls are excluded from the description and from testing, and the controls assumed at it are listed as CSOCs."),
        ("Complementary subservice organization controls (CSOCs)", "Controls that management assumed a carved-out subservice organization implements, and that are needed to meet the criteria."),
        ("Complementary user entity controls (CUECs)", "Controls that management assumed customers (user entities) implement, and that are needed together with the organization's controls."),
        ("DC 200", "The AICPA's 2018 Description Criteria for the description of a service organization's system in a SOC 2 report."),
        ("Deviation (exception)", "An instance, found in a test, where a control did not operate as described."),
        ("Inclusive method", "A way of presenting a subservice organization: its relevant controls are included in the description and tested."),
        ("Inquiry, observation, inspection, reperformance", "The four methods of testing a control: asking, watching, examining records, and re-executing the control."),
        ("Population and sample", "All occurrences of a control in the period, and the occurrences selected from them for testing."),
        ("Readiness score", "A measure computed by trustbook from the records, using the formula printed in the readiness assessment. It is not an opinion."),
        ("SOC 2 examination", "An attestation engagement in which a CPA firm reports on a service organization's system and controls relevant to the trust services criteria."),
        ("Subservice organization", "A vendor whose services are likely relevant to customers' interests in the system, such as a cloud hosting provider."),
        ("Trust services criteria (TSC)", "The AICPA's 2017 criteria for security, availability, processing integrity, confidentiality and privacy (TSP section 100)."),
        ("Type 1 and Type 2", "Type 1 covers the design of controls at a date; Type 2 also covers their operating effectiveness throughout a period."),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect()
}
