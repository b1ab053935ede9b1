//! Scaffolding: replaced by the real implementation on its branch.
/// Entry point for the CLI.
pub fn cli_serve(
    _dir: &std::path::Path,
    _port: Option<u16>,
    _bind: Option<String>,
    _open: bool,
    _color: bool,
) -> u8 {
    eprintln!("error: `trustbook serve` is not available in this build yet");
    2
}
