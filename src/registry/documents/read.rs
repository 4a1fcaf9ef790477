//! Reading one document (its view, its latest verification, its file).

use bytes::Bytes;
use sea_orm::{ConnectionTrait, EntityTrait};

use super::unit_codes;
use super::view::DocumentView;
use crate::entity::documents;
use crate::registry::Registry;
use crate::registry::error::{Error, Result};
use crate::store::Sha256Hex;

impl Registry {
    /// One document by id.
    pub async fn get(&self, id: i32) -> Result<DocumentView> {
        self.get_in(&self.db, id).await
    }

    /// One document read through `c` (a transaction sees its own changes).
    pub async fn get_in<C: ConnectionTrait>(&self, c: &C, id: i32) -> Result<DocumentView> {
        let m = documents::Entity::find_by_id(id)
            .one(c)
            .await?
            .ok_or_else(|| Error::not_found(format!("there is no document {id}")))?;
        let units = unit_codes(c).await?;
        let mut view = DocumentView::from_model(m, &units, self.clock.today_vn())?;
        view.verification = crate::registry::verification::latest(c, &[id])
            .await?
            .remove(&id);
        Ok(view)
    }

    /// The PDF of a document: its digest and bytes.
    pub async fn file(&self, id: i32) -> Result<(DocumentView, Bytes)> {
        let doc = self.get(id).await?;
        let sha = doc
            .file_sha256
            .as_deref()
            .and_then(Sha256Hex::parse)
            .ok_or_else(|| {
                Error::not_found(format!("document {id} has no file (a paper document)"))
            })?;
        let bytes = self.store.get(&sha).await?;
        Ok((doc, bytes))
    }
}
