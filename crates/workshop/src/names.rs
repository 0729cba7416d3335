//! The exercise a name on the command line stands for.

use lab::talk;

use crate::exercise::Exercise;
use crate::exercises::EXERCISES;

/// The exercise a name stands for: whatever `scripts/diff.sh` takes (`threads`, `6`, `7a`),
/// its folder (`06-threads`) or its package (`ex06-threads`). Says what went wrong otherwise.
pub fn find(name: &str) -> Result<&'static Exercise, String> {
    let wanted = name.trim().to_ascii_lowercase();
    let slide = talk::find(&wanted);
    let found = EXERCISES
        .iter()
        .find(|exercise| exercise.dir == wanted || exercise.package() == wanted)
        .or_else(|| {
            EXERCISES
                .iter()
                .find(|e| slide.is_some_and(|s| s.number == e.slide))
        });
    if let Some(exercise) = found {
        return Ok(exercise);
    }
    let names: Vec<String> = EXERCISES
        .iter()
        .map(|exercise| format!("{} ({})", exercise.name(), exercise.slide))
        .collect();
    let names = names.join(", ");
    Err(match slide {
        None => format!("the talk has no slide {name:?}; the exercises are {names}"),
        Some(slide) if slide.model == "blocking" => format!(
            "slide 7b has no exercise: it is the mistake slide 7 teaches you to avoid; the \
             exercises are {names}"
        ),
        Some(slide) => format!(
            "slide {} ({}) has no exercise; the exercises are {names}",
            slide.number, slide.model
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_numbers_folders_and_packages_find_the_same_exercise() {
        for name in [
            "threads",
            "6",
            "06",
            "slide06-threads",
            "06-threads",
            "ex06-threads",
        ] {
            assert_eq!(find(name).map(|e| e.dir), Ok("06-threads"), "{name}");
        }
        assert_eq!(find("7a").map(|e| e.dir), Ok("07a-coroutines"));
        assert_eq!(find("tokio").map(|e| e.dir), Ok("07-tokio"));
        let blocking = find("blocking").err().unwrap_or_default();
        assert!(blocking.contains("no exercise"), "{blocking}");
        let nonsense = find("nope").err().unwrap_or_default();
        assert!(nonsense.contains("threads (6)"), "{nonsense}");
    }
}
