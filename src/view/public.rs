//! The public view: everything the trust page may show, and nothing else.
//!
//! [`public_view`] copies values out of a [`Project`] through an explicit allow-list. The HTML
//! renderer only ever receives a [`PublicView`], so a restricted field (a control description, a
//! test procedure, an exception, an evidence path, a restricted narrative…) cannot reach the
//! public output through a template mistake: the type simply has no such field.
//!
//! What is allowed:
//! - organization: name, website, security contact, logo;
//! - system: name and summary;
//! - report scope: type, period or as-of date, categories, the audit firm engaged, content date;
//! - trust page settings: base URL and the request-access link;
//! - narratives with `audience: public`, as sanitized HTML;
//! - control themes from the controls' `public:` blocks only (theme name and public summary),
//!   grouped by category through the controls' criteria, with a status in words and a symbol;
//! - per category, counts from the assessment (criteria in scope, by status; controls in scope and
//!   how many are summarized), so that the list of themes cannot pass for a curated all-green list;
//! - subprocessors (vendors with `subprocessor: true`): name, purpose, locations, data;
//! - v1.1, only when `trust_page.policies` is true: approved policies by title and their
//!   `public.summary` (never an ID, owner, approver, version, date or the policy text).

use crate::assess::{Assessment, Status};
use crate::markdown::md_html;
use crate::markdown::slug::unique;
use crate::package::{ControlEntry, Package};
use crate::project::model::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The public trust page's data.
#[derive(Debug, Clone, Serialize)]
pub struct PublicView {
    /// `trustbook <version>`.
    pub generator: String,
    pub organization: PublicOrganization,
    pub system: PublicSystem,
    pub report: PublicReport,
    /// The date the content speaks for (ISO 8601).
    pub content_date: Date,
    /// The content date in words, e.g. "31 July 2026".
    pub content_date_long: String,
    pub trust_page: PublicTrustPage,
    /// Public narratives: the trust overview first, the FAQ last, any other public text between.
    pub narratives: Vec<PublicNarrative>,
    /// Readiness counts and control themes per in-scope category.
    pub categories: Vec<PublicCategory>,
    /// Totals over all in-scope categories.
    pub totals: PublicTotals,
    /// The status words used on the page, in legend order (only the ones that occur).
    pub legend: Vec<PublicStatus>,
    /// `trust_page.show_readiness` (default true): false leaves the readiness counts and gap
    /// numbers out of the page (the counts below are then empty).
    pub show_readiness: bool,
    pub subprocessors: Vec<PublicSubprocessor>,
    /// Images shown by public narratives, copied into the site (not template data).
    #[serde(skip)]
    pub images: Vec<PublicImage>,
    /// v1.1: approved policies, when `trust_page.policies` is true (`None` otherwise).
    pub policies: Option<Vec<PublicPolicy>>,
}

/// An image a public narrative shows, published at `file` (relative to the site root).
#[derive(Debug, Clone)]
pub struct PublicImage {
    /// Output path relative to the site root: `images/<path under content/>`.
    pub file: String,
    /// Where it came from (`content/assets/arch.svg`), for error messages.
    pub source: String,
    pub bytes: Vec<u8>,
}

/// An approved policy as the trust page lists it: "available on request".
#[derive(Debug, Clone, Serialize)]
pub struct PublicPolicy {
    pub title: String,
    /// The policy's `public.summary`, if given.
    pub summary: Option<String>,
}

/// The approved policies by title, when the trust page lists them.
fn public_policies(pkg: &Package) -> Option<Vec<PublicPolicy>> {
    if !pkg.project.config.trust_page.policies {
        return None;
    }
    let mut v: Vec<PublicPolicy> = pkg
        .policies
        .iter()
        .filter(|p| p.approved)
        .map(|p| p.record)
        .map(|p| PublicPolicy {
            title: p.title.value.trim().to_string(),
            summary: p
                .public_summary
                .as_ref()
                .map(|s| s.value.trim().to_string())
                .filter(|s| !s.is_empty()),
        })
        .collect();
    v.sort_by_cached_key(|p| (p.title.to_lowercase(), p.title.clone()));
    Some(v)
}

