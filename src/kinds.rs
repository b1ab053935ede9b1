//! The record kinds of a project, in one table: [`KINDS`].
//!
//! Each [`Kind`] declares where its files live, its fields (with their JSON Schema type and
//! description, whether they are required, whether they may reach the public trust page, what
//! they reference, which carry criteria), its ID field and how its records are read. From the
//! table derive: the loader's list of kinds and its per-kind dispatch
//! ([`crate::project::load`]), the unreadable-record bookkeeping, duplicate-ID, reference and
//! criteria checks ([`crate::check`]), the JSON Schemas ([`crate::schema`]), `init`'s schema
//! lines ([`crate::init::schema_kind`]), what is read under content/
//! ([`crate::project::layout::READ`]), the field names the readers accept
//! ([`crate::project::load::fields`]), the format reference test and the leak test's canaries.
//!
//! Adding a kind: an entry here (and its accessor in [`values`]), its model and reader (a
//! module under src/project/), its field of `Project` with the loader's sink
//! ([`crate::project::load::Records`]), and its page under docs/src/format/. See
//! docs/src/contributing/kinds.md.

use crate::project::model::*;
use crate::project::policy::{PolicyStatus, ReviewInterval};
use crate::project::risk::{RiskSource, Treatment};
use crate::project::yaml::{Kind as NodeKind, Node};
use serde_json::{Value, json};

/// Where a kind's files live under content/.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// One file directly under content/, e.g. `cuecs.yaml`.
    File(&'static str),
    /// A folder under content/, read recursively, and the extensions read in it.
    Folder(&'static str, &'static [&'static str]),
}

/// How a kind's files hold its records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One mapping per file (trustbook.yaml).
    Config,
    /// YAML: one record (a mapping) or a list of them per file.
    Records,
    /// Markdown with YAML front matter: one record per file, the body after it.
    FrontMatter,
}

/// Whether a field may reach the public trust page (output/public/).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Public {
    /// Never: restricted (the leak test requires a canary in it).
    No,
    /// Always.
    Yes,
    /// Only in a record whose field `field` is written as `is` (e.g. a vendor with
    /// `subprocessor: true`); restricted in every other record.
    If {
        /// The record's (top-level) field the condition reads.
        field: &'static str,
        /// The value (as written) that makes the field public.
        is: &'static str,
    },
}

/// Whether criteria out of the report's scope are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Warn about a criterion of a category that is not in scope (controls).
    Warn,
    /// Any valid criterion is fine.
    Any,
}

/// The type of a field, as its JSON Schema states it.
#[derive(Debug, Clone, Copy)]
pub enum Ty {
    /// Free text.
    Text,
    /// 64 hexadecimal digits.
    Sha256,
    /// `YYYY-MM-DD`.
    Date,
    /// A whole number, optionally bounded.
    Int {
        /// The smallest value allowed.
        min: Option<i64>,
        /// The largest value allowed.
        max: Option<i64>,
    },
    /// true or false.
    Bool,
    /// One of the values.
    Enum(&'static [&'static str]),
    /// A list of free texts (IDs, names); a single value counts as a list of one.
    TextList,
    /// A list of values of an enumeration.
    EnumList(&'static [&'static str]),
    /// One Trust Services criterion.
    Criterion,
    /// A list of Trust Services criteria.
    Criteria(Scope),
    /// A list of ISO/IEC 27001:2022 Annex A controls.
    AnnexList,
    /// A nested mapping.
    Object(&'static Block),
    /// A list of nested mappings.
    Items(&'static Block),
    /// A list whose items are nested mappings or plain texts (the block's `text_form` field).
    TextOrObjects(&'static Block),
    /// A nested mapping or a plain text (the block's `text_form` field).
    TextOrObject(&'static Block),
    /// What an evidence record shows: a list of days, months, quarters, halves or years
    /// (patterned text or a year number) or spans (the block: start and end).
    Periods(&'static Block),
    /// A schema of its own (given the description), for shapes the variants above do not say,
    /// and the values it allows, if it enumerates them.
    Schema(fn(&str) -> Value, Option<&'static [&'static str]>),
}

impl Ty {
    /// True if the field holds text a user writes freely (and so can hold a leak canary).
    pub fn is_text(self) -> bool {
        matches!(self, Ty::Text | Ty::TextList)
    }
    /// The allowed values of an enumeration (or a list of one).
    pub fn allowed(self) -> Option<&'static [&'static str]> {
        match self {
            Ty::Enum(v) | Ty::EnumList(v) | Ty::Schema(_, Some(v)) => Some(v),
            _ => None,
        }
    }
    /// The nested block, if any.
    pub fn block(self) -> Option<&'static Block> {
        match self {
            Ty::Object(b)
            | Ty::Items(b)
            | Ty::TextOrObjects(b)
            | Ty::TextOrObject(b)
            | Ty::Periods(b) => Some(b),
            _ => None,
        }
    }
}

/// One field of a record or of a nested block.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The YAML key.
    pub name: &'static str,
    /// Its type.
    pub ty: Ty,
    /// Its description (the JSON Schema's).
    pub desc: &'static str,
    /// Required by the schema.
    pub required: bool,
    /// Whether it may reach the trust page.
    pub public: Public,
    /// The kind (its [`Kind::name`]) whose IDs the field holds.
    pub refs: Option<&'static str>,
}

impl Field {
    const fn new(name: &'static str, ty: Ty, desc: &'static str) -> Field {
        Field {
            name,
            ty,
            desc,
            required: false,
            public: Public::No,
            refs: None,
        }
    }
    const fn req(mut self) -> Field {
        self.required = true;
        self
    }
    const fn public(mut self) -> Field {
        self.public = Public::Yes;
        self
    }
    const fn public_if(mut self, field: &'static str, is: &'static str) -> Field {
        self.public = Public::If { field, is };
        self
    }
    const fn refs(mut self, kind: &'static str) -> Field {
        self.refs = Some(kind);
        self
    }
}

