//! The test config (`tauri.test.conf.json`): its own identifier, so a test run has its own data
//! directory, store file and keychain entries and never touches an installed wallet's. Debug builds
//! apply it when the test setting is present (release builds refuse that setting); the Tauri CLI
//! takes the same file with `--config`.

use serde_json::Value;
use tauri::utils::config::Config;

/// The file, as a JSON merge patch over `tauri.conf.json`.
pub const PATCH: &str = include_str!("../../tauri.test.conf.json");

/// Applies the test config to `config`.
pub fn apply(config: &mut Config) -> Result<(), serde_json::Error> {
    let patch: Value = serde_json::from_str(PATCH)?;
    let mut value = serde_json::to_value(&*config)?;
    merge(&mut value, &patch);
    *config = serde_json::from_value(value)?;
    Ok(())
}

/// RFC 7396: objects merge key by key, `null` removes, anything else replaces.
fn merge(target: &mut Value, patch: &Value) {
    let Value::Object(fields) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Default::default());
    }
    let Value::Object(object) = target else {
        return;
    };
    for (key, value) in fields {
        if value.is_null() {
            object.remove(key);
        } else {
            merge(object.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app_config() -> Config {
        serde_json::from_str(include_str!("../../tauri.conf.json")).unwrap()
    }

    #[test]
    fn the_test_config_changes_the_identifier_and_keeps_the_security_settings() {
        let release = app_config();
        let mut test = app_config();
        apply(&mut test).unwrap();
        assert_eq!(test.identifier, "com.chipi.sessionwallet.test");
        assert_ne!(test.identifier, release.identifier);
        assert_eq!(test.app.windows.len(), 1);
        assert_eq!(test.app.windows[0].label, "main");
        assert_eq!(test.app.security, release.app.security);
        assert!(test.app.security.csp.is_some());
        assert_eq!(test.build, release.build);
    }

    #[test]
    fn merge_follows_rfc_7396() {
        let mut target = serde_json::json!({"a": {"b": 1, "c": 2}, "d": [1, 2]});
        merge(
            &mut target,
            &serde_json::json!({"a": {"b": null, "e": 3}, "d": [3]}),
        );
        assert_eq!(target, serde_json::json!({"a": {"c": 2, "e": 3}, "d": [3]}));
    }
}
