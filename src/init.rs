//! Scaffolding: replaced by the real implementation on its branch.
/// Entry point for the CLI.
pub fn cli_init(_dir: &std::path::Path) -> u8 {
    eprintln!("error: `trustbook init` is not available in this build yet");
    2
}
