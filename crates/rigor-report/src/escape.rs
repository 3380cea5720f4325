//! Escaping for HTML and Markdown output.

/// Text for HTML element content and attribute values.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text for a Markdown table cell or paragraph: characters that would start markup
/// or end a cell are escaped (`<` only where it could open a tag) (underscores are left alone: GitHub Flavored Markdown
/// does not emphasise inside words such as `log_loss`).
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let tag = c == '<'
            && chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphabetic() || "/!?".contains(*n));
        if matches!(c, '\\' | '|' | '*') || tag {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A command line as a shell would take it back: arguments quoted where needed.
pub fn shell(argv: &[String]) -> String {
    argv.iter()
        .map(|a| {
            if !a.is_empty()
                && a.chars().all(|c| {
                    c.is_ascii_alphanumeric()
                        || matches!(c, '-' | '_' | '.' | '/' | '=' | ':' | '@' | ',' | '+')
                })
            {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        assert_eq!(
            super::html("<a href=\"x\">&</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(super::markdown("a|b_c*"), "a\\|b_c\\*");
        assert_eq!(
            super::shell(&[
                "rigor".into(),
                "-m".into(),
                "P(rel=2)@10".into(),
                "it's".into()
            ]),
            "rigor -m 'P(rel=2)@10' 'it'\\''s'"
        );
    }
}
