//! Quoting what a user or a server sent: a message never echoes more than a line of it, so a
//! 100 KB URL or a 10 MB header still gives a one-line error.

/// How much of a value any message quotes.
pub const QUOTE_MAX: usize = 200;

/// `text` as it is when it is short; otherwise its first [`QUOTE_MAX`] characters and how long
/// all of it was: `http://aaaa… (100019 bytes)`.
pub fn quote(text: &str) -> String {
    match cut(text, QUOTE_MAX) {
        (start, "") => start.to_string(),
        (start, more) => format!("{start}{more} ({} bytes)", text.len()),
    }
}

/// The first `max` characters of `text`, and `…` if that is not all of it.
pub(crate) fn cut(text: &str, max: usize) -> (&str, &'static str) {
    match text.char_indices().nth(max) {
        Some((end, _)) => (&text[..end], "…"),
        None => (text, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_are_quoted_whole() {
        assert_eq!(
            quote("http://127.0.0.1:8080/uuid"),
            "http://127.0.0.1:8080/uuid"
        );
        assert_eq!(quote(&"é".repeat(QUOTE_MAX)), "é".repeat(QUOTE_MAX));
    }

    #[test]
    fn long_values_are_cut_and_their_size_given() {
        let long = "a".repeat(100_000);
        let quoted = quote(&long);
        assert_eq!(quoted, format!("{}… (100000 bytes)", "a".repeat(QUOTE_MAX)));
        // Cut on a character boundary, never inside one.
        let wide = "é".repeat(QUOTE_MAX + 1);
        assert_eq!(
            quote(&wide),
            format!("{}… ({} bytes)", "é".repeat(QUOTE_MAX), wide.len())
        );
    }
}
