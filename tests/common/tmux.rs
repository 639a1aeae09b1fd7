//! A private tmux server for the tests of the full-screen app in a real terminal: start
//! a command in an 80x24 session, send keys, read the screen.

use std::process::{Command, Output, Stdio};

/// A private tmux server (own socket) running one 80x24 session named `main`.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// None (after a [`skip`](super::skip) notice) when tmux is not installed; CI
    /// installs it.
    #[track_caller]
    pub fn new(tag: &str) -> Option<Tmux> {
        let have = Command::new("tmux")
            .arg("-V")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !have {
            super::skip("tmux is not installed");
            return None;
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        Some(Tmux {
            socket: format!("accessdesk-{tag}-{}-{nanos}", std::process::id()),
        })
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run tmux")
    }

    /// Starts `shell_command` in an 80x24 session.
    pub fn start(&self, shell_command: &str) {
        let o = self.run(&[
            "new-session",
            "-d",
            "-x",
            "80",
            "-y",
            "24",
            "-s",
            "main",
            shell_command,
        ]);
        assert!(
            o.status.success(),
            "tmux new-session: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "main"];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "main"]).stdout)
            .into_owned()
    }

    /// The screen with its escape sequences (colours, attributes).
    pub fn screen_with_escapes(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-e", "-p", "-t", "main"]).stdout)
            .into_owned()
    }

    /// Polls the screen every 50 ms until `ok` holds, failing after `limit`; returns
    /// the screen and how long it took.
    pub fn wait_for(
        &self,
        what: &str,
        limit: std::time::Duration,
        ok: impl Fn(&str) -> bool,
    ) -> (String, std::time::Duration) {
        let start = std::time::Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return (s, start.elapsed());
            }
            assert!(
                start.elapsed() < limit,
                "waited {limit:?} for {what}; the screen shows:\n{s}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    pub fn kill(&self) {
        let _ = self.run(&["kill-server"]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Single-quotes a string for sh.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}
