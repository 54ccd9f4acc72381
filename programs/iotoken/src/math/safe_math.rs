//! Checked arithmetic for every program of the workspace: each defines its own `SafeMath` with
//! its own overflow error through this one macro.

/// Defines, in the calling module, a `SafeMath` trait for `u64`, `u128`, `i64` and `i128` whose
/// operations return `$error` (and log the caller's location) instead of wrapping or panicking,
/// and `overflow()`, the same error for conversions.
#[macro_export]
macro_rules! define_safe_math {
    ($error:expr) => {
        pub trait SafeMath: Sized {
            fn safe_add(self, rhs: Self) -> ::anchor_lang::prelude::Result<Self>;
            fn safe_sub(self, rhs: Self) -> ::anchor_lang::prelude::Result<Self>;
            fn safe_mul(self, rhs: Self) -> ::anchor_lang::prelude::Result<Self>;
            fn safe_div(self, rhs: Self) -> ::anchor_lang::prelude::Result<Self>;
        }

        $crate::define_safe_math!(@impl $error; u64, u128, i64, i128);

        #[track_caller]
        pub fn overflow() -> ::anchor_lang::prelude::Error {
            let location = ::std::panic::Location::caller();
            ::anchor_lang::prelude::msg!("math overflow at {}:{}", location.file(), location.line());
            ::anchor_lang::prelude::error!($error)
        }
    };
    (@impl $error:expr; $($t:ty),*) => {$(
        impl SafeMath for $t {
            #[track_caller]
            fn safe_add(self, rhs: Self) -> ::anchor_lang::prelude::Result<Self> {
                self.checked_add(rhs).ok_or_else(overflow)
            }
            #[track_caller]
            fn safe_sub(self, rhs: Self) -> ::anchor_lang::prelude::Result<Self> {
                self.checked_sub(rhs).ok_or_else(overflow)
            }
            #[track_caller]
            fn safe_mul(self, rhs: Self) -> ::anchor_lang::prelude::Result<Self> {
                self.checked_mul(rhs).ok_or_else(overflow)
            }
            #[track_caller]
            fn safe_div(self, rhs: Self) -> ::anchor_lang::prelude::Result<Self> {
                self.checked_div(rhs).ok_or_else(overflow)
            }
        }
    )*};
}
