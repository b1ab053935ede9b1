//! The content model: every record kind of the format spec, each value with its location.

use crate::diag::Loc;
use serde::Serialize;

/// A value with the place it was written.
#[derive(Debug, Clone)]
pub struct S<T> {
    pub value: T,
    pub loc: Loc,
}

impl<T: Serialize> Serialize for S<T> {
    fn serialize<Ser: serde::Serializer>(&self, s: Ser) -> Result<Ser::Ok, Ser::Error> {
        self.value.serialize(s)
    }
}

impl<T> std::ops::Deref for S<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// A calendar date (ISO 8601, proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Parses `YYYY-MM-DD`, checking the day exists.
    pub fn parse(s: &str) -> Option<Date> {
        Date::parse_explained(s).ok()
    }
    /// Parses `YYYY-MM-DD` (digits only, nothing else); the error says what is wrong, e.g.
    /// "February 2026 has 28 days".
    pub fn parse_explained(s: &str) -> Result<Date, String> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        if b.len() != 10
            || b[4] != b'-'
            || b[7] != b'-'
            || !digits(0..4)
            || !digits(5..7)
            || !digits(8..10)
        {
            return Err("write dates as YYYY-MM-DD, e.g. 2026-06-30".into());
        }
        let num = |r: std::ops::Range<usize>| -> u32 {
            b[r].iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'))
        };
        let (year, month, day) = (num(0..4) as i32, num(5..7), num(8..10));
        if !(1..=12).contains(&month) {
            return Err(format!(
                "there is no month {month:02}: months run from 01 to 12"
            ));
        }
        let last = days_in_month(year, month);
        if day == 0 || day > last {
            const M: [&str; 12] = [
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ];
            return Err(format!(
                "{} {year} has {last} days; write a day from 01 to {last}",
                M[(month - 1) as usize]
            ));
        }
        Ok(Date { year, month, day })
    }
    /// Days since 1970-01-01.
    pub fn days(&self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
    /// The date `days` days after 1970-01-01.
    pub fn from_days(z: i64) -> Date {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        Date {
            year: (y + i64::from(m <= 2)) as i32,
            month: m,
            day: d,
        }
    }
    /// Whole months from `self` to `other` (fractional, by days / 30.44).
    pub fn months_until(&self, other: &Date) -> f64 {
        (other.days() - self.days()) as f64 / 30.436_875
    }
    /// Calendar months from `self` to `end`, both days included: 1 January to 31 March is
    /// exactly 3.0; a part month counts as its share of the days of the month it ends in.
    pub fn months_through(&self, end: &Date) -> f64 {
        let after = Date::from_days(end.days() + 1);
        let whole = (after.year - self.year) * 12 + after.month as i32 - self.month as i32;
        let mut months = f64::from(whole);
        let dim = f64::from(days_in_month(after.year, after.month));
        months += (f64::from(after.day) - f64::from(self.day)) / dim;
        months
    }
    /// A long English form, e.g. "30 June 2026".
    pub fn long(&self) -> String {
        const M: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        format!(
            "{} {} {}",
            self.day,
            M[(self.month - 1) as usize],
            self.year
        )
    }
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<Ser: serde::Serializer>(&self, s: Ser) -> Result<Ser::Ok, Ser::Error> {
        s.collect_str(self)
    }
}

/// An enumerated value of the format spec.
pub trait Enumerated: Sized + Copy {
    /// The allowed spellings, in the spec's order.
    const VALUES: &'static [&'static str];
    fn from_index(i: usize) -> Self;
    fn index(self) -> usize;
    fn parse(s: &str) -> Option<Self> {
        Self::VALUES
            .iter()
            .position(|v| *v == s)
            .map(Self::from_index)
    }
    fn as_str(self) -> &'static str {
        Self::VALUES[self.index()]
    }
}

macro_rules! enumerated {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }
        impl Enumerated for $name {
            const VALUES: &'static [&'static str] = &[$($text),+];
            fn from_index(i: usize) -> Self { [$($name::$variant),+][i] }
            fn index(self) -> usize { self as usize }
        }
        impl Serialize for $name {
            fn serialize<Ser: serde::Serializer>(&self, s: Ser) -> Result<Ser::Ok, Ser::Error> { s.serialize_str(self.as_str()) }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}
