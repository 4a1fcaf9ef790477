//! The change seam: what the registry tells the rooms above it. Every write
//! that changes a document calls its [`Observers`] inside the writing
//! transaction — [`Observer::before`] ahead of the change, then
//! [`Observer::after`] with the [`Event`] — so whatever they keep (the
//! compliance counters, the public log's queue) commits or rolls back with
//! the change itself. The registry owns this interface and knows none of
//! its implementations; the application wires them (`crate::app`).

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseTransaction;
use serde_json::{Map, Value};

use super::Registry;
use super::documents::view::DocumentView;
use super::error::Result;

/// What happened to a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// It was registered (there is no `before` call).
    Registered,
    /// Its handling changed (unit, handler, deadline, status, resolution).
    /// `visible` says whether a field the public sees changed.
    HandlingChanged {
        /// Status, deadline or resolution date changed.
        visible: bool,
    },
    /// It was reopened after being resolved.
    Reopened,
    /// It was verified again. `outcome_changed` says whether its overall
    /// verification result is now different.
    Reverified {
        /// The overall result changed.
        outcome_changed: bool,
    },
    /// It was recalled.
    Recalled,
    /// Its secrecy was raised: it leaves public view.
    SecrecyRaised,
}

impl Change {
    /// The public log's name of the event, when the public hears of it
    /// (secrecy raised is a withdrawal, not an event about the content).
    pub fn public_name(self) -> Option<&'static str> {
        match self {
            Change::Registered => Some("registered"),
            Change::HandlingChanged { visible: true } | Change::Reopened => {
                Some("handling_changed")
            }
            Change::Reverified {
                outcome_changed: true,
            } => Some("verification_changed"),
            Change::Recalled => Some("recalled"),
            Change::HandlingChanged { visible: false }
            | Change::Reverified {
                outcome_changed: false,
            }
            | Change::SecrecyRaised => None,
        }
    }
}

/// One change, as observers hear of it after it is written.
#[derive(Debug)]
pub struct Event<'a> {
    /// What happened.
    pub change: Change,
    /// The document's id.
    pub document_id: i32,
    /// The document as it now is (read in the writing transaction), when
    /// the change is one the public hears of; `None` otherwise.
    pub document: Option<&'a DocumentView>,
    /// When (the registry clock).
    pub at: DateTime<Utc>,
}

/// Facts an observer reports back about what it did, added to the audit
/// record of the change (e.g. `withdrawn_from_public`).
pub type Notes = Map<String, Value>;

/// Something kept in step with the documents, inside their transactions.
#[async_trait]
pub trait Observer: Send + Sync {
    /// A short name for logs and errors.
    fn name(&self) -> &'static str;

    /// Document `id` is about to change (not called for a registration).
    async fn before(&self, txn: &DatabaseTransaction, id: i32) -> Result<()>;

    /// The change is written; `notes` collects facts for the audit record.
    async fn after(
        &self,
        txn: &DatabaseTransaction,
        event: &Event<'_>,
        notes: &mut Notes,
    ) -> Result<()>;
}

/// The observers of one registry, called in order.
#[derive(Clone, Default)]
pub struct Observers(Arc<[Arc<dyn Observer>]>);

impl fmt::Debug for Observers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|o| o.name()))
            .finish()
    }
}

impl Observers {
    /// These observers, in this order.
    pub fn new(list: Vec<Arc<dyn Observer>>) -> Self {
        Self(list.into())
    }

    /// No observers: a registry that keeps no counters and publishes
    /// nothing (tools that only read).
    pub fn none() -> Self {
        Self::default()
    }

    /// Whether any observer needs the document's view after a change of
    /// this kind (the registry reads it only then).
    pub fn wants_view(&self, change: Change) -> bool {
        !self.0.is_empty() && change.public_name().is_some()
    }

    /// Tell every observer that `id` is about to change.
    pub async fn before(&self, txn: &DatabaseTransaction, id: i32) -> Result<()> {
        for o in self.0.iter() {
            o.before(txn, id).await?;
        }
        Ok(())
    }

    /// Tell every observer what changed; returns their notes.
    pub async fn after(&self, txn: &DatabaseTransaction, event: &Event<'_>) -> Result<Notes> {
        let mut notes = Notes::new();
        for o in self.0.iter() {
            o.after(txn, event, &mut notes).await?;
        }
        Ok(notes)
    }

    /// The observers' names, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|o| o.name()).collect()
    }
}

impl Registry {
    /// Tell the observers that document `id` changed (`change`), in the
    /// writing transaction, reading its new view only when one needs it.
    pub(crate) async fn changed(
        &self,
        txn: &DatabaseTransaction,
        id: i32,
        change: Change,
        at: DateTime<Utc>,
    ) -> Result<Notes> {
        let view = if self.observers.wants_view(change) {
            Some(self.get_in(txn, id).await?)
        } else {
            None
        };
        let event = Event {
            change,
            document_id: id,
            document: view.as_ref(),
            at,
        };
        self.observers.after(txn, &event).await
    }
}
