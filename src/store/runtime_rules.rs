//! Rules added at runtime through `POST /api/v1/alerts/configure`: one row per rule name holding
//! the validated request as JSON, loaded into the `runtime` group at start and on every reload.

use super::{Store, StoreError};
use rusqlite::params;
use std::time::SystemTime;

impl Store {
    /// Stores (or replaces) the runtime rule `name` with its JSON spec.
    pub fn save_runtime_rule(&self, name: &str, spec_json: &str) -> Result<(), StoreError> {
        self.connection.execute(
            "INSERT INTO runtime_rules (name, spec, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at",
            params![name, spec_json, super::to_millis(SystemTime::now())],
        )?;
        Ok(())
    }

    /// Deletes the runtime rule `name`; false when there was none.
    pub fn delete_runtime_rule(&self, name: &str) -> Result<bool, StoreError> {
        let deleted = self
            .connection
            .execute("DELETE FROM runtime_rules WHERE name = ?1", [name])?;
        Ok(deleted > 0)
    }

    /// Every runtime rule as `(name, spec JSON)`, by name.
    pub fn load_runtime_rules(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut statement = self
            .connection
            .prepare("SELECT name, spec FROM runtime_rules ORDER BY name")?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_rules_are_saved_replaced_and_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let store = Store::open(&path).unwrap();
        store.save_runtime_rule("b", r#"{"v":1}"#).unwrap();
        store.save_runtime_rule("a", r#"{"v":2}"#).unwrap();
        store.save_runtime_rule("b", r#"{"v":3}"#).unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        let rules = store.load_runtime_rules().unwrap();
        assert_eq!(
            rules,
            [
                ("a".to_owned(), r#"{"v":2}"#.to_owned()),
                ("b".to_owned(), r#"{"v":3}"#.to_owned())
            ]
        );
        assert!(store.delete_runtime_rule("a").unwrap());
        assert!(!store.delete_runtime_rule("a").unwrap());
        assert_eq!(store.load_runtime_rules().unwrap().len(), 1);
    }
}
