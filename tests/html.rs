//! The public trust page: leak canaries, sanitizing, the machine-readable files, theme errors.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use trustbook::render::html::{render, sha256_hex};
use trustbook::render::theme::Theme;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn load(root: &Path) -> trustbook::project::Project {
    let loaded = trustbook::project::load(root);
    assert!(
        !loaded.diagnostics.has_errors(),
        "{} does not load:\n{}",
        root.display(),
        loaded.diagnostics.render(false)
    );
    loaded.project.expect("a project")
}

fn build_with(
    root: &Path,
    theme: &str,
) -> Result<BTreeMap<String, Vec<u8>>, trustbook::diag::Diagnostics> {
    let project = load(root);
    let assessment = trustbook::assess::assess(&project);
    let view = trustbook::view::public::public_view(&project, &assessment);
    render(&view, &Theme::load(root, theme))
}

fn build(name: &str) -> BTreeMap<String, Vec<u8>> {
    build_with(&fixture(name), "default")
        .unwrap_or_else(|d| panic!("render failed:\n{}", d.render(false)))
}

fn text(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(
        files
            .get(path)
            .unwrap_or_else(|| panic!("{path} is missing; files: {:?}", files.keys()))
            .clone(),
    )
    .expect("UTF-8")
}

fn texts(files: &BTreeMap<String, Vec<u8>>) -> Vec<(&String, String)> {
    files
        .iter()
        .map(|(k, v)| (k, String::from_utf8_lossy(v).into_owned()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Leak test

/// Every restricted value of the project (and a slug of it, in case a template made an id of
/// it): the text of every restricted field of every kind of the kinds table, as written in the
/// files, so a kind or field added later is covered without a line here.
fn restricted_values(root: &Path, p: &trustbook::project::Project) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for kind in trustbook::kinds::KINDS {
        for t in trustbook::kinds::project_texts(root, kind) {
            if t.public {
                continue;
            }
            if t.path == "body" {
                v.extend(
                    t.value
                        .lines()
                        .map(str::trim)
                        .filter(|l| l.len() > 12)
                        .map(str::to_string),
                );
            } else {
                v.push(t.value);
            }
        }
    }
    // Not written but derived: the SHA-256 the loader computes of each evidence file.
    v.extend(p.evidence.iter().filter_map(|e| e.file_sha256().cloned()));
    let slugs: Vec<String> = v
        .iter()
        .map(|s| trustbook::markdown::md_html::slug(s))
        .filter(|s| s.len() > 12)
        .collect();
    v.extend(slugs);
    v.retain(|s| !s.trim().is_empty());
    v
}

/// Guard against fixture rot, from the kinds table: every restricted text field of every kind
/// holds a value in `root` (in a record where it is restricted), and every such value holds a
/// canary. A field added to the table without a canary in the fixture fails here.
fn assert_every_restricted_field_holds_a_canary(root: &Path) {
    use trustbook::kinds::{KINDS, Public, project_texts, text_fields};
    let mut checked = 0;
    for kind in KINDS {
        let texts = project_texts(root, kind);
        for f in text_fields(kind) {
            if f.public == Public::Yes {
                continue;
            }
            let restricted: Vec<_> = texts
                .iter()
                .filter(|t| t.path == f.path && !t.public)
                .collect();
            assert!(
                !restricted.is_empty(),
                "{} `{}` is restricted but tests/fixtures/leak-canaries holds no value in it (where it is restricted): add one holding a CANARY-… string",
                kind.name,
                f.path
            );
            for t in &restricted {
                assert!(
                    !f.canary || t.value.contains("CANARY"),
                    "{} `{}` holds {:?}, without a canary",
                    kind.name,
                    f.path,
                    t.value
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} restricted fields checked");
}

#[test]
fn no_restricted_field_reaches_the_public_output() {
    let root = fixture("leak-canaries");
    let project = load(&root);

    assert_every_restricted_field_holds_a_canary(&root);
    // Conditions of the table the fixture must exercise both ways.
    assert!(
        project.config.trust_page.policies,
        "the fixture lists policies publicly"
    );
    assert!(project.vendors.iter().any(|v| v.subprocessor));
    assert!(
        project
            .policies
            .iter()
            .any(|p| p.status.value == trustbook::project::policy::PolicyStatus::Approved)
    );
    assert!(
        project
            .narratives
            .iter()
            .any(|n| n.audience.value == trustbook::project::Audience::Public)
    );

    let files = build("leak-canaries");
    let restricted = restricted_values(&root, &project);
    for (path, content) in texts(&files) {
        let lower = content.to_lowercase();
        assert!(
            !lower.contains("canary"),
            "{path} contains a canary:\n{}",
            content
                .lines()
                .filter(|l| l.to_lowercase().contains("canary"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        for r in &restricted {
            assert!(
                !content.contains(r.as_str()),
                "{path} contains the restricted value {r:?}"
            );
        }
    }
    // File names too.
    for path in files.keys() {
        assert!(
            !path.to_lowercase().contains("canary"),
            "an output file is named after a canary: {path}"
        );
    }

    // The public text does appear (so this test can fail).
    let index = text(&files, "index.html");
    for public in [
        "Lumen Test Company",
        "Lumen Ledger Platform",
        "The Lumen Ledger Platform is a hosted bookkeeping service for small businesses.",
        "Access control",
        "Access to production systems is reviewed every quarter.",
        "Data protection",
        "Incident response",
        "How we protect your data",
        "All customer data is encrypted at rest and in transit.",
        "Where is customer data stored?",
        "Skyhost Cloud",
        "Mailbird Messaging",
        "Germany, Ireland",
        "Example CPA LLP",
        "security@lumen-test.example",
        "Information Security Policy",
        "Our security program is set out in policies approved every year.",
        "Available on request",
    ] {
        assert!(
            index.contains(public),
            "index.html lacks the public text {public:?}"
        );
    }
    let json = text(&files, "trust.json");
    assert!(json.contains("Skyhost Cloud") && json.contains("Access control"));
    assert!(json.contains("\"policies\"") && json.contains("Information Security Policy"));
}

#[test]
fn statuses_are_honest_and_counted() {
    let files = build("leak-canaries");
    let json: Value = serde_json::from_str(&text(&files, "trust.json")).unwrap();
    let cats = json["readiness"]["categories"].as_array().unwrap();
    let titles: Vec<&str> = cats.iter().map(|c| c["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Security", "Availability", "Confidentiality"]);
    // Every in-scope criterion is counted, not only the summarized ones.
    let security = &cats[0];
    assert_eq!(
        security["criteria_in_scope"], 32,
        "33 security criteria, CC6.4 not relevant"
    );
    assert_eq!(security["criteria_not_relevant"], 1);
    let by_status: u64 = security["criteria_by_status"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(by_status, 32);
    assert!(
        security["criteria_by_status"]["gap"].as_u64().unwrap() > 20,
        "uncovered criteria are shown as gaps"
    );
    // Theme statuses: tested without exceptions → effective; exceptions → exceptions noted; planned → partially designed.
    let theme = |cat: &Value, name: &str| {
        cat["themes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(theme(security, "Access control")["status"], "effective");
    assert_eq!(
        theme(security, "Data protection")["status"],
        "exceptions-noted"
    );
    assert_eq!(
        theme(security, "Incident response")["status"],
        "partially-designed"
    );
    assert_eq!(security["controls_in_scope"], 3);
    assert_eq!(security["controls_summarized"], 3);
    let availability = &cats[1];
    assert_eq!(availability["controls_in_scope"], 1);
    assert_eq!(availability["controls_summarized"], 0);

    let index = text(&files, "index.html");
    assert!(index.contains("Exceptions noted") && index.contains("Partially designed"));
    for word in [
        "certified",
        "certification",
        "soc 2 compliant",
        "soc-2",
        "soc ii",
    ] {
        assert!(
            !index.to_lowercase().contains(word),
            "index.html says {word:?}"
        );
    }
    assert!(
        index.contains("not an auditor"),
        "the page says it is not an auditor's report"
    );
}

// ---------------------------------------------------------------------------------------------
// Sanitizer

#[test]
fn public_narratives_are_sanitized() {
    let files = build("html-sanitize");
    let index = text(&files, "index.html");
    for (path, content) in texts(&files) {
        let lower = content.to_lowercase();
        for bad in [
            "<script",
            "onerror",
            "onclick",
            "onmouseover",
            "javascript:",
            "<iframe",
            "<object",
            "<embed",
            "style=",
            "<style",
            "<form",
            "<input",
            "<button",
            "password",
            "evil.example",
            "tracker.example",
            "payload",
        ] {
            assert!(!lower.contains(bad), "{path} contains {bad:?}");
        }
    }
    for good in [
        "SAFE-TEXT-BEFORE",
        "SAFE-TEXT-AFTER",
        "SAFE-FOOTNOTE",
        "styled paragraph",
        "<table>",
        "<del>no</del>",
        "task task-done",
        "click me",
    ] {
        assert!(index.contains(good), "index.html lost {good:?}");
    }
    // Narrative headings and footnotes are namespaced and unique.
    assert!(index.contains("id=\"security-overview-fn-1\""));
}

// ---------------------------------------------------------------------------------------------
// Output files

fn check_against_schema(value: &Value, schema: &Value, root: &Value, at: &str) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let target = r
            .strip_prefix("#/")
            .unwrap()
            .split('/')
            .fold(root, |v, k| &v[k]);
        return check_against_schema(value, target, root, at);
    }
    if let Some(c) = schema.get("const") {
        assert_eq!(value, c, "{at}: expected {c}");
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        assert!(e.contains(value), "{at}: {value} is not one of {e:?}");
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let ok = types.iter().any(|t| match *t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_u64() || value.is_i64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            _ => false,
        });
        assert!(ok, "{at}: {value} is not of type {types:?}");
    }
    if let Some(obj) = value.as_object() {
        for req in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            assert!(
                obj.contains_key(req.as_str().unwrap()),
                "{at}: required key {req} is missing"
            );
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, v) in obj {
            let path = format!("{at}.{k}");
            if let Some(ps) = props.and_then(|p| p.get(k)) {
                check_against_schema(v, ps, root, &path);
            } else {
                match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => panic!("{at}: unexpected key {k}"),
                    Some(s @ Value::Object(_)) => check_against_schema(v, s, root, &path),
                    _ => {}
                }
                if let Some(pn) = schema.get("propertyNames") {
                    check_against_schema(&Value::String(k.clone()), pn, root, &path);
                }
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), value.as_array()) {
        for (i, v) in arr.iter().enumerate() {
            check_against_schema(v, items, root, &format!("{at}[{i}]"));
        }
    }
}

/// A small well-formedness check for XML (and, with `html`, for HTML5's void elements and
/// optional doctype): balanced tags, quoted attributes, no stray `<`.
fn check_markup(path: &str, s: &str, html: bool) {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr",
    ];
    let mut stack: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(off) = s[i..].find('<') {
        let start = i + off;
        if s[start..].starts_with("<!--") {
            i = start
                + s[start..]
                    .find("-->")
                    .unwrap_or_else(|| panic!("{path}: unclosed comment"))
                + 3;
            continue;
        }
        let end = start
            + s[start..]
                .find('>')
                .unwrap_or_else(|| panic!("{path}: unclosed tag at byte {start}"));
        let tag = &s[start + 1..end];
        i = end + 1;
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        assert!(
            !tag.contains('<'),
            "{path}: stray '<' inside a tag near byte {start}: {tag}"
        );
        let quotes = tag.matches('"').count();
        assert!(
            quotes.is_multiple_of(2),
            "{path}: unbalanced quotes in <{tag}>"
        );
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim().to_ascii_lowercase();
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("{path}: </{name}> closes nothing"));
            assert_eq!(open, name, "{path}: </{name}> closes <{open}>");
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '/')
            .collect::<String>()
            .to_ascii_lowercase();
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':'),
            "{path}: bad tag name in <{tag}>"
        );
        let self_closing = tag.ends_with('/');
        if self_closing || (html && VOID.contains(&name.as_str())) {
            continue;
        }
        stack.push(name);
    }
    assert!(stack.is_empty(), "{path}: unclosed elements {stack:?}");
}

fn urls(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for scheme in ["http://", "https://"] {
        let mut from = 0;
        while let Some(p) = s[from..].find(scheme) {
            let start = from + p;
            let end = s[start..]
                .find(|c: char| c.is_whitespace() || "\"'<>)".contains(c))
                .map(|e| start + e)
                .unwrap_or(s.len());
            out.push(s[start..end].to_string());
            from = end;
        }
    }
    out
}

fn host(url: &str) -> String {
    url.split("://")
        .nth(1)
        .unwrap_or("")
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .to_string()
}

#[test]
fn output_files_exist_and_are_valid() {
    let files = build("leak-canaries");
    for key in [
        "index.html",
        "style.css",
        "favicon.svg",
        "logo.svg",
        "trust.json",
        "trust.schema.json",
        ".well-known/security.txt",
        "subprocessors.atom",
        "sitemap.xml",
        "manifest.json",
    ] {
        assert!(
            files.contains_key(key),
            "{key} is missing; files: {:?}",
            files.keys()
        );
    }

    // trust.json against the shipped schema.
    let json: Value = serde_json::from_str(&text(&files, "trust.json")).expect("trust.json parses");
    let schema: Value =
        serde_json::from_str(&text(&files, "trust.schema.json")).expect("the schema parses");
    check_against_schema(&json, &schema, &schema, "trust.json");
    assert_eq!(json["organization"]["name"], "Lumen Test Company");
    assert_eq!(json["soc2"]["period"]["start"], "2026-01-01");
    assert_eq!(json["content_date"], "2026-07-09");

    // security.txt (RFC 9116).
    let sec = text(&files, ".well-known/security.txt");
    let field = |name: &str| {
        sec.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .map(str::to_string)
    };
    assert_eq!(
        field("Contact").as_deref(),
        Some("mailto:security@lumen-test.example")
    );
    assert_eq!(
        field("Expires").as_deref(),
        Some("2027-07-09T00:00:00Z"),
        "one year after the content date, RFC 3339"
    );
    assert_eq!(
        field("Canonical").as_deref(),
        Some("https://trust.lumen-test.example/.well-known/security.txt")
    );
    assert_eq!(field("Preferred-Languages").as_deref(), Some("en"));
    for l in sec.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        assert!(l.contains(": "), "security.txt line is not a field: {l}");
    }

    // XML files are well-formed and have what they must.
    let atom = text(&files, "subprocessors.atom");
    check_markup("subprocessors.atom", &atom, false);
    assert!(atom.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""));
    assert_eq!(atom.matches("<entry>").count(), 2);
    assert!(
        atom.contains("<title>Skyhost Cloud</title>")
            && atom.contains("<updated>2026-07-09T00:00:00Z</updated>")
    );
    let sitemap = text(&files, "sitemap.xml");
    check_markup("sitemap.xml", &sitemap, false);
    assert!(sitemap.contains("<loc>https://trust.lumen-test.example/</loc>"));

    // HTML: well-formed, landmarks, one h1, headings in order, unique ids, lang.
    let index = text(&files, "index.html");
    check_markup("index.html", &index, true);
    assert!(index.starts_with("<!DOCTYPE html>"));
    assert!(index.contains("<html lang=\"en\">"));
    for landmark in ["<header", "<nav", "<main", "<footer"] {
        assert!(index.contains(landmark), "index.html has no {landmark}");
    }
    assert_eq!(index.matches("<h1").count(), 1);
    let mut last = 0;
    for (pos, _) in index.match_indices("<h") {
        let level = index.as_bytes()[pos + 2];
        if level.is_ascii_digit() {
            let level = level - b'0';
            assert!(
                level <= last + 1,
                "heading order skips from h{last} to h{level} at byte {pos}"
            );
            last = level;
        }
    }
    let mut ids = BTreeSet::new();
    for (pos, _) in index.match_indices(" id=\"") {
        let id: String = index[pos + 5..].chars().take_while(|c| *c != '"').collect();
        assert!(ids.insert(id.clone()), "duplicate id {id}");
    }
    for (pos, _) in index.match_indices("href=\"#") {
        let target: String = index[pos + 7..].chars().take_while(|c| *c != '"').collect();
        assert!(ids.contains(&target), "link to #{target} goes nowhere");
    }

    // Manifest: every other file, with the right hashes.
    let manifest: Value = serde_json::from_str(&text(&files, "manifest.json")).unwrap();
    let listed: BTreeMap<String, String> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let others: BTreeSet<&String> = files.keys().filter(|k| *k != "manifest.json").collect();
    assert_eq!(listed.keys().collect::<BTreeSet<_>>(), others);
    for (path, hash) in &listed {
        assert_eq!(&sha256_hex(&files[path]), hash, "hash of {path}");
    }

    // No script, no inline style, no other host.
    let allowed: BTreeSet<&str> = [
        "lumen-test.example",
        "trust.lumen-test.example",
        "www.w3.org",
        "www.sitemaps.org",
        "json-schema.org",
    ]
    .into_iter()
    .collect();
    for (path, content) in texts(&files) {
        assert!(
            !content.to_lowercase().contains("<script"),
            "{path} has a <script>"
        );
        assert!(!content.contains("style="), "{path} has a style attribute");
        assert!(!content.contains("<style"), "{path} has a <style> element");
        for u in urls(&content) {
            assert!(
                allowed.contains(host(&u).as_str()),
                "{path} refers to another host: {u}"
            );
        }
    }
    // HTML and CSS name no namespace hosts either: nothing a browser could fetch.
    for path in ["index.html", "style.css"] {
        for u in urls(&text(&files, path)) {
            assert!(
                host(&u).ends_with("lumen-test.example"),
                "{path} refers to {u}"
            );
        }
    }
}