/// A mapping: a record, or a block nested in one.
#[derive(Debug, Clone, Copy)]
pub struct Block {
    /// The schema's title.
    pub title: &'static str,
    /// The schema's description (of a record, or of the items of a list).
    pub desc: &'static str,
    /// Its fields, in the order the schema lists them.
    pub fields: &'static [Field],
    /// Conditions the schema adds (`allOf` of if/then).
    pub all_of: Option<fn() -> Value>,
    /// The field a plain text stands for, where a text may replace the mapping.
    pub text_form: Option<&'static str>,
}

/// A record kind.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    /// The kind's name: its schema is `schemas/<name>.schema.json`.
    pub name: &'static str,
    /// What one record is called in messages ("this remediation item has no ...").
    pub noun: &'static str,
    /// What its IDs are called in duplicate-ID messages ("duplicate remediation ID").
    pub id_noun: &'static str,
    /// Where its files live.
    pub place: Place,
    /// How its files hold records.
    pub format: Format,
    /// Its fields.
    pub record: Block,
    /// The field that identifies a record (unique project-wide), if any.
    pub id: Option<&'static str>,
    /// For Markdown kinds: whether the body may reach the trust page.
    pub body: Option<Public>,
    /// The kind's page of the format reference, relative to docs/src/.
    pub doc: &'static str,
    /// Reference and criteria checks of this kind are written by hand in
    /// [`crate::registers`] (policies, risks) rather than derived here.
    pub own_checks: bool,
    /// How its records are read.
    pub read: Reader,
    /// What a record that cannot be read leaves for the checks.
    pub bad_record: BadRecord,
    /// A field whose value names a file of the kind's own folder that is an attachment, not
    /// records (an evidence record's `file: evidence/config.yaml`).
    pub attachments: Option<&'static str>,
}

/// How a kind's records are read: the kind's reader, which adds what it read to the loader's
/// sink ([`crate::project::load::Records`]).
#[derive(Debug, Clone, Copy)]
pub enum Reader {
    /// trustbook.yaml, read first and apart: without it there is no project.
    Config,
    /// One YAML record; false if it could not be read (the problems are reported).
    Yaml(fn(&Node, &mut crate::project::load::Ctx) -> bool),
    /// One Markdown file; `Err(id)` if it could not be read (`None` when even its ID is unknown).
    Markdown(
        fn(
            &crate::project::load::SourceFile,
            &mut crate::project::load::Ctx,
        ) -> Result<(), Option<String>>,
    ),
}

/// What a record that cannot be read leaves in [`Unreadable`], so that references to it are not
/// reported a second time as unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadRecord {
    /// Its ID (when the kind has one and the record names it).
    KeepId,
    /// The whole kind counts as incomplete (risks: the register-wide checks are not made).
    Incomplete,
}

impl Kind {
    /// Where records of the kind are written, as the schema's description says it.
    pub fn files(&self) -> String {
        match (self.place, self.format) {
            (Place::File(f), _) => format!("content/{f}"),
            (Place::Folder(d, _), Format::FrontMatter) => {
                format!("the front matter of content/{d}/*.md")
            }
            (Place::Folder(d, _), _) => format!("content/{d}/*.yaml"),
        }
    }
    /// The field `name`, if the record has one.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.record.fields.iter().find(|f| f.name == name)
    }
    /// The file or folder name directly under content/.
    pub fn place_name(&self) -> &'static str {
        match self.place {
            Place::File(f) | Place::Folder(f, _) => f,
        }
    }
}

/// The field names of a block, for the readers (`Rec::new`), computed at compile time.
pub const fn names<const N: usize>(fields: &[Field]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = fields[i].name;
        i += 1;
    }
    out
}

/// The extensions of YAML record files.
pub const YAML: &[&str] = &["yaml", "yml"];
/// The extensions of Markdown files.
pub const MARKDOWN: &[&str] = &["md", "markdown"];

use Field as F;

const fn text(name: &'static str, desc: &'static str) -> Field {
    F::new(name, Ty::Text, desc)
}
const fn date(name: &'static str, desc: &'static str) -> Field {
    F::new(name, Ty::Date, desc)
}
const fn texts(name: &'static str, desc: &'static str) -> Field {
    F::new(name, Ty::TextList, desc)
}
const fn criteria(name: &'static str, scope: Scope, desc: &'static str) -> Field {
    F::new(name, Ty::Criteria(scope), desc)
}
const COUNT: Ty = Ty::Int {
    min: Some(0),
    max: None,
};
const SCALE: Ty = Ty::Int {
    min: Some(1),
    max: Some(5),
};
const fn block(title: &'static str, desc: &'static str, fields: &'static [Field]) -> Block {
    Block {
        title,
        desc,
        fields,
        all_of: None,
        text_form: None,
    }
}

// ---------------------------------------------------------------------------------------------
// trustbook.yaml

