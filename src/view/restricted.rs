//! The restricted view: everything the SOC 2 readiness package shows, already in the order and
//! the wording the template needs. Templates only lay this out; no business logic lives there.
//!
//! Narratives travel as Markdown trees ([`crate::markdown::md_ast`]), grouped by DC 200 section,
//! so that author text reaches Typst only as data.

use crate::assess::CategoryResult;
use crate::assess::{Assessment, FORMULA, Status};
use crate::catalog::catalog;
use crate::diag::Diagnostic;
use crate::markdown::md_ast::{self, MdSource, Node};
use crate::project::model::*;
use crate::view::PdfOptions;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

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

fn cap(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The text without a final full stop, for names used at the end of a sentence ("Acme, Inc.").
fn no_stop(s: &str) -> &str {
    s.strip_suffix('.').unwrap_or(s)
}

fn words(s: &str) -> String {
    s.replace('-', " ")
}

/// "Security, Availability and Confidentiality".
fn and_list(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Builds the restricted view of a project.
pub fn restricted_view(
    project: &Project,
    assessment: &Assessment,
    opts: &PdfOptions,
) -> RestrictedView {
    let cfg = &project.config;
    let cat = catalog();
    let org = cfg.organization.name.value.clone();
    let system = cfg.system.name.value.clone();
    let type2 = cfg.report.kind.value == ReportType::Type2;
    let report_type = if type2 { "Type 2" } else { "Type 1" }.to_string();
    let (period_label, period_text) = if type2 {
        let t = cfg
            .report
            .period
            .as_ref()
            .map(|p| format!("{} to {}", p.start.value.long(), p.end.value.long()))
            .unwrap_or_else(|| "not stated".into());
        ("Period".to_string(), t)
    } else {
        (
            "As of".to_string(),
            cfg.report
                .as_of
                .as_ref()
                .map(|d| d.value.long())
                .unwrap_or_else(|| "not stated".into()),
        )
    };
    let period_phrase = if type2 {
        format!("for the period {period_text}")
    } else {
        format!("as of {period_text}")
    };
    let categories: Vec<String> = Category::VALUES
        .iter()
        .filter_map(|v| Category::parse(v))
        .filter(|c| project.in_scope(*c))
        .map(|c| c.title().to_string())
        .collect();
    let content_date = project.content_date().long();
    let recipient = opts
        .recipient
        .as_ref()
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    let auditor = cfg.report.auditor.as_ref().map(|a| a.firm.value.clone());
    let mut diagnostics = Vec::new();

    let vars = crate::markdown::variables::values(project);
    // Narratives by section, in (order, file) order as loaded.
    let mut by_section: BTreeMap<Section, Vec<NarrativeView>> = BTreeMap::new();
    for n in &project.narratives {
        if n.section.value.is_trust() {
            continue;
        }
        let src = MdSource {
            file: n.file.clone(),
            first_line: n.body_line,
            assets: &project.assets,
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
    let mut take = |s: Section| by_section.remove(&s).unwrap_or_default();
    let missing = |s: Section| {
        format!(
            "Management has not yet written this part: add a narrative with \"section: {}\" in its front matter under content/narratives/.",
            s.as_str()
        )
    };

    let title = format!("SOC 2 {report_type} readiness package");
    let meta = Meta {
        title: format!("{title}: {system}"),
        author: org.clone(),
        description: match &recipient {
            Some(r) => format!(
                "Restricted readiness package prepared by the management of {org} for {r}. Not a SOC 2 report."
            ),
            None => format!(
                "Restricted readiness package prepared by the management of {}. Not a SOC 2 report.",
                no_stop(&org)
            ),
        },
        keywords: {
            let mut k = vec![
                "SOC 2".to_string(),
                "readiness".into(),
                report_type.clone(),
                "restricted".into(),
            ];
            if let Some(r) = &recipient {
                k.push(format!("recipient: {r}"));
            }
            k
        },
        lang: "en",
        organization: org.clone(),
        header_label: "Restricted".into(),
        recipient: recipient.clone(),
        watermark: recipient.as_ref().map(|r| format!("Restricted — {r}")),
        type2,
        footer: format!(
            "{org} · management's SOC 2 {report_type} readiness package, not a SOC 2 report"
        ),
    };

    let logo = cfg.organization.logo.as_ref().and_then(|l| {
        let rel = md_ast::resolve_image("content/trustbook.yaml", &l.value).ok()?;
        project
            .assets
            .contains_key(&rel)
            .then(|| format!("/content/{rel}"))
    });
    let cover = Cover {
        organization: org.clone(),
        system: system.clone(),
        title: title.clone(),
        report_type: report_type.clone(),
        period_label,
        period_text: period_text.clone(),
        categories: categories.clone(),
        categories_text: and_list(&categories),
        content_date: content_date.clone(),
        recipient_line: recipient.as_ref().map(|r| format!("Restricted: prepared for {r}")),
        auditor_line: auditor.clone(),
        notice: vec![
            format!("This readiness package was prepared by the management of {}. It is not a SOC 2 report.", no_stop(&org)),
            "It carries no opinion of a CPA firm or of any independent service auditor. The test results in it were produced by management or its internal audit function and have not been examined.".into(),
        ],
        restricted_use: "Restricted use: intended only for the management of the organization, its prospective and current customers under a confidentiality agreement, and their auditors. Do not distribute further.".into(),
        logo,
    };

    let auditor_section = AuditorSection {
        title: "Independent service auditor's report".into(),
        firm: auditor.clone(),
        // The firm appears only as the firm engaged: nothing here may read as if it wrote, or
        // will sign, anything in this package.
        paragraphs: vec![
            "Reserved for the service auditor's report. No report has been issued.".into(),
            "Nothing in this package states or implies an opinion of a CPA firm or of any independent service auditor.".into(),
            match &auditor {
                Some(f) => format!("Firm engaged for the examination: {f}."),
                None => format!("{} has not yet named the firm engaged for the examination.", org),
            },
        ],
    };

    let assertion = AssertionSection {
        title: "Management's assertion".into(),
        subtitle: format!("Assertion of {org} management regarding the {system} {period_phrase}"),
        narratives: take(Section::Assertion),
        missing: missing(Section::Assertion),
    };

    let part = |take: &mut dyn FnMut(Section) -> Vec<NarrativeView>,
                s: Section,
                title: &str,
                dc: &str| DescriptionPart {
        key: s.as_str().to_string(),
        title: title.to_string(),
        dc: dc.to_string(),
        narratives: take(s),
        missing: missing(s),
    };
    let system_parts = vec![
        part(
            &mut take,
            Section::Overview,
            "Company overview and services provided",
            "DC1",
        ),
        part(
            &mut take,
            Section::Commitments,
            "Principal service commitments and system requirements",
            "DC2",
        ),
        part(&mut take, Section::Infrastructure, "Infrastructure", "DC3"),
        part(&mut take, Section::Software, "Software", "DC3"),
        part(&mut take, Section::People, "People", "DC3"),
        part(&mut take, Section::Procedures, "Procedures", "DC3"),
        part(&mut take, Section::Data, "Data", "DC3"),
        part(&mut take, Section::Boundaries, "System boundaries", "DC3"),
        part(&mut take, Section::Incidents, "System incidents", "DC4"),
    ];
    let entity_parts = vec![
        part(
            &mut take,
            Section::ControlEnvironment,
            "Control environment",
            "DC5",
        ),
        part(
            &mut take,
            Section::RiskAssessment,
            "Risk assessment process",
            "DC5",
        ),
        part(
            &mut take,
            Section::InformationCommunication,
            "Information and communication",
            "DC5",
        ),
        part(
            &mut take,
            Section::Monitoring,
            "Monitoring activities",
            "DC5",
        ),
    ];
    let changes = type2.then(|| {
        part(
            &mut take,
            Section::Changes,
            "Significant changes during the period",
            "DC9",
        )
    });
    let other_narratives = take(Section::OtherInformation);

    // In-scope criteria by category and series.
    let mut criteria_groups: Vec<CategoryCriteria> = Vec::new();
    for c in &assessment.criteria {
        let ctitle = c.category.title().to_string();
        if criteria_groups.last().is_none_or(|g| g.category != ctitle) {
            criteria_groups.push(CategoryCriteria {
                category: ctitle,
                series: vec![],
            });
        }
        let g = criteria_groups.last_mut().unwrap();
        let stitle = cat
            .criterion(&c.id)
            .map(|x| x.group.clone())
            .unwrap_or_else(|| c.series.clone());
        if g.series.last().is_none_or(|s| s.code != c.series) {
            g.series.push(SeriesCriteria {
                code: c.series.clone(),
                title: stitle,
                criteria: vec![],
            });
        }
        g.series.last_mut().unwrap().criteria.push(CriterionRef {
            id: c.id.clone(),
            title: c.title.clone(),
        });
    }

    let controls_by_id: HashMap<&str, &Control> = project
        .controls
        .iter()
        .map(|c| (c.id.value.as_str(), c))
        .collect();
    let control_name = |id: &str| match controls_by_id.get(id) {
        Some(c) => format!("{id} {}", c.title.value),
        None => id.to_string(),
    };
    let join_ids = |v: &[S<String>]| {
        v.iter()
            .map(|x| x.value.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };

    let cuecs: Vec<CuecRow> = project
        .cuecs
        .iter()
        .map(|c| CuecRow {
            id: c.id.value.clone(),
            text: c.text.value.clone(),
            criteria: join_ids(&c.criteria),
        })
        .collect();
    let subservice: Vec<SubserviceView> = project
        .vendors
        .iter()
        .filter(|v| v.subservice.value != Subservice::None)
        .map(|v| {
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
                criteria: join_ids(&v.criteria),
                csocs: v.csocs.iter().map(|c| c.value.clone()).collect(),
                monitoring: v.monitoring.iter().map(|m| control_name(&m.value)).collect(),
                report: soc_report_rows(v.soc_report.as_ref()),
            }
        })
        .collect();
    let not_relevant: Vec<NotRelevantRow> = cfg
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
        .collect();

    let description = DescriptionSection {
        title: format!("{org}'s description of its {system}"),
        intro: format!(
            "This description was prepared by management in accordance with DC section 200, 2018 Description Criteria for a Description of a Service Organization's System in a SOC 2 Report. It covers the {system} {period_phrase}."
        ),
        system_parts,
        components_title: "Components of the system".into(),
        entity_parts,
        entity_title:
            "Control environment, risk assessment, information and communication, and monitoring"
                .into(),
        criteria_title: "Applicable trust services criteria and related controls".into(),
        criteria_intro: format!(
            "The categories in scope are {}. The criteria below apply; the controls that address each of them are listed in Section IV.",
            and_list(&categories)
        ),
        criteria: criteria_groups,
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
        changes,
    };

    // Section IV.
    let tests_by_control = project.tests_by_control();
    let test_view = |t: &Test| {
        let sample = t.sample.as_ref().map(|s| s.value);
        let (result_text, deviations) = match t.result.value {
            TestResult::NoExceptions => ("No exceptions noted.".to_string(), vec![]),
            TestResult::NoOccurrence => ("No occurrences during the period; no testing of operating effectiveness was possible.".to_string(), vec![]),
            TestResult::Exceptions => {
                let devs = t
                    .exceptions
                    .iter()
                    .map(|e| {
                        let d = e.description.value.trim().to_string();
                        match (e.deviations.as_ref().map(|x| x.value), sample) {
                            (Some(n), Some(s)) if !d.contains(&format!("{n} of {s}")) => format!("{d} ({n} of {s} sampled items deviated.)"),
                            _ => d,
                        }
                    })
                    .collect();
                ("Exceptions noted.".to_string(), devs)
            }
        };
        TestView {
            id: t.id.value.clone(),
            procedure: t.procedure.value.trim().to_string(),
            methods: cap(&t
                .methods
                .iter()
                .map(|m| m.value.as_str())
                .collect::<Vec<_>>()
                .join(", ")),
            population: t
                .population
                .as_ref()
                .map(|p| p.value.to_string())
                .unwrap_or_else(|| "—".into()),
            sample: sample.map(|s| s.to_string()).unwrap_or_else(|| "—".into()),
            performed: match &t.performed_by {
                Some(b) => format!("{}, {}", b.value, t.performed_on.value.long()),
                None => t.performed_on.value.long(),
            },
            result: t.result.value,
            result_text,
            deviations,
        }
    };
    let control_view = |c: &Control| {
        let implemented = c.status.value == ControlStatus::Implemented;
        let tests: Vec<TestView> = if type2 {
            tests_by_control
                .get(c.id.value.as_str())
                .map(|v| v.iter().map(|&t| test_view(t)).collect())
                .unwrap_or_default()
        } else {
            vec![]
        };
        ControlView {
            id: c.id.value.clone(),
            title: c.title.value.clone(),
            description: c.description.value.trim().to_string(),
            owner: c.owner.value.clone(),
            frequency: cap(&words(c.frequency.value.as_str())),
            nature: cap(&words(c.nature.value.as_str())).replace("It ", "IT-"),
            kind: cap(c.kind.value.as_str()),
            status_note: (!implemented).then(|| {
                format!(
                    "Status: {}. Not yet in operation; see the remediation tracker.",
                    words(c.status.value.as_str())
                )
            }),
            untested: (type2 && implemented && tests.is_empty())
                .then(|| "Not yet tested.".to_string()),
            tests,
            see: None,
            policies: super::registers::control_policies(project, c),
        }
    };
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
    let mut testing_categories: Vec<TestingCategory> = Vec::new();
    for c in &assessment.criteria {
        let ctitle = c.category.title().to_string();
        if testing_categories.last().is_none_or(|g| g.title != ctitle) {
            testing_categories.push(TestingCategory {
                title: ctitle,
                series: vec![],
            });
        }
        let g = testing_categories.last_mut().unwrap();
        let stitle = cat
            .criterion(&c.id)
            .map(|x| x.group.clone())
            .unwrap_or_else(|| c.series.clone());
        if g.series.last().is_none_or(|s| s.code != c.series) {
            g.series.push(TestingSeries {
                code: c.series.clone(),
                title: stitle,
                criteria: vec![],
            });
        }
        let controls: Vec<ControlView> = c
            .controls
            .iter()
            .filter_map(|id| controls_by_id.get(id.as_str()))
            .map(|&x| match home.get(x.id.value.as_str()) {
                Some(&h) if h != c.id.as_str() => ControlView {
                    id: x.id.value.clone(),
                    title: x.title.value.clone(),
                    description: String::new(),
                    owner: String::new(),
                    frequency: String::new(),
                    nature: String::new(),
                    kind: String::new(),
                    status_note: None,
                    tests: vec![],
                    untested: None,
                    see: Some(h.to_string()),
                    policies: vec![],
                },
                _ => control_view(x),
            })
            .collect();
        let note = match c.status {
            Status::NotRelevant => Some(format!(
                "Not relevant: {}",
                c.not_relevant_reason
                    .clone()
                    .unwrap_or_else(|| "no reason given".into())
            )),
            _ if controls.is_empty() => {
                Some("Gap: no control addresses this criterion yet.".into())
            }
            _ => None,
        };
        g.series
            .last_mut()
            .unwrap()
            .criteria
            .push(TestingCriterion {
                id: c.id.clone(),
                title: c.title.clone(),
                status: c.status,
                status_label: c.status.label(),
                symbol: c.status.symbol(),
                note,
                controls,
            });
    }
    let shown: std::collections::HashSet<String> = testing_categories
        .iter()
        .flat_map(|c| &c.series)
        .flat_map(|s| &s.criteria)
        .flat_map(|c| &c.controls)
        .filter(|c| c.see.is_none())
        .map(|c| c.id.clone())
        .collect();
    let testing = TestingSection {
        // A Type 1 holds no tests of operating effectiveness: the title says what it holds.
        title: if type2 {
            "Trust services criteria, related controls and tests of controls"
        } else {
            "Trust services criteria and related controls"
        }
        .into(),
        intro: if type2 {
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
        type2,
        methods: vec![
            (
                "Inquiry".into(),
                "Asked appropriate personnel how the control operates.".into(),
            ),
            (
                "Observation".into(),
                "Watched the control being performed.".into(),
            ),
            (
                "Inspection".into(),
                "Examined documents, records, tickets, configurations or logs.".into(),
            ),
            (
                "Reperformance".into(),
                "Independently re-executed the control and compared the outcome.".into(),
            ),
        ],
        categories: testing_categories,
    };

    // Section V.
    let mut responses = Vec::new();
    for t in project.tests.iter().filter(|_| type2) {
        for e in &t.exceptions {
            responses.push(ResponseRow {
                test: t.id.value.clone(),
                control: control_name(&t.control.value),
                criteria: controls_by_id
                    .get(t.control.value.as_str())
                    .map(|c| join_ids(&c.criteria))
                    .unwrap_or_default(),
                exception: e.description.value.trim().to_string(),
                response: e
                    .management_response
                    .as_ref()
                    .map(|r| r.value.trim().to_string())
                    .unwrap_or_else(|| "Management has not yet responded.".into()),
            });
        }
    }
    let other = OtherSection {
        title: format!("Other information provided by {org}"),
        intro: "The information in this section is provided by management. It is not part of the description of the system and would not be covered by an independent service auditor's opinion.".into(),
        narratives: other_narratives,
        responses_title: "Management's responses to exceptions".into(),
        responses_intro: if responses.is_empty() {
            "No test found exceptions, so there are no responses.".into()
        } else {
            format!("The tests in Section IV noted {}. Management's response to each follows.", plural(responses.len() as u64, "exception", "exceptions"))
        },
        responses,
    };

    // Readiness.
    let legend = Status::ALL
        .iter()
        .filter(|s| {
            if type2 {
                **s != Status::Designed
            } else {
                !matches!(
                    s,
                    Status::Effective | Status::DesignedNotTested | Status::ExceptionsNoted
                )
            }
        })
        .map(|s| LegendRow {
            status: *s,
            label: s.label(),
            symbol: s.symbol(),
            count: assessment
                .criteria
                .iter()
                .filter(|c| c.status == *s)
                .count(),
        })
        .collect();
    let mut map: Vec<MapCategory> = Vec::new();
    for c in &assessment.criteria {
        let t = c.category.title().to_string();
        if map.last().is_none_or(|m| m.title != t) {
            map.push(MapCategory {
                title: t,
                cells: vec![],
            });
        }
        map.last_mut().unwrap().cells.push(MapCell {
            id: c.id.clone(),
            status: c.status,
            symbol: c.status.symbol(),
            label: c.status.label(),
        });
    }
    let readiness = ReadinessSection {
        title: "Readiness assessment".into(),
        intro: format!(
            "This assessment is computed by trustbook from the records in this package as of {content_date}. It measures how ready the {system} is for a SOC 2 {report_type} examination; it is not an opinion."
        ),
        score: crate::assess::whole(assessment.score),
        formula: FORMULA.to_string(),
        categories: assessment.categories.clone(),
        overall: assessment.overall.clone(),
        legend,
        map,
        gaps: assessment
            .gaps
            .iter()
            .map(|g| GapRow {
                kind: cap(g.kind_label),
                subject: g.subject.clone(),
                message: g.message.clone(),
                criteria: g.criteria.join(", "),
            })
            .collect(),
        remediation: assessment
            .remediation
            .iter()
            .map(|r| RemediationView {
                id: r.id.clone(),
                title: r.title.clone(),
                owner: r.owner.clone().unwrap_or_else(|| "—".into()),
                opened: r
                    .opened
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "—".into()),
                due: r.due.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
                status: match (r.status, r.closed_on) {
                    (RemediationStatus::Closed, Some(d)) => format!("Closed {d}"),
                    (s, _) => cap(&words(s.as_str())),
                },
                overdue: r.overdue,
                criteria: r.criteria.join(", "),
            })
            .collect(),
        content_date: content_date.clone(),
        type2,
        coverage: assessment.coverage.as_ref().map(super::coverage::grid),
    };

    // Appendices.
    let evidence = project
        .evidence
        .iter()
        .map(|e| EvidenceRow {
            id: e.id.value.clone(),
            title: e.title.value.clone(),
            collected: e.collected_on.value.to_string(),
            source: e
                .source
                .as_ref()
                .map(|s| s.value.clone())
                .unwrap_or_else(|| "—".into()),
            file: e.file.as_ref().map(|f| f.value.clone()).unwrap_or_default(),
            sha256: e.file_sha256().cloned().unwrap_or_else(|| {
                if e.file.is_some() {
                    "file missing".into()
                } else {
                    "no file attached".into()
                }
            }),
            stale: assessment.stale_evidence.contains(&e.id.value),
        })
        .collect();
    let iso: Vec<IsoView> = assessment
        .iso27001
        .iter()
        .filter(|r| !r.controls.is_empty())
        .map(|r| IsoView {
            id: r.id.clone(),
            title: r.title.clone(),
            controls: r.controls.join(", "),
        })
        .collect();
    let appendices = Appendices {
        evidence_title: "Evidence index".into(),
        evidence,
        iso_title: "ISO/IEC 27001:2022 cross-reference".into(),
        iso_intro: format!(
            "Management maps some of its controls to ISO/IEC 27001:2022 Annex A controls; the {} Annex A {} with a mapping {} listed below, with the controls mapped to each. This cross-reference is provided for convenience only: it is not an ISO/IEC 27001 certification and makes no claim of conformity with the standard. Annex A titles are paraphrases, not ISO text.",
            assessment.iso27001_covered,
            if assessment.iso27001_covered == 1 {
                "control"
            } else {
                "controls"
            },
            if assessment.iso27001_covered == 1 {
                "is"
            } else {
                "are"
            },
        ),
        iso,
        // Only mapped controls are listed: a list of "not mapped" Annex A controls reads like
        // an ISO gap assessment, which this is not.
        iso_unmapped: String::new(),
        glossary_title: "Glossary".into(),
        glossary: glossary(),
    };

    RestrictedView {
        meta,
        cover,
        auditor: auditor_section,
        assertion,
        description,
        testing,
        other,
        readiness,
        policies: super::registers::policy_register(project),
        risks: super::registers::risk_section(project, &shown),
        appendices,
        diagnostics,
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
            format!("{} to {}", p.start.value.long(), p.end.value.long()),
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
