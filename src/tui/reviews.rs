//! Access reviews on the screen (pane 7): loading the reviews of the projects in
//! view, what the key table may offer there (start, certify, revoke, certify the
//! standard access), and taking those steps. Who may do what is the domain's
//! (`domain::review`); the store refuses anything else.

use super::app::App;
use super::msg::Msg;
use super::state::{Confirm, Modal, OnYes, Pane, ReviewAsk, StatusKind};
use crate::domain::blockers;
use crate::domain::machine::{require_registered, require_role};
use crate::domain::review::{self, CampaignState, Decision, Entry, REVIEWERS};
use chrono::Duration;

/// A new review from the screen is due this many days after it starts.
pub const DUE_DAYS: i64 = 14;

impl App {
    /// Whether `msg` may have changed what the reviews pane shows.
    pub(super) fn reviews_stale(&self, msg: &Msg) -> bool {
        matches!(
            msg,
            Msg::Reload | Msg::CycleProject | Msg::Tick(_) | Msg::Confirm | Msg::ReviewCampaign(_)
        )
    }

    /// Reads the reviews of the projects in view (newest shown first time), keeping
    /// the one shown.
    pub(super) fn load_reviews(&mut self) {
        let shown = self
            .reviews
            .campaigns
            .get(self.reviews.current)
            .map(|c| c.id);
        let campaigns = match self.store.campaigns(self.scope.as_deref()) {
            Ok(c) => c,
            Err(e) => return self.show_error(e),
        };
        self.reviews.current = shown
            .and_then(|id| campaigns.iter().position(|c| c.id == id))
            .unwrap_or(campaigns.len().saturating_sub(1));
        let newest = (self.scope.clone(), campaigns.iter().map(|c| c.id).max());
        // Only in the same scope: another project's reviews are other numbers.
        let started_since = self
            .reviews
            .newest
            .as_ref()
            .is_some_and(|(scope, seen)| *scope == newest.0 && newest.1 > *seen);
        self.reviews.newest = Some(newest);
        self.reviews.campaigns = campaigns;
        if started_since {
            // A review started since marks the items it covers without changing them:
            // the live update does not see that, a full read does.
            self.reload();
        }
        self.reviews.entries = match self.reviews.campaigns.get(self.reviews.current) {
            Some(c) => match self.store.campaign_entries(c.id) {
                Ok(e) => e,
                Err(e) => return self.show_error(e),
            },
            None => Vec::new(),
        };
        self.clamp_cursors();
    }

    /// Open (or overdue) reviews in view, for the tab line.
    pub(crate) fn open_reviews(&self) -> usize {
        self.reviews
            .campaigns
            .iter()
            .filter(|c| c.state != CampaignState::Completed)
            .count()
    }

    fn selected_entry(&self) -> Option<&Entry> {
        self.reviews
            .entries
            .get(self.cursors[Pane::Reviews.index()].selected)
    }

    /// The item of an access, as loaded (read in full from the store).
    fn entry_item(&self, e: &Entry) -> Option<std::sync::Arc<crate::store::ItemView>> {
        self.full_view(self.views.index_of(e.rowid)?)
    }

    fn is_reviewer(&self) -> bool {
        require_registered(self.me.as_ref(), &self.login)
            .and_then(|p| require_role(p, &REVIEWERS, "reviewing"))
            .is_ok()
    }

    /// What the key table may offer in the reviews pane now.
    pub(super) fn review_facts(&self, f: &mut super::keymap::Facts) {
        if self.pane != Pane::Reviews || self.detail.is_some() {
            return;
        }
        let reviewer = self.is_reviewer();
        let current = self.reviews.campaigns.get(self.reviews.current);
        f.reviews = self.reviews.campaigns.len();
        f.review_start = reviewer
            && self
                .scope
                .as_deref()
                .and_then(|k| self.projects.iter().find(|p| p.key == k))
                .is_some_and(|p| p.closed_at.is_none())
            && self.open_reviews() == 0;
        f.review_decide = self.selected_entry().is_some_and(|e| {
            e.decision.is_none()
                && e.live
                && self.entry_item(e).is_some_and(|v| {
                    review::check_reviewer(&v.item, self.me.as_ref(), &self.login).is_ok()
                })
        });
        f.review_bulk = reviewer
            && current.is_some_and(|c| c.state != CampaignState::Completed)
            && self
                .reviews
                .entries
                .iter()
                .any(|e| e.decision.is_none() && e.live && !e.flagged);
    }

    fn ask(&mut self, prompt: String, ask: ReviewAsk) {
        self.modal = Some(Modal::Confirm(Confirm {
            prompt,
            form: None,
            then: OnYes::Review(ask),
        }));
    }

