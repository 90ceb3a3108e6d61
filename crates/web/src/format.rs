//! Numbers as people read them: Dutch style in Dutch (`42.970`, `12,5`), English style in English
//! (`42,970`, `12.5`). JSON and CSV carry plain numbers; only HTML uses these.

use crate::i18n::Lang;

/// Formats a number with a fixed number of decimals and thousands separators.
pub fn number(value: f64, decimals: u8, lang: Lang) -> String {
    if !value.is_finite() {
        return "–".to_string();
    }
    let text = format!("{:.*}", usize::from(decimals), value.abs());
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let (group_sep, decimal_sep) = match lang {
        Lang::Nl => ('.', ','),
        Lang::En => (',', '.'),
    };
    let mut out = String::with_capacity(text.len() + 4);
    // "-0,0" would suggest a direction where there is none.
    let is_zero = text.bytes().all(|b| b == b'0' || b == b'.');
    if value < 0.0 && !is_zero {
        out.push('-');
    }
    let digits = int.len();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (digits - i) % 3 == 0 {
            out.push(group_sep);
        }
        out.push(c);
    }
    if let Some(frac) = frac {
        out.push(decimal_sep);
        out.push_str(frac);
    }
    out
}

/// A signed change (`+1.065`, `-2,3`), for differences.
pub fn signed(value: f64, decimals: u8, lang: Lang) -> String {
    let text = number(value, decimals, lang);
    if value > 0.0 && text.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        format!("+{text}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dutch_and_english() {
        assert_eq!(number(42970.0, 0, Lang::Nl), "42.970");
        assert_eq!(number(42970.0, 0, Lang::En), "42,970");
        assert_eq!(number(17940755.0, 0, Lang::Nl), "17.940.755");
        assert_eq!(number(12.25, 1, Lang::Nl), "12,2");
        assert_eq!(number(-1234.5, 1, Lang::En), "-1,234.5");
        assert_eq!(number(-0.01, 1, Lang::Nl), "0,0");
        assert_eq!(number(999.0, 0, Lang::Nl), "999");
        assert_eq!(signed(3.0, 1, Lang::Nl), "+3,0");
        assert_eq!(signed(0.0, 0, Lang::Nl), "0");
    }
}
