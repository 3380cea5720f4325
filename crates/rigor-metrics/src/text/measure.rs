//! Text measure names: the ones users know from sacrebleu, rouge-score and SQuAD.

use std::fmt;
use std::str::FromStr;

/// A text measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextMeasure {
    Bleu,
    Chrf,
    ChrfPlusPlus,
    Ter,
    Rouge1,
    Rouge2,
    RougeL,
    RougeLsum,
    ExactMatch,
    TokenF1,
}

impl TextMeasure {
    /// Every measure, in the order rigor reports them by default.
    pub const ALL: [TextMeasure; 10] = [
        TextMeasure::Bleu,
        TextMeasure::Chrf,
        TextMeasure::ChrfPlusPlus,
        TextMeasure::Ter,
        TextMeasure::Rouge1,
        TextMeasure::Rouge2,
        TextMeasure::RougeL,
        TextMeasure::RougeLsum,
        TextMeasure::ExactMatch,
        TextMeasure::TokenF1,
    ];

    /// The canonical name (CONTRACT.md).
    pub fn name(self) -> &'static str {
        match self {
            TextMeasure::Bleu => "BLEU",
            TextMeasure::Chrf => "chrF",
            TextMeasure::ChrfPlusPlus => "chrF++",
            TextMeasure::Ter => "TER",
            TextMeasure::Rouge1 => "ROUGE-1",
            TextMeasure::Rouge2 => "ROUGE-2",
            TextMeasure::RougeL => "ROUGE-L",
            TextMeasure::RougeLsum => "ROUGE-Lsum",
            TextMeasure::ExactMatch => "ExactMatch",
            TextMeasure::TokenF1 => "TokenF1",
        }
    }

    /// Whether the corpus score is computed from summed sufficient statistics (BLEU,
    /// chrF, chrF++, TER) rather than as the mean of item scores.
    pub fn corpus_level(self) -> bool {
        matches!(
            self,
            TextMeasure::Bleu | TextMeasure::Chrf | TextMeasure::ChrfPlusPlus | TextMeasure::Ter
        )
    }

    /// Whether the measure is on rouge-score's 0–1 scale (the others are 0–100).
    pub fn unit_scale(self) -> bool {
        matches!(
            self,
            TextMeasure::Rouge1
                | TextMeasure::Rouge2
                | TextMeasure::RougeL
                | TextMeasure::RougeLsum
        )
    }
}

impl fmt::Display for TextMeasure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A measure name rigor does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownMeasure(pub String);

impl fmt::Display for UnknownMeasure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = TextMeasure::ALL.iter().map(|m| m.name()).collect();
        write!(
            f,
            "unknown text measure '{}' (expected one of: {})",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownMeasure {}

impl FromStr for TextMeasure {
    type Err = UnknownMeasure;

    /// Canonical names, and the references' own spellings as aliases
    /// (`bleu`, `chrf`, `chrf++`, `ter`, `rouge1`, `rouge2`, `rougeL`, `rougeLsum`,
    /// `exact_match`, `em`, `f1`), case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key: String = s
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .collect::<String>()
            .to_ascii_lowercase();
        Ok(match key.as_str() {
            "bleu" => TextMeasure::Bleu,
            "chrf" | "chrf2" => TextMeasure::Chrf,
            "chrf++" | "chrf2++" | "chrfpp" => TextMeasure::ChrfPlusPlus,
            "ter" => TextMeasure::Ter,
            "rouge1" => TextMeasure::Rouge1,
            "rouge2" => TextMeasure::Rouge2,
            "rougel" => TextMeasure::RougeL,
            "rougelsum" => TextMeasure::RougeLsum,
            "exactmatch" | "em" => TextMeasure::ExactMatch,
            "tokenf1" | "f1" => TextMeasure::TokenF1,
            _ => return Err(UnknownMeasure(s.to_string())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_aliases() {
        for m in TextMeasure::ALL {
            assert_eq!(m.name().parse::<TextMeasure>(), Ok(m));
        }
        assert_eq!("rougeLsum".parse(), Ok(TextMeasure::RougeLsum));
        assert_eq!("exact_match".parse(), Ok(TextMeasure::ExactMatch));
        assert!("METEOR".parse::<TextMeasure>().is_err());
    }
}
