//! placeholder until the detector lands
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretKind {
    PasswordAssignment,
}
impl SecretKind {
    pub fn rule(self) -> &'static str {
        "password-assignment"
    }
    pub fn describe(self) -> &'static str {
        "a password"
    }
}
pub fn find_secret(text: &str) -> Option<SecretKind> {
    let t = text.to_ascii_lowercase();
    (t.contains("password=") || t.contains("password:")).then_some(SecretKind::PasswordAssignment)
}
