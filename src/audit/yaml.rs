//! YAML read into a small tree that keeps each node's 1-based line, over
//! the `saphyr` parser. Every YAML file flaskgen reads (today: compose
//! files) goes through [`parse`].

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar as written: numbers and booleans too (`5000`, `true`).
    Scalar(String),
    Null,
    Seq(Vec<Node>),
    /// Keys in document order; non-scalar keys are left out.
    Map(Vec<(String, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// 1-based line where the node starts.
    pub line: usize,
    pub value: Value,
}

impl Node {
    /// The value under `key` when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[(String, Node)] {
        match &self.value {
            Value::Map(m) => m,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(s) => s,
            _ => &[],
        }
    }
}

fn scalar(s: &Scalar) -> Value {
    match s {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Scalar(b.to_string()),
        Scalar::Integer(i) => Value::Scalar(i.to_string()),
        Scalar::FloatingPoint(f) => Value::Scalar(f.to_string()),
        Scalar::String(s) => Value::Scalar(s.to_string()),
    }
}

fn convert(y: &MarkedYaml) -> Node {
    let value = match &y.data {
        YamlData::Value(s) => scalar(s),
        YamlData::Representation(s, _, _) => Value::Scalar(s.to_string()),
        YamlData::Sequence(items) => Value::Seq(items.iter().map(convert).collect()),
        YamlData::Mapping(m) => Value::Map(
            m.iter()
                .filter_map(|(k, v)| match &k.data {
                    YamlData::Value(s) => match scalar(s) {
                        Value::Scalar(name) => Some((name, keyed(k, v))),
                        _ => None,
                    },
                    YamlData::Representation(s, _, _) => Some((s.to_string(), keyed(k, v))),
                    _ => None,
                })
                .collect(),
        ),
        YamlData::Tagged(_, inner) => return convert(inner),
        YamlData::Alias(_) | YamlData::BadValue => Value::Null,
    };
    Node {
        line: y.span.start.line(),
        value,
    }
}

/// A mapping's value; a block collection takes its key's line (where a
/// reader looks for `healthcheck:`), a scalar keeps its own.
fn keyed(key: &MarkedYaml, value: &MarkedYaml) -> Node {
    let mut n = convert(value);
    if matches!(n.value, Value::Seq(_) | Value::Map(_)) {
        n.line = key.span.start.line();
    }
    n
}

/// The first document of `text`, or `None` when it is not valid YAML.
pub fn parse(text: &str) -> Option<Node> {
    let docs = MarkedYaml::load_from_str(text).ok()?;
    docs.first().map(convert)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_values() {
        let n = parse("a:\n  b: 1\n  c:\n    - x\n    - \"y\"\n").unwrap();
        let a = n.get("a").unwrap();
        assert_eq!(a.get("b").unwrap().as_str(), Some("1"));
        let c = a.get("c").unwrap();
        assert_eq!(c.items()[1].as_str(), Some("y"));
        assert_eq!(c.items()[1].line, 5);
        assert!(parse("a: [").is_none());
    }
}
