//! Scaffolding until the renderers land.
/// Entry point for `trustbook build`.
pub fn cli_build(
    _dir: &std::path::Path,
    _recipient: Option<String>,
    _out: Option<std::path::PathBuf>,
    _color: bool,
) -> u8 {
    eprintln!("error: `trustbook build` is not available in this build yet");
    2
}
