//! Blanks and solutions, as text. A blank is the slide's file with one function's body swapped
//! for the exercise's `blank.rs` (hints and a `todo!()` between two ✎ lines); the solution is
//! the blank with that body swapped back for the slide's. So everything outside the lesson is
//! the slide's, byte for byte, and the solution cannot drift from the slide: it *is* the slide.

use std::ops::Range;

/// What the first and last lines of a blank's body carry, so a reader sees where to write.
pub const MARK: &str = "✎";

/// Where the body of the function whose signature starts `lesson` (`fn fetch_all(`) is in
/// `text`: from the line after the signature's `{` to the start of its closing `}` line, found
/// by its indentation (rustfmt's layout).
pub fn body(text: &str, lesson: &str) -> Result<Range<usize>, String> {
    let mut lines = lines_with_offsets(text);
    let (_, signature) = lines
        .find(|(_, line)| line.contains(lesson) && !line.trim_start().starts_with("//"))
        .ok_or_else(|| format!("no `{lesson}…` in it"))?;
    let indent = &signature[..signature.len() - signature.trim_start().len()];
    let mut open = signature.trim_end().ends_with('{');
    let mut start = None;
    let closing = format!("{indent}}}");
    for (offset, line) in lines {
        match start {
            // Still in the signature, which may span lines.
            None if open => start = Some(offset),
            None => open = line.trim_end().ends_with('{'),
            Some(_) => {}
        }
        if let Some(start) = start
            && line.trim_end_matches(['\n', '\r']) == closing
        {
            return Ok(start..offset);
        }
    }
    Err(format!("`{lesson}…` has no closing `{closing}` line"))
}

/// The blank: `slide` with the lesson's body replaced by `blank_body`, and a `#[path]` to
/// `{to_slide}/NAME.rs` on each `mod NAME;` line whose NAME is in `modules`.
pub fn blank(
    slide: &str,
    lesson: &str,
    blank_body: &str,
    to_slide: &str,
    modules: &[String],
) -> Result<String, String> {
    let range = body(slide, lesson)?;
    let blank = replace(slide, range, blank_body);
    Ok(with_paths(&blank, to_slide, modules))
}

/// `text` with `#[path = "{to_slide}/NAME.rs"]` above each top-level `mod NAME;` (or `pub mod`)
/// whose NAME is in `modules`. An exercise's file lives in another folder than the slide's, and
/// a plain `mod NAME;` would look for NAME.rs beside it: this way it builds with the slide's own
/// module, neither a copy nor a link that an editor would follow and write through.
pub fn with_paths(text: &str, to_slide: &str, modules: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous = "";
    for line in text.split_inclusive('\n') {
        let declared = line
            .trim_end()
            .strip_prefix("pub ")
            .unwrap_or(line.trim_end())
            .strip_prefix("mod ")
            .and_then(|rest| rest.strip_suffix(';'));
        if let Some(name) = declared
            && modules.iter().any(|module| module == name)
            && !previous.starts_with("#[path")
        {
            out.push_str(&format!("#[path = \"{to_slide}/{name}.rs\"]\n"));
        }
        out.push_str(line);
        previous = line;
    }
    out
}

/// The solution: `blank` with its marked body replaced by the lesson's body in `slide`.
pub fn solve(blank: &str, slide: &str, lesson: &str) -> Result<String, String> {
    let marked = body(blank, lesson)?;
    let body_text = &blank[marked.clone()];
    let first = body_text.lines().next().unwrap_or_default();
    let last = body_text.lines().last().unwrap_or_default();
    if !first.contains(MARK) || !last.contains(MARK) {
        return Err(format!(
            "the body of `{lesson}…` is not the marked one: its first and last lines carry no {MARK}"
        ));
    }
    let lesson_body = &slide[body(slide, lesson)?];
    Ok(replace(blank, marked, lesson_body))
}

fn replace(text: &str, range: Range<usize>, with: &str) -> String {
    let mut out = String::with_capacity(text.len() + with.len());
    out.push_str(&text[..range.start]);
    out.push_str(with);
    out.push_str(&text[range.end..]);
    out
}

/// Each line with its newline, and the byte offset where it starts.
fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive('\n').scan(0, |offset, line| {
        let start = *offset;
        *offset += line.len();
        Some((start, line))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SLIDE: &str = "\
//! doc
fn fetch_all(
    a: u8,
) -> u8 {
    let x = a;
    if x > 0 {
        return x;
    }
    x
}

fn fetch_one() {}
";

    const BLANK_BODY: &str = "    // ✎ your turn\n    todo!()\n    // ✎ check it\n";

    fn blank_of(slide: &str) -> String {
        blank(slide, "fn fetch_all(", BLANK_BODY, "../slide", &[])
            .unwrap_or_else(|err| panic!("{err}"))
    }

    #[test]
    fn the_body_runs_from_after_the_signature_to_the_closing_brace() {
        let range = body(SLIDE, "fn fetch_all(").unwrap_or_else(|err| panic!("{err}"));
        let expected = "    let x = a;\n    if x > 0 {\n        return x;\n    }\n    x\n";
        assert_eq!(&SLIDE[range], expected);
        assert_eq!(
            body(SLIDE, "fn fetch_one(").map(|r| r.len()),
            Err("`fn fetch_one(…` has no closing `}` line".to_owned())
        );
        assert!(body(SLIDE, "fn nothing(").is_err());
    }

    #[test]
    fn a_blank_solved_is_the_slide_byte_for_byte() {
        let blank = blank_of(SLIDE);
        assert!(
            blank.contains(") -> u8 {\n    // ✎ your turn\n    todo!()\n    // ✎ check it\n}\n")
        );
        let solved = solve(&blank, SLIDE, "fn fetch_all(").unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(solved, SLIDE);
    }

    #[test]
    fn a_body_without_its_marks_is_not_solved() {
        let err = solve(SLIDE, SLIDE, "fn fetch_all(")
            .err()
            .unwrap_or_default();
        assert!(err.contains("carry no ✎"), "{err}");
    }

    #[test]
    fn the_slides_other_modules_are_found_by_path_and_the_solution_is_the_slide_with_them() {
        let slide = format!("mod pool;\npub mod child;\nmod tests;\n\n{SLIDE}");
        let modules = ["child".to_owned(), "pool".to_owned()];
        let blank = blank(
            &slide,
            "fn fetch_all(",
            BLANK_BODY,
            "../../slide/src",
            &modules,
        )
        .unwrap_or_else(|err| panic!("{err}"));
        assert!(blank.starts_with(
            "#[path = \"../../slide/src/pool.rs\"]\nmod pool;\n\
             #[path = \"../../slide/src/child.rs\"]\npub mod child;\nmod tests;\n"
        ));
        let solved = solve(&blank, &slide, "fn fetch_all(").unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(solved, with_paths(&slide, "../../slide/src", &modules));
        // Made again from a blank, a `mod` line gets its path once.
        assert_eq!(with_paths(&blank, "../../slide/src", &modules), blank);
    }
}
