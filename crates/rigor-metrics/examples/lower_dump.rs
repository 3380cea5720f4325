//! Prints Rust's lowercase mapping of every code point whose lowercase differs from
//! itself (input to tools/goldens/text/unicode_tables.py).

fn main() {
    for cp in 0..=0x10FFFFu32 {
        let Some(c) = char::from_u32(cp) else {
            continue;
        };
        let low: Vec<char> = c.to_lowercase().collect();
        if low != [c] {
            let hex: Vec<String> = low.iter().map(|l| format!("{:X}", *l as u32)).collect();
            println!("{cp:X} {}", hex.join(" "));
        }
    }
}
