//! Corrections that must leave a trace: raising a document's secrecy after
//! registration (it leaves public view; what the log already published is
//! withdrawn by a content-free entry) and reopening a resolved document.
//! Both need a reason and are audited.

use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::{Value, json};

use super::documents::{DocumentView, for_write, stamp};
use super::error::{Error, Result};
use super::events::Change;
use super::fields::Fields;
use super::types::{Secrecy, Status};
use super::{Registry, audit};
use crate::entity::documents;

impl Registry {
    /// Raise the secrecy of document `id` (`{"secrecy": "mat", "reason": "…"}`).
    /// Lowering it is refused: declassification is not a correction. The
    /// document keeps its register number (numbers are never reissued).
    pub async fn raise_secrecy(
        &self,
        id: i32,
        input: &Value,
        expected: Option<i32>,
        actor: &str,
    ) -> Result<DocumentView> {
        let f = Fields::new(input, &["secrecy", "reason"])?;
        let to = f
            .choice("secrecy", Secrecy::parse, &Secrecy::choices())?
            .ok_or_else(|| Error::invalid("missing_field", "secrecy", "secrecy is required"))?;
        let reason = f.required_text("reason", 2000)?;
        let now = audit::micros(self.clock.now());
        let txn = crate::db::begin_write(&self.db).await?;
        let current = for_write(&txn, id, expected).await?;
        let from = Secrecy::parse(&current.secrecy)
            .ok_or_else(|| Error::Corrupt(format!("stored secrecy {:?}", current.secrecy)))?;
        if to.rank() <= from.rank() {
            return Err(Error::invalid(
                "not_raised",
                "secrecy",
                format!(
                    "document {id} is already {from}; secrecy can only be raised here (to {})",
                    Secrecy::ALL
                        .iter()
                        .filter(|s| s.rank() > from.rank())
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let version = current.version;
        self.observers.before(&txn, id).await?;
        let mut am: documents::ActiveModel = current.into();
        am.secrecy = Set(to.as_str().into());
        am.is_public = Set(false);
        stamp(&mut am, version, now)?;
        am.update(&txn).await?;
        // The public log withdraws it (and notes whether anything had been published).
        let notes = self.changed(&txn, id, Change::SecrecyRaised, now).await?;
        let mut detail = json!({"from": from, "to": to, "reason": reason});
        if let Value::Object(d) = &mut detail {
            d.extend(notes);
        }
        audit::commit_with(txn, now, actor, "secrecy_raised", Some(id), &detail).await?;
        self.get(id).await
    }

    /// Reopen a resolved document (`{"reason": "…"}`): its status goes back
    /// to in progress and its resolution date is cleared; the history keeps
    /// both, and the on-time figures follow.
    pub async fn reopen(
        &self,
        id: i32,
        input: &Value,
        expected: Option<i32>,
        actor: &str,
    ) -> Result<DocumentView> {
        let f = Fields::new(input, &["reason"])?;
        let reason = f.required_text("reason", 2000)?;
        let now = audit::micros(self.clock.now());
        let txn = crate::db::begin_write(&self.db).await?;
        let current = for_write(&txn, id, expected).await?;
        if current.status != Status::Done.as_str() {
            return Err(Error::conflict(
                "not_done",
                Some("status"),
                format!(
                    "document {id} is {}, not done; only a resolved document is reopened",
                    current.status
                ),
            ));
        }
        let previous = current.resolved_on;
        let version = current.version;
        self.observers.before(&txn, id).await?;
        let mut am: documents::ActiveModel = current.into();
        am.status = Set(Status::InProgress.as_str().into());
        am.resolved_on = Set(None);
        stamp(&mut am, version, now)?;
        am.update(&txn).await?;
        self.changed(&txn, id, Change::Reopened, now).await?;
        audit::commit_with(
            txn,
            now,
            actor,
            "reopen",
            Some(id),
            &json!({"reason": reason, "previous_resolved_on": previous, "status": Status::InProgress}),
        )
        .await?;
        self.get(id).await
    }
}
