//! The table of exercises holds to the talk.

use lab::talk;

use super::*;

#[test]
fn every_exercise_is_a_slide_of_the_talk_in_the_talks_order() {
    let mut last = 0;
    for exercise in EXERCISES {
        let slide = talk::find(exercise.slide);
        let place = talk::SLIDES.iter().position(|s| Some(s) == slide);
        let place = place.unwrap_or_else(|| panic!("{}: no such slide", exercise.dir));
        assert!(place >= last, "{} is out of the talk's order", exercise.dir);
        last = place;
        let crate_dir = slide.map(|s| s.source.split("/src/").next().unwrap_or_default());
        let solution_dir = exercise.solution.split("/src/").next();
        assert_eq!(crate_dir, solution_dir, "{}", exercise.dir);
        assert!(exercise.dir.ends_with(exercise.name()), "{}", exercise.dir);
    }
}

#[test]
fn widths_are_what_each_model_promises() {
    // Chosen by the check, never by the machine's CPUs: the same on every laptop.
    let widths: Vec<(&str, usize)> = EXERCISES.iter().map(|e| (e.dir, e.width())).collect();
    let expected = [
        ("04-sync", 1),
        ("05-processes", 4),
        ("06-threads", 5),
        ("07a-coroutines", 20),
        ("07-tokio", 20),
        ("08-queue", 5),
    ];
    assert_eq!(widths, expected);
}
