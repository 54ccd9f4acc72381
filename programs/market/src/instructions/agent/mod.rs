pub mod acknowledge_start;

pub use acknowledge_start::*;