#[test]
fn output_is_reproducible() {
    assert_eq!(build("leak-canaries"), build("leak-canaries"));
}

#[test]
fn type1_without_base_url() {
    let files = build("html-sanitize");
    let index = text(&files, "index.html");
    assert!(
        index.contains("as of 31 March 2026"),
        "Type 1 shows its as-of date"
    );
    assert!(index.contains("Not yet named"), "no audit firm");
    assert!(
        !files.contains_key("sitemap.xml"),
        "a sitemap needs absolute URLs"
    );
    let sec = text(&files, ".well-known/security.txt");
    assert!(
        sec.contains("Contact: https://quill-test.example/security") && !sec.contains("Canonical")
    );
    let json: Value = serde_json::from_str(&text(&files, "trust.json")).unwrap();
    let schema: Value = serde_json::from_str(&text(&files, "trust.schema.json")).unwrap();
    check_against_schema(&json, &schema, &schema, "trust.json");
    assert_eq!(json["soc2"]["as_of"], "2026-03-31");
    assert!(json["soc2"]["period"].is_null());
    check_markup(
        "subprocessors.atom",
        &text(&files, "subprocessors.atom"),
        false,
    );
    check_markup("index.html", &index, true);
}

// ---------------------------------------------------------------------------------------------
// Theme errors

