//! The decision as Markdown: a table suitable for a pull-request comment.

use crate::decision::Decision;

/// Escapes a table cell: pipes and line breaks would end it.
pub fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// `### ✅ GO — name`, a summary line, then one row per criterion (failures keep their
/// place in policy order so the table reads like the policy).
pub fn markdown(d: &Decision) -> String {
    let mut out = format!(
        "### {} {}{}\n\n",
        if d.go { "✅" } else { "❌" },
        d.decision,
        d.name
            .as_ref()
            .map_or(String::new(), |n| format!(" — {}", cell(n)))
    );
    let evidence: Vec<String> = d
        .evidence
        .iter()
        .map(|e| format!("`{}` ({})", cell(&e.path), e.kind))
        .collect();
    out.push_str(&format!(
        "{} of {} criteria pass · policy `{}` · evidence {}\n\n",
        d.passed,
        d.criteria.len(),
        cell(&d.policy),
        evidence.join(", ")
    ));
    out.push_str("| | criterion | line | required | measured | why |\n");
    out.push_str("|---|---|---:|---|---|---|\n");
    for c in &d.criteria {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            if c.pass { "✅ pass" } else { "❌ **fail**" },
            cell(&c.criterion),
            if c.line == 0 {
                "—".to_string()
            } else {
                c.line.to_string()
            },
            cell(&c.required),
            cell(&c.measured),
            cell(&c.why)
        ));
    }
    out
}