/// The organization.
#[derive(Debug, Clone, Serialize)]
pub struct PublicOrganization {
    pub name: String,
    /// An http(s) URL, or none.
    pub website: Option<String>,
    /// The contact as written (an email address or a URL).
    pub security_contact: Option<String>,
    /// The contact as a link (`mailto:` for an email address).
    pub security_contact_href: Option<String>,
    pub logo: Option<PublicLogo>,
}

/// The organization's logo, copied into the public output.
#[derive(Debug, Clone, Serialize)]
pub struct PublicLogo {
    /// Output path relative to the site root, e.g. `logo.svg`.
    pub file: String,
    /// Where it came from (`content/assets/logo.svg`), for error messages.
    pub source: String,
    pub media_type: String,
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

/// The system the report is about.
#[derive(Debug, Clone, Serialize)]
pub struct PublicSystem {
    pub name: String,
    pub summary: Option<String>,
}

/// The scope of the SOC 2 examination the company prepares for.
#[derive(Debug, Clone, Serialize)]
pub struct PublicReport {
    /// `type1` or `type2`.
    pub kind: String,
    /// "Type 1" or "Type 2".
    pub kind_label: String,
    /// What the type covers, in words.
    pub kind_description: String,
    pub period: Option<PublicPeriod>,
    pub as_of: Option<Date>,
    pub as_of_long: Option<String>,
    pub categories: Vec<PublicCategoryRef>,
    /// The CPA firm engaged, if named (never an opinion).
    pub auditor_firm: Option<String>,
}

/// A Type 2 period.
#[derive(Debug, Clone, Serialize)]
pub struct PublicPeriod {
    pub start: Date,
    pub end: Date,
    pub start_long: String,
    pub end_long: String,
}

/// A category name.
#[derive(Debug, Clone, Serialize)]
pub struct PublicCategoryRef {
    /// e.g. `processing-integrity`.
    pub id: String,
    /// e.g. "Processing Integrity".
    pub title: String,
}

/// Trust page settings.
#[derive(Debug, Clone, Serialize)]
pub struct PublicTrustPage {
    /// The site's URL without a trailing slash, e.g. `https://trust.example.com`.
    pub base_url: Option<String>,
    /// Where to request the full package (`mailto:` or http(s)).
    pub request_access: Option<String>,
}

/// A public narrative.
#[derive(Debug, Clone, Serialize)]
pub struct PublicNarrative {
    /// The anchor id on the page.
    pub id: String,
    pub title: String,
    /// The narrative's section (`trust-overview`, `trust-faq`, or a package section made public).
    pub section: String,
    /// Sanitized HTML of the body.
    pub html: String,
}

/// A status in words and a symbol.
#[derive(Debug, Clone, Serialize)]
pub struct PublicStatus {
    /// kebab-case, e.g. `designed-not-tested` (for CSS classes).
    pub key: String,
    pub label: String,
    pub symbol: String,
}

/// A status with a count.
#[derive(Debug, Clone, Serialize)]
pub struct PublicStatusCount {
    #[serde(flatten)]
    pub status: PublicStatus,
    pub count: usize,
}

/// One in-scope category.
#[derive(Debug, Clone, Serialize)]
pub struct PublicCategory {
    pub id: String,
    pub title: String,
    /// Every criterion of the category (assessed plus not relevant).
    pub total: usize,
    /// Criteria in scope (not counting those declared not relevant).
    pub criteria: usize,
    /// Criteria declared not relevant.
    pub not_relevant: usize,
    /// Criteria by status (only non-zero counts; not relevant excluded), in legend order.
    pub status_counts: Vec<PublicStatusCount>,
    /// Controls mapped to this category's criteria.
    pub controls: usize,
    /// How many of them have a public summary on this page.
    pub controls_summarized: usize,
    /// Control themes, alphabetical.
    pub themes: Vec<PublicTheme>,
}

/// A control theme: the public face of one or more controls.
#[derive(Debug, Clone, Serialize)]
pub struct PublicTheme {
    pub name: String,
    /// Public summaries of its controls (deduplicated, in record order).
    pub summaries: Vec<String>,
    /// The least advanced status of its controls.
    pub status: PublicStatus,
}

/// Totals over every in-scope category.
#[derive(Debug, Clone, Serialize)]
pub struct PublicTotals {
    /// Every criterion of the in-scope categories (assessed plus not relevant).
    pub total: usize,
    pub criteria: usize,
    pub not_relevant: usize,
    pub status_counts: Vec<PublicStatusCount>,
    pub controls: usize,
    pub controls_summarized: usize,
}

/// A subprocessor.
#[derive(Debug, Clone, Serialize)]
pub struct PublicSubprocessor {
    pub id: String,
    pub name: String,
    pub purpose: Option<String>,
    pub locations: Vec<String>,
    pub data: Vec<String>,
}

fn public_status(s: Status) -> PublicStatus {
    let key = serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    PublicStatus {
        key,
        label: s.label().to_string(),
        symbol: s.symbol().to_string(),
    }
}

fn http_url(s: &str) -> Option<String> {
    let t = s.trim();
    (t.starts_with("https://") || t.starts_with("http://")).then(|| t.to_string())
}

fn link_url(s: &str) -> Option<String> {
    let t = s.trim();
    (t.starts_with("https://") || t.starts_with("http://") || t.starts_with("mailto:"))
        .then(|| t.to_string())
}

fn status_counts<'a>(statuses: impl Iterator<Item = &'a Status>) -> Vec<PublicStatusCount> {
    let mut n: BTreeMap<Status, usize> = BTreeMap::new();
    for s in statuses.filter(|s| **s != Status::NotRelevant) {
        *n.entry(*s).or_default() += 1;
    }
    Status::ALL
        .iter()
        .filter_map(|s| {
            n.get(s).map(|&count| PublicStatusCount {
                status: public_status(*s),
                count,
            })
        })
        .collect()
}

