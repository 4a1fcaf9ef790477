//! Handling (Decree 30 Art. 23–24) and recall (Art. 18).

use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::{Value, json};

use super::view::enum_or_internal;
use super::{DocumentView, active_unit, check_deadline, for_write, stamp};
use crate::entity::documents;
use crate::registry::Registry;
use crate::registry::audit;
use crate::registry::error::{Error, Result};
use crate::registry::events::Change;
use crate::registry::fields::Fields;
use crate::registry::types::Status;

impl Registry {
    /// Record handling (Decree 30 Art. 23–24): unit, person, deadline,
    /// instruction, progress, status, reply. Absent fields stay; `null` clears.
    /// Long because: one check and one change per handling field, in the order of the form.
    pub async fn update_handling(
        &self,
        id: i32,
        input: &Value,
        expected: Option<i32>,
        actor: &str,
    ) -> Result<DocumentView> {
        const ALLOWED: &[&str] = &[
            "unit",
            "handler",
            "due_on",
            "status",
            "instruction",
            "progress",
            "resolved_on",
            "reply_number_symbol",
        ];
        let f = Fields::new(input, ALLOWED)?;
        if ALLOWED.iter().all(|k| !f.has(k)) {
            return Err(Error::invalid(
                "missing_field",
                "status",
                format!(
                    "nothing to update; send one or more of: {}",
                    ALLOWED.join(", ")
                ),
            ));
        }
        let status = f.choice(
            "status",
            Status::parse,
            "registered, assigned, in_progress, done",
        )?;
        if status == Some(Status::Recalled) {
            return Err(Error::invalid(
                "invalid_value",
                "status",
                "use POST /api/v1/documents/{id}/recall to recall a document",
            ));
        }
        let today = self.clock.today_vn();
        let unit = match f.identifier("unit", 32)? {
            Some(code) => Some(active_unit(&self.db, &code, "unit").await?),
            None => None,
        };
        let handler = f.text("handler", 200)?;
        let due_on = f.date("due_on")?;
        let instruction = f.text("instruction", 2000)?;
        let progress = f.text("progress", 2000)?;
        let resolved_on = f.date("resolved_on")?;
        let reply = f.identifier("reply_number_symbol", 100)?;
        if let Some(d) = resolved_on
            && d > today
        {
            return Err(Error::invalid(
                "future_date",
                "resolved_on",
                format!("resolved_on {d} is in the future"),
            ));
        }

        let now = audit::micros(self.clock.now());
        let txn = crate::db::begin_write(&self.db).await?;
        let current = for_write(&txn, id, expected).await?;
        if current.status == Status::Recalled.as_str() {
            return Err(Error::conflict(
                "recalled",
                None,
                format!("document {id} was recalled and cannot be changed"),
            ));
        }
        // Done is final: a resolved document's status, deadline and
        // resolution date (which decide whether it was on time) change only
        // through an explicit, audited reopen.
        if current.status == Status::Done.as_str() {
            for key in ["status", "due_on", "resolved_on"] {
                let same_status =
                    key == "status" && status == Some(Status::Done) && !f.has("resolved_on");
                if f.has(key) && !same_status {
                    return Err(Error::conflict(
                        "already_done",
                        Some(key),
                        format!(
                            "document {id} was resolved on {}; reopen it (POST /api/v1/documents/{id}/reopen with a reason) before changing its {key}",
                            current
                                .resolved_on
                                .map(|d| d.to_string())
                                .unwrap_or_default()
                        ),
                    ));
                }
            }
        }
        let register_date = current.register_date;
        if let Some(d) = due_on {
            check_deadline(d, register_date, today)?;
        }
        if let Some(d) = resolved_on
            && d < register_date
        {
            return Err(Error::invalid(
                "invalid_date",
                "resolved_on",
                format!(
                    "resolved_on {d} is before the document entered the register ({register_date})"
                ),
            ));
        }
        let mut changes = serde_json::Map::new();
        let mut am: documents::ActiveModel = current.clone().into();
        if f.has("unit") {
            am.unit_id = Set(unit.as_ref().map(|u| u.id));
            changes.insert("unit".into(), json!(unit.as_ref().map(|u| &u.code)));
        }
        if f.has("handler") {
            am.handler = Set(handler.clone());
            changes.insert("handler".into(), json!(handler));
        }
        if f.has("due_on") {
            am.due_on = Set(due_on);
            changes.insert("due_on".into(), json!(due_on));
        }
        if f.has("instruction") {
            am.instruction = Set(instruction.clone());
            changes.insert("instruction".into(), json!(instruction));
        }
        if f.has("progress") {
            am.progress = Set(progress.clone());
            changes.insert("progress".into(), json!(progress));
        }
        if f.has("reply_number_symbol") {
            am.reply_number_symbol = Set(reply.clone());
            changes.insert("reply_number_symbol".into(), json!(reply));
        }
        let new_status = match status {
            Some(s) => s,
            None if current.status == Status::Registered.as_str()
                && (f.has("handler") && handler.is_some() || f.has("unit") && unit.is_some()) =>
            {
                Status::Assigned
            }
            None => enum_or_internal(Status::parse(&current.status), "status", &current.status)?,
        };
        if new_status.as_str() != current.status {
            am.status = Set(new_status.as_str().into());
            changes.insert("status".into(), json!(new_status));
        }
        let resolved = match (new_status, resolved_on) {
            (Status::Done, Some(d)) => Some(d),
            (Status::Done, None) => current.resolved_on.or(Some(today)),
            (_, Some(_)) => {
                return Err(Error::invalid(
                    "invalid_value",
                    "resolved_on",
                    "resolved_on is only set when status is done",
                ));
            }
            (_, None) => None,
        };
        if resolved != current.resolved_on {
            am.resolved_on = Set(resolved);
            changes.insert("resolved_on".into(), json!(resolved));
        }
        stamp(&mut am, current.version, now)?;
        self.observers.before(&txn, id).await?;
        am.update(&txn).await?;
        let visible = changes.contains_key("status")
            || changes.contains_key("due_on")
            || changes.contains_key("resolved_on");
        self.changed(&txn, id, Change::HandlingChanged { visible }, now)
            .await?;
        audit::commit_with(
            txn,
            now,
            actor,
            "handling",
            Some(id),
            &Value::Object(changes),
        )
        .await?;
        self.get(id).await
    }

    /// Recall a document (Decree 30 Art. 18): it is kept with its history, marked recalled, with the reason.
    pub async fn recall(
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
        if current.status == Status::Recalled.as_str() {
            return Err(Error::conflict(
                "already_recalled",
                None,
                format!("document {id} was already recalled"),
            ));
        }
        let previous = current.status.clone();
        let version = current.version;
        let mut am: documents::ActiveModel = current.into();
        am.status = Set(Status::Recalled.as_str().into());
        am.recall_reason = Set(Some(reason.clone()));
        am.recalled_at = Set(Some(now));
        stamp(&mut am, version, now)?;
        self.observers.before(&txn, id).await?;
        am.update(&txn).await?;
        self.changed(&txn, id, Change::Recalled, now).await?;
        audit::commit_with(
            txn,
            now,
            actor,
            "recall",
            Some(id),
            &json!({"reason": reason, "previous_status": previous}),
        )
        .await?;
        self.get(id).await
    }
}
