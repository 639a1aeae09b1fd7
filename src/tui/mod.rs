//! stand-in until the terminal UI lands
#[derive(Debug, Default)]
pub struct Options {
    pub mouse: bool,
}
pub fn run(_store: crate::store::Store, _opts: Options) -> color_eyre::Result<()> {
    Ok(())
}
