pub mod cast_vote;
pub mod create_proposal;
pub mod execute_proposal;
pub mod finalize_proposal;

pub use {cast_vote::*, create_proposal::*, execute_proposal::*, finalize_proposal::*};