/// `organization` of trustbook.yaml.
pub const ORGANIZATION: Block = block(
    "Organization",
    "",
    &[
        text("name", "The legal name, e.g. Northwind Analytics, Inc.")
            .req()
            .public(),
        text("website", "The public website URL.").public(),
        text(
            "security_contact",
            "An e-mail address for security questions.",
        )
        .public(),
        text(
            "logo",
            "An SVG, PNG or JPEG file relative to content/, e.g. assets/logo.svg.",
        )
        .public(),
    ],
);
/// `system` of trustbook.yaml.
pub const SYSTEM: Block = block(
    "System",
    "",
    &[
        text(
            "name",
            "The system's name: \"the system\" in every report sentence.",
        )
        .req()
        .public(),
        text("summary", "One public paragraph describing the system.").public(),
    ],
);
/// `report.period`.
pub const PERIOD: Block = block(
    "Period",
    "",
    &[
        date("start", "First day of the period.").req().public(),
        date("end", "Last day of the period.").req().public(),
    ],
);
/// An entry of `report.not_relevant`.
pub const NOT_RELEVANT: Block = block(
    "Not relevant",
    "A criterion that does not apply.",
    &[
        F::new(
            "criterion",
            Ty::Criterion,
            "A Trust Services Criteria ID, e.g. CC6.1.",
        )
        .req()
        .public(),
        text("reason", "Why the criterion does not apply.").req(),
    ],
);
/// `report.auditor` (or a plain firm name).
pub const AUDITOR: Block = Block {
    text_form: Some("firm"),
    ..block(
        "Auditor",
        "The CPA firm engaged.",
        &[text("firm", "The firm's name.").req().public()],
    )
};
/// `report` of trustbook.yaml.
pub const REPORT: Block = Block {
    all_of: Some(report_conditions),
    ..block(
        "Report",
        "",
        &[
            F::new(
                "type",
                Ty::Enum(ReportType::VALUES),
                "type1: design at a date; type2: design and operating effectiveness over a period.",
            )
            .req()
            .public(),
            F::new(
                "period",
                Ty::Object(&PERIOD),
                "The period a Type 2 report covers (3 to 12 months).",
            )
            .public(),
            date("as_of", "The date a Type 1 report speaks at.").public(),
            F::new(
                "categories",
                Ty::Schema(categories, Some(Category::VALUES)),
                "Trust Services categories in scope; security is mandatory.",
            )
            .req()
            .public(),
            F::new(
                "not_relevant",
                Ty::Items(&NOT_RELEVANT),
                "Criteria of in-scope categories that do not apply, each with a reason (DC8).",
            )
            .public(),
            F::new(
                "auditor",
                Ty::TextOrObject(&AUDITOR),
                "The CPA firm engaged (never an opinion).",
            )
            .public(),
            date(
                "content_date",
                "The date the content speaks for (default: the latest date in the records); used for overdue remediation.",
            )
            .public(),
        ],
    )
};
/// `trust_page` of trustbook.yaml.
pub const TRUST_PAGE: Block = block(
    "Trust page",
    "",
    &[
        text("base_url", "The URL the trust page is published at.").public(),
        text(
            "request_access",
            "A link (mailto: or https:) for requesting the restricted readiness package.",
        )
        .public(),
        F::new(
            "show_readiness",
            Ty::Bool,
            "false hides the readiness counts and gap numbers from the public page (default: true).",
        )
        .public(),
        F::new(
            "policies",
            Ty::Bool,
            "List approved policies by title (and public summary) on the trust page, available on request. Default false.",
        )
        .public(),
    ],
);
pub const TRUSTBOOK: Kind = Kind {
    name: "trustbook",
    noun: "trustbook.yaml",
    id_noun: "",
    place: Place::File("trustbook.yaml"),
    format: Format::Config,
    record: block(
        "trustbook.yaml",
        "Organization, system, report scope and period, trust page settings.",
        &[
            F::new(
                "organization",
                Ty::Object(&ORGANIZATION),
                "The service organization.",
            )
            .req()
            .public(),
            F::new(
                "system",
                Ty::Object(&SYSTEM),
                "The system the report describes.",
            )
            .req()
            .public(),
            F::new(
                "report",
                Ty::Object(&REPORT),
                "The report's type, scope and period.",
            )
            .req()
            .public(),
            F::new(
                "trust_page",
                Ty::Object(&TRUST_PAGE),
                "Settings of the public trust page.",
            )
            .public(),
            text(
                "theme",
                "The theme to render with: the folder themes/<name>/ of the project, over the built-in theme (default: default). `trustbook theme eject --name <name>` creates it.",
            )
            .public(),
        ],
    ),
    id: None,
    body: None,
    doc: "format/trustbook.md",
    own_checks: false,
    read: Reader::Config,
    bad_record: BadRecord::KeepId,
    attachments: None,
};

// ---------------------------------------------------------------------------------------------
// Controls, tests, evidence

/// `mappings` of a control.
pub const MAPPINGS: Block = block(
    "Mappings",
    "",
    &[F::new(
        "iso27001-2022",
        Ty::AnnexList,
        "ISO/IEC 27001:2022 Annex A controls, e.g. [A.5.18, A.8.2].",
    )],
);
/// `public` of a control: what the trust page may show.
pub const CONTROL_PUBLIC: Block = block(
    "Public face",
    "",
    &[
        text("theme", "The trust-page group, e.g. \"Access control\".")
            .req()
            .public(),
        text("summary", "One public sentence about the control.")
            .req()
            .public(),
    ],
);
pub const CONTROL: Kind = Kind {
    name: "control",
    noun: "control",
    id_noun: "control",
    place: Place::Folder("controls", YAML),
    format: Format::Records,
    record: block(
        "Control",
        "A control of the system.",
        &[
            text("id", "Unique control ID across the project, e.g. AC-01.").req(),
            text(
                "title",
                "A short title, e.g. \"Quarterly user access reviews\".",
            )
            .req(),
            text(
                "description",
                "What the control does, who performs it and what record it leaves.",
            )
            .req(),
            text(
                "owner",
                "The role that owns the control, e.g. VP Engineering.",
            )
            .req(),
            F::new(
                "frequency",
                Ty::Enum(Frequency::VALUES),
                "How often the control operates; drives the expected test sample size.",
            )
            .req(),
            F::new(
                "nature",
                Ty::Enum(Nature::VALUES),
                "Manual, automated or IT-dependent manual.",
            )
            .req(),
            F::new(
                "kind",
                Ty::Enum(ControlKind::VALUES),
                "Preventive, detective or corrective.",
            )
            .req(),
            F::new(
                "status",
                Ty::Enum(ControlStatus::VALUES),
                "How far the control is in place. Only implemented controls count as designed.",
            )
            .req()
            .public(),
            criteria(
                "criteria",
                Scope::Warn,
                "The Trust Services Criteria this control addresses.",
            )
            .public(),
            F::new(
                "mappings",
                Ty::Object(&MAPPINGS),
                "The same control mapped to other frameworks.",
            ),
            texts(
                "evidence",
                "IDs of evidence records that show the control operating.",
            )
            .refs("evidence"),
            texts(
                "policies",
                "IDs of the policies this control carries out, e.g. [POL-ACCESS].",
            )
            .refs("policy"),
            F::new(
                "public",
                Ty::Object(&CONTROL_PUBLIC),
                "Allow-list of what the public trust page may show about this control. Without it, the control stays off the trust page.",
            )
            .public(),
        ],
    ),
    id: Some("id"),
    body: None,
    doc: "format/controls.md",
    own_checks: false,
    read: Reader::Yaml(crate::project::load::control),
    bad_record: BadRecord::KeepId,
    attachments: None,
};