pub(crate) use enumerated;

enumerated!(
    /// Type 1 (design at a date) or Type 2 (operating effectiveness over a period).
    ReportType { Type1 = "type1", Type2 = "type2" }
);
enumerated!(
    /// A Trust Services category.
    Category { Security = "security", Availability = "availability", ProcessingIntegrity = "processing-integrity", Confidentiality = "confidentiality", Privacy = "privacy" }
);
enumerated!(
    /// How often a control operates (also used for evidence refresh).
    Frequency { Continuous = "continuous", MultipleDaily = "multiple-daily", Daily = "daily", Weekly = "weekly", Monthly = "monthly", Quarterly = "quarterly", SemiAnnual = "semi-annual", Annual = "annual", PerEvent = "per-event" }
);
enumerated!(
    /// Manual, automated or IT-dependent manual.
    Nature { Manual = "manual", Automated = "automated", ItDependentManual = "it-dependent-manual" }
);
enumerated!(
    /// Preventive, detective or corrective.
    ControlKind { Preventive = "preventive", Detective = "detective", Corrective = "corrective" }
);
enumerated!(
    /// How far a control is in place.
    ControlStatus { Implemented = "implemented", PartiallyImplemented = "partially-implemented", Planned = "planned", NotImplemented = "not-implemented" }
);
enumerated!(
    /// A test method.
    Method { Inquiry = "inquiry", Observation = "observation", Inspection = "inspection", Reperformance = "reperformance" }
);
enumerated!(
    /// The outcome of a test.
    TestResult { NoExceptions = "no-exceptions", Exceptions = "exceptions", NoOccurrence = "no-occurrence" }
);
enumerated!(
    /// The method used for a subservice organization.
    Subservice { CarveOut = "carve-out", Inclusive = "inclusive", None = "none" }
);
enumerated!(
    /// The kind of assurance report a subservice organization provides (v1.1).
    SocReportType { Type1 = "type1", Type2 = "type2", Iso27001 = "iso27001", None = "none" }
);
enumerated!(
    /// The opinion in a subservice organization's report (v1.1).
    Opinion { Unmodified = "unmodified", Qualified = "qualified", Adverse = "adverse", Disclaimer = "disclaimer" }
);
enumerated!(
    /// The state of a remediation item.
    RemediationStatus { Open = "open", InProgress = "in-progress", Closed = "closed", RiskAccepted = "risk-accepted" }
);
enumerated!(
    /// Who may read a narrative.
    Audience { Restricted = "restricted", Public = "public" }
);
enumerated!(
    /// Where a narrative goes (DC 200 order for the package; trust-* for the trust page).
    Section {
        Assertion = "assertion", Overview = "overview", Commitments = "commitments",
        Infrastructure = "infrastructure", Software = "software", People = "people", Procedures = "procedures", Data = "data",
        Boundaries = "boundaries", Incidents = "incidents",
        ControlEnvironment = "control-environment", RiskAssessment = "risk-assessment",
        InformationCommunication = "information-communication", Monitoring = "monitoring",
        Changes = "changes", OtherInformation = "other-information",
        TrustOverview = "trust-overview", TrustFaq = "trust-faq",
    }
);

impl Category {
    /// The category's name as the criteria catalog spells it ("Processing Integrity").
    pub fn title(self) -> &'static str {
        [
            "Security",
            "Availability",
            "Processing Integrity",
            "Confidentiality",
            "Privacy",
        ][self as usize]
    }
}

impl Frequency {
    /// Days between two occurrences (for evidence freshness); `None` when it has no period.
    pub fn interval_days(self) -> Option<i64> {
        match self {
            Frequency::Continuous | Frequency::MultipleDaily | Frequency::Daily => Some(1),
            Frequency::Weekly => Some(7),
            Frequency::Monthly => Some(31),
            Frequency::Quarterly => Some(92),
            Frequency::SemiAnnual => Some(183),
            Frequency::Annual => Some(366),
            Frequency::PerEvent => None,
        }
    }
    /// The smallest sample common practice accepts for a control of this frequency
    /// (per-event: 25, capped by the population).
    pub fn min_sample(self) -> u64 {
        match self {
            Frequency::Annual | Frequency::SemiAnnual | Frequency::Continuous => 1,
            Frequency::Quarterly | Frequency::Monthly => 2,
            Frequency::Weekly => 5,
            Frequency::Daily => 20,
            Frequency::MultipleDaily | Frequency::PerEvent => 25,
        }
    }
}