/// Ids the page template uses for its own sections; narrative anchors avoid them.
const RESERVED_IDS: &[&str] = &[
    "main",
    "top",
    "overview",
    "compliance",
    "readiness",
    "controls",
    "subprocessors",
    "faq",
    "contact",
    "request",
];

/// Builds the public view of a project: [`from_package`] on its package model.
pub fn public_view(project: &Project, assessment: &Assessment) -> PublicView {
    from_package(&crate::package::package(project, assessment))
}

/// Builds the public view from the package model, through the allow-list described in the
/// module documentation: one function per section of the trust page. Statuses, the criteria's
/// grouping and the logo come from the model; nothing is derived again here.
pub fn from_package(pkg: &Package) -> PublicView {
    let project = pkg.project;
    let cfg = &project.config;
    let (narratives, images) = public_narratives(project);
    let show_readiness = cfg.trust_page.show_readiness.unwrap_or(true);
    let (mut categories, totals) = public_categories(pkg, show_readiness);
    if !show_readiness {
        for c in &mut categories {
            c.status_counts.clear();
        }
    }
    let legend = legend(&categories);
    let content_date = project.content_date();
    PublicView {
        generator: format!("trustbook {}", env!("CARGO_PKG_VERSION")),
        organization: public_organization(pkg),
        system: PublicSystem {
            name: cfg.system.name.value.clone(),
            summary: cfg
                .system
                .summary
                .as_ref()
                .map(|s| s.value.trim().to_string()),
        },
        report: public_report(project),
        content_date,
        content_date_long: content_date.long(),
        trust_page: public_trust_page(project),
        narratives,
        categories,
        totals,
        legend,
        show_readiness,
        subprocessors: public_subprocessors(pkg),
        images,
        policies: public_policies(pkg),
    }
}

/// The organization: name, website, security contact (as a link too) and logo.
fn public_organization(pkg: &Package) -> PublicOrganization {
    let org = &pkg.project.config.organization;
    let contact = org
        .security_contact
        .as_ref()
        .map(|c| c.value.trim().to_string());
    let contact_href = contact.as_deref().and_then(|c| {
        if c.contains('@') && !c.contains(':') {
            Some(format!("mailto:{c}"))
        } else {
            link_url(c)
        }
    });
    PublicOrganization {
        name: org.name.value.clone(),
        website: org.website.as_ref().and_then(|w| http_url(&w.value)),
        security_contact: contact,
        security_contact_href: contact_href,
        logo: public_logo(pkg),
    }
}

/// The package's logo, if it is an image the page can show; published as `logo.<ext>`.
fn public_logo(pkg: &Package) -> Option<PublicLogo> {
    let logo = pkg.logo.as_ref()?;
    let bytes = logo.bytes(pkg.project)?;
    let media_type = crate::preflight::media_type(&logo.rel)?;
    let ext = logo
        .rel
        .rsplit('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    Some(PublicLogo {
        file: format!("logo.{ext}"),
        source: logo.source(),
        media_type: media_type.to_string(),
        bytes: bytes.to_vec(),
    })
}