/// An entry of a test's `exceptions` (or a plain description).
pub const EXCEPTION: Block = Block {
    text_form: Some("description"),
    ..block(
        "Exception",
        "One deviation found by the test.",
        &[
            text(
                "description",
                "What was found, e.g. \"For 1 of 25 sampled changes, ...\".",
            )
            .req(),
            F::new("deviations", COUNT, "The number of deviations."),
            text(
                "management_response",
                "Management's response to the exception.",
            ),
        ],
    )
};
pub const TEST: Kind = Kind {
    name: "test",
    noun: "test",
    id_noun: "test",
    place: Place::Folder("tests", YAML),
    format: Format::Records,
    record: Block {
        all_of: Some(test_conditions),
        ..block(
            "Test",
            "A test of a control (Type 2: operating effectiveness; Type 1: design walkthrough).",
            &[
                text("id", "Unique test ID across the project, e.g. T-AC-01.").req(),
                text("control", "The ID of the control tested.")
                    .req()
                    .refs("control"),
                text(
                    "procedure",
                    "What was done to test the control, in the past tense (\"Inspected ...\").",
                )
                .req(),
                F::new(
                    "methods",
                    Ty::EnumList(Method::VALUES),
                    "Test methods used.",
                ),
                text(
                    "performed_by",
                    "Who performed the test, e.g. Internal audit.",
                ),
                date(
                    "performed_on",
                    "The date the test was performed; for Type 2, on or after the period start.",
                )
                .req(),
                F::new(
                    "population",
                    COUNT,
                    "The number of occurrences of the control in the period.",
                ),
                F::new(
                    "sample",
                    COUNT,
                    "The number of occurrences inspected; at most the population.",
                ),
                F::new(
                    "result",
                    Ty::Enum(TestResult::VALUES),
                    "The outcome of the test.",
                )
                .req(),
                F::new(
                    "exceptions",
                    Ty::TextOrObjects(&EXCEPTION),
                    "Required when result is `exceptions`, not allowed otherwise.",
                ),
                texts("evidence", "IDs of evidence records the test relied on.").refs("evidence"),
            ],
        )
    },
    id: Some("id"),
    body: None,
    doc: "format/tests.md",
    own_checks: false,
    read: Reader::Yaml(crate::project::load::test),
    bad_record: BadRecord::KeepId,
    attachments: None,
};

/// A `{ start, end }` span of an evidence record's `covers`.
pub const COVERS_SPAN: Block = block(
    "",
    "",
    &[
        date("start", "First day shown.").req(),
        date("end", "Last day shown.").req(),
    ],
);
pub const EVIDENCE: Kind = Kind {
    name: "evidence",
    noun: "evidence",
    id_noun: "evidence",
    place: Place::Folder("evidence", YAML),
    format: Format::Records,
    record: block(
        "Evidence",
        "An evidence record; the file it points to lives under content/.",
        &[
            text(
                "id",
                "Unique evidence ID across the project, e.g. EV-AC-01-Q1.",
            )
            .req(),
            text("title", "What the evidence is.").req(),
            date("collected_on", "The date the evidence was collected.").req(),
            text(
                "source",
                "Where the evidence comes from, e.g. \"Ticketing system, SEC-1234\".",
            ),
            text(
                "file",
                "Optional file, relative to content/; its SHA-256 goes into the package.",
            ),
            F::new(
                "sha256",
                Ty::Sha256,
                "SHA-256 of `file` (64 hex digits); must match the file.",
            ),
            F::new(
                "refresh",
                Ty::Enum(Frequency::VALUES),
                "How often the evidence is collected again; older than this at the report date = stale.",
            ),
            F::new(
                "covers",
                Ty::Periods(&COVERS_SPAN),
                "The occurrence(s) of the control this evidence shows (v1.1): a day (2026-03-14), a month (2026-03), a quarter (2026-Q1), a half (2026-H1), a year (2026), a list of these, or { start, end } for a continuous control over a span. Must lie within the period.",
            ),
        ],
    ),
    id: Some("id"),
    body: None,
    doc: "format/evidence.md",
    own_checks: false,
    read: Reader::Yaml(crate::project::load::evidence),
    bad_record: BadRecord::KeepId,
    attachments: Some("file"),
};

// ---------------------------------------------------------------------------------------------
// Vendors, CUECs, remediation

