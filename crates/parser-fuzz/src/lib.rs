//! Inputs for fuzzing parsers of outside data: JSON documents grown from a valid seed by
//! random replacements, deletions and insertions at random depths (so the parser gets past its
//! first check and meets a broken inner field), and texts made of the characters the formats
//! use. The targets are in `tests/parsers.rs`; `scripts/fuzz` runs a million cases of each.

use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Map, Value};

/// The runner's settings: the case count from `PROPTEST_CASES` (proptest's own variable: 256
/// by default, 20 000 under `scripts/test`, a million under `scripts/fuzz`), no file written for
/// failures (a failing case is printed, shrunk).
pub fn config() -> Config {
    Config {
        failure_persistence: None,
        ..Config::default()
    }
}

/// Texts that look like the fields of the formats read: hex with and without prefix, decimals,
/// short strings, very long digit runs, signs and stray characters.
pub fn field_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "0x[0-9a-fA-F]{0,70}",
        "[0-9]{0,90}",
        "[0-9]{0,30}\\.[0-9]{0,30}",
        "-?[0-9a-zA-Z_ .:,-]{0,24}",
        ".{0,40}",
    ]
}

/// A JSON leaf: null, booleans, extreme numbers, or a field-like text.
pub fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        field_text().prop_map(Value::from),
    ]
}

/// Any JSON value a few levels deep, with object keys drawn from `keys` (the names the parser
/// looks for) or made up.
pub fn any_json(keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        3 => proptest::sample::select(keys).prop_map(str::to_owned),
        1 => "[a-zA-Z_ ]{0,12}",
    ];
    leaf().prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// One change to a JSON document: the path is a list of picks (each taken modulo the number of
/// children where it is used), the edit what happens there.
#[derive(Debug, Clone)]
pub struct Mutation {
    path: Vec<usize>,
    edit: Edit,
}

#[derive(Debug, Clone)]
enum Edit {
    Replace(Value),
    Remove,
    Insert(String, Value),
    Duplicate,
}

/// Up to `count` random mutations, their new values and keys drawn from `keys`.
pub fn mutations(
    keys: &'static [&'static str],
    count: usize,
) -> impl Strategy<Value = Vec<Mutation>> {
    let edit = prop_oneof![
        4 => any_json(keys).prop_map(Edit::Replace),
        2 => Just(Edit::Remove),
        1 => (proptest::sample::select(keys).prop_map(str::to_owned), any_json(keys))
            .prop_map(|(k, v)| Edit::Insert(k, v)),
        1 => Just(Edit::Duplicate),
    ];
    let mutation = (proptest::collection::vec(any::<usize>(), 0..6), edit)
        .prop_map(|(path, edit)| Mutation { path, edit });
    proptest::collection::vec(mutation, 1..=count)
}

/// `seed` with `mutations` applied in order.
pub fn mutate(seed: &Value, mutations: &[Mutation]) -> Value {
    let mut value = seed.clone();
    for m in mutations {
        apply(&mut value, &m.path, &m.edit);
    }
    value
}

fn apply(value: &mut Value, path: &[usize], edit: &Edit) {
    let children = match value {
        Value::Array(items) => items.len(),
        Value::Object(map) => map.len(),
        _ => 0,
    };
    // At the end of the path, or where nothing goes deeper, the edit applies here.
    let Some((&pick, rest)) = path.split_first().filter(|_| children > 0) else {
        edit_here(value, edit);
        return;
    };
    let index = pick % children;
    if rest.is_empty() {
        match (value, edit) {
            (Value::Array(items), Edit::Remove) => {
                items.remove(index);
            }
            (Value::Object(map), Edit::Remove) => {
                let key = map.keys().nth(index).cloned().unwrap_or_default();
                map.remove(&key);
            }
            (Value::Array(items), Edit::Duplicate) => {
                let copy = items[index].clone();
                items.insert(index, copy);
            }
            (value, edit) => edit_child(value, index, edit),
        }
        return;
    }
    if let Some(child) = child_mut(value, index) {
        apply(child, rest, edit);
    }
}

fn child_mut(value: &mut Value, index: usize) -> Option<&mut Value> {
    match value {
        Value::Array(items) => items.get_mut(index),
        Value::Object(map) => map.values_mut().nth(index),
        _ => None,
    }
}

fn edit_child(value: &mut Value, index: usize, edit: &Edit) {
    if let Some(child) = child_mut(value, index) {
        edit_here(child, edit);
    }
}

fn edit_here(value: &mut Value, edit: &Edit) {
    match edit {
        Edit::Replace(new) => *value = new.clone(),
        Edit::Remove => *value = Value::Null,
        Edit::Insert(key, new) => match value {
            Value::Object(map) => {
                map.insert(key.clone(), new.clone());
            }
            Value::Array(items) => items.push(new.clone()),
            other => *other = new.clone(),
        },
        Edit::Duplicate => {
            let copy = value.clone();
            *value = Value::Array(vec![copy.clone(), copy]);
        }
    }
}

/// A text with up to `count` byte-level changes (replaced, removed or inserted characters from
/// `alphabet`), for formats that are not JSON (sealed secrets, ciphertexts).
pub fn garble(
    alphabet: &'static str,
    count: usize,
) -> impl Strategy<Value = Vec<(usize, u8, char)>> {
    let chars: Vec<char> = alphabet.chars().collect();
    proptest::collection::vec(
        (any::<usize>(), 0u8..3, proptest::sample::select(chars)),
        0..=count,
    )
}

/// `text` with `changes` applied: 0 replaces the character at the position (modulo the length),
/// 1 removes it, 2 inserts before it.
pub fn apply_garble(text: &str, changes: &[(usize, u8, char)]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for &(position, kind, c) in changes {
        if chars.is_empty() {
            chars.push(c);
            continue;
        }
        let i = position % chars.len();
        match kind {
            0 => chars[i] = c,
            1 => {
                chars.remove(i);
            }
            _ => chars.insert(i, c),
        }
    }
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mutations_reach_inner_fields() {
        let seed = json!({"a": {"b": [1, 2, 3]}, "c": "x"});
        let replace = Mutation {
            path: vec![0, 0, 1],
            edit: Edit::Replace(json!("changed")),
        };
        assert_eq!(
            mutate(&seed, &[replace]),
            json!({"a": {"b": [1, "changed", 3]}, "c": "x"})
        );
        let remove = Mutation {
            path: vec![1],
            edit: Edit::Remove,
        };
        assert_eq!(mutate(&seed, &[remove]), json!({"a": {"b": [1, 2, 3]}}));
        let duplicate = Mutation {
            path: vec![0, 0, 2],
            edit: Edit::Duplicate,
        };
        assert_eq!(
            mutate(&seed, &[duplicate]),
            json!({"a": {"b": [1, 2, 3, 3]}, "c": "x"})
        );
        let insert = Mutation {
            path: vec![4],
            edit: Edit::Insert("k".into(), json!(true)),
        };
        assert_eq!(
            mutate(&seed, &[insert]),
            json!({"a": {"b": [1, 2, 3], "k": true}, "c": "x"})
        );
    }

    #[test]
    fn garbling_replaces_removes_and_inserts() {
        assert_eq!(apply_garble("abc", &[(1, 0, 'x')]), "axc");
        assert_eq!(apply_garble("abc", &[(4, 1, 'x')]), "ac");
        assert_eq!(apply_garble("abc", &[(0, 2, 'x')]), "xabc");
        assert_eq!(apply_garble("", &[(7, 1, 'z')]), "z");
    }
}