/// The scope of the examination: type, period or as-of date, categories, audit firm.
fn public_report(project: &Project) -> PublicReport {
    let report = &project.config.report;
    let type2 = report.kind.value == ReportType::Type2;
    let as_of = report.as_of.as_ref().filter(|_| !type2).map(|d| d.value);
    PublicReport {
        kind: report.kind.value.as_str().to_string(),
        kind_label: if type2 { "Type 2" } else { "Type 1" }.to_string(),
        kind_description: if type2 {
            "the design of controls and their operating effectiveness over a period"
        } else {
            "the design of controls at a point in time"
        }
        .to_string(),
        period: report
            .period
            .as_ref()
            .filter(|_| type2)
            .map(|p| PublicPeriod {
                start: p.start.value,
                end: p.end.value,
                start_long: p.start.value.long(),
                end_long: p.end.value.long(),
            }),
        as_of,
        as_of_long: as_of.map(|d| d.long()),
        categories: Category::VALUES
            .iter()
            .filter_map(|v| Category::parse(v))
            .filter(|c| project.in_scope(*c))
            .map(|c| PublicCategoryRef {
                id: c.as_str().to_string(),
                title: c.title().to_string(),
            })
            .collect(),
        auditor_firm: report
            .auditor
            .as_ref()
            .map(|a| a.firm.value.trim().to_string())
            .filter(|s| !s.is_empty()),
    }
}

/// The site's base URL (no trailing slash) and the request-access link.
fn public_trust_page(project: &Project) -> PublicTrustPage {
    let tp = &project.config.trust_page;
    PublicTrustPage {
        base_url: tp
            .base_url
            .as_ref()
            .and_then(|u| http_url(&u.value))
            .map(|u| u.trim_end_matches('/').to_string()),
        request_access: tp.request_access.as_ref().and_then(|u| link_url(&u.value)),
    }
}

/// Public narratives only (trust overview first, FAQ last) as sanitized HTML, with the images
/// they show. Their anchors avoid the page's own section ids and each other.
fn public_narratives(project: &Project) -> (Vec<PublicNarrative>, Vec<PublicImage>) {
    let mut public: Vec<&Narrative> = project
        .narratives
        .iter()
        .filter(|n| n.audience.value == Audience::Public)
        .collect();
    public.sort_by_key(|n| match n.section.value {
        Section::TrustOverview => 0,
        Section::TrustFaq => 2,
        _ => 1,
    });
    // Public narratives get only the variables whose values are public.
    let vars = crate::markdown::variables::values(project).public();
    let mut used: BTreeSet<String> = RESERVED_IDS.iter().map(|s| s.to_string()).collect();
    let images: std::cell::RefCell<Vec<PublicImage>> = std::cell::RefCell::new(Vec::new());
    let narratives = public
        .iter()
        .map(|n| {
            let base = match n.section.value {
                Section::TrustOverview => "security-overview".to_string(),
                Section::TrustFaq => "questions".to_string(),
                _ => md_html::slug(&n.title.value),
            };
            let id = unique(&base, &mut used);
            let text = crate::markdown::variables::apply(&n.body, &vars);
            let html = md_html::to_html_mapped(&text, &id, 3, &|url| {
                let rel = crate::markdown::md_ast::resolve_image(&n.file, url).ok()?;
                let bytes = project.assets.get(&rel)?;
                let file = format!("images/{rel}");
                let mut imgs = images.borrow_mut();
                if !imgs.iter().any(|i: &PublicImage| i.file == file) {
                    imgs.push(PublicImage {
                        file: file.clone(),
                        source: format!("content/{rel}"),
                        bytes: bytes.clone(),
                    });
                }
                Some(file)
            });
            PublicNarrative {
                id,
                title: n.title.value.clone(),
                section: n.section.value.as_str().to_string(),
                html,
            }
        })
        .collect();
    (narratives, images.into_inner())
}