/// `soc_report` of a vendor (v1.1).
pub const SOC_REPORT: Block = block(
    "SOC report",
    "",
    &[
        F::new(
            "type",
            Ty::Enum(SocReportType::VALUES),
            "type1 | type2 | iso27001 | none (no report obtained).",
        )
        .req(),
        F::new(
            "period",
            Ty::Object(&VENDOR_PERIOD),
            "Type 2: the period the vendor's report covers.",
        ),
        date(
            "as_of",
            "Type 1 and ISO 27001: the date the report or certificate speaks at.",
        ),
        F::new(
            "opinion",
            Ty::Enum(Opinion::VALUES),
            "The service auditor's opinion: unmodified, qualified, adverse or disclaimer.",
        ),
        date(
            "bridge_letter_through",
            "A bridge (gap) letter from the vendor's management covers up to this date.",
        ),
        date(
            "reviewed_on",
            "When management reviewed the report and its CUECs.",
        ),
        text("reviewed_by", "Who reviewed it (a role or name)."),
    ],
);
/// `soc_report.period` of a vendor.
pub const VENDOR_PERIOD: Block = block(
    "Period",
    "",
    &[
        date("start", "First day of the report's period.").req(),
        date("end", "Last day of the report's period.").req(),
    ],
);
const SUBPROCESSOR: (&str, &str) = ("subprocessor", "true");
pub const VENDOR: Kind = Kind {
    name: "vendor",
    noun: "vendor",
    id_noun: "vendor",
    place: Place::Folder("vendors", YAML),
    format: Format::Records,
    record: block(
        "Vendor",
        "A subservice organization or subprocessor.",
        &[
            text("name", "The vendor's name (unique).")
                .req()
                .public_if(SUBPROCESSOR.0, SUBPROCESSOR.1),
            text("service", "The service it provides."),
            F::new(
                "subservice",
                Ty::Enum(Subservice::VALUES),
                "How the report treats it: carve-out, inclusive, or none (not a subservice organization).",
            ),
            criteria(
                "criteria",
                Scope::Any,
                "Criteria its controls help meet (DC7).",
            ),
            texts(
                "csocs",
                "Complementary subservice organization controls assumed.",
            ),
            texts(
                "monitoring",
                "IDs of our controls that monitor this vendor.",
            )
            .refs("control"),
            F::new(
                "subprocessor",
                Ty::Bool,
                "Listed on the public trust page as a subprocessor.",
            )
            .public(),
            text(
                "purpose",
                "Public text: what the vendor processes data for.",
            )
            .public_if(SUBPROCESSOR.0, SUBPROCESSOR.1),
            texts("locations", "Where it processes data.")
                .public_if(SUBPROCESSOR.0, SUBPROCESSOR.1),
            texts("data", "Kinds of data it processes.").public_if(SUBPROCESSOR.0, SUBPROCESSOR.1),
            F::new(
                "soc_report",
                Ty::Object(&SOC_REPORT),
                "The subservice organization's own assurance report, as reviewed by management (expected for carve-out and inclusive subservice organizations).",
            ),
        ],
    ),
    id: Some("name"),
    body: None,
    doc: "format/vendors.md",
    own_checks: false,
    read: Reader::Yaml(crate::project::load::vendor),
    bad_record: BadRecord::KeepId,
    attachments: None,
};

pub const CUEC: Kind = Kind {
    name: "cuec",
    noun: "CUEC",
    id_noun: "CUEC",
    place: Place::File("cuecs.yaml"),
    format: Format::Records,
    record: block(
        "CUEC",
        "A complementary user entity control (DC6).",
        &[
            text("id", "Unique CUEC ID, e.g. CUEC-1.").req(),
            text(
                "text",
                "The control the company assumes its customers operate.",
            )
            .req(),
            criteria("criteria", Scope::Any, "Criteria the CUEC relates to."),
        ],
    ),
    id: Some("id"),
    body: None,
    doc: "format/cuecs.md",
    own_checks: false,
    read: Reader::Yaml(crate::project::load::cuec),
    bad_record: BadRecord::KeepId,
    attachments: None,
};

pub const REMEDIATION: Kind = Kind {
    name: "remediation",
    noun: "remediation item",
    id_noun: "remediation",
    place: Place::Folder("remediation", YAML),
    format: Format::Records,
    record: Block {
        all_of: Some(remediation_conditions),
        ..block(
            "Remediation item",
            "A gap and its remediation.",
            &[
                text("id", "Unique remediation ID, e.g. GAP-004.").req(),
                text("title", "The gap and what is done about it.").req(),
                criteria("criteria", Scope::Any, "Criteria affected."),
                texts("controls", "IDs of the controls involved.").refs("control"),
                text("owner", "Who owns the remediation."),
                date("opened", "When the item was opened."),
                date("due", "When it is due; open after this date = overdue."),
                F::new(
                    "status",
                    Ty::Enum(RemediationStatus::VALUES),
                    "The state of the item.",
                )
                .req(),
                date(
                    "closed_on",
                    "When it was closed; required when status is closed.",
                ),
            ],
        )
    },
    id: Some("id"),
    body: None,
    doc: "format/remediation.md",
    own_checks: false,
    read: Reader::Yaml(crate::project::load::remediation),
    bad_record: BadRecord::KeepId,
    attachments: None,
};

// ---------------------------------------------------------------------------------------------
// Narratives, policies, risks

const AUDIENCE_PUBLIC: (&str, &str) = ("audience", "public");
pub const NARRATIVE: Kind = Kind {
    name: "narrative",
    noun: "narrative front matter",
    id_noun: "",
    place: Place::Folder("narratives", MARKDOWN),
    format: Format::FrontMatter,
    record: Block {
        all_of: Some(narrative_conditions),
        ..block(
            "Narrative front matter",
            "The YAML block between `---` lines at the top of a narrative.",
            &[
                text("title", "The section's heading.")
                    .req()
                    .public_if(AUDIENCE_PUBLIC.0, AUDIENCE_PUBLIC.1),
                F::new(
                    "section",
                    Ty::Enum(Section::VALUES),
                    "Where the text goes: a DC 200 section of the package, or trust-* for the trust page.",
                )
                .req()
                .public(),
                F::new(
                    "order",
                    Ty::Int {
                        min: None,
                        max: None,
                    },
                    "Order among narratives of the same section (ascending).",
                )
                .public(),
                F::new(
                    "audience",
                    Ty::Enum(Audience::VALUES),
                    "restricted (default) or public; trust-* sections must be public.",
                )
                .public(),
            ],
        )
    },
    id: None,
    body: Some(Public::If {
        field: AUDIENCE_PUBLIC.0,
        is: AUDIENCE_PUBLIC.1,
    }),
    doc: "format/narratives.md",
    own_checks: false,
    read: Reader::Markdown(crate::project::load::narrative),
    bad_record: BadRecord::KeepId,
    attachments: None,
};

