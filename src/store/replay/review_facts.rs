//! What the log says of access reviews: `review-start` and `review-decide` applied to
//! a model of `review_campaigns` and `review_items`. Kept apart from `facts` (which
//! calls it for these kinds, handing in how to set an item's mark) so that neither
//! this model nor the comparison in `reviews` depends on the other facts.

use super::event::EventIn;
use crate::domain::model::item_id;
use crate::domain::review::{Decision, ReviewMark};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// What a review event sets on an item: its mark as stored, and (for a decision)
/// the time it changed.
pub struct ItemChange<'a> {
    pub item: String,
    pub review: Option<String>,
    pub updated_at: Option<&'a str>,
}

/// The event kinds of access reviews.
pub const KINDS: [&str; 2] = ["review-start", "review-decide"];

/// One campaign as the log has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignFacts {
    pub project: String,
    pub started_by: String,
    pub started_at: String,
    pub due: Option<String>,
    /// The decision on each item it covers, by item id.
    pub items: BTreeMap<String, DecisionFacts>,
    pub seq: i64,
}

/// A decision as the log has it (all none while undecided).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DecisionFacts {
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub note: Option<String>,
    pub seq: i64,
}

/// The campaigns the log made, by number.
#[derive(Debug, Default)]
pub struct ReviewFacts {
    pub campaigns: HashMap<i64, CampaignFacts>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Started {
    campaign: Option<i64>,
    due: Option<NaiveDate>,
    items: Vec<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Decided {
    campaign: Option<i64>,
    decision: Option<Decision>,
    note: Option<String>,
}

impl ReviewFacts {
    /// Applies one review event; `project_known` says whether a project was added,
    /// `set_item` sets what the event changes on an item (and fails for an unknown one).
    pub fn apply(
        &mut self,
        e: &EventIn<'_>,
        project_known: impl Fn(&str) -> bool,
        mut set_item: impl FnMut(ItemChange<'_>) -> Result<(), String>,
    ) -> Result<(), String> {
        let unreadable = |err: serde_json::Error| format!("its payload cannot be read: {err}");
        match e.kind {
            "review-start" => {
                let p: Started = serde_json::from_str(e.payload).map_err(unreadable)?;
                let key = e.project.ok_or("it names no project")?;
                if !project_known(key) {
                    return Err(format!("project {key} was never added"));
                }
                let id = p.campaign.ok_or("it names no campaign")?;
                if self.campaigns.contains_key(&id) {
                    return Err(format!("access review {id} was started before"));
                }
                let mark = ReviewMark::Pending { due: p.due }.stored();
                let mut items = BTreeMap::new();
                for n in p.items {
                    let item = item_id(key, n);
                    set_item(ItemChange {
                        item: item.clone(),
                        review: Some(mark.clone()),
                        updated_at: None,
                    })?;
                    items.insert(
                        item,
                        DecisionFacts {
                            seq: e.seq,
                            ..Default::default()
                        },
                    );
                }
                self.campaigns.insert(
                    id,
                    CampaignFacts {
                        project: key.to_string(),
                        started_by: e.login.to_string(),
                        started_at: e.at.to_string(),
                        due: p.due.map(|d| d.format("%Y-%m-%d").to_string()),
                        items,
                        seq: e.seq,
                    },
                );
                Ok(())
            }
            "review-decide" => {
                let p: Decided = serde_json::from_str(e.payload).map_err(unreadable)?;
                let item = e.item.ok_or("it names no item")?;
                let id = p.campaign.ok_or("it names no campaign")?;
                let decision = p.decision.ok_or("it names no decision")?;
                let entry = self
                    .campaigns
                    .get_mut(&id)
                    .ok_or_else(|| format!("access review {id} was never started"))?
                    .items
                    .get_mut(item)
                    .ok_or_else(|| format!("{item} is not in access review {id}"))?;
                *entry = DecisionFacts {
                    decision: Some(decision.as_str().to_string()),
                    decided_by: Some(e.login.to_string()),
                    decided_at: Some(e.at.to_string()),
                    note: p.note,
                    seq: e.seq,
                };
                set_item(ItemChange {
                    item: item.to_string(),
                    review: ReviewMark::after(decision).map(ReviewMark::stored),
                    updated_at: Some(e.at),
                })
            }
            other => Err(format!("'{other}' is no review event")),
        }
    }
}
