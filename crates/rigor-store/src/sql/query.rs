//! Run search: MLflow's filter and order-by grammar ([`crate::search`]) translated to
//! one SQL query with bound values, then the page's data loaded in bulk.

use super::runs::{run_info_from_row, RUN_COLUMNS, RUN_NAME_TAG};
use super::{bind_all, placeholders, Arg, SqlStore};
use crate::error::{Error, Result};
use crate::model::{Page, Run, RunSearch};
use crate::search::{self, Clause, Field, Op, Target, Value};
use crate::validate;

/// Default page size of SearchRuns, as MLflow's proto.
const DEFAULT_MAX_RESULTS: i64 = 1000;

struct Sql<'a> {
    store: &'a SqlStore,
    args: Vec<Arg>,
}

impl Sql<'_> {
    fn bind(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }

    /// `column <op> value` for a string comparison (=, !=, LIKE, ILIKE, IN, NOT IN).
    fn string_cmp(&mut self, column: &str, op: Op, value: &Value) -> Result<String> {
        match (op, value) {
            (Op::Like | Op::ILike, Value::Text(v)) => {
                let ilike = op == Op::ILike;
                let arg = self.store.like_arg(v, ilike);
                self.args.push(Arg::Text(arg));
                Ok(self.store.like_sql(column, ilike, self.args.len()))
            }
            (Op::In | Op::NotIn, Value::List(vs)) => {
                let ps: Vec<String> = vs.iter().map(|v| self.bind(Arg::Text(v.clone()))).collect();
                Ok(format!("{column} {} ({})", op.as_sql(), ps.join(", ")))
            }
            (Op::Eq | Op::Ne, Value::Text(v)) => {
                let p = self.bind(Arg::Text(v.clone()));
                Ok(format!("{column} {} {p}", op.as_sql()))
            }
            _ => Err(Error::invalid(format!(
                "Invalid comparator '{}' for a string value",
                op.as_sql()
            ))),
        }
    }

    fn clause(&mut self, c: &Clause) -> Result<String> {
        match &c.field {
            Field::Metric(key) => {
                let Value::Number(v) = c.value else {
                    return Err(Error::invalid("Expected numeric value type for metric."));
                };
                let k = self.bind(Arg::Text(key.clone()));
                let p = self.bind(Arg::Real(v));
                let cmp = if c.op == Op::Ne {
                    format!("(m.value != {p} OR m.is_nan = 1)")
                } else {
                    format!("m.value {} {p} AND m.is_nan = 0", c.op.as_sql())
                };
                Ok(format!(
                    "EXISTS (SELECT 1 FROM latest_metrics m WHERE m.run_uuid = r.run_uuid \
                     AND m.key = {k} AND {cmp})"
                ))
            }
            Field::Param(key) | Field::Tag(key) => {
                let table = if matches!(c.field, Field::Param(_)) {
                    "params"
                } else {
                    "tags"
                };
                let k = self.bind(Arg::Text(key.clone()));
                let exists = format!(
                    "EXISTS (SELECT 1 FROM {table} x WHERE x.run_uuid = r.run_uuid AND x.key = {k}"
                );
                match c.op {
                    Op::IsNull => Ok(format!("NOT {exists})")),
                    Op::IsNotNull => Ok(format!("{exists})")),
                    op => {
                        let cmp = self.string_cmp("x.value", op, &c.value)?;
                        Ok(format!("{exists} AND {cmp})"))
                    }
                }
            }
            Field::StringAttr("run_name") => {
                let k = self.bind(Arg::Text(RUN_NAME_TAG.to_string()));
                let cmp = self.string_cmp("x.value", c.op, &c.value)?;
                Ok(format!(
                    "EXISTS (SELECT 1 FROM tags x WHERE x.run_uuid = r.run_uuid AND x.key = {k} \
                     AND {cmp})"
                ))
            }
            Field::StringAttr(attr) => {
                let column = attr_column(attr)?;
                self.string_cmp(&format!("r.{column}"), c.op, &c.value)
            }
            Field::NumericAttr(attr) => {
                let Value::Number(v) = c.value else {
                    return Err(Error::invalid("Expected numeric value type for attribute."));
                };
                let column = attr_column(attr)?;
                let p = if v.fract() == 0.0 && v.abs() < 9e15 {
                    self.bind(Arg::Int(v as i64))
                } else {
                    self.bind(Arg::Real(v))
                };
                Ok(format!("r.{column} {} {p}", c.op.as_sql()))
            }
            Field::Dataset("context") => {
                let k = self.bind(Arg::Text("mlflow.data.context".to_string()));
                let cmp = self.string_cmp("it.value", c.op, &c.value)?;
                Ok(format!(
                    "EXISTS (SELECT 1 FROM input_tags it WHERE it.run_uuid = r.run_uuid \
                     AND it.key = {k} AND {cmp})"
                ))
            }
            Field::Dataset(attr) => {
                let cmp = self.string_cmp(&format!("d.{attr}"), c.op, &c.value)?;
                Ok(format!(
                    "EXISTS (SELECT 1 FROM run_inputs i JOIN datasets d ON d.dataset_uuid = \
                     i.dataset_uuid WHERE i.run_uuid = r.run_uuid AND {cmp})"
                ))
            }
        }
    }
}

