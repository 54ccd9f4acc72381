//! Checked arithmetic for every program of the workspace: each defines its own `SafeMath` with
//! its own overflow error through this one macro.

/// Defines, in the calling module, a `SafeMath` trait for `u64`, `u128`, `i64` and `i128` whose
/// operations return `$error` (and log the caller's location) instead of wrapping or panicking,
/// `overflow()`, the same error for conversions, and the basis-point and `a x b / c` helpers
/// every program's money math is written with.
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

        /// `a x b / c` in u128, rounded down, back to u64; `c == 0` is an overflow.
        #[track_caller]
        pub fn mul_div_floor(a: u64, b: u64, c: u64) -> ::anchor_lang::prelude::Result<u64> {
            let value = (a as u128)
                .checked_mul(b as u128)
                .and_then(|product| product.checked_div(c as u128))
                .ok_or_else(overflow)?;
            u64::try_from(value).map_err(|_| overflow())
        }

        /// `a x b / c` in u128, rounded up, back to u64; `c == 0` is an overflow.
        #[track_caller]
        pub fn mul_div_ceil(a: u64, b: u64, c: u64) -> ::anchor_lang::prelude::Result<u64> {
            if c == 0 {
                return Err(overflow());
            }
            let value = (a as u128)
                .checked_mul(b as u128)
                .ok_or_else(overflow)?
                .div_ceil(c as u128);
            u64::try_from(value).map_err(|_| overflow())
        }

        /// `amount x bps / 10_000`, rounded down.
        #[track_caller]
        pub fn bps_of(amount: u64, bps: u64) -> ::anchor_lang::prelude::Result<u64> {
            mul_div_floor(amount, bps, $crate::math::BPS_DENOMINATOR)
        }

        /// `amount x bps / 10_000`, rounded up.
        #[track_caller]
        pub fn bps_ceil(amount: u64, bps: u64) -> ::anchor_lang::prelude::Result<u64> {
            mul_div_ceil(amount, bps, $crate::math::BPS_DENOMINATOR)
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
