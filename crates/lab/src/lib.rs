//! The lab: the talk's slides, in the talk's order ([`talk`]), and what they run against.

pub mod talk;
