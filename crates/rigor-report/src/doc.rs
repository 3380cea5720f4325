//! A small document model — headings, paragraphs, tables, charts — rendered to one
//! self-contained HTML file or to Markdown, so readouts and cards say the same thing
//! in both formats.
//!
//! Inline text may hold `code spans` in backticks; everything else is escaped.

use std::fmt::Write;

use crate::escape;

/// One block of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading {
        level: u8,
        text: String,
        id: Option<String>,
    },
    Para(String),
    /// Muted text (how to get what is not there, settings).
    Note(String),
    /// A field the user must supply and did not: shown as missing, never invented.
    Missing(String),
    Table(Table),
    List(Vec<String>),
    Code(String),
    /// Charts side by side, each with a caption; Markdown shows the captions only.
    Charts(Vec<Chart>),
    /// The decision banner.
    Banner {
        /// GO (true), NO-GO (false) or no decision (None).
        go: Option<bool>,
        title: String,
        detail: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub svg: String,
    pub caption: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Row>,
    /// Right-aligned columns.
    pub numeric: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row {
    pub cells: Vec<String>,
    /// `pass`, `fail` or `skip`: colours the row.
    pub class: Option<&'static str>,
}

impl Row {
    pub fn new(cells: Vec<String>) -> Row {
        Row { cells, class: None }
    }
}

/// A titled sequence of blocks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    pub title: String,
    pub subtitle: String,
    pub blocks: Vec<Block>,
}

impl Document {
    pub fn push(&mut self, b: Block) {
        self.blocks.push(b);
    }

    pub fn heading(&mut self, level: u8, text: &str, id: Option<&str>) {
        self.blocks.push(Block::Heading {
            level,
            text: text.to_string(),
            id: id.map(str::to_string),
        });
    }

    pub fn para(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Para(text.into()));
    }

    pub fn note(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Note(text.into()));
    }

    /// The page as one HTML file: styles inline, no scripts, no external resources.
    pub fn html(&self, css: &str) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>\n{css}</style>\n</head>\n<body>\n<main>\n\
             <header><h1>{}</h1><p class=\"subtitle\">{}</p></header>\n",
            escape::html(&self.title),
            escape::html(&self.title),
            inline_html(&self.subtitle)
        );
        let mut open_section = false;
        for b in &self.blocks {
            match b {
                Block::Heading { level, text, id } => {
                    if *level == 2 {
                        if open_section {
                            out.push_str("</section>\n");
                        }
                        let _ = writeln!(
                            out,
                            "<section{}>",
                            id.as_ref()
                                .map_or(String::new(), |i| format!(" id=\"{}\"", escape::html(i)))
                        );
                        open_section = true;
                    }
                    let _ = writeln!(out, "<h{level}>{}</h{level}>", inline_html(text));
                }
                Block::Para(t) => {
                    let _ = writeln!(out, "<p>{}</p>", inline_html(t));
                }
                Block::Note(t) => {
                    let _ = writeln!(out, "<p class=\"note\">{}</p>", inline_html(t));
                }
                Block::Missing(key) => {
                    let _ = writeln!(
                        out,
                        "<p class=\"missing\">Missing — not supplied in the card metadata: \
                         <code>{}</code></p>",
                        escape::html(key)
                    );
                }
                Block::Table(t) => table_html(&mut out, t),
                Block::List(items) => {
                    out.push_str("<ul>\n");
                    for i in items {
                        let _ = writeln!(out, "<li>{}</li>", inline_html(i));
                    }
                    out.push_str("</ul>\n");
                }
                Block::Code(c) => {
                    let _ = writeln!(out, "<pre><code>{}</code></pre>", escape::html(c));
                }
                Block::Charts(charts) => {
                    out.push_str("<div class=\"charts\">\n");
                    for c in charts {
                        let _ = writeln!(
                            out,
                            "<figure>{}<figcaption>{}</figcaption></figure>",
                            c.svg,
                            inline_html(&c.caption)
                        );
                    }
                    out.push_str("</div>\n");
                }
                Block::Banner { go, title, detail } => {
                    let class = match go {
                        Some(true) => "go",
                        Some(false) => "nogo",
                        None => "none",
                    };
                    let _ = writeln!(
                        out,
                        "<div class=\"banner {class}\" role=\"status\"><div class=\"verdict\">{}</div>\
                         <div class=\"detail\">{}</div></div>",
                        escape::html(title),
                        inline_html(detail)
                    );
                }
            }
        }
        if open_section {
            out.push_str("</section>\n");
        }
        out.push_str("</main>\n</body>\n</html>\n");
        out
    }

    /// The same content as Markdown (charts as their captions).
    pub fn markdown(&self) -> String {
        let mut out = format!("# {}\n\n", escape::markdown(&self.title));
        if !self.subtitle.is_empty() {
            let _ = writeln!(out, "{}\n", inline_md(&self.subtitle));
        }
        for b in &self.blocks {
            match b {
                Block::Heading { level, text, .. } => {
                    let _ = writeln!(out, "{} {}\n", "#".repeat(*level as usize), inline_md(text));
                }
                Block::Para(t) => {
                    let _ = writeln!(out, "{}\n", inline_md(t));
                }
                Block::Note(t) => {
                    let _ = writeln!(out, "_{}_\n", inline_md(t));
                }
                Block::Missing(key) => {
                    let _ = writeln!(
                        out,
                        "> **Missing** — not supplied in the card metadata: `{key}`\n"
                    );
                }
                Block::Table(t) => table_md(&mut out, t),
                Block::List(items) => {
                    for i in items {
                        let _ = writeln!(out, "- {}", inline_md(i));
                    }
                    out.push('\n');
                }
                Block::Code(c) => {
                    let _ = writeln!(out, "```\n{c}\n```\n");
                }
                Block::Charts(charts) => {
                    for c in charts {
                        let _ = writeln!(out, "- chart (HTML readout): {}", inline_md(&c.caption));
                    }
                    out.push('\n');
                }
                Block::Banner { go, title, detail } => {
                    let mark = match go {
                        Some(true) => "✅ ",
                        Some(false) => "❌ ",
                        None => "",
                    };
                    let _ = writeln!(
                        out,
                        "**{mark}{}** — {}\n",
                        escape::markdown(title),
                        inline_md(detail)
                    );
                }
            }
        }
        out
    }
}

