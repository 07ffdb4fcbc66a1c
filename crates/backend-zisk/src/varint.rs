//! LEB128 unsigned varints: the ziskbin format's (`link.rs`) and the packed code's
//! (`packed.rs`).

pub fn put(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Reads the varint at `*pos` and moves past it.
pub fn read(bytes: &[u8], pos: &mut usize) -> Result<u64, &'static str> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*pos).ok_or("truncated varint")?;
        *pos += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("varint too long")
}

#[cfg(test)]
mod tests {
    use super::{put, read};

    #[test]
    fn values_round_trip_in_leb128() {
        let cases: [(u64, &[u8]); 6] = [
            (0, &[0]),
            (0x7f, &[0x7f]),
            (0x80, &[0x80, 0x01]),
            (300, &[0xac, 0x02]),
            (1 << 63, &[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]),
            (u64::MAX, &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
        ];
        for (value, bytes) in cases {
            let mut out = vec![0xaa];
            put(&mut out, value);
            assert_eq!(&out[1..], bytes, "{value:#x}");
            let mut pos = 1;
            assert_eq!(read(&out, &mut pos), Ok(value));
            assert_eq!(pos, out.len());
        }
    }
}
