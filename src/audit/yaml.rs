//! YAML read into a small tree that keeps each node's 1-based line, built
//! from the events of the `saphyr-parser` YAML 1.2 parser (anchors, aliases
//! and `<<` merge keys resolved). Every YAML file flaskgen reads (today:
//! compose files; templates only write YAML) goes through [`parse`].

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span};

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

type Item<'t> = Result<(Event<'t>, Span), ScanError>;

/// Builds nodes from parser events, remembering anchored ones for aliases.
struct Builder<'t, I: Iterator<Item = Item<'t>>> {
    events: I,
    anchors: Vec<(usize, Node)>,
}

impl<'t, I: Iterator<Item = Item<'t>>> Builder<'t, I> {
    fn next(&mut self) -> Option<(Event<'t>, Span)> {
        self.events.next()?.ok()
    }

    fn anchor(&mut self, id: usize, n: &Node) {
        if id > 0 {
            self.anchors.push((id, n.clone()));
        }
    }

    /// The node that starts with `event`; `None` on a parse error.
    fn node(&mut self, event: Event<'t>, span: Span) -> Option<Node> {
        let line = span.start.line();
        let node = match event {
            Event::Scalar(v, style, id, _) => {
                let plain_null = style == ScalarStyle::Plain
                    && matches!(v.as_ref(), "" | "~" | "null" | "Null" | "NULL");
                let value = if plain_null {
                    Value::Null
                } else {
                    Value::Scalar(v.into_owned())
                };
                let n = Node { line, value };
                self.anchor(id, &n);
                n
            }
            Event::Alias(id) => {
                let found = self.anchors.iter().rev().find(|(a, _)| *a == id);
                let mut n = found.map(|(_, n)| n.clone())?;
                n.line = line;
                n
            }
            Event::SequenceStart(id, _) => {
                let mut items = Vec::new();
                loop {
                    match self.next()? {
                        (Event::SequenceEnd, _) => break,
                        (e, sp) => items.push(self.node(e, sp)?),
                    }
                }
                let n = Node {
                    line,
                    value: Value::Seq(items),
                };
                self.anchor(id, &n);
                n
            }
            Event::MappingStart(id, _) => {
                let mut entries: Vec<(String, Node)> = Vec::new();
                let mut merged: Vec<(String, Node)> = Vec::new();
                loop {
                    let (k, ksp) = self.next()?;
                    if matches!(k, Event::MappingEnd) {
                        break;
                    }
                    let key = self.node(k, ksp)?;
                    let (v, vsp) = self.next()?;
                    let mut value = self.node(v, vsp)?;
                    // A block collection takes its key's line (where a reader
                    // looks for `healthcheck:`); a scalar keeps its own.
                    if matches!(value.value, Value::Seq(_) | Value::Map(_)) {
                        value.line = key.line;
                    }
                    match key.value {
                        Value::Scalar(k) if k == "<<" => {
                            let sources = match value.value {
                                Value::Seq(s) => s,
                                other => vec![Node { line, value: other }],
                            };
                            for src in sources {
                                if let Value::Map(m) = src.value {
                                    merged.extend(m);
                                }
                            }
                        }
                        Value::Scalar(k) => entries.push((k, value)),
                        _ => {}
                    }
                }
                // Merged keys fill in what the mapping does not say itself.
                for (k, v) in merged {
                    if !entries.iter().any(|(e, _)| *e == k) {
                        entries.push((k, v));
                    }
                }
                let n = Node {
                    line,
                    value: Value::Map(entries),
                };
                self.anchor(id, &n);
                n
            }
            _ => return None,
        };
        Some(node)
    }
}

/// The first document of `text`, or `None` when it is not valid YAML.
pub fn parse(text: &str) -> Option<Node> {
    let mut b = Builder {
        events: Parser::new_from_str(text),
        anchors: Vec::new(),
    };
    loop {
        match b.next()? {
            (Event::StreamStart | Event::DocumentStart(_) | Event::Nothing, _) => {}
            (Event::StreamEnd | Event::DocumentEnd, _) => return None,
            (e, sp) => {
                let root = b.node(e, sp)?;
                // The rest of the document must parse too.
                for ev in b.events.by_ref() {
                    if matches!(ev.ok()?.0, Event::DocumentEnd) {
                        break;
                    }
                }
                return Some(root);
            }
        }
    }
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
        assert!(parse("a: 1\n b: 2\n").is_none());
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let n = parse("x-common: &c\n  restart: always\n  ports: [\"80:5000\"]\nservices:\n  web:\n    <<: *c\n    restart: \"no\"\n").unwrap();
        let web = n.get("services").unwrap().get("web").unwrap();
        assert_eq!(web.get("restart").unwrap().as_str(), Some("no"));
        assert_eq!(
            web.get("ports").unwrap().items()[0].as_str(),
            Some("80:5000")
        );
        assert_eq!(
            parse("a: ~\n").unwrap().get("a").unwrap().value,
            Value::Null
        );
    }
}
