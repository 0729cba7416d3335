//! `lab list` and `lab source`: the talk's slides as people and scripts look them up.

use lab::talk::{self, SLIDES};

/// One line per slide, in the talk's order: number, binary, model, title. The title may hold
/// spaces and comes last, so `while read -r number binary model title` reads a line whole.
pub fn list() {
    for slide in SLIDES {
        say!(
            "{:<3} {:<20} {:<11} {}",
            slide.number,
            slide.binary,
            slide.model,
            slide.title
        );
    }
}

/// The file that holds NAME's lesson, relative to the workspace root; or what names there are.
pub fn source(name: &str) -> Result<&'static str, String> {
    talk::source(name).ok_or_else(|| {
        let names: Vec<&str> = SLIDES
            .iter()
            .flat_map(|slide| {
                let companion = slide.companion.and_then(|c| c.aliases.first().copied());
                slide.aliases.first().copied().into_iter().chain(companion)
            })
            .collect();
        format!(
            "no slide called '{name}'; try {}, or a number: {}",
            names.join(", "),
            numbers()
        )
    })
}

/// `4, 5, 6, 7a, 7, 7b, 7c, 8`
pub fn numbers() -> String {
    let numbers: Vec<&str> = SLIDES.iter().map(|slide| slide.number).collect();
    numbers.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_name_gets_the_names_there_are() {
        let err = source("nope").err().unwrap_or_default();
        assert!(
            err.contains("'nope'") && err.contains("worker") && err.contains("7a"),
            "{err}"
        );
        assert_eq!(source("sync"), Ok("crates/slide04-sync/src/main.rs"));
    }
}
