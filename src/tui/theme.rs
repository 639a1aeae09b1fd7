//! Colours by meaning. Every style the screen uses is one of a few roles (blocked,
//! ready, pending, privileged, selected, muted, warning...), each with a truecolor, a
//! 16-colour and a mono form, so the meaning survives `NO_COLOR`, old terminals and
//! tmux over SSH. In mono nothing carries a colour: emphasis comes from bold, dim,
//! underline and reverse video, and the selected row also gets a `>` marker.

use ratatui::style::{Color, Modifier, Style};

/// Which palette a theme was built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Palette {
    TrueColor,
    /// The 256-colour cube (asked for in the personal configuration).
    Ansi256,
    Ansi16,
    Mono,
}

/// Styles by meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub palette: Palette,
    /// Plain text.
    pub normal: Style,
    /// Something stops work: blocker flags, denied items, readiness far below target.
    pub blocked: Style,
    /// Done and usable: verified items, readiness at target.
    pub ready: Style,
    /// Waiting in the workflow: requested, approved, granted.
    pub pending: Style,
    /// Needs extra care: privileged, shared, client-owned, exception, emergency badges.
    pub privileged: Style,
    /// The selected row or tab.
    pub selected: Style,
    /// Secondary text: hints, empty values, borders of inactive parts.
    pub muted: Style,
    /// Attention short of a blocker: refusals, validation errors, readiness below target.
    pub warning: Style,
    /// Titles and the header.
    pub title: Style,
    /// Key names in the footer and help.
    pub key: Style,
}

/// The marker in front of the selected row (kept in every palette so the selection
/// never depends on colour alone).
pub const SELECTED_MARKER: &str = "> ";

impl Theme {
    /// Chooses the palette from the environment: `NO_COLOR` (present and not empty)
    /// gives mono; `COLORTERM` announcing truecolor or 24bit gives truecolor; anything
    /// else the 16 colours every terminal has.
    pub fn detect() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let colorterm = std::env::var("COLORTERM")
            .unwrap_or_default()
            .to_ascii_lowercase();
        Theme::choose(no_color, &colorterm)
    }

    /// The palette rule of [`Theme::detect`] without reading the environment.
    pub fn choose(no_color: bool, colorterm: &str) -> Theme {
        if no_color {
            Theme::mono()
        } else if colorterm.contains("truecolor") || colorterm.contains("24bit") {
            Theme::truecolor()
        } else {
            Theme::ansi16()
        }
    }

    pub fn truecolor() -> Theme {
        let rgb = |r, g, b| Style::new().fg(Color::Rgb(r, g, b));
        Theme {
            palette: Palette::TrueColor,
            normal: Style::new(),
            blocked: rgb(235, 87, 87).add_modifier(Modifier::BOLD),
            ready: rgb(80, 200, 120),
            pending: rgb(230, 180, 80),
            privileged: rgb(200, 120, 230).add_modifier(Modifier::BOLD),
            selected: Style::new()
                .bg(Color::Rgb(45, 70, 110))
                .add_modifier(Modifier::BOLD),
            muted: rgb(130, 135, 145),
            warning: rgb(240, 160, 60).add_modifier(Modifier::BOLD),
            title: rgb(120, 180, 240).add_modifier(Modifier::BOLD),
            key: rgb(120, 200, 230).add_modifier(Modifier::BOLD),
        }
    }

    /// The truecolor roles in the xterm 256-colour palette, for terminals (and tmux
    /// set-ups) that have 256 colours but no truecolor.
    pub fn ansi256() -> Theme {
        let ix = |i| Style::new().fg(Color::Indexed(i));
        Theme {
            palette: Palette::Ansi256,
            normal: Style::new(),
            blocked: ix(203).add_modifier(Modifier::BOLD),
            ready: ix(78),
            pending: ix(179),
            privileged: ix(177).add_modifier(Modifier::BOLD),
            selected: Style::new()
                .bg(Color::Indexed(24))
                .add_modifier(Modifier::BOLD),
            muted: ix(245),
            warning: ix(215).add_modifier(Modifier::BOLD),
            title: ix(111).add_modifier(Modifier::BOLD),
            key: ix(117).add_modifier(Modifier::BOLD),
        }
    }

    pub fn ansi16() -> Theme {
        let fg = |c| Style::new().fg(c);
        Theme {
            palette: Palette::Ansi16,
            normal: Style::new(),
            blocked: fg(Color::LightRed).add_modifier(Modifier::BOLD),
            ready: fg(Color::Green),
            pending: fg(Color::Yellow),
            privileged: fg(Color::Magenta).add_modifier(Modifier::BOLD),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            muted: fg(Color::DarkGray),
            warning: fg(Color::Yellow).add_modifier(Modifier::BOLD),
            title: fg(Color::Cyan).add_modifier(Modifier::BOLD),
            key: fg(Color::Cyan).add_modifier(Modifier::BOLD),
        }
    }

    /// No colour at all (NO_COLOR): only modifiers.
    pub fn mono() -> Theme {
        let m = |modifier| Style::new().add_modifier(modifier);
        Theme {
            palette: Palette::Mono,
            normal: Style::new(),
            blocked: m(Modifier::BOLD),
            ready: Style::new(),
            pending: Style::new(),
            privileged: m(Modifier::BOLD),
            selected: m(Modifier::REVERSED),
            muted: m(Modifier::DIM),
            warning: m(Modifier::BOLD),
            title: m(Modifier::BOLD),
            key: m(Modifier::BOLD),
        }
    }

    /// Style for the readiness ratio against the target.
    pub fn readiness(&self, ratio: f64, target: f64) -> Style {
        if ratio >= target {
            self.ready
        } else if ratio >= target / 2.0 {
            self.warning
        } else {
            self.blocked
        }
    }

    /// The filled and empty cells of a gauge. Mono uses different characters so the
    /// bar reads without colour.
    pub fn gauge_symbols(&self) -> (&'static str, &'static str) {
        match self.palette {
            Palette::Mono => ("#", "-"),
            _ => ("█", "░"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palette_follows_environment_rules() {
        assert_eq!(Theme::choose(true, "truecolor").palette, Palette::Mono);
        assert_eq!(
            Theme::choose(false, "truecolor").palette,
            Palette::TrueColor
        );
        assert_eq!(Theme::choose(false, "24bit").palette, Palette::TrueColor);
        assert_eq!(Theme::choose(false, "").palette, Palette::Ansi16);
    }

    #[test]
    fn mono_has_no_colour() {
        let t = Theme::mono();
        for s in [
            t.normal,
            t.blocked,
            t.ready,
            t.pending,
            t.privileged,
            t.selected,
            t.muted,
            t.warning,
            t.title,
            t.key,
        ] {
            assert!(s.fg.is_none() && s.bg.is_none());
        }
        assert!(t.selected.add_modifier.contains(Modifier::REVERSED));
    }
}
