//! sacrebleu's `intl` tokenizer (mteval-v14's international tokenization).
//!
//! Three substitutions with the `regex` module, each left to right without overlap,
//! then `' '.join(line.split())`:
//! 1. `(\P{N})(\p{P})` → `\1 \2 ` — punctuation after a non-number;
//! 2. `(\p{P})(\P{N})` → ` \1 \2` — punctuation before a non-number;
//! 3. `(\p{S})` → ` \1 ` — every symbol.
//!
//! So `1,000.5` stays whole, and (as in mteval-v14) a number followed by a final dot
//! keeps its dot: `in 2019.` → `in 2019.`. Categories are the `regex` module's
//! (see [`super::unicode`]).

use super::tokenize_13a::{pair_pass, Split};
use super::unicode::{is_number, is_punctuation, is_symbol, py_normalize_spaces};

/// Tokenizes one segment as sacrebleu's `intl`.
pub fn tokenize_intl(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let p1 = pair_pass(
        &chars,
        |a, b| !is_number(a) && is_punctuation(b),
        Split::After,
    );
    let p2 = pair_pass(
        &p1,
        |a, b| is_punctuation(a) && !is_number(b),
        Split::Before,
    );
    let mut p3 = String::with_capacity(p2.len() * 2);
    for c in p2 {
        if is_symbol(c) {
            p3.push(' ');
            p3.push(c);
            p3.push(' ');
        } else {
            p3.push(c);
        }
    }
    py_normalize_spaces(&p3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v14_examples() {
        assert_eq!(tokenize_intl("Hello, world!"), "Hello , world !");
        assert_eq!(tokenize_intl("1,000.5 in 2019."), "1,000.5 in 2019.");
        assert_eq!(tokenize_intl("«Ça va?» €5"), "« Ça va ? » € 5");
    }
}
