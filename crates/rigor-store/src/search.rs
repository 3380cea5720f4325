//! MLflow's search grammar (mlflow/utils/search_utils.py, 3.17): filter strings, order-by
//! clauses and page tokens, parsed into plain values that a backend turns into a query.
//!
//! A filter is comparisons joined by `AND` (no `OR`):
//! `metrics.acc > 0.9 and params.lr = '0.01' and tags.\`mlflow.user\` LIKE 'a%'`.
//! Entities: `metric(s)`, `param(s)`/`parameter(s)`, `tag(s)`, `attribute(s)`/`attr`/`run`,
//! `dataset(s)`; an identifier without an entity is an attribute. Keys may be quoted with
//! backticks or double quotes; string values with single or double quotes.

use base64::Engine;

use crate::error::{Error, Result};

/// What a clause compares.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    /// The latest value of a metric.
    Metric(String),
    Param(String),
    Tag(String),
    /// A string attribute of a run: `run_id`, `run_name`, `user_id`, `status`,
    /// `artifact_uri` (experiments: `name`).
    StringAttr(&'static str),
    /// A numeric attribute: `start_time`, `end_time` (experiments: `creation_time`,
    /// `last_update_time`).
    NumericAttr(&'static str),
    /// A dataset input's `name`, `digest` or `context`.
    Dataset(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Like,
    ILike,
    In,
    NotIn,
    IsNull,
    IsNotNull,
}

impl Op {
    pub fn as_sql(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Like => "LIKE",
            Op::ILike => "ILIKE",
            Op::In => "IN",
            Op::NotIn => "NOT IN",
            Op::IsNull => "IS NULL",
            Op::IsNotNull => "IS NOT NULL",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(f64),
    Text(String),
    List(Vec<String>),
    None,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    pub field: Field,
    pub op: Op,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderBy {
    pub field: Field,
    pub ascending: bool,
}

// ---------------------------------------------------------------- lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// Dotted identifier: segments and whether each was quoted.
    Ident(Vec<(String, bool)>),
    Str(String),
    Num(f64, String),
    Op(&'static str),
    Word(String),
    LParen,
    RParen,
    Comma,
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::invalid(msg)
}

fn lex(input: &str) -> Result<Vec<Tok>> {
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    let quoted = |i: &mut usize, q: char| -> Result<String> {
        let mut s = String::new();
        *i += 1;
        loop {
            match chars.get(*i) {
                None => return Err(invalid(format!("Unterminated quoted string in '{input}'"))),
                Some(&c) if c == q => {
                    if chars.get(*i + 1) == Some(&q) {
                        s.push(q);
                        *i += 2;
                    } else {
                        *i += 1;
                        return Ok(s);
                    }
                }
                Some('\\') if q == '\'' && chars.get(*i + 1) == Some(&'\'') => {
                    s.push('\'');
                    *i += 2;
                }
                Some(&c) => {
                    s.push(c);
                    *i += 1;
                }
            }
        }
    };
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            out.push(Tok::Str(quoted(&mut i, '\'')?));
        } else if c == '(' {
            out.push(Tok::LParen);
            i += 1;
        } else if c == ')' {
            out.push(Tok::RParen);
            i += 1;
        } else if c == ',' {
            out.push(Tok::Comma);
            i += 1;
        } else if "=!<>".contains(c) {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let op = match two.as_str() {
                "!=" => "!=",
                "<>" => "!=",
                ">=" => ">=",
                "<=" => "<=",
                "==" => "==",
                ">>" | "<<" | "=>" | "=<" => {
                    return Err(invalid(format!(
                        "Invalid comparator '{two}' not one of '{{'>=', '<=', '!=', '=', '>', '<'}}"
                    )))
                }
                _ => "",
            };
            if op.is_empty() {
                out.push(Tok::Op(match c {
                    '=' => "=",
                    '<' => "<",
                    '>' => ">",
                    _ => return Err(invalid(format!("Invalid filter '{input}'"))),
                }));
                i += 1;
            } else {
                out.push(Tok::Op(op));
                i += 2;
            }
        } else if c.is_ascii_digit()
            || ((c == '-' || c == '+' || c == '.')
                && chars
                    .get(i + 1)
                    .is_some_and(|d| d.is_ascii_digit() || *d == '.'))
        {
            let start = i;
            i += 1;
            while i < chars.len() {
                let d = chars[i];
                if d.is_ascii_digit() || d == '.' {
                    i += 1;
                } else if (d == 'e' || d == 'E')
                    && chars
                        .get(i + 1)
                        .is_some_and(|n| n.is_ascii_digit() || *n == '-' || *n == '+')
                {
                    i += 2;
                } else {
                    break;
                }
            }
            let text: String = chars[start..i].iter().collect();
            if chars.get(i).is_some_and(|&d| is_word(d)) {
                return Err(invalid(format!("Invalid filter '{input}'")));
            }
            let v: f64 = text
                .parse()
                .map_err(|_| invalid(format!("Invalid number '{text}' in filter '{input}'")))?;
            out.push(Tok::Num(v, text));
        } else if is_word(c) || c == '`' || c == '"' {
            let mut segs: Vec<(String, bool)> = Vec::new();
            loop {
                match chars.get(i) {
                    Some('`') => segs.push((quoted(&mut i, '`')?, true)),
                    Some('"') => segs.push((quoted(&mut i, '"')?, true)),
                    Some(&d) if is_word(d) => {
                        let start = i;
                        while i < chars.len() && is_word(chars[i]) {
                            i += 1;
                        }
                        segs.push((chars[start..i].iter().collect(), false));
                    }
                    _ => return Err(invalid(format!("Invalid identifier in filter '{input}'"))),
                }
                if chars.get(i) == Some(&'.') {
                    i += 1;
                } else {
                    break;
                }
            }
            if segs.len() == 1 && !segs[0].1 {
                let w = segs[0].0.to_ascii_uppercase();
                if matches!(
                    w.as_str(),
                    "AND" | "OR" | "LIKE" | "ILIKE" | "IN" | "NOT" | "IS" | "NULL" | "ASC" | "DESC"
                ) {
                    out.push(Tok::Word(w));
                    continue;
                }
            }
            out.push(Tok::Ident(segs));
        } else {
            return Err(invalid(format!(
                "Invalid character '{c}' in filter string '{input}'"
            )));
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- fields

/// Which entity a filter targets: runs or experiments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Runs,
    Experiments,
}

fn entity_of(name: &str) -> Result<&'static str> {
    Ok(match name {
        "metric" | "metrics" => "metric",
        "parameter" | "parameters" | "param" | "params" => "param",
        "tag" | "tags" => "tag",
        "attribute" | "attributes" | "attr" | "run" => "attribute",
        "dataset" | "datasets" => "dataset",
        other => {
            return Err(invalid(format!(
                "Invalid entity type '{other}'. Valid values are ['metric', 'parameter', 'tag', \
                 'attribute', 'dataset']"
            )))
        }
    })
}

fn run_attribute(key: &str, for_order: bool) -> Result<Field> {
    Ok(match key {
        "run_id" => Field::StringAttr("run_id"),
        "run_name" => Field::StringAttr("run_name"),
        "run name" | "Run name" | "Run Name" if !for_order => Field::StringAttr("run_name"),
        "user_id" => Field::StringAttr("user_id"),
        "status" => Field::StringAttr("status"),
        "artifact_uri" => Field::StringAttr("artifact_uri"),
        "start_time" | "created" | "Created" => Field::NumericAttr("start_time"),
        "end_time" => Field::NumericAttr("end_time"),
        other => {
            return Err(invalid(format!(
                "Invalid attribute key '{other}' specified. Valid keys are '{{'artifact_uri', \
                 'end_time', 'run_id', 'run_name', 'start_time', 'status', 'user_id'}}'"
            )))
        }
    })
}

fn experiment_attribute(key: &str) -> Result<Field> {
    Ok(match key {
        "name" => Field::StringAttr("name"),
        "creation_time" => Field::NumericAttr("creation_time"),
        "last_update_time" => Field::NumericAttr("last_update_time"),
        "experiment_id" => Field::NumericAttr("experiment_id"),
        other => {
            return Err(invalid(format!(
                "Invalid attribute key '{other}' specified. Valid keys are '{{'name', \
                 'creation_time', 'last_update_time'}}'"
            )))
        }
    })
}

fn field(segs: &[(String, bool)], target: Target, for_order: bool) -> Result<Field> {
    let (entity, key) = if segs.len() == 1 {
        ("attribute", segs[0].0.clone())
    } else {
        let key: Vec<&str> = segs[1..].iter().map(|(s, _)| s.as_str()).collect();
        (entity_of(&segs[0].0)?, key.join("."))
    };
    match (target, entity) {
        (Target::Runs, "metric") => Ok(Field::Metric(key)),
        (Target::Runs, "param") => Ok(Field::Param(key)),
        (_, "tag") => Ok(Field::Tag(key)),
        (Target::Runs, "attribute") => run_attribute(&key, for_order),
        (Target::Experiments, "attribute") => experiment_attribute(&key),
        (Target::Runs, "dataset") if !for_order => match key.as_str() {
            "name" => Ok(Field::Dataset("name")),
            "digest" => Ok(Field::Dataset("digest")),
            "context" => Ok(Field::Dataset("context")),
            other => Err(invalid(format!(
                "Invalid dataset key '{other}' specified. Valid keys are '{{'name', 'digest', \
                 'context'}}'"
            ))),
        },
        (_, other) => Err(invalid(format!(
            "Invalid identifier type '{other}' for this search"
        ))),
    }
}

fn allowed(field: &Field, op: Op) -> bool {
    use Op::*;
    match field {
        Field::Metric(_) | Field::NumericAttr(_) => matches!(op, Eq | Ne | Gt | Ge | Lt | Le),
        Field::Param(_) | Field::Tag(_) => {
            matches!(op, Eq | Ne | Like | ILike | IsNull | IsNotNull)
        }
        Field::StringAttr(_) | Field::Dataset(_) => {
            matches!(op, Eq | Ne | Like | ILike | In | NotIn)
        }
    }
}

fn comparators(field: &Field) -> &'static str {
    match field {
        Field::Metric(_) | Field::NumericAttr(_) => "{'>=', '<=', '!=', '=', '>', '<'}",
        Field::Param(_) | Field::Tag(_) => "{'!=', '=', 'LIKE', 'ILIKE', 'IS NULL', 'IS NOT NULL'}",
        Field::StringAttr(_) | Field::Dataset(_) => "{'!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}",
    }
}

// ---------------------------------------------------------------- filter

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    input: &'a str,
    target: Target,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn bad(&self) -> Error {
        invalid(format!(
            "Invalid filter '{}'. Could not be parsed.",
            self.input
        ))
    }

    fn op(&mut self) -> Result<Op> {
        let op = match self.next() {
            Some(Tok::Op("=")) | Some(Tok::Op("==")) => Op::Eq,
            Some(Tok::Op("!=")) => Op::Ne,
            Some(Tok::Op(">")) => Op::Gt,
            Some(Tok::Op(">=")) => Op::Ge,
            Some(Tok::Op("<")) => Op::Lt,
            Some(Tok::Op("<=")) => Op::Le,
            Some(Tok::Word(w)) => match w.as_str() {
                "LIKE" => Op::Like,
                "ILIKE" => Op::ILike,
                "IN" => Op::In,
                "NOT" => match self.next() {
                    Some(Tok::Word(w)) if w == "IN" => Op::NotIn,
                    _ => return Err(self.bad()),
                },
                "IS" => match self.next() {
                    Some(Tok::Word(w)) if w == "NULL" => Op::IsNull,
                    Some(Tok::Word(w)) if w == "NOT" => match self.next() {
                        Some(Tok::Word(w)) if w == "NULL" => Op::IsNotNull,
                        _ => return Err(self.bad()),
                    },
                    _ => return Err(self.bad()),
                },
                _ => return Err(self.bad()),
            },
            _ => return Err(self.bad()),
        };
        Ok(op)
    }

    fn list(&mut self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        loop {
            match self.next() {
                Some(Tok::Str(s)) => out.push(s),
                Some(Tok::Ident(segs)) if segs.len() == 1 && segs[0].1 => {
                    out.push(segs[0].0.clone())
                }
                _ => {
                    return Err(invalid(format!(
                        "While parsing a list in the query, expected string value, punctuation, \
                         or whitespace, but got different type in list: '{}'",
                        self.input
                    )))
                }
            }
            match self.next() {
                Some(Tok::Comma) => {}
                Some(Tok::RParen) => break,
                _ => return Err(self.bad()),
            }
        }
        if out.is_empty() {
            return Err(invalid(
                "While parsing a list in the query, the list is empty",
            ));
        }
        Ok(out)
    }

    fn value(&mut self, field: &Field, op: Op) -> Result<Value> {
        if matches!(op, Op::IsNull | Op::IsNotNull) {
            return Ok(Value::None);
        }
        let tok = self.next().ok_or_else(|| self.bad())?;
        match field {
            Field::Metric(_) | Field::NumericAttr(_) => match tok {
                Tok::Num(v, _) => Ok(Value::Number(v)),
                other => Err(invalid(format!(
                    "Expected numeric value type for {}. Found {}",
                    if matches!(field, Field::Metric(_)) {
                        "metric".to_string()
                    } else {
                        "numeric attribute".to_string()
                    },
                    tok_text(&other)
                ))),
            },
            _ => match tok {
                Tok::Str(s) => Ok(Value::Text(s)),
                Tok::Ident(segs) if segs.len() == 1 && segs[0].1 => {
                    Ok(Value::Text(segs[0].0.clone()))
                }
                Tok::LParen if matches!(op, Op::In | Op::NotIn) => {
                    if let Field::StringAttr(a) = field {
                        if *a != "run_id" {
                            return Err(invalid(
                                "Only ['run_id'] attributes support comparison with a list of \
                                 quoted string values.",
                            ));
                        }
                    }
                    Ok(Value::List(self.list()?))
                }
                other => Err(invalid(format!(
                    "Parameter value is either not quoted or unidentified quote types used for \
                     string value {}. Use either single or double quotes.",
                    tok_text(&other)
                ))),
            },
        }
    }

    fn clause(&mut self) -> Result<Clause> {
        let segs = match self.next() {
            Some(Tok::Ident(segs)) => segs,
            _ => return Err(self.bad()),
        };
        let field = field(&segs, self.target, false)?;
        let op = self.op()?;
        if !allowed(&field, op) {
            return Err(invalid(format!(
                "Invalid comparator '{}' not one of '{}'",
                op.as_sql(),
                comparators(&field)
            )));
        }
        if matches!(op, Op::In | Op::NotIn) && self.peek() != Some(&Tok::LParen) {
            return Err(self.bad());
        }
        let value = self.value(&field, op)?;
        Ok(Clause { field, op, value })
    }
}

fn tok_text(t: &Tok) -> String {
    match t {
        Tok::Ident(segs) => segs
            .iter()
            .map(|(s, _)| s.as_str())
            .collect::<Vec<_>>()
            .join("."),
        Tok::Str(s) => format!("'{s}'"),
        Tok::Num(_, s) => s.clone(),
        Tok::Op(o) => o.to_string(),
        Tok::Word(w) => w.clone(),
        Tok::LParen => "(".into(),
        Tok::RParen => ")".into(),
        Tok::Comma => ",".into(),
    }
}

/// Parses a filter string into clauses joined by AND. An empty string has none.
pub fn parse_filter(input: &str, target: Target) -> Result<Vec<Clause>> {
    if input.trim().is_empty() {
        return Ok(Vec::new());
    }
    let toks = lex(input)?;
    let mut p = Parser {
        toks,
        pos: 0,
        input,
        target,
    };
    let mut out = Vec::new();
    loop {
        out.push(p.clause()?);
        match p.next() {
            None => break,
            Some(Tok::Word(w)) if w == "AND" => {}
            Some(Tok::Word(w)) if w == "OR" => {
                return Err(invalid(format!(
                    "Invalid clause(s) in filter string: '{input}'. 'OR' is not supported."
                )))
            }
            Some(_) => {
                return Err(invalid(format!(
                    "Invalid clause(s) in filter string: '{input}'"
                )))
            }
        }
    }
    Ok(out)
}

/// Parses order-by clauses (`metrics.acc DESC`, `attributes.start_time`, `name ASC`).
/// A field named twice is refused, as MLflow does.
pub fn parse_order_by(clauses: &[String], target: Target) -> Result<Vec<OrderBy>> {
    let mut out: Vec<OrderBy> = Vec::new();
    for raw in clauses {
        let bad = || {
            invalid(format!(
                "Invalid order_by clause '{raw}'. Could not be parsed."
            ))
        };
        let toks = lex(raw).map_err(|_| bad())?;
        let (segs, ascending) = match toks.as_slice() {
            [Tok::Ident(s)] => (s.clone(), true),
            [Tok::Ident(s), Tok::Word(w)] if w == "ASC" => (s.clone(), true),
            [Tok::Ident(s), Tok::Word(w)] if w == "DESC" => (s.clone(), false),
            _ => return Err(bad()),
        };
        let field = field(&segs, target, true)?;
        if matches!(field, Field::Dataset(_)) {
            return Err(bad());
        }
        if out.iter().any(|o| o.field == field) {
            return Err(invalid(format!(
                "`order_by` contains duplicate fields: {clauses:?}"
            )));
        }
        out.push(OrderBy { field, ascending });
    }
    Ok(out)
}

/// MLflow's page token: base64 of `{"offset": N}`.
pub fn page_token(offset: i64) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{{\"offset\": {offset}}}"))
}

