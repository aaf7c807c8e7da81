//! Byte classes eight at a time ("SIMD within a register"), for the scans
//! that read every byte of every page: word counts and finding page names in
//! prose. Each function takes eight bytes as a little-endian `u64` that is
//! pure ASCII (check with [`is_ascii`]) and returns one bit per byte, byte 0
//! in bit 0.

const HIGH: u64 = 0x8080_8080_8080_8080;

const fn splat(b: u8) -> u64 {
    b as u64 * 0x0101_0101_0101_0101
}

/// Eight bytes from `bytes` at `i` (which must have eight left).
#[inline]
pub fn load(bytes: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(bytes[i..i + 8].try_into().expect("eight bytes"))
}

/// Whether all eight bytes are ASCII.
#[inline]
pub fn is_ascii(x: u64) -> bool {
    x & HIGH == 0
}

/// High bit of each byte set where the (ASCII) byte is at least `lo`.
#[inline]
fn at_least(x: u64, lo: u8) -> u64 {
    // With the high bits set first, no byte borrows from its neighbour.
    ((x | HIGH) - splat(lo)) & HIGH
}

/// One bit per byte from the high bits of `x`.
#[inline]
fn gather(high_bits: u64) -> u8 {
    // Moves the bit of byte i (at 8i + 7) to bit 56 + i; no two products
    // share a position, so nothing carries.
    (((high_bits >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56) as u8
}

/// ASCII letters and digits.
#[inline]
pub fn alnum(x: u64) -> u8 {
    let digit = at_least(x, b'0') & !at_least(x, b'9' + 1);
    // Setting bit 5 folds upper case onto lower case and maps no other
    // ASCII byte into a..z.
    let folded = x | splat(0x20);
    let alpha = at_least(folded, b'a') & !at_least(folded, b'z' + 1);
    gather(digit | alpha)
}

/// ASCII whitespace as `char::is_whitespace` sees it: `\t`, `\n`, `\x0b`,
/// `\x0c`, `\r` and space.
#[inline]
pub fn space(x: u64) -> u8 {
    let controls = at_least(x, b'\t') & !at_least(x, b'\r' + 1);
    let blank = at_least(x, b' ') & !at_least(x, b' ' + 1);
    gather(controls | blank)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_agree_with_std_for_every_ascii_byte_in_every_lane() {
        for b in 0u8..128 {
            for lane in 0..8 {
                let mut bytes = [b'-'; 8];
                bytes[lane] = b;
                let x = u64::from_le_bytes(bytes);
                assert!(is_ascii(x));
                let bit = 1u8 << lane;
                assert_eq!(
                    alnum(x) & bit != 0,
                    b.is_ascii_alphanumeric(),
                    "{b:#x} in lane {lane}"
                );
                assert_eq!(
                    space(x) & bit != 0,
                    (b as char).is_whitespace(),
                    "{b:#x} in lane {lane}"
                );
                // The filler is neither, in the other lanes.
                assert_eq!(alnum(x) & !bit, 0);
                assert_eq!(space(x) & !bit, 0);
            }
        }
        assert!(!is_ascii(u64::from_le_bytes(*b"caf\xc3\xa9 ok")));
        assert_eq!(alnum(u64::from_le_bytes(*b"Ab 9_z.Z")), 0b1010_1011);
        assert_eq!(space(u64::from_le_bytes(*b"a \tb\nc\rd")), 0b0101_0110);
    }
}
