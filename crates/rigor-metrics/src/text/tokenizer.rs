//! The tokenizers sacrebleu's BLEU offers, by their signature names.

use std::fmt;
use std::str::FromStr;

use super::tokenize_13a::tokenize_13a;
use super::tokenize_intl::tokenize_intl;
use super::unicode::is_py_space;

/// A BLEU tokenizer, named as in sacrebleu's `--tokenize` and signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tokenizer {
    /// mteval-v13a (sacrebleu's default).
    #[default]
    Thirteen,
    /// mteval-v14 international.
    Intl,
    /// Every character is a token (whitespace dropped).
    Char,
    /// No tokenization: the line is split on whitespace only.
    None,
}

impl Tokenizer {
    pub const NAMES: [&'static str; 4] = ["13a", "intl", "char", "none"];

    /// The tokenized line: tokens separated by whitespace (as sacrebleu returns it,
    /// before BLEU's `line.split()`).
    pub fn tokenize(self, line: &str) -> String {
        match self {
            Tokenizer::Thirteen => tokenize_13a(line),
            Tokenizer::Intl => tokenize_intl(line),
            Tokenizer::Char => {
                // `" ".join(line)`: whitespace characters vanish at BLEU's split.
                let mut out = String::with_capacity(line.len() * 2);
                for c in line.chars().filter(|c| !is_py_space(*c)) {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    out.push(c);
                }
                out
            }
            Tokenizer::None => line.to_string(),
        }
    }

    /// The name sacrebleu prints in the signature (`tok:13a`).
    pub fn name(self) -> &'static str {
        match self {
            Tokenizer::Thirteen => "13a",
            Tokenizer::Intl => "intl",
            Tokenizer::Char => "char",
            Tokenizer::None => "none",
        }
    }
}

impl fmt::Display for Tokenizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown tokenizer name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownTokenizer(pub String);

impl fmt::Display for UnknownTokenizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown tokenizer '{}' (expected one of: {})",
            self.0,
            Tokenizer::NAMES.join(", ")
        )
    }
}

impl std::error::Error for UnknownTokenizer {}

impl FromStr for Tokenizer {
    type Err = UnknownTokenizer;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "13a" => Ok(Tokenizer::Thirteen),
            "intl" => Ok(Tokenizer::Intl),
            "char" => Ok(Tokenizer::Char),
            "none" => Ok(Tokenizer::None),
            _ => Err(UnknownTokenizer(s.to_string())),
        }
    }
}
