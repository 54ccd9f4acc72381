pub mod slash;

pub use slash::*;