    pub(super) fn ask_start_review(&mut self) {
        let Some(key) = self.scope.clone() else {
            return;
        };
        let Some(p) = self.projects.iter().find(|p| p.key == key) else {
            return;
        };
        let due = blockers::today(p, self.now) + Duration::days(DUE_DAYS);
        let live = self
            .views
            .rows()
            .filter(|v| v.project() == key && v.state.access_live())
            .count();
        self.ask(
            format!("Start an access review of {key} over its {live} live accesses, due {due}?"),
            ReviewAsk::Start {
                project: key,
                due: Some(due),
            },
        );
    }

    pub(super) fn review_decide(&mut self, decision: Decision) {
        let (Some(e), Some(c)) = (
            self.selected_entry().cloned(),
            self.reviews
                .campaigns
                .get(self.reviews.current)
                .map(|c| c.id),
        ) else {
            return;
        };
        match decision {
            Decision::Revoke => self.ask(
                format!(
                    "Decide that {} {} goes? It blocks until the access is revoked.",
                    e.item, e.system
                ),
                ReviewAsk::Revoke {
                    item: e.item,
                    campaign: c,
                },
            ),
            Decision::Certify => {
                match self
                    .store
                    .review_decide(&e.item, Some(c), Decision::Certify, None)
                {
                    Ok(done) => {
                        self.set_status(
                            StatusKind::Done,
                            format!(
                                "{} certified in review {} ({}/{} decided).",
                                e.item,
                                done.id,
                                done.progress.decided(),
                                done.progress.items
                            ),
                        );
                        self.after_review();
                    }
                    Err(err) => self.show_error(err),
                }
            }
        }
    }

    pub(super) fn ask_certify_standard(&mut self) {
        let Some(c) = self.reviews.campaigns.get(self.reviews.current) else {
            return;
        };
        let (standard, flagged) = self
            .reviews
            .entries
            .iter()
            .filter(|e| e.decision.is_none() && e.live)
            .fold(
                (0, 0),
                |(s, f), e| {
                    if e.flagged { (s, f + 1) } else { (s + 1, f) }
                },
            );
        self.ask(
            format!(
                "Certify the {standard} undecided standard accesses of review {}? The {flagged} flagged ones are left for a decision one by one.",
                c.id
            ),
            ReviewAsk::CertifyStandard { campaign: c.id },
        );
    }

    pub(super) fn show_campaign(&mut self, step: i8) {
        let n = self.reviews.campaigns.len();
        if n == 0 {
            return;
        }
        let back = usize::from(step < 0) * (n - 1);
        let forth = usize::from(step > 0);
        self.reviews.current = (self.reviews.current + back + forth) % n;
        self.cursors[Pane::Reviews.index()] = Default::default();
    }

    /// Takes a confirmed review step.
    pub(super) fn run_review(&mut self, ask: ReviewAsk) {
        let result = match ask {
            ReviewAsk::Start { project, due } => {
                self.store.start_review(&project, due).map(|c| {
                    // The covered items carry their new mark: `load_reviews` sees the
                    // new review and reads them again.
                    self.reviews.current = usize::MAX;
                    format!(
                        "Started access review {} of {}: {} live accesses to certify or revoke{}.",
                        c.id,
                        c.project,
                        c.progress.items,
                        c.due.map(|d| format!(" by {d}")).unwrap_or_default()
                    )
                })
            }
            ReviewAsk::Revoke { item, campaign } => self
                .store
                .review_decide(&item, Some(campaign), Decision::Revoke, None)
                .map(|_| {
                    format!(
                        "{item} marked for revocation in review {campaign}: it blocks (revocation-due) until its access is revoked (x in the tracker)."
                    )
                }),
            ReviewAsk::CertifyStandard { campaign } => self
                .store
                .review_certify_standard(campaign, None)
                .map(|b| {
                    let mut text = format!(
                        "Certified {} standard accesses in review {campaign}.",
                        b.certified.len()
                    );
                    if !b.flagged.is_empty() {
                        text.push_str(&format!(
                            " Left {} flagged for a decision one by one: {}.",
                            b.flagged.len(),
                            b.flagged.join(", ")
                        ));
                    }
                    if !b.refused.is_empty() {
                        let ids: Vec<&str> = b.refused.iter().map(|(id, _)| id.as_str()).collect();
                        text.push_str(&format!(
                            " Not yours to review: {}.",
                            ids.join(", ")
                        ));
                    }
                    text
                }),
        };
        match result {
            Ok(text) => {
                self.set_status(StatusKind::Done, text);
                self.after_review();
            }
            Err(e) => self.show_error(e),
        }
    }

    fn after_review(&mut self) {
        self.refresh();
        self.load_reviews();
    }
}
