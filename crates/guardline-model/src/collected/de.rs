//! Reading a [`Collected`] without buffering: `value` and `error` are deserialised in place, whatever the
//! order of the keys, and `status` is checked against what was found.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::{CollectError, Collected};

const FIELDS: &[&str] = &["status", "value", "error"];

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "kebab-case")]
enum Field {
    Status,
    Value,
    Error,
}

#[derive(Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
enum Tag {
    Ok,
    Error,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Collected<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(CollectedVisitor(PhantomData))
    }
}

struct CollectedVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for CollectedVisitor<T> {
    type Value = Collected<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(r#"{"status": "ok", "value": ...} or {"status": "error", "error": {...}}"#)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut tag = None;
        let mut value = None;
        let mut error: Option<CollectError> = None;
        while let Some(field) = map.next_key()? {
            match field {
                Field::Status if tag.is_some() => return Err(de::Error::duplicate_field("status")),
                Field::Value if value.is_some() => return Err(de::Error::duplicate_field("value")),
                Field::Error if error.is_some() => return Err(de::Error::duplicate_field("error")),
                Field::Status => tag = Some(map.next_value::<Tag>()?),
                Field::Value => value = Some(map.next_value::<T>()?),
                Field::Error => error = Some(map.next_value()?),
            }
        }
        match (tag, value, error) {
            (None, _, _) => Err(de::Error::missing_field("status")),
            (Some(Tag::Ok), Some(value), None) => Ok(Collected::Ok { value }),
            (Some(Tag::Error), None, Some(error)) => Ok(Collected::Error { error }),
            (Some(Tag::Ok), None, _) => Err(de::Error::missing_field("value")),
            (Some(Tag::Error), _, None) => Err(de::Error::missing_field("error")),
            (Some(Tag::Ok), Some(_), Some(_)) => Err(de::Error::unknown_field("error", &FIELDS[..2])),
            (Some(Tag::Error), Some(_), Some(_)) => {
                Err(de::Error::unknown_field("value", &["status", "error"]))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn read(json: &str) -> Result<Collected<Vec<u32>>, String> {
        serde_json::from_str(json).map_err(|err| err.to_string())
    }

    #[test]
    fn reads_both_variants_in_any_key_order() {
        assert_eq!(read(r#"{"status": "ok", "value": [1, 2]}"#), Ok(Collected::ok(vec![1, 2])));
        assert_eq!(read(r#"{"value": [3], "status": "ok"}"#), Ok(Collected::ok(vec![3])));
        let error = read(
            r#"{"error": {"action": "iam:ListUsers", "kind": "access-denied", "message": "no"},
                              "status": "error"}"#,
        )
        .unwrap();
        assert_eq!(error.get().unwrap_err().kind, ErrorKind::AccessDenied);
    }

    #[test]
    fn round_trips_through_serialize() {
        let ok = Collected::ok(vec![7u32]);
        assert_eq!(read(&serde_json::to_string(&ok).unwrap()), Ok(ok));
        let error: Collected<Vec<u32>> = Collected::default();
        assert_eq!(read(&serde_json::to_string(&error).unwrap()), Ok(error));
    }

    #[test]
    fn names_what_is_wrong() {
        let cases = [
            (r#"{"value": [1]}"#, "missing field `status`"),
            (r#"{"status": "ok"}"#, "missing field `value`"),
            (r#"{"status": "error", "value": [1]}"#, "missing field `error`"),
            (r#"{"status": "maybe", "value": [1]}"#, "unknown variant `maybe`"),
            (r#"{"status": "ok", "value": [1], "extra": 1}"#, "unknown field `extra`"),
            (r#"{"status": "ok", "status": "ok", "value": []}"#, "duplicate field `status`"),
            (r#"{"status": "ok", "value": ["x"]}"#, "invalid type: string"),
            (r#"[1]"#, "invalid type: sequence"),
        ];
        for (json, expected) in cases {
            let err = read(json).unwrap_err();
            assert!(err.contains(expected), "{json}: {err}");
        }
        let both = r#"{"status": "ok", "value": [1],
                       "error": {"action": "", "kind": "failed", "message": ""}}"#;
        assert!(read(both).unwrap_err().contains("unknown field `error`"));
    }
}