/// Splits on backticks: even parts are text, odd parts code.
fn spans(s: &str) -> impl Iterator<Item = (bool, &str)> {
    s.split('`').enumerate().map(|(i, part)| (i % 2 == 1, part))
}

fn inline_html(s: &str) -> String {
    spans(s)
        .map(|(code, part)| {
            if code {
                format!("<code>{}</code>", escape::html(part))
            } else {
                escape::html(part)
            }
        })
        .collect()
}

fn inline_md(s: &str) -> String {
    spans(s)
        .map(|(code, part)| {
            if code {
                format!("`{}`", part.replace('|', "\\|"))
            } else {
                escape::markdown(part)
            }
        })
        .collect::<String>()
        .replace(['\n', '\r'], " ")
}

fn table_html(out: &mut String, t: &Table) {
    out.push_str("<div class=\"scroll\"><table>\n<thead><tr>");
    for (i, h) in t.header.iter().enumerate() {
        let class = if t.numeric.contains(&i) {
            " class=\"num\""
        } else {
            ""
        };
        let _ = write!(out, "<th{class}>{}</th>", inline_html(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in &t.rows {
        let _ = write!(
            out,
            "<tr{}>",
            r.class.map_or(String::new(), |c| format!(" class=\"{c}\""))
        );
        for (i, c) in r.cells.iter().enumerate() {
            let class = if t.numeric.contains(&i) {
                " class=\"num\""
            } else {
                ""
            };
            let _ = write!(out, "<td{class}>{}</td>", inline_html(c));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

fn table_md(out: &mut String, t: &Table) {
    let _ = writeln!(
        out,
        "| {} |",
        t.header
            .iter()
            .map(|h| inline_md(h))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let rule: Vec<&str> = (0..t.header.len())
        .map(|i| {
            if t.numeric.contains(&i) {
                "---:"
            } else {
                "---"
            }
        })
        .collect();
    let _ = writeln!(out, "|{}|", rule.join("|"));
    for r in &t.rows {
        let _ = writeln!(
            out,
            "| {} |",
            r.cells
                .iter()
                .map(|c| inline_md(c))
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats_escape_and_keep_code() {
        let mut d = Document {
            title: "A <b> & c".into(),
            ..Document::default()
        };
        d.para("path `a|b<c>` and <script>");
        d.push(Block::Table(Table {
            header: vec!["x".into()],
            rows: vec![Row::new(vec!["1|2".into()])],
            numeric: vec![0],
        }));
        let h = d.html("");
        assert!(h.contains("<code>a|b&lt;c&gt;</code> and &lt;script&gt;"));
        assert!(!h.contains("<script>"));
        let m = d.markdown();
        assert!(m.contains("`a\\|b<c>` and \\<script>"), "{m}");
        assert!(m.contains("| 1\\|2 |"));
    }
}
