//! Containing panics from ZisK's crates.
//!
//! Some failures inside the emulator and the transpilers are panics rather than errors
//! (an access to unmapped memory panics in `zisk_core::Mem`). We turn them into messages
//! so callers report one clean error, and keep the default hook from printing them.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// `Some` while this thread runs contained code; the panic message lands inside.
    static CONTAINED: RefCell<Option<Option<String>>> = const { RefCell::new(None) };
}

/// Runs `f`; a panic inside it becomes `Err(message)` and is not printed.
pub fn contain_panics<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static INSTALL_HOOK: Once = Once::new();
    INSTALL_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let captured = CONTAINED.with(|slot| match slot.borrow_mut().as_mut() {
                Some(message) => {
                    let payload = info.payload();
                    let text = payload
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "panic with a non-string payload".into());
                    *message = Some(text);
                    true
                }
                None => false,
            });
            if !captured {
                previous(info);
            }
        }));
    });
    let outer = CONTAINED.with(|slot| slot.borrow_mut().replace(None));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    let message = CONTAINED
        .with(|slot| std::mem::replace(&mut *slot.borrow_mut(), outer))
        .flatten();
    result.map_err(|_| message.unwrap_or_else(|| "unknown panic".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message() {
        assert_eq!(contain_panics(|| 7), Ok(7));
        let err = contain_panics(|| -> u8 { panic!("boom {}", 42) }).unwrap_err();
        assert_eq!(err, "boom 42");
        let nested = contain_panics(|| contain_panics(|| -> u8 { panic!("inner") }));
        assert_eq!(nested, Ok(Err("inner".to_string())));
    }
}