/// An entry of a policy's `revisions`.
pub const REVISION: Block = block(
    "Revision",
    "One version of the policy.",
    &[
        text("version", "The version, e.g. \"2.1\".").req(),
        date("date", "When this version was approved.").req(),
        text("summary", "What changed."),
    ],
);
const APPROVED: (&str, &str) = ("status", "approved");
/// `public` of a policy.
pub const POLICY_PUBLIC: Block = block(
    "Public face",
    "",
    &[text("summary", "One public sentence about the policy.").public_if(APPROVED.0, APPROVED.1)],
);
pub const POLICY: Kind = Kind {
    name: "policy",
    noun: "policy",
    id_noun: "policy",
    place: Place::Folder("policies", MARKDOWN),
    format: Format::FrontMatter,
    record: Block {
        all_of: Some(policy_conditions),
        ..block(
            "Policy front matter",
            "The YAML block between `---` lines at the top of a policy; the Markdown after it is the policy text (restricted).",
            &[
                text(
                    "id",
                    "Unique policy ID; it names the PDF (letters, digits, - _ .), e.g. POL-ACCESS.",
                )
                .req(),
                text(
                    "title",
                    "The policy's title, e.g. \"Access Control Policy\".",
                )
                .req()
                .public_if(APPROVED.0, APPROVED.1),
                text(
                    "version",
                    "The current version, e.g. \"2.1\" (quote it so YAML keeps it as text).",
                ),
                text("owner", "The role that owns the policy.").req(),
                text(
                    "approved_by",
                    "Who approved the current version; required when approved.",
                ),
                date(
                    "approved_on",
                    "When the current version was approved; required when approved.",
                ),
                F::new(
                    "review",
                    Ty::Enum(ReviewInterval::VALUES),
                    "How often the policy must be approved again (default annual); older than this at the content date = review overdue.",
                ),
                F::new(
                    "status",
                    Ty::Enum(PolicyStatus::VALUES),
                    "draft, approved or retired; only approved policies get a PDF and appear on the trust page.",
                )
                .req()
                .public(),
                criteria(
                    "criteria",
                    Scope::Any,
                    "The criteria the policy supports (statuses still come from controls).",
                ),
                text(
                    "acknowledgment",
                    "Who must acknowledge the policy, e.g. all-personnel (free text).",
                ),
                F::new(
                    "revisions",
                    Ty::Items(&REVISION),
                    "The revision history, newest first; the first entry matches `version` and `approved_on`.",
                ),
                F::new(
                    "public",
                    Ty::Object(&POLICY_PUBLIC),
                    "What the trust page may show besides the title (when trust_page.policies is true).",
                )
                .public_if(APPROVED.0, APPROVED.1),
            ],
        )
    },
    id: Some("id"),
    body: Some(Public::No),
    doc: "format/policies.md",
    own_checks: true,
    read: Reader::Markdown(crate::project::policy::policy),
    bad_record: BadRecord::KeepId,
    attachments: None,
};

/// A rating of a risk (`inherent`, `residual`).
pub const RATING: Block = block(
    "Rating",
    "",
    &[
        F::new("likelihood", SCALE, "1 rare to 5 almost certain.").req(),
        F::new("impact", SCALE, "1 minor to 5 severe.").req(),
    ],
);
pub const RISK: Kind = Kind {
    name: "risk",
    noun: "risk",
    id_noun: "risk",
    place: Place::Folder("risks", YAML),
    format: Format::Records,
    record: Block {
        all_of: Some(risk_conditions),
        ..block(
            "Risk",
            "A risk of the risk register (restricted).",
            &[
                text("id", "Unique risk ID, e.g. R-07.").req(),
                text("title", "The risk in a few words.").req(),
                text("description", "What could happen and how."),
                text("category", "A free-text category, e.g. Security."),
                F::new(
                    "source",
                    Ty::Enum(RiskSource::VALUES),
                    "internal or external (CC3.2), fraud (CC3.3), change (CC3.4).",
                )
                .req(),
                text("owner", "Who owns the risk.").req(),
                date("assessed_on", "When the risk was last assessed.").req(),
                F::new(
                    "inherent",
                    Ty::Object(&RATING),
                    "The rating before controls; score = likelihood × impact.",
                )
                .req(),
                F::new(
                    "treatment",
                    Ty::Enum(Treatment::VALUES),
                    "mitigate and transfer need controls; accept needs accepted_by and accepted_on.",
                )
                .req(),
                texts("controls", "IDs of the controls that treat the risk.").refs("control"),
                F::new(
                    "residual",
                    Ty::Object(&RATING),
                    "The rating after controls (default: the inherent rating).",
                ),
                texts(
                    "remediation",
                    "IDs of remediation items that reduce the risk further.",
                )
                .refs("remediation"),
                text("accepted_by", "Who accepted the risk; required for accept."),
                date(
                    "accepted_on",
                    "When the risk was accepted; required for accept.",
                ),
            ],
        )
    },
    id: Some("id"),
    body: None,
    doc: "format/risks.md",
    own_checks: true,
    read: Reader::Yaml(crate::project::risk::risk),
    bad_record: BadRecord::Incomplete,
    attachments: None,
};

// ---------------------------------------------------------------------------------------------
// Schema shapes the field types do not say: conditions between fields, the categories list

/// `report.categories`: in-scope categories, security among them.
fn categories(desc: &str) -> Value {
    json!({
        "type": "array",
        "items": { "type": "string", "enum": Category::VALUES },
        "contains": { "const": "security" },
        "uniqueItems": true,
        "description": desc
    })
}

/// `report`: Type 2 needs a period, Type 1 an as-of date.
fn report_conditions() -> Value {
    json!([
        {
            "if": { "properties": { "type": { "const": "type2" } }, "required": ["type"] },
            "then": { "required": ["period"] }
        },
        {
            "if": { "properties": { "type": { "const": "type1" } }, "required": ["type"] },
            "then": { "required": ["as_of"] }
        }
    ])
}

/// A test lists exceptions exactly when its result is `exceptions`.
fn test_conditions() -> Value {
    json!([{
        "if": { "properties": { "result": { "const": "exceptions" } }, "required": ["result"] },
        "then": { "required": ["exceptions"], "properties": { "exceptions": { "type": "array", "minItems": 1 } } },
        "else": { "properties": { "exceptions": { "anyOf": [ { "type": "null" }, { "type": "array", "maxItems": 0 } ] } } }
    }])
}