fn attr_column(attr: &str) -> Result<&'static str> {
    Ok(match attr {
        "run_id" => "run_uuid",
        "run_name" => "name",
        "user_id" => "user_id",
        "status" => "status",
        "artifact_uri" => "artifact_uri",
        "start_time" => "start_time",
        "end_time" => "end_time",
        other => return Err(Error::invalid(format!("Invalid attribute key '{other}'"))),
    })
}

impl SqlStore {
    pub(crate) async fn search_runs_impl(&self, s: &RunSearch) -> Result<Page<Run>> {
        validate::max_results(s.max_results)?;
        let clauses = search::parse_filter(&s.filter, Target::Runs)?;
        let order = search::parse_order_by(&s.order_by, Target::Runs)?;
        let offset = search::parse_page_token(s.page_token.as_deref())?;
        let max = s.max_results.unwrap_or(DEFAULT_MAX_RESULTS);
        let experiment_ids: Vec<i64> = s
            .experiment_ids
            .iter()
            .map(|e| validate::experiment_id(e))
            .collect::<Result<_>>()?;
        if experiment_ids.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                next_page_token: None,
            });
        }

        let mut q = Sql {
            store: self,
            args: Vec::new(),
        };
        let mut joins = String::new();
        let mut order_sql: Vec<String> = Vec::new();
        for (i, o) in order.iter().enumerate() {
            let dir = if o.ascending { "ASC" } else { "DESC" };
            match &o.field {
                Field::Metric(key) | Field::Param(key) | Field::Tag(key) => {
                    let table = match o.field {
                        Field::Metric(_) => "latest_metrics",
                        Field::Param(_) => "params",
                        _ => "tags",
                    };
                    let k = q.bind(Arg::Text(key.clone()));
                    joins.push_str(&format!(
                        " LEFT JOIN {table} o{i} ON o{i}.run_uuid = r.run_uuid AND o{i}.key = {k}"
                    ));
                    if matches!(o.field, Field::Metric(_)) {
                        order_sql.push(format!(
                            "CASE WHEN o{i}.is_nan = 1 THEN 1 WHEN o{i}.value IS NULL THEN 2 ELSE 0 END"
                        ));
                    } else {
                        order_sql.push(format!("CASE WHEN o{i}.value IS NULL THEN 1 ELSE 0 END"));
                    }
                    order_sql.push(format!("o{i}.value {dir}"));
                }
                Field::StringAttr(a) | Field::NumericAttr(a) => {
                    let col = attr_column(a)?;
                    order_sql.push(format!("CASE WHEN r.{col} IS NULL THEN 1 ELSE 0 END"));
                    order_sql.push(format!("r.{col} {dir}"));
                }
                Field::Dataset(_) => return Err(Error::invalid("Cannot order by a dataset")),
            }
        }
        if !order
            .iter()
            .any(|o| o.field == Field::NumericAttr("start_time"))
        {
            order_sql.push("r.start_time DESC".into());
        }
        order_sql.push("r.run_uuid ASC".into());

        let exp_list: Vec<String> = experiment_ids
            .iter()
            .map(|e| q.bind(Arg::Int(*e)))
            .collect();
        let stage_list: Vec<String> = s
            .view
            .stages()
            .iter()
            .map(|st| q.bind(Arg::Text(st.to_string())))
            .collect();
        let mut wheres = vec![
            format!("r.experiment_id IN ({})", exp_list.join(", ")),
            format!("r.lifecycle_stage IN ({})", stage_list.join(", ")),
        ];
        for c in &clauses {
            wheres.push(q.clause(c)?);
        }
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM runs r{joins} WHERE {} ORDER BY {} LIMIT {} OFFSET {}",
            wheres.join(" AND "),
            order_sql.join(", "),
            max + 1,
            offset
        );
        let rows = bind_all(sqlx::query(&sql), &q.args)
            .fetch_all(&self.read)
            .await?;
        let more = rows.len() as i64 > max;
        let infos = rows
            .iter()
            .take(max as usize)
            .map(run_info_from_row)
            .collect::<Result<Vec<_>>>()?;
        let items = self.attach_data(infos).await?;
        let _ = placeholders;
        Ok(Page {
            items,
            next_page_token: more.then(|| search::page_token(offset + max)),
        })
    }
}