fn theme_error(theme: &str) -> trustbook::diag::Diagnostics {
    match build_with(&fixture("html-broken-theme"), theme) {
        Ok(_) => panic!("the {theme} theme should fail"),
        Err(d) => d,
    }
}

#[test]
fn undefined_field_in_a_custom_theme_is_located() {
    let d = theme_error("broken");
    let item = &d.items[0];
    let loc = item.loc.as_ref().expect("a location");
    assert_eq!(&*loc.file, "themes/broken/html/index.html");
    assert_eq!((loc.line, loc.column), (5, 25), "{}", d.render(false));
    assert!(item.message.contains("nope"), "{}", item.message);
    assert!(d.sources.contains_key("themes/broken/html/index.html"));
    let shown = d.render(false);
    assert!(
        shown.contains("themes/broken/html/index.html:5:25")
            && shown.contains("{{ site.organization.nope }}"),
        "{shown}"
    );
}

#[test]
fn syntax_error_in_a_custom_theme_is_located() {
    let d = theme_error("syntax");
    let loc = d.items[0].loc.as_ref().expect("a location");
    assert_eq!(
        &*loc.file,
        "themes/syntax/html/index.html",
        "{}",
        d.render(false)
    );
    assert!(loc.line >= 4, "{}", d.render(false));
    assert!(d.sources.contains_key("themes/syntax/html/index.html"));
}

#[test]
fn unknown_filter_in_a_custom_theme_is_located() {
    let d = theme_error("filter");
    let loc = d.items[0].loc.as_ref().expect("a location");
    assert_eq!(
        &*loc.file,
        "themes/filter/html/index.html",
        "{}",
        d.render(false)
    );
    assert_eq!(loc.line, 4, "{}", d.render(false));
    assert!(d.items[0].message.contains("nosuchfilter"));
}
