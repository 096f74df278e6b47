//! Locks for the state the crate shares between connections: the in-memory session stores,
//! the ticketer's keys, and a random number generator handed to the RustCrypto provider.
//!
//! With `std` the lock is [`std::sync::Mutex`] ([`StdLock`]). Without `std` the crate has no
//! lock of its own and does not pick one for you: a spin lock, the usual `no_std` answer,
//! deadlocks when an interrupt handler wants a lock the code it interrupted holds (the reason
//! rustls refused one). The caller supplies the lock that fits the target through
//! [`MakeLock`]: a critical section, an RTOS mutex, or a spin lock where that is known to be
//! safe. Without `std` and without a `MakeLock`, the configurations keep no shared
//! in-memory store; the session store traits can still be implemented directly.
//!
//! ```
//! use std::boxed::Box;
//! use std::sync::Mutex;
//! use tls12::resumption::LruSessionCache;
//! use tls12::sync::{Lock, MakeLock};
//!
//! /// A lock made of `std::sync::Mutex`, as a `no_std` user would wrap their own.
//! struct MyLock;
//!
//! struct MyMutex<T>(Mutex<T>);
//!
//! impl<T: Send> Lock<T> for MyMutex<T> {
//!     fn with_lock(&self, f: &mut dyn FnMut(&mut T)) {
//!         // A lock that cannot be taken may skip `f`: the store then misses.
//!         if let Ok(mut guard) = self.0.lock() {
//!             f(&mut guard);
//!         }
//!     }
//! }
//!
//! impl MakeLock for MyLock {
//!     fn make<T: Send + 'static>(value: T) -> Box<dyn Lock<T>> {
//!         Box::new(MyMutex(Mutex::new(value)))
//!     }
//! }
//!
//! let cache = LruSessionCache::with_lock::<MyLock>(16, 64 * 1024);
//! assert!(cache.is_empty());
//! ```

use alloc::boxed::Box;

/// A lock around a value of type `T`.
pub trait Lock<T>: Send + Sync {
    /// Runs `f` on the value while holding the lock.
    ///
    /// An implementation that cannot take the lock (a try-lock that would block, or a
    /// poisoned lock it refuses to use) may return without calling `f`. The caller then
    /// behaves as if the shared state were empty: a session store misses, a ticketer
    /// issues no ticket, a random number generator reports a failure.
    fn with_lock(&self, f: &mut dyn FnMut(&mut T));
}

/// Makes a [`Lock`] for a value of any type: how a caller supplies its lock implementation.
pub trait MakeLock {
    /// A lock holding `value`.
    fn make<T: Send + 'static>(value: T) -> Box<dyn Lock<T>>;
}

/// [`MakeLock`] with [`std::sync::Mutex`]. A poisoned mutex (a panic while it was held) is
/// still used: what it guards is plain data that stays consistent between operations.
#[cfg(feature = "std")]
#[derive(Debug, Clone, Copy, Default)]
pub struct StdLock;

#[cfg(feature = "std")]
impl MakeLock for StdLock {
    fn make<T: Send + 'static>(value: T) -> Box<dyn Lock<T>> {
        Box::new(std::sync::Mutex::new(value))
    }
}

#[cfg(feature = "std")]
impl<T: Send> Lock<T> for std::sync::Mutex<T> {
    fn with_lock(&self, f: &mut dyn FnMut(&mut T)) {
        let mut guard = self.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

/// A value behind a caller-supplied lock, with a closure interface that returns a value.
pub(crate) struct Locked<T>(Box<dyn Lock<T>>);

impl<T: Send + 'static> Locked<T> {
    /// `value` behind a lock made by `M`.
    pub(crate) fn new<M: MakeLock>(value: T) -> Self {
        Self(M::make(value))
    }
}

impl<T> Locked<T> {
    /// `f`'s result on the locked value, or `None` if the lock declined to run it.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        let mut f = Some(f);
        let mut out = None;
        self.0.with_lock(&mut |v| {
            if let Some(f) = f.take() {
                out = Some(f(v));
            }
        });
        out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A lock that never runs the closure, like a try-lock that always finds it taken.
    pub(crate) struct Declining;

    pub(crate) struct DecliningLock;

    impl<T> Lock<T> for DecliningLock {
        fn with_lock(&self, _: &mut dyn FnMut(&mut T)) {}
    }

    impl MakeLock for Declining {
        fn make<T: Send + 'static>(_: T) -> Box<dyn Lock<T>> {
            Box::new(DecliningLock)
        }
    }

    #[test]
    fn a_declining_lock_gives_none() {
        let l = Locked::new::<Declining>(5u32);
        assert_eq!(l.with(|v| *v), None);
    }

    #[cfg(feature = "std")]
    #[test]
    fn std_lock_runs_once_and_keeps_the_value() {
        let l = Locked::new::<StdLock>(5u32);
        assert_eq!(
            l.with(|v| {
                *v += 1;
                *v
            }),
            Some(6)
        );
        assert_eq!(l.with(|v| *v), Some(6));
    }
}