/// A closed remediation item has a `closed_on`.
fn remediation_conditions() -> Value {
    json!([{
        "if": { "properties": { "status": { "const": "closed" } }, "required": ["status"] },
        "then": { "required": ["closed_on"], "properties": { "closed_on": { "type": "string" } } }
    }])
}

/// Trust-page narratives are public.
fn narrative_conditions() -> Value {
    json!([{
        "if": { "properties": { "section": { "enum": ["trust-overview", "trust-faq"] } }, "required": ["section"] },
        "then": { "required": ["audience"], "properties": { "audience": { "const": "public" } } }
    }])
}

/// An approved policy says who approved it and when.
fn policy_conditions() -> Value {
    json!([{
        "if": { "properties": { "status": { "const": "approved" } }, "required": ["status"] },
        "then": { "required": ["approved_by", "approved_on"] }
    }])
}

/// Mitigated and transferred risks list controls; accepted risks say who accepted them.
fn risk_conditions() -> Value {
    json!([
        {
            "if": { "properties": { "treatment": { "enum": ["mitigate", "transfer"] } }, "required": ["treatment"] },
            "then": { "required": ["controls"], "properties": { "controls": { "type": "array", "minItems": 1 } } }
        },
        {
            "if": { "properties": { "treatment": { "const": "accept" } }, "required": ["treatment"] },
            "then": { "required": ["accepted_by", "accepted_on"] }
        }
    ])
}

/// Every record kind, in the order they are loaded, checked and written as schemas.
pub static KINDS: &[Kind] = &[
    TRUSTBOOK,
    CONTROL,
    TEST,
    EVIDENCE,
    VENDOR,
    CUEC,
    REMEDIATION,
    NARRATIVE,
    POLICY,
    RISK,
];

/// The kind named `name`.
pub fn kind(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.name == name)
}

// ---------------------------------------------------------------------------------------------
// Values of loaded records, for the checks derived from the table

/// The located text values of field `field` of every record of kind `kind` in `p`, in record
/// order (a list field gives each item). A kind's accessor: one `match` arm per kind.
pub fn values<'a>(p: &'a Project, kind: &str, field: &str) -> Vec<&'a S<String>> {
    fn one(x: &S<String>) -> Vec<&S<String>> {
        vec![x]
    }
    fn list(x: &[S<String>]) -> Vec<&S<String>> {
        x.iter().collect()
    }
    match kind {
        "control" => p
            .controls
            .iter()
            .flat_map(|c| match field {
                "id" => one(&c.id),
                "criteria" => list(&c.criteria),
                "evidence" => list(&c.evidence),
                "policies" => list(&c.policies),
                _ => vec![],
            })
            .collect(),
        "test" => p
            .tests
            .iter()
            .flat_map(|t| match field {
                "id" => one(&t.id),
                "control" => one(&t.control),
                "evidence" => list(&t.evidence),
                _ => vec![],
            })
            .collect(),
        "evidence" => p
            .evidence
            .iter()
            .flat_map(|e| match field {
                "id" => one(&e.id),
                _ => vec![],
            })
            .collect(),
        "vendor" => p
            .vendors
            .iter()
            .flat_map(|v| match field {
                "name" => one(&v.name),
                "criteria" => list(&v.criteria),
                "monitoring" => list(&v.monitoring),
                _ => vec![],
            })
            .collect(),
        "cuec" => p
            .cuecs
            .iter()
            .flat_map(|c| match field {
                "id" => one(&c.id),
                "criteria" => list(&c.criteria),
                _ => vec![],
            })
            .collect(),
        "remediation" => p
            .remediation
            .iter()
            .flat_map(|r| match field {
                "id" => one(&r.id),
                "criteria" => list(&r.criteria),
                "controls" => list(&r.controls),
                _ => vec![],
            })
            .collect(),
        "policy" => p
            .policies
            .iter()
            .flat_map(|x| match field {
                "id" => one(&x.id),
                "criteria" => list(&x.criteria),
                _ => vec![],
            })
            .collect(),
        "risk" => p
            .risks
            .iter()
            .flat_map(|r| match field {
                "id" => one(&r.id),
                "controls" => list(&r.controls),
                "remediation" => list(&r.remediation),
                _ => vec![],
            })
            .collect(),
        _ => vec![],
    }
}

// ---------------------------------------------------------------------------------------------
// Public and restricted text of raw records (the leak test)

/// One text written in a record, with the path of its field and whether it may reach the
/// trust page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldText {
    /// The field's path, e.g. `exceptions.management_response`; `body` for a Markdown body.
    pub path: String,
    /// The text.
    pub value: String,
    /// True if the field is public in this record.
    pub public: bool,
}

/// A field that holds text a user writes: where a leak canary goes if it is restricted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextField {
    /// The field's path, e.g. `exceptions.management_response`; `body` for a Markdown body.
    pub path: String,
    /// Its declared visibility (a nested field is no more public than its block).
    pub public: Public,
    /// False for text whose form is fixed (a SHA-256): it is restricted, but cannot say CANARY.
    pub canary: bool,
}