/// Per in-scope category: counts from the assessment and the control themes; and the totals.
fn public_categories(pkg: &Package, show_readiness: bool) -> (Vec<PublicCategory>, PublicTotals) {
    let readiness = &pkg.readiness;
    let mut categories = Vec::new();
    let mut all_controls: BTreeSet<usize> = BTreeSet::new();
    let mut all_summarized: BTreeSet<usize> = BTreeSet::new();
    for cr in readiness.categories {
        let Some(cat) = cr.category else { continue };
        let in_cat: Vec<(usize, &ControlEntry)> = pkg
            .controls
            .iter()
            .enumerate()
            .filter(|(_, c)| pkg.control_categories(c).contains(&cat))
            .collect();
        all_controls.extend(in_cat.iter().map(|(i, _)| *i));
        let summarized: Vec<usize> = in_cat
            .iter()
            .filter(|(_, c)| c.record.public.is_some())
            .map(|(i, _)| *i)
            .collect();
        all_summarized.extend(&summarized);
        // The category's criteria, as the package groups them.
        let criteria: Vec<Status> = pkg
            .groups
            .iter()
            .filter(|g| g.category == cat)
            .flat_map(|g| g.series.iter().flat_map(|s| &s.criteria))
            .map(|&i| pkg.criteria[i].result.status)
            .collect();
        categories.push(PublicCategory {
            id: cat.as_str().to_string(),
            title: cat.title().to_string(),
            total: cr.total,
            criteria: cr.criteria,
            not_relevant: cr.not_relevant,
            status_counts: status_counts(criteria.iter()),
            controls: in_cat.len(),
            controls_summarized: summarized.len(),
            themes: themes(pkg, &in_cat, cat),
        });
    }
    let totals = PublicTotals {
        total: readiness.overall.total,
        criteria: readiness.overall.criteria,
        not_relevant: readiness.overall.not_relevant,
        status_counts: if show_readiness {
            status_counts(pkg.criteria.iter().map(|c| &c.result.status))
        } else {
            Vec::new()
        },
        controls: all_controls.len(),
        controls_summarized: all_summarized.len(),
    };
    (categories, totals)
}

/// The control themes of one category, alphabetical: the public summaries of its controls
/// (deduplicated, in record order) and the least advanced status among them.
fn themes(pkg: &Package, in_cat: &[(usize, &ControlEntry)], cat: Category) -> Vec<PublicTheme> {
    let mut themes: BTreeMap<String, (Vec<String>, Status)> = BTreeMap::new();
    for (_, c) in in_cat {
        let Some(p) = &c.record.public else { continue };
        // Lowered by the criteria of this category it maps to (see the package model).
        let status = pkg.control_status_in(c, cat);
        let name = p.theme.value.trim().to_string();
        let entry = themes.entry(name).or_insert_with(|| (Vec::new(), status));
        let summary = p.summary.value.trim().to_string();
        if !entry.0.contains(&summary) {
            entry.0.push(summary);
        }
        entry.1 = entry.1.max(status);
    }
    themes
        .into_iter()
        .map(|(name, (summaries, status))| PublicTheme {
            name,
            summaries,
            status: public_status(status),
        })
        .collect()
}

/// The status words that occur on the page, in legend order.
fn legend(categories: &[PublicCategory]) -> Vec<PublicStatus> {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for c in categories {
        seen.extend(c.status_counts.iter().map(|s| s.status.key.clone()));
        seen.extend(c.themes.iter().map(|t| t.status.key.clone()));
    }
    Status::ALL
        .iter()
        .filter(|s| **s != Status::NotRelevant)
        .map(|s| public_status(*s))
        .filter(|s| seen.contains(&s.key))
        .collect()
}

/// Subprocessors (vendors with `subprocessor: true`), by name, each with a unique anchor.
fn public_subprocessors(pkg: &Package) -> Vec<PublicSubprocessor> {
    let mut ids: BTreeSet<String> = BTreeSet::new();
    let mut vendors: Vec<&Vendor> = pkg
        .vendors
        .iter()
        .map(|v| v.record)
        .filter(|v| v.subprocessor)
        .collect();
    vendors.sort_by_cached_key(|v| (v.name.value.trim().to_lowercase(), v.name.value.clone()));
    vendors
        .into_iter()
        .map(|v| PublicSubprocessor {
            id: unique(&md_html::slug(&v.name.value), &mut ids),
            name: v.name.value.trim().to_string(),
            purpose: v.purpose.as_ref().map(|p| p.value.trim().to_string()),
            locations: v
                .locations
                .iter()
                .map(|l| l.value.trim().to_string())
                .collect(),
            data: v.data.iter().map(|d| d.value.trim().to_string()).collect(),
        })
        .collect()
}
