//! Writes a project's trust page to a folder and prints how long rendering took (a development
//! aid; does nothing unless asked):
//! `TRUSTBOOK_DUMP=<project>:<out> [TRUSTBOOK_DUMP_RUNS=31] cargo test --test dump_site -- --nocapture`
#[test]
fn dump_site() {
    let Ok(spec) = std::env::var("TRUSTBOOK_DUMP") else {
        return;
    };
    let (root, out) = spec
        .split_once(':')
        .expect("TRUSTBOOK_DUMP=<project>:<out>");
    let root = std::path::Path::new(root);
    let loaded = trustbook::project::load(root);
    assert!(
        !loaded.diagnostics.has_errors(),
        "{}",
        loaded.diagnostics.render(false)
    );
    let project = loaded.project.unwrap();
    let t = std::time::Instant::now();
    let assessment = trustbook::assess::assess(&project);
    let view = trustbook::view::public::public_view(&project, &assessment);
    let t_view = t.elapsed();
    let theme = trustbook::render::theme::Theme::load(root, "default");
    // The median of TRUSTBOOK_DUMP_RUNS renders (default 1).
    let runs: usize = std::env::var("TRUSTBOOK_DUMP_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
        .max(1);
    let mut times = Vec::new();
    let mut files = Default::default();
    for _ in 0..runs {
        let t2 = std::time::Instant::now();
        files = trustbook::render::html::render(&view, &theme)
            .unwrap_or_else(|d| panic!("{}", d.render(false)));
        times.push(t2.elapsed());
    }
    times.sort();
    let median = times[runs / 2];
    let files: std::collections::BTreeMap<String, Vec<u8>> = files;
    println!(
        "assess+view {:.2} ms, render median of {runs}: {:.2} ms (min {:.2} ms), {} files",
        t_view.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        files.len()
    );
    for (k, v) in files {
        let p = std::path::Path::new(out).join(k);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, v).unwrap();
    }
}
