//! The console protocol: how three streams share ZisK's one UART.
//!
//! ZisK has a single console (one-byte stores to `UART_ADDR`). The runtime writes the
//! guest's stdout and stderr, and its own messages (a trap's report, the note that
//! `random_get` is deterministic), through it, each byte as it is. A stream switch is the
//! two bytes `ESCAPE, stream`; a literal `ESCAPE` byte in a stream is sent twice. The first
//! byte the runtime sends is always a switch, so a console from a czisk-compiled guest
//! starts with `ESCAPE, 1..=3`; [`decode`] splits it back, byte for byte.
//!
//! Under plain `ziskemu` the switches show as two control characters (NUL and 0x01..0x03).

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, Value};

use crate::emit::Emitter;

pub const ESCAPE: u8 = 0;
pub const STREAM_STDOUT: u8 = 1;
pub const STREAM_STDERR: u8 = 2;
/// The runtime's own messages, for the host's stderr: never part of a guest stream.
pub const STREAM_MESSAGES: u8 = 3;

/// Offset in the runtime state of the word holding the stream the console is on (0 before
/// the first switch).
pub(crate) const CURRENT_STREAM: u64 = 40;

/// A console split into its streams.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Streams {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// The runtime's messages.
    pub messages: Vec<u8>,
    /// stdout and stderr interleaved as the guest wrote them.
    pub interleaved: Vec<u8>,
}

/// Whether `console` starts the way the czisk runtime starts every console.
pub fn is_framed(console: &[u8]) -> bool {
    matches!(console, [ESCAPE, s, ..] if (STREAM_STDOUT..=STREAM_MESSAGES).contains(s))
}

/// Splits a framed console. Bytes before the first switch (none from czisk's runtime) count
/// as stdout; an escape with an unknown code or cut off by the end of the run is dropped.
pub fn decode(console: &[u8]) -> Streams {
    let mut streams = Streams::default();
    let mut decoder = Decoder::default();
    decoder.feed(console, |stream, bytes| {
        match stream {
            STREAM_STDOUT => streams.stdout.extend_from_slice(bytes),
            STREAM_STDERR => streams.stderr.extend_from_slice(bytes),
            _ => {
                streams.messages.extend_from_slice(bytes);
                return;
            }
        }
        streams.interleaved.extend_from_slice(bytes);
    });
    streams
}

/// The console protocol decoded as the bytes arrive (a run's console streamed live).
#[derive(Debug, Clone)]
pub struct Decoder {
    current: u8,
    /// The previous chunk ended in an ESCAPE.
    escape: bool,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder {
            current: STREAM_STDOUT,
            escape: false,
        }
    }
}

impl Decoder {
    /// Decodes `bytes`, handing each run of one stream's bytes to `out(stream, run)`.
    pub fn feed(&mut self, bytes: &[u8], mut out: impl FnMut(u8, &[u8])) {
        let mut run: Vec<u8> = Vec::new();
        for &byte in bytes {
            if self.escape {
                self.escape = false;
                match byte {
                    ESCAPE => run.push(ESCAPE),
                    s if (STREAM_STDOUT..=STREAM_MESSAGES).contains(&s) => {
                        if !run.is_empty() {
                            out(self.current, &run);
                            run.clear();
                        }
                        self.current = s;
                    }
                    _ => {}
                }
            } else if byte == ESCAPE {
                self.escape = true;
            } else {
                run.push(byte);
            }
        }
        if !run.is_empty() {
            out(self.current, &run);
        }
    }
}

/// A console that is not framed (another compiler's program): all of it is stdout.
pub fn unframed(console: &[u8]) -> Streams {
    Streams {
        stdout: console.to_vec(),
        interleaved: console.to_vec(),
        ..Streams::default()
    }
}

/// Puts the console on `stream` (an i64 value, 1 or 2, or a constant) unless it is there.
pub(crate) fn switch_stream(e: &mut Emitter, stream: Value) {
    let at = e.env.state_addr + CURRENT_STREAM;
    let current = e.load_abs(types::I64, at);
    let other = e.b.ins().icmp(IntCC::NotEqual, current, stream);
    e.when(other, |e| {
        let escape = e.iconst(types::I32, ESCAPE as u64);
        crate::call_intrinsic(e, e.env.putc.clone(), escape);
        crate::call_intrinsic(e, e.env.putc.clone(), stream);
        e.store_abs(stream, at);
    });
}

/// Writes a runtime message to the console's message stream.
pub(crate) fn put_message(e: &mut Emitter, text: &str) {
    let stream = e.iconst(types::I64, STREAM_MESSAGES as u64);
    switch_stream(e, stream);
    crate::put_str(e, text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_streams_and_unescapes_byte_for_byte() {
        let console = [
            &[ESCAPE, STREAM_STDOUT][..],
            "été\n".as_bytes(),
            &[ESCAPE, ESCAPE, 0xff],
            &[ESCAPE, STREAM_STDERR],
            b"err",
            &[ESCAPE, STREAM_MESSAGES],
            b"note",
            &[ESCAPE, STREAM_STDOUT],
            b"!",
            &[ESCAPE],
        ]
        .concat();
        assert!(is_framed(&console));
        let s = decode(&console);
        let mut out = "été\n".as_bytes().to_vec();
        out.extend([0, 0xff, b'!']);
        assert_eq!(s.stdout, out);
        assert_eq!(s.stderr, b"err");
        assert_eq!(s.messages, b"note");
        let mut both = "été\n".as_bytes().to_vec();
        both.extend([0, 0xff]);
        both.extend(b"err!");
        assert_eq!(s.interleaved, both);
        // Fed in pieces, cut anywhere (inside an escape too), the same streams.
        for cut in 0..console.len() {
            let mut decoder = Decoder::default();
            let mut pieces = Streams::default();
            for part in [&console[..cut], &console[cut..]] {
                decoder.feed(part, |stream, bytes| match stream {
                    STREAM_STDOUT => pieces.stdout.extend_from_slice(bytes),
                    STREAM_STDERR => pieces.stderr.extend_from_slice(bytes),
                    _ => pieces.messages.extend_from_slice(bytes),
                });
            }
            assert_eq!(
                (&pieces.stdout, &pieces.stderr),
                (&s.stdout, &s.stderr),
                "cut at {cut}"
            );
            assert_eq!(pieces.messages, s.messages);
        }
        assert!(!is_framed(b"plain"));
        assert!(!is_framed(&[ESCAPE, 9]));
    }
}