/// The offset a page token stands for (0 without a token).
pub fn parse_page_token(token: Option<&str>) -> Result<i64> {
    let token = match token {
        None => return Ok(0),
        Some("") => return Ok(0),
        Some(t) => t,
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .map_err(|_| invalid("Invalid page token, could not base64-decode"))?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| {
        invalid(format!(
            "Invalid page token, decoded value={}",
            String::from_utf8_lossy(&bytes)
        ))
    })?;
    let offset = match v.get("offset") {
        Some(serde_json::Value::Number(n)) => n.as_i64(),
        Some(serde_json::Value::String(s)) => s.parse::<i64>().ok(),
        _ => None,
    };
    match offset {
        Some(n) if n > 0 => Ok(n),
        _ => Err(invalid(format!("Invalid page token, parsed value={v}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(s: &str) -> Result<Vec<Clause>> {
        parse_filter(s, Target::Runs)
    }

    #[test]
    fn parses_mlflow_examples() {
        let c = runs("metrics.acc > 0.9 and params.lr = '0.01'").expect("parse");
        assert_eq!(
            c,
            vec![
                Clause {
                    field: Field::Metric("acc".into()),
                    op: Op::Gt,
                    value: Value::Number(0.9)
                },
                Clause {
                    field: Field::Param("lr".into()),
                    op: Op::Eq,
                    value: Value::Text("0.01".into())
                }
            ]
        );
        let c = runs("tags.`mlflow.source.name` LIKE '%train%' AND tags.mlflow.user = \"bob\"")
            .expect("parse");
        assert_eq!(c[0].field, Field::Tag("mlflow.source.name".into()));
        assert_eq!(c[0].op, Op::Like);
        assert_eq!(c[1].field, Field::Tag("mlflow.user".into()));
        assert_eq!(c[1].value, Value::Text("bob".into()));
        let c = runs("attributes.run_id IN ('a', 'b') and status != 'FAILED'").expect("parse");
        assert_eq!(c[0].value, Value::List(vec!["a".into(), "b".into()]));
        assert_eq!(c[1].field, Field::StringAttr("status"));
        let c = runs("metrics.\"val loss\" <= -1.5e-3 and `Run Name` ilike 'x%'").expect("parse");
        assert_eq!(c[0].field, Field::Metric("val loss".into()));
        assert_eq!(c[0].value, Value::Number(-1.5e-3));
        assert_eq!(c[1].field, Field::StringAttr("run_name"));
        let c = runs("params.x IS NOT NULL and tags.y is null").expect("parse");
        assert_eq!(c[0].op, Op::IsNotNull);
        assert_eq!(c[1].op, Op::IsNull);
        let c = runs("datasets.name IN ('train') and dataset.context = 'training'").expect("parse");
        assert_eq!(c[1].field, Field::Dataset("context"));
        let c = runs("created >= 1700000000000").expect("parse");
        assert_eq!(c[0].field, Field::NumericAttr("start_time"));
    }

    #[test]
    fn refuses_what_mlflow_refuses() {
        for bad in [
            "metrics.acc >> 1",
            "metrics.acc > '1'",
            "params.lr = 0.1",
            "params.lr > '1'",
            "metrics.a > 1 or metrics.b > 1",
            "foo.bar = 'x'",
            "attributes.nope = 'x'",
            "attributes.status IN ('a')",
            "metrics.a >",
            "metrics.a > 1 metrics.b > 2",
            "params.x = 'unterminated",
            "datasets.size = 'x'",
        ] {
            assert!(runs(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn order_by() {
        let o = parse_order_by(
            &[
                "metrics.acc DESC".into(),
                "start_time".into(),
                "params.`a b` asc".into(),
            ],
            Target::Runs,
        )
        .expect("parse");
        assert_eq!(
            o[0],
            OrderBy {
                field: Field::Metric("acc".into()),
                ascending: false
            }
        );
        assert_eq!(o[1].field, Field::NumericAttr("start_time"));
        assert!(o[2].ascending);
        assert!(
            parse_order_by(&["metrics.a".into(), "metrics.a desc".into()], Target::Runs).is_err()
        );
        assert!(parse_order_by(&["metrics.a sideways".into()], Target::Runs).is_err());
    }

    #[test]
    fn page_tokens_round_trip() {
        assert_eq!(parse_page_token(Some(&page_token(42))).expect("token"), 42);
        assert_eq!(parse_page_token(None).expect("none"), 0);
        assert!(parse_page_token(Some("%%%")).is_err());
        assert!(parse_page_token(Some("e30=")).is_err()); // {}
    }
}