impl Section {
    /// True for sections shown on the trust page only.
    pub fn is_trust(self) -> bool {
        matches!(self, Section::TrustOverview | Section::TrustFaq)
    }
}

/// content/trustbook.yaml
#[derive(Debug, Clone)]
pub struct Config {
    pub organization: Organization,
    pub system: System,
    pub report: Report,
    pub trust_page: TrustPage,
    /// The theme to render with: `themes/<name>/` over the built-in one (default: `default`).
    pub theme: Option<S<String>>,
}

#[derive(Debug, Clone)]
pub struct Organization {
    pub name: S<String>,
    pub website: Option<S<String>>,
    pub security_contact: Option<S<String>>,
    pub logo: Option<S<String>>,
}

#[derive(Debug, Clone)]
pub struct System {
    pub name: S<String>,
    pub summary: Option<S<String>>,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub kind: S<ReportType>,
    pub period: Option<Period>,
    pub as_of: Option<S<Date>>,
    pub categories: Vec<S<Category>>,
    pub not_relevant: Vec<NotRelevant>,
    pub auditor: Option<Auditor>,
    /// Extension: the date the content speaks for (defaults to the latest date in the records).
    pub content_date: Option<S<Date>>,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Period {
    pub start: S<Date>,
    pub end: S<Date>,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct NotRelevant {
    pub criterion: S<String>,
    pub reason: Option<S<String>>,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Auditor {
    pub firm: S<String>,
}

#[derive(Debug, Clone, Default)]
pub struct TrustPage {
    pub base_url: Option<S<String>>,
    pub request_access: Option<S<String>>,
    /// v1.1: `false` hides the readiness counts and gap numbers from the public page
    /// (`None`: not written, shown).
    pub show_readiness: Option<bool>,
    /// v1.1: list approved policies by title on the trust page.
    pub policies: bool,
}

/// A control (controls/*.yaml).
#[derive(Debug, Clone)]
pub struct Control {
    pub id: S<String>,
    pub title: S<String>,
    pub description: S<String>,
    pub owner: S<String>,
    pub frequency: S<Frequency>,
    pub nature: S<Nature>,
    pub kind: S<ControlKind>,
    pub status: S<ControlStatus>,
    pub criteria: Vec<S<String>>,
    /// framework name → IDs (e.g. `iso27001-2022` → `[A.5.18]`).
    pub mappings: Vec<(S<String>, Vec<S<String>>)>,
    pub evidence: Vec<S<String>>,
    /// v1.1: IDs of the policies this control carries out.
    pub policies: Vec<S<String>>,
    pub public: Option<PublicControl>,
    pub loc: Loc,
}

/// The allow-listed public face of a control.
#[derive(Debug, Clone)]
pub struct PublicControl {
    pub theme: S<String>,
    pub summary: S<String>,
}

/// A test of a control (tests/*.yaml).
#[derive(Debug, Clone)]
pub struct Test {
    pub id: S<String>,
    pub control: S<String>,
    pub procedure: S<String>,
    pub methods: Vec<S<Method>>,
    pub performed_by: Option<S<String>>,
    pub performed_on: S<Date>,
    pub population: Option<S<u64>>,
    pub sample: Option<S<u64>>,
    pub result: S<TestResult>,
    pub exceptions: Vec<TestException>,
    pub exceptions_loc: Option<Loc>,
    pub evidence: Vec<S<String>>,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct TestException {
    pub description: S<String>,
    pub deviations: Option<S<u64>>,
    pub management_response: Option<S<String>>,
    pub loc: Loc,
}

/// An evidence record (evidence/*.yaml).
#[derive(Debug, Clone)]
pub struct Evidence {
    pub id: S<String>,
    pub title: S<String>,
    pub collected_on: S<Date>,
    pub source: Option<S<String>>,
    pub file: Option<S<String>>,
    pub sha256: Option<S<String>>,
    pub refresh: Option<S<Frequency>>,
    /// SHA-256 of the file, computed on first use: [`Evidence::file_sha256`].
    pub file_digest: super::lazy::FileDigest,
    /// v1.1: the occurrences of the control the evidence shows (see [`crate::coverage`]).
    pub covers: Vec<S<Covers>>,
    pub loc: Loc,
}

/// v1.1: one item of an evidence record's `covers`: the days it shows, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Covers {
    /// As written: `2026-03-14`, `2026-03`, `2026-Q1`, `2026-H1`, `2026` or `2026-01-01 to 2026-06-30`.
    pub label: String,
    /// The first day shown (inclusive).
    pub start: Date,
    /// The last day shown (inclusive).
    pub end: Date,
}

/// A vendor (vendors/*.yaml).
#[derive(Debug, Clone)]
pub struct Vendor {
    pub name: S<String>,
    pub service: Option<S<String>>,
    pub subservice: S<Subservice>,
    pub criteria: Vec<S<String>>,
    pub csocs: Vec<S<String>>,
    pub monitoring: Vec<S<String>>,
    pub subprocessor: bool,
    pub purpose: Option<S<String>>,
    pub locations: Vec<S<String>>,
    pub data: Vec<S<String>>,
    /// v1.1: the subservice organization's own assurance report, as reviewed by management.
    pub soc_report: Option<SocReport>,
    pub loc: Loc,
}

/// A subservice organization's assurance report (`soc_report:` of a vendor, v1.1).
#[derive(Debug, Clone)]
pub struct SocReport {
    pub kind: S<SocReportType>,
    /// Type 2: the period the report covers.
    pub period: Option<Period>,
    /// Type 1 and ISO 27001: the date it speaks at.
    pub as_of: Option<S<Date>>,
    pub opinion: Option<S<Opinion>>,
    /// A bridge (gap) letter from the vendor's management covers up to this date.
    pub bridge_letter_through: Option<S<Date>>,
    pub reviewed_on: Option<S<Date>>,
    pub reviewed_by: Option<S<String>>,
    pub loc: Loc,
}

/// A complementary user entity control (cuecs.yaml).
#[derive(Debug, Clone)]
pub struct Cuec {
    pub id: S<String>,
    pub text: S<String>,
    pub criteria: Vec<S<String>>,
    pub loc: Loc,
}

/// A gap or remediation item (remediation/*.yaml).
#[derive(Debug, Clone)]
pub struct Remediation {
    pub id: S<String>,
    pub title: S<String>,
    pub criteria: Vec<S<String>>,
    pub controls: Vec<S<String>>,
    pub owner: Option<S<String>>,
    pub opened: Option<S<Date>>,
    pub due: Option<S<Date>>,
    pub status: S<RemediationStatus>,
    pub closed_on: Option<S<Date>>,
    pub loc: Loc,
}

/// A Markdown narrative (narratives/*.md).
#[derive(Debug, Clone)]
pub struct Narrative {
    /// Path relative to the project root.
    pub file: std::sync::Arc<str>,
    pub title: S<String>,
    pub section: S<Section>,
    pub order: i64,
    pub audience: S<Audience>,
    /// The Markdown body, after the front matter.
    pub body: String,
    /// 1-based line of the body's first line in the file.
    pub body_line: u32,
}

/// A whole loaded project.
#[derive(Debug, Clone)]
pub struct Project {
    /// The project directory.
    pub root: std::path::PathBuf,
    pub config: Config,
    pub controls: Vec<Control>,
    pub tests: Vec<Test>,
    pub evidence: Vec<Evidence>,
    pub vendors: Vec<Vendor>,
    pub cuecs: Vec<Cuec>,
    pub remediation: Vec<Remediation>,
    pub narratives: Vec<Narrative>,
    /// v1.1: policies (policies/*.md).
    pub policies: Vec<super::policy::Policy>,
    /// v1.1: the risk register (risks/*.yaml).
    pub risks: Vec<super::risk::Risk>,
    /// Files under content/ that templates may read (images, logo): path relative to content/ →
    /// bytes, read on first use.
    pub assets: super::lazy::Assets,
    /// Records that exist but could not be read (already reported by the loader).
    pub unreadable: Unreadable,
}

/// What the loader found but could not read, kind by kind (kinds by their name in the kinds
/// table, [`crate::kinds`]). The problem is reported where it is; checks use this so that
/// references to such a record do not add a second, misleading "there is no control X" error
/// elsewhere.
#[derive(Debug, Clone, Default)]
pub struct Unreadable {
    /// IDs of records that could not be read (a required field missing or invalid), by kind.
    ids: std::collections::BTreeMap<&'static str, std::collections::BTreeSet<String>>,
    /// Kinds of which a file could not be read or parsed at all (or, for risks, a record): their
    /// IDs are unknown, so references to them are not checked (the syntax error is the one to
    /// fix first).
    incomplete: std::collections::BTreeSet<&'static str>,
    /// The `control` of each unreadable test (so that control is not reported as untested).
    pub tested_controls: std::collections::BTreeSet<String>,
}

static NO_IDS: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();

impl Unreadable {
    /// The IDs of the unreadable records of `kind` (e.g. "control").
    pub fn ids(&self, kind: &str) -> &std::collections::BTreeSet<String> {
        self.ids.get(kind).unwrap_or(&NO_IDS)
    }
    /// True if a file of `kind` could not be read, so its IDs are not all known.
    pub fn incomplete(&self, kind: &str) -> bool {
        self.incomplete.contains(kind)
    }
    /// Keeps the ID of an unreadable record of `kind`.
    pub fn add_id(&mut self, kind: &'static str, id: String) {
        self.ids.entry(kind).or_default().insert(id);
    }
    /// Marks `kind` as incomplete.
    pub fn set_incomplete(&mut self, kind: &'static str) {
        self.incomplete.insert(kind);
    }
}

impl Project {
    /// The date the report speaks at: the period end (Type 2) or the as-of date (Type 1).
    pub fn report_date(&self) -> Option<Date> {
        match self.config.report.kind.value {
            ReportType::Type2 => self.config.report.period.as_ref().map(|p| p.end.value),
            ReportType::Type1 => self.config.report.as_of.as_ref().map(|d| d.value),
        }
    }
    /// The date of the content: `report.content_date`, else the latest date in the records.
    pub fn content_date(&self) -> Date {
        if let Some(d) = &self.config.report.content_date {
            return d.value;
        }
        let mut dates: Vec<Date> = Vec::new();
        dates.extend(self.report_date());
        dates.extend(self.tests.iter().map(|t| t.performed_on.value));
        dates.extend(self.evidence.iter().map(|e| e.collected_on.value));
        for r in &self.remediation {
            dates.extend(r.opened.as_ref().map(|d| d.value));
            dates.extend(r.closed_on.as_ref().map(|d| d.value));
        }
        // A date far outside the report's window (a typo such as 2027 for 2026) must not move
        // the content date and make other records look overdue; `check` warns about it.
        let window = self.date_window();
        dates
            .into_iter()
            .filter(|d| window.is_none_or(|(lo, hi)| (lo..=hi).contains(d)))
            .max()
            .unwrap_or(Date {
                year: 1970,
                month: 1,
                day: 1,
            })
    }
    /// The span of plausible record dates: from a year before the period starts (or the as-of
    /// date) to six months after it ends (or `report.content_date`, if later). `None` without a
    /// report date.
    pub fn date_window(&self) -> Option<(Date, Date)> {
        let r = &self.config.report;
        let (start, end) = match r.kind.value {
            ReportType::Type2 => {
                let p = r.period.as_ref()?;
                (p.start.value, p.end.value)
            }
            ReportType::Type1 => {
                let d = r.as_of.as_ref()?.value;
                (d, d)
            }
        };
        let mut hi = Date::from_days(end.days() + 183);
        if let Some(c) = &r.content_date
            && c.value > hi
        {
            hi = c.value;
        }
        Some((Date::from_days(start.days() - 366), hi))
    }
    /// The theme to render with: `theme:` of trustbook.yaml, else `default`.
    pub fn theme_name(&self) -> &str {
        self.config
            .theme
            .as_ref()
            .map(|t| t.value.as_str())
            .unwrap_or("default")
    }
    /// True if the category is in scope.
    pub fn in_scope(&self, c: Category) -> bool {
        self.config.report.categories.iter().any(|x| x.value == c)
    }
}
