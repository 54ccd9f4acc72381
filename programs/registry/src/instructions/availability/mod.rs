pub mod attest_availability;
pub mod claim_availability_rewards;
pub mod claim_keeper_tips;
pub mod close_availability_epoch;
pub mod initialize_rewards;
pub mod open_availability_epoch;
pub mod post_availability_root;
pub mod prove_availability_leaf;
pub mod report_failure;

pub use {
    attest_availability::*, claim_availability_rewards::*, claim_keeper_tips::*,
    close_availability_epoch::*, initialize_rewards::*, open_availability_epoch::*,
    post_availability_root::*, prove_availability_leaf::*, report_failure::*,
};
