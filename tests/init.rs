//! `trustbook init` and `trustbook schema`: the starter passes check and shows its gaps honestly,
//! init never overwrites, every YAML file points at an existing schema, schemas are deterministic.

mod common;

use common::*;

use trustbook::init::files_under;

#[test]
fn starter_passes_check_and_shows_its_gaps() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("acme");
    let out = trustbook(&["init", dir.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Next steps"), "{stdout}");
    assert!(stdout.contains("trustbook check"), "{stdout}");

    let c = run(&dir);
    // No errors. The only warnings are the deliberate ones a new user must act on: the
    // starter's own name, logo and example.com addresses, and the description parts it leaves
    // to write; in particular no placeholder words, no over-claims, no contradictions.
    assert_eq!(c.errors(), 0, "{}", c.dump());
    let codes: std::collections::BTreeSet<&str> = c.items().iter().map(|d| d.code).collect();
    assert_eq!(
        codes.into_iter().collect::<Vec<_>>(),
        ["narrative-missing", "starter-leftover"],
        "{}",
        c.dump()
    );
    let leftovers: Vec<String> = c
        .items()
        .iter()
        .filter(|d| d.code == "starter-leftover")
        .map(at)
        .collect();
    assert_eq!(leftovers.len(), 7, "{leftovers:?}");
    let a = c.assessment.unwrap();
    assert_eq!(a.report_type, trustbook::project::ReportType::Type2);
    assert_eq!(a.categories.len(), 1, "security only");
    // Honest: most Common Criteria have no control yet, and they are gaps.
    let gaps = a
        .criteria
        .iter()
        .filter(|r| r.status == trustbook::assess::Status::Gap)
        .count();
    assert!(gaps > 16, "{gaps} gaps");
    assert!(a.score < 50.0, "score {}", a.score);
    assert!(
        a.gaps
            .iter()
            .any(|g| g.kind == trustbook::assess::GapKind::PlannedControl)
    );

    let project = trustbook::project::load(&dir).project.unwrap();
    let r = &project.config.report;
    let per = r.period.as_ref().unwrap();
    let months = per.start.value.months_until(&per.end.value);
    assert!((5.5..6.5).contains(&months), "{months} months");
    assert!(project.controls.len() >= 4 && project.tests.len() >= 4 && project.evidence.len() >= 4);
    assert!(
        !project.vendors.is_empty() && !project.cuecs.is_empty() && !project.remediation.is_empty()
    );
    use trustbook::project::{Audience, Section};
    let sections: Vec<Section> = project.narratives.iter().map(|n| n.section.value).collect();
    assert!(sections.contains(&Section::Assertion));
    assert!(sections.contains(&Section::TrustOverview));
    assert!(sections.len() >= 4);
    // Two approved policies, carried out by the starter's controls.
    assert_eq!(project.policies.len(), 2);
    assert!(project.policies.iter().all(|p| p.status.value
        == trustbook::project::policy::PolicyStatus::Approved
        && p.approved_on.is_some()
        && !p.body.trim().is_empty()));
    assert!(
        project
            .controls
            .iter()
            .any(|c| c.policies.iter().any(|x| x.value == "POL-ACCESS"))
    );
    assert!(
        project
            .narratives
            .iter()
            .any(|n| n.section.value == Section::TrustOverview
                && n.audience.value == Audience::Public)
    );

    // The CLI agrees: it passes, and --deny-warnings fails until the leftovers are replaced.
    let out = trustbook(&["check", dir.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = trustbook(&["check", dir.to_str().unwrap(), "--deny-warnings"]);
    assert_eq!(out.status.code(), Some(1));

    // The rest of the layout.
    assert!(dir.join("content/assets/logo.svg").is_file());
    let gi = std::fs::read_to_string(dir.join(".gitignore")).unwrap();
    assert!(gi.lines().any(|l| l.trim() == "output/"));
    for k in trustbook::schema::KINDS {
        assert!(
            dir.join("schemas")
                .join(trustbook::schema::file_name(k.name))
                .is_file()
        );
    }
}

#[test]
fn every_yaml_file_points_at_its_schema() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(trustbook::init::cli_init(tmp.path()), 0);
    let mut yaml = 0;
    for rel in files_under(tmp.path()) {
        if !rel.ends_with(".yaml") {
            continue;
        }
        yaml += 1;
        let text = std::fs::read_to_string(tmp.path().join(&rel)).unwrap();
        let first = text.lines().next().unwrap();
        let target = first
            .strip_prefix("# yaml-language-server: $schema=")
            .unwrap_or_else(|| panic!("{rel} does not start with the schema line: {first}"));
        let resolved = tmp.path().join(&rel).parent().unwrap().join(target);
        assert!(resolved.is_file(), "{rel}: {target} does not exist");
        let kind = trustbook::init::schema_kind(&rel).unwrap();
        assert!(
            target.ends_with(&format!("schemas/{kind}.schema.json")),
            "{rel}: {target}"
        );
    }
    assert!(yaml >= 7);
}

#[test]
fn init_refuses_to_overwrite_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("content/tests")).unwrap();
    std::fs::write(dir.join("content/tests/tests.yaml"), "mine\n").unwrap();
    std::fs::write(dir.join("notes.txt"), "unrelated\n").unwrap();
    let before = files_under(dir);
    let out = trustbook(&["init", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(stderr.contains("tests.yaml"), "{stderr}");
    assert_eq!(files_under(dir), before, "init wrote something");
    assert_eq!(
        std::fs::read_to_string(dir.join("content/tests/tests.yaml")).unwrap(),
        "mine\n"
    );

    // A folder with unrelated files only is fine; a second init then refuses.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("README.md"), "hello\n").unwrap();
    assert_eq!(
        trustbook(&["init", tmp.path().to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    let after_first = files_under(tmp.path());
    assert_eq!(
        trustbook(&["init", tmp.path().to_str().unwrap()])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(files_under(tmp.path()), after_first);
}

#[test]
fn schema_command_writes_deterministic_schemas() {
    let tmp = tempfile::tempdir().unwrap();
    let out = trustbook(&["schema", tmp.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let names = files_under(&tmp.path().join("schemas"));
    assert_eq!(
        names,
        [
            "control",
            "cuec",
            "evidence",
            "narrative",
            "policy",
            "remediation",
            "risk",
            "test",
            "trustbook",
            "vendor"
        ]
        .map(|k| format!("{k}.schema.json"))
    );
    for n in &names {
        assert!(stdout.contains(n), "{stdout}");
    }
    let first: Vec<Vec<u8>> = names
        .iter()
        .map(|n| std::fs::read(tmp.path().join("schemas").join(n)).unwrap())
        .collect();
    assert_eq!(
        trustbook(&["schema", tmp.path().to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    for (n, bytes) in names.iter().zip(&first) {
        assert_eq!(
            &std::fs::read(tmp.path().join("schemas").join(n)).unwrap(),
            bytes,
            "{n} changed"
        );
        let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
        assert_eq!(v["$defs"]["record"]["additionalProperties"], false);
    }
    // Record kinds take one record or a list; trustbook.yaml and front matter take one.
    let control: serde_json::Value = serde_json::from_slice(&first[0]).unwrap();
    assert_eq!(control["oneOf"][0]["$ref"], "#/$defs/record");
    assert_eq!(control["oneOf"][1]["type"], "array");
    let status = &control["$defs"]["record"]["properties"]["status"];
    assert_eq!(
        status["enum"],
        serde_json::json!([
            "implemented",
            "partially-implemented",
            "planned",
            "not-implemented"
        ])
    );
    let ev: serde_json::Value = serde_json::from_slice(&first[2]).unwrap();
    assert!(ev["$defs"]["record"]["properties"]["collected_on"]["pattern"].is_string());

    assert_eq!(
        trustbook(&["schema", tmp.path().join("nope").to_str().unwrap()])
            .status
            .code(),
        Some(2)
    );
}
