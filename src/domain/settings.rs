//! Team settings: the values every person's blockers, reports and evidence are worked
//! out with (stale days, readiness target, pilot window). Which keys exist, what values
//! they take and who may change them are decided here; the store keeps them in the
//! file and logs each change.

use super::blockers::Settings;
use super::{Person, Refusal, Role, Rule};

/// A team setting, by the name people type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    /// Days without a change after which a not-ready item is stale.
    StaleAfterDays,
    /// The readiness a project should reach before its start, in percent.
    ReadinessTarget,
    /// Days of the pilot window (the default period of the measures).
    PilotWindow,
}

/// Every setting, in the order they are shown.
pub const KEYS: [Key; 3] = [Key::StaleAfterDays, Key::ReadinessTarget, Key::PilotWindow];

impl Key {
    /// The name stored and typed: `stale-after-days`, `readiness-target`, `pilot-window`.
    pub fn name(self) -> &'static str {
        match self {
            Key::StaleAfterDays => "stale-after-days",
            Key::ReadinessTarget => "readiness-target",
            Key::PilotWindow => "pilot-window",
        }
    }

    /// What the setting means, in a sentence.
    pub fn meaning(self) -> &'static str {
        match self {
            Key::StaleAfterDays => {
                "days without a change after which a not-ready item blocks as stale"
            }
            Key::ReadinessTarget => {
                "percent of required items ready that a project should reach before its start"
            }
            Key::PilotWindow => {
                "days of the pilot window: the default period of the measures and the dashboard"
            }
        }
    }

    /// The values the setting accepts, inclusive.
    pub fn range(self) -> (i64, i64) {
        match self {
            Key::StaleAfterDays => (1, 365),
            Key::ReadinessTarget => (1, 100),
            Key::PilotWindow => (1, 3650),
        }
    }

    /// The setting named `name`, or a refusal listing the ones there are.
    pub fn parse(name: &str) -> Result<Key, Refusal> {
        let wanted = name.trim().to_ascii_lowercase();
        KEYS.into_iter()
            .find(|k| k.name() == wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = KEYS.iter().map(|k| k.name()).collect();
                Refusal::new(
                    Rule::TeamSetting,
                    format!("there is no team setting '{}'", super::text::sanitize(name)),
                )
                .fix(format!("name one of {}", names.join(", ")))
            })
    }

    /// The setting's value in `s`.
    pub fn get(self, s: &Settings) -> i64 {
        match self {
            Key::StaleAfterDays => s.stale_days,
            Key::ReadinessTarget => i64::from(s.readiness_target_percent),
            Key::PilotWindow => s.pilot_window_days,
        }
    }

    /// `s` with this setting at `value` (already checked by [`Key::check`]).
    pub fn set(self, s: &mut Settings, value: i64) {
        match self {
            Key::StaleAfterDays => s.stale_days = value,
            Key::ReadinessTarget => s.readiness_target_percent = value.clamp(0, 100) as u8,
            Key::PilotWindow => s.pilot_window_days = value,
        }
    }

    /// Reads `text` as a value of this setting: a whole number within its range.
    pub fn check(self, text: &str) -> Result<i64, Refusal> {
        let (lo, hi) = self.range();
        let t = text.trim().trim_end_matches('%');
        match t.parse::<i64>() {
            Ok(v) if (lo..=hi).contains(&v) => Ok(v),
            _ => Err(Refusal::new(
                Rule::TeamSetting,
                format!(
                    "{} takes a whole number from {lo} to {hi}, not '{}'",
                    self.name(),
                    super::text::sanitize(text)
                ),
            )
            .fix(format!("give a value from {lo} to {hi}"))),
        }
    }
}

/// Team settings are the admins' to change: they move everyone's figures.
pub fn may_change(me: Option<&Person>, login: &str) -> Result<(), Refusal> {
    if me.is_some_and(|p| p.active && p.has(Role::Admin)) {
        return Ok(());
    }
    Err(Refusal::new(
        Rule::RoleRequired,
        format!("only an admin changes team settings; {login} is not an admin"),
    )
    .fix("ask an admin to make the change"))
}

/// The settings with each stored `(name, value)` applied over the defaults. A name or
/// value this version does not know (a newer file, a row changed by hand) keeps the
/// default, so the figures never rest on a value outside the rules.
pub fn from_stored<'a>(rows: impl IntoIterator<Item = (&'a str, &'a str)>) -> Settings {
    let mut s = Settings::default();
    for (name, value) in rows {
        if let Ok(k) = Key::parse(name)
            && let Ok(v) = k.check(value)
        {
            k.set(&mut s, v);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_values_and_refusals() {
        assert_eq!(
            Key::parse("Readiness-Target").unwrap(),
            Key::ReadinessTarget
        );
        let r = Key::parse("colour").unwrap_err();
        assert_eq!(r.rule, Rule::TeamSetting);
        assert!(r.fix.contains("stale-after-days"), "{}", r.fix);
        assert_eq!(Key::ReadinessTarget.check("85%").unwrap(), 85);
        for bad in ["0", "101", "x", "", "1.5"] {
            assert_eq!(
                Key::ReadinessTarget.check(bad).unwrap_err().rule,
                Rule::TeamSetting,
                "{bad}"
            );
        }
        let s = from_stored([
            ("stale-after-days", "7"),
            ("pilot-window", "0"),
            ("nope", "3"),
        ]);
        assert_eq!(s.stale_days, 7);
        assert_eq!(s.pilot_window_days, 45);
        assert_eq!(s.readiness_target_percent, 90);
    }
}
