//! Writes a project's trust page to a folder (a development aid; runs only when asked):
//! `TRUSTBOOK_DUMP=<project>:<out> cargo test --test dump_site -- --nocapture`
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
    let t2 = std::time::Instant::now();
    let files = trustbook::render::html::render(&view, &theme)
        .unwrap_or_else(|d| panic!("{}", d.render(false)));
    let t_render = t2.elapsed();
    println!(
        "assess+view {:.2} ms, render {:.2} ms, {} files",
        t_view.as_secs_f64() * 1e3,
        t_render.as_secs_f64() * 1e3,
        files.len()
    );
    for (k, v) in files {
        let p = std::path::Path::new(out).join(k);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, v).unwrap();
    }
}
