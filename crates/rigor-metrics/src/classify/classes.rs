//! The order of classes: how scikit-learn would sort the same column.
//!
//! Labels are compared as text, but their order follows what pandas + scikit-learn do
//! with the same file: a column whose values are all numbers is read as numbers and
//! sorted numerically (`2 < 10`); any other column is text, sorted by code point
//! (`"10" < "2"`, `"B" < "a"`). The order fixes the rows and columns of the confusion
//! matrix and which of two classes is "greater" (the default positive class).

use std::cmp::Ordering;

/// The permutation that sorts `values`: `order[r]` is the index of the `r`-th smallest.
pub fn sorted_order(values: &[String]) -> Vec<usize> {
    let numbers: Option<Vec<f64>> = values
        .iter()
        .map(|v| v.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect();
    let mut order: Vec<usize> = (0..values.len()).collect();
    match numbers {
        Some(x) => order.sort_by(|&a, &b| {
            x[a].partial_cmp(&x[b])
                .unwrap_or(Ordering::Equal)
                .then_with(|| values[a].cmp(&values[b]))
        }),
        None => order.sort_by(|&a, &b| values[a].cmp(&values[b])),
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(v: &[&str]) -> Vec<String> {
        let v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
        sorted_order(&v).into_iter().map(|i| v[i].clone()).collect()
    }

    #[test]
    fn numbers_sort_numerically_text_by_code_point() {
        assert_eq!(sorted(&["10", "2", "-1", "1.5"]), ["-1", "1.5", "2", "10"]);
        assert_eq!(sorted(&["10", "2", "a"]), ["10", "2", "a"]);
        assert_eq!(sorted(&["b", "B", "a", "é"]), ["B", "a", "b", "é"]);
        assert_eq!(sorted(&["true", "false"]), ["false", "true"]);
    }
}