/// The text fields of a kind, recursively (and `body` for a Markdown kind).
pub fn text_fields(kind: &Kind) -> Vec<TextField> {
    fn walk(b: &Block, prefix: &str, parent: Public, out: &mut Vec<TextField>) {
        for f in b.fields {
            let public = combine(parent, f.public);
            let path = format!("{prefix}{}", f.name);
            if f.ty.is_text() || matches!(f.ty, Ty::Sha256) {
                out.push(TextField {
                    path: path.clone(),
                    public,
                    canary: f.ty.is_text(),
                });
            }
            if let Some(sub) = f.ty.block() {
                walk(sub, &format!("{path}."), public, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&kind.record, "", Public::Yes, &mut out);
    if let Some(b) = kind.body {
        out.push(TextField {
            path: "body".to_string(),
            public: b,
            canary: true,
        });
    }
    out
}

fn combine(parent: Public, child: Public) -> Public {
    match (parent, child) {
        (Public::No, _) | (_, Public::No) => Public::No,
        (Public::If { .. }, _) => parent,
        (Public::Yes, c) => c,
    }
}

fn is_public(p: Public, record: &Node) -> bool {
    match p {
        Public::No => false,
        Public::Yes => true,
        Public::If { field, is } => {
            crate::project::load::field_text(record, field).as_deref() == Some(is)
        }
    }
}

/// Every text written in the fields of one record (`node`) of kind `kind` (and in `body`, for
/// a Markdown kind), with whether it is public in that record.
pub fn record_texts(kind: &Kind, node: &Node, body: Option<&str>) -> Vec<FieldText> {
    fn texts_of(n: &Node) -> Vec<String> {
        match &n.kind {
            NodeKind::Seq(items) => items.iter().filter_map(|x| x.as_text()).collect(),
            _ => n.as_text().into_iter().collect(),
        }
    }
    fn walk(
        b: &Block,
        n: &Node,
        prefix: &str,
        parent: Public,
        record: &Node,
        out: &mut Vec<FieldText>,
    ) {
        let NodeKind::Map(entries) = &n.kind else {
            // A plain text where the block allows one stands for its `text_form` field.
            if let (Some(t), Some(name)) = (n.as_text(), b.text_form) {
                let f = b.fields.iter().find(|f| f.name == name);
                let public = combine(parent, f.map_or(Public::No, |f| f.public));
                out.push(FieldText {
                    path: format!("{prefix}{name}"),
                    value: t,
                    public: is_public(public, record),
                });
            }
            return;
        };
        for (k, v) in entries {
            let Some(f) = b
                .fields
                .iter()
                .find(|f| Some(f.name) == k.as_text().as_deref())
            else {
                continue;
            };
            let public = combine(parent, f.public);
            let path = format!("{prefix}{}", f.name);
            if f.ty.is_text() || matches!(f.ty, Ty::Sha256) {
                for value in texts_of(v) {
                    out.push(FieldText {
                        path: path.clone(),
                        value,
                        public: is_public(public, record),
                    });
                }
            }
            if let Some(sub) = f.ty.block() {
                let items: Vec<&Node> = match (&f.ty, &v.kind) {
                    (
                        Ty::Items(_) | Ty::TextOrObjects(_) | Ty::Periods(_),
                        NodeKind::Seq(items),
                    ) => items.iter().collect(),
                    _ => vec![v],
                };
                for item in items {
                    walk(sub, item, &format!("{path}."), public, record, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&kind.record, node, "", Public::Yes, node, &mut out);
    if let (Some(b), Some(text)) = (kind.body, body) {
        out.push(FieldText {
            path: "body".to_string(),
            value: text.to_string(),
            public: is_public(b, node),
        });
    }
    out
}

/// Every text written in the records of kind `kind` under `root`/content/, read from the files
/// as written (so the leak test sees what the user wrote, whatever the loader keeps).
pub fn project_texts(root: &std::path::Path, kind: &Kind) -> Vec<FieldText> {
    use crate::project::load;
    let content = root.join("content");
    let paths = match kind.place {
        Place::File(f) => vec![content.join(f)]
            .into_iter()
            .filter(|p| p.is_file())
            .collect(),
        Place::Folder(d, exts) => load::files_in(&content.join(d), exts),
    };
    let mut out = Vec::new();
    for p in paths {
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        let rel: std::sync::Arc<str> = std::sync::Arc::from(p.to_string_lossy().as_ref());
        match kind.format {
            Format::FrontMatter => {
                let mut scratch = Vec::new();
                let hints = load::FrontMatterHints {
                    missing: "",
                    empty: "",
                };
                if let Some((node, body, _)) =
                    load::front_matter(&rel, &text, kind.noun, hints, &mut scratch)
                {
                    out.extend(record_texts(kind, &node, Some(&body)));
                }
            }
            Format::Config | Format::Records => {
                let Ok(node) = crate::project::yaml::parse(&rel, &text, 0) else {
                    continue;
                };
                let records: Vec<&Node> = match &node.kind {
                    NodeKind::Seq(v) if kind.format == Format::Records => v.iter().collect(),
                    _ => vec![&node],
                };
                for r in records {
                    out.extend(record_texts(kind, r, None));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_references_name_kinds() {
        let mut seen = std::collections::BTreeSet::new();
        for k in KINDS {
            assert!(seen.insert(k.name), "{} twice", k.name);
            if let Some(id) = k.id {
                assert!(k.field(id).is_some(), "{}: no ID field {id}", k.name);
            }
            fn walk(b: &Block, at: &str) {
                let mut names = std::collections::BTreeSet::new();
                for f in b.fields {
                    assert!(names.insert(f.name), "{at}.{} twice", f.name);
                    if let Some(r) = f.refs {
                        let target =
                            kind(r).unwrap_or_else(|| panic!("{at}.{}: no kind {r}", f.name));
                        assert!(target.id.is_some(), "{at}.{}: {r} has no IDs", f.name);
                    }
                    if let Some(sub) = f.ty.block() {
                        walk(sub, &format!("{at}.{}", f.name));
                    }
                }
            }
            walk(&k.record, k.name);
        }
    }

    #[test]
    fn visibility_follows_the_condition_of_the_record() {
        let vendor = kind("vendor").unwrap();
        let n = crate::project::yaml::parse(
            &std::sync::Arc::from("v.yaml"),
            "name: A\nservice: S\nsubprocessor: true\n",
            0,
        )
        .unwrap();
        let t = record_texts(vendor, &n, None);
        assert!(t.iter().any(|x| x.path == "name" && x.public));
        assert!(t.iter().any(|x| x.path == "service" && !x.public));
        let n =
            crate::project::yaml::parse(&std::sync::Arc::from("v.yaml"), "name: B\n", 0).unwrap();
        assert!(record_texts(vendor, &n, None).iter().all(|x| !x.public));
    }
}
