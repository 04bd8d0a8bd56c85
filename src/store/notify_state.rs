//! Silences and acknowledgements as the notification API writes them: one JSON row each,
//! loaded into the dispatcher at start-up.

use super::{Store, StoreError};
use crate::notify::ack::Acknowledgement;
use crate::notify::silence::SilenceSpec;
use rusqlite::params;

fn to_json<T: serde::Serialize>(value: &T, column: &'static str) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|source| StoreError::Json { column, source })
}

impl Store {
    /// Stores (or replaces) silence `id`.
    pub fn save_silence(&self, id: &str, spec: &SilenceSpec) -> Result<(), StoreError> {
        self.connection.execute(
            "INSERT INTO silences (id, spec) VALUES (?1, ?2)
             ON CONFLICT (id) DO UPDATE SET spec = excluded.spec",
            params![id, to_json(spec, "spec")?],
        )?;
        Ok(())
    }

    /// Deletes silence `id`; false when there was none.
    pub fn delete_silence(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .connection
            .execute("DELETE FROM silences WHERE id = ?1", [id])?
            > 0)
    }

    /// Every stored silence, by id.
    pub fn load_silences(&self) -> Result<Vec<(String, SilenceSpec)>, StoreError> {
        let mut statement = self
            .connection
            .prepare("SELECT id, spec FROM silences ORDER BY id")?;
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        let mut silences = Vec::new();
        for row in rows {
            let (id, spec) = row?;
            let spec = serde_json::from_str(&spec).map_err(|source| StoreError::Json {
                column: "spec",
                source,
            })?;
            silences.push((id, spec));
        }
        Ok(silences)
    }

    /// Stores the acknowledgement of its alert (replacing an earlier one).
    pub fn save_ack(&self, ack: &Acknowledgement) -> Result<(), StoreError> {
        self.connection.execute(
            "INSERT INTO acks (fingerprint, ack) VALUES (?1, ?2)
             ON CONFLICT (fingerprint) DO UPDATE SET ack = excluded.ack",
            params![ack.fingerprint.to_string(), to_json(ack, "ack")?],
        )?;
        Ok(())
    }

    /// Every stored acknowledgement.
    pub fn load_acks(&self) -> Result<Vec<Acknowledgement>, StoreError> {
        let mut statement = self.connection.prepare("SELECT ack FROM acks")?;
        let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
        let mut acks = Vec::new();
        for row in rows {
            let ack = serde_json::from_str(&row?).map_err(|source| StoreError::Json {
                column: "ack",
                source,
            })?;
            acks.push(ack);
        }
        Ok(acks)
    }
}
