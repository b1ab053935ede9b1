//! Scaffolding: replaced by the real implementation on its branch.
/// Entry point for the CLI.
pub fn cli_schema(_dir: &std::path::Path) -> u8 {
    eprintln!("error: `trustbook schema` is not available in this build yet");
    2
}
