//! The wire codec: a bounds-checked reader cursor, the [`Codec`] trait, and helpers for the
//! length-prefixed vectors of RFC 5246 section 4.
//!
//! Decoding never panics and never allocates more than the input it has already checked: a
//! length prefix is compared with what remains before anything is taken.

use alloc::vec::Vec;

use crate::error::{DecodeError, DecodeErrorKind, EncodeError};

pub mod enums;

/// A cursor over a byte slice. Every read is bounds checked and names the field it reads.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader positioned at the start of `buf`.
    pub const fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Takes the next `n` bytes, or fails with `Truncated` naming `field`.
    #[inline]
    pub fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], DecodeError> {
        if self.left() < n {
            return Err(DecodeError::new(field, DecodeErrorKind::Truncated));
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    /// Takes exactly `N` bytes as an array.
    #[inline]
    pub fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, field)?);
        Ok(out)
    }

    /// Reads a u8.
    #[inline]
    pub fn u8(&mut self, field: &'static str) -> Result<u8, DecodeError> {
        Ok(self.take(1, field)?[0])
    }

    /// Reads a big-endian u16.
    #[inline]
    pub fn u16(&mut self, field: &'static str) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.array(field)?))
    }

    /// Reads a big-endian u24 into a u32.
    #[inline]
    pub fn u24(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        let b: [u8; 3] = self.array(field)?;
        Ok(u32::from_be_bytes([0, b[0], b[1], b[2]]))
    }

    /// Reads a big-endian u32.
    #[inline]
    pub fn u32(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array(field)?))
    }

    /// Reads a big-endian u64.
    #[inline]
    pub fn u64(&mut self, field: &'static str) -> Result<u64, DecodeError> {
        Ok(u64::from_be_bytes(self.array(field)?))
    }

    /// Reads a length prefix of `len` and returns a reader over exactly that many bytes.
    #[inline]
    pub fn sub(&mut self, len: LenPrefix, field: &'static str) -> Result<Reader<'a>, DecodeError> {
        let n = match len {
            LenPrefix::U8 => self.u8(field)? as usize,
            LenPrefix::U16 => self.u16(field)? as usize,
            LenPrefix::U24 => self.u24(field)? as usize,
        };
        Ok(Reader::new(self.take(n, field)?))
    }

    /// Reads a length-prefixed opaque value and returns its bytes.
    #[inline]
    pub fn opaque(&mut self, len: LenPrefix, field: &'static str) -> Result<&'a [u8], DecodeError> {
        Ok(self.sub(len, field)?.rest())
    }

    /// Reads a length-prefixed opaque value that must not be empty (`<1..2^n-1>`).
    pub fn opaque_nonempty(
        &mut self,
        len: LenPrefix,
        field: &'static str,
    ) -> Result<&'a [u8], DecodeError> {
        let v = self.opaque(len, field)?;
        if v.is_empty() {
            return Err(DecodeError::new(field, DecodeErrorKind::BadLength));
        }
        Ok(v)
    }

    /// Takes everything that is left.
    pub fn rest(&mut self) -> &'a [u8] {
        let out = &self.buf[self.pos..];
        self.pos = self.buf.len();
        out
    }

    /// How many bytes are left.
    #[inline]
    pub const fn left(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Whether any bytes are left.
    #[inline]
    pub const fn any_left(&self) -> bool {
        self.pos < self.buf.len()
    }

    /// How many bytes have been consumed.
    #[inline]
    pub const fn used(&self) -> usize {
        self.pos
    }

    /// Fails with `TrailingData` naming `field` if any bytes are left.
    pub fn expect_end(&self, field: &'static str) -> Result<(), DecodeError> {
        if self.any_left() {
            return Err(DecodeError::new(field, DecodeErrorKind::TrailingData));
        }
        Ok(())
    }
}

/// The width of a length prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LenPrefix {
    /// One byte: up to 255.
    U8,
    /// Two bytes: up to 65535.
    U16,
    /// Three bytes: up to 2^24 - 1.
    U24,
}

impl LenPrefix {
    /// The largest length this prefix can carry.
    pub const fn max(self) -> usize {
        match self {
            LenPrefix::U8 => 0xff,
            LenPrefix::U16 => 0xffff,
            LenPrefix::U24 => 0xff_ffff,
        }
    }

    const fn width(self) -> usize {
        match self {
            LenPrefix::U8 => 1,
            LenPrefix::U16 => 2,
            LenPrefix::U24 => 3,
        }
    }
}

/// A length prefix being written: push a placeholder, write the body, then patch it.
///
/// ```
/// use tls12::internal::codec::{LenPrefix, LengthPrefixed};
/// let mut out = Vec::new();
/// let lp = LengthPrefixed::begin(&mut out, LenPrefix::U16);
/// out.extend_from_slice(b"abc");
/// lp.finish(&mut out)?;
/// assert_eq!(out, [0, 3, b'a', b'b', b'c']);
///
/// // A body longer than its prefix can carry is an error, not a panic.
/// let mut out = Vec::new();
/// let lp = LengthPrefixed::begin(&mut out, LenPrefix::U8);
/// out.extend_from_slice(&[0; 256]);
/// assert!(lp.finish(&mut out).is_err());
/// # Ok::<(), tls12::EncodeError>(())
/// ```
#[must_use = "call finish() to patch the length"]
pub struct LengthPrefixed {
    at: usize,
    len: LenPrefix,
}

impl LengthPrefixed {
    /// Writes a zero placeholder of the prefix's width.
    pub fn begin(out: &mut Vec<u8>, len: LenPrefix) -> Self {
        let at = out.len();
        out.extend_from_slice(&[0u8; 3][..len.width()]);
        Self { at, len }
    }

    /// Patches the placeholder with the number of bytes written since `begin`.
    ///
    /// A body longer than the prefix can carry is an [`EncodeError`]: values kept from a
    /// peer (a name, a ticket, a certificate chain) are bounded where they come in, but an
    /// encoder must not rely on it, so encoding is total and never panics.
    pub fn finish(self, out: &mut [u8]) -> Result<(), EncodeError> {
        let width = self.len.width();
        let body = out
            .len()
            .checked_sub(self.at + width)
            .ok_or(EncodeError::new(0, self.len.max()))?;
        let n = u32::try_from(body)
            .ok()
            .filter(|&n| n as usize <= self.len.max())
            .ok_or(EncodeError::new(body, self.len.max()))?;
        let be = n.to_be_bytes();
        let prefix = out
            .get_mut(self.at..self.at + width)
            .ok_or(EncodeError::new(body, self.len.max()))?;
        prefix.copy_from_slice(&be[4 - width..]);
        Ok(())
    }
}

/// Writes `bytes` with a length prefix; an [`EncodeError`] if they are too long for it.
pub fn put_opaque(out: &mut Vec<u8>, len: LenPrefix, bytes: &[u8]) -> Result<(), EncodeError> {
    if bytes.len() > len.max() {
        return Err(EncodeError::new(bytes.len(), len.max()));
    }
    let lp = LengthPrefixed::begin(out, len);
    out.extend_from_slice(bytes);
    lp.finish(out)
}

/// Writes a big-endian u16.
#[inline]
pub fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// A value with a wire encoding.
///
/// Encoding is total: any value that can be built either encodes or gives an
/// [`EncodeError`] (a body too long for its length prefix); it never panics. On an error,
/// `out` may hold a partial encoding and must be discarded.
pub trait Codec: Sized {
    /// Appends the wire encoding of `self` to `out`.
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError>;

    /// Reads one value from the cursor, leaving the cursor after it.
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError>;

    /// Decodes `bytes` as exactly one value: trailing bytes are an error.
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let v = Self::read(&mut r)?;
        // The type's name only on the error path: finding it is a string search.
        if r.any_left() {
            return Err(DecodeError::new(
                short_type_name::<Self>(),
                DecodeErrorKind::TrailingData,
            ));
        }
        Ok(v)
    }

    /// The wire encoding of `self` as a new vector.
    fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(256);
        self.encode(&mut out)?;
        Ok(out)
    }
}

fn short_type_name<T>() -> &'static str {
    let full = core::any::type_name::<T>();
    full.rsplit("::").next().unwrap_or(full)
}

impl Codec for u8 {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.push(*self);
        Ok(())
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.u8("u8")
    }
}

impl Codec for u16 {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        put_u16(out, *self);
        Ok(())
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.u16("u16")
    }
}

/// Writes `items` as a vector with a length prefix of `len` bytes; an [`EncodeError`] if
/// their encodings are too long for it.
pub fn put_vec<T: Codec>(
    out: &mut Vec<u8>,
    len: LenPrefix,
    items: &[T],
) -> Result<(), EncodeError> {
    let lp = LengthPrefixed::begin(out, len);
    for it in items {
        it.encode(out)?;
    }
    lp.finish(out)
}

/// Reads a vector of `T` with a length prefix of `len` bytes. The items must fill the
/// declared length exactly; allocation grows only with items actually decoded.
pub fn read_vec<T: Codec>(
    r: &mut Reader<'_>,
    len: LenPrefix,
    field: &'static str,
) -> Result<Vec<T>, DecodeError> {
    let mut sub = r.sub(len, field)?;
    let mut out = Vec::new();
    while sub.any_left() {
        out.push(T::read(&mut sub).map_err(|e| DecodeError::new(field, e.kind))?);
    }
    Ok(out)
}

/// Like [`read_vec`], but an empty vector is a `BadLength` error (`<2..2^16-2>` style bounds).
pub fn read_vec_nonempty<T: Codec>(
    r: &mut Reader<'_>,
    len: LenPrefix,
    field: &'static str,
) -> Result<Vec<T>, DecodeError> {
    let v = read_vec(r, len, field)?;
    if v.is_empty() {
        return Err(DecodeError::new(field, DecodeErrorKind::BadLength));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn reader_reports_truncation_with_field() {
        let mut r = Reader::new(&[1, 2]);
        assert_eq!(r.u16("x").unwrap(), 0x0102);
        let e = r.u8("y").unwrap_err();
        assert_eq!(e, DecodeError::new("y", DecodeErrorKind::Truncated));
    }

    #[test]
    fn sub_checks_length_before_taking() {
        // Claims 0xffffff bytes with only 2 present: Truncated, nothing allocated.
        let mut r = Reader::new(&[0xff, 0xff, 0xff, 1, 2]);
        let e = r.sub(LenPrefix::U24, "big").unwrap_err();
        assert_eq!(e.kind, DecodeErrorKind::Truncated);
    }

    #[test]
    fn vec_roundtrip_and_partial_item_is_error() {
        let mut out = Vec::new();
        put_vec(&mut out, LenPrefix::U16, &[1u16, 2, 3]).unwrap();
        assert_eq!(out, vec![0, 6, 0, 1, 0, 2, 0, 3]);
        let mut r = Reader::new(&out);
        assert_eq!(
            read_vec::<u16>(&mut r, LenPrefix::U16, "v").unwrap(),
            vec![1, 2, 3]
        );
        // Odd length: the last u16 is cut in half.
        let mut r = Reader::new(&[0, 3, 0, 1, 0]);
        assert_eq!(
            read_vec::<u16>(&mut r, LenPrefix::U16, "v").unwrap_err(),
            DecodeError::new("v", DecodeErrorKind::Truncated)
        );
    }

    #[test]
    fn decode_rejects_trailing_bytes() {
        assert_eq!(u16::decode(&[0, 1]).unwrap(), 1);
        assert_eq!(
            u16::decode(&[0, 1, 2]).unwrap_err(),
            DecodeError::new("u16", DecodeErrorKind::TrailingData)
        );
    }

    #[test]
    fn length_prefix_patches_u24() {
        let mut out = vec![9];
        let lp = LengthPrefixed::begin(&mut out, LenPrefix::U24);
        out.extend_from_slice(&[7; 300]);
        lp.finish(&mut out).unwrap();
        assert_eq!(&out[..4], &[9, 0, 1, 44]);
    }

    #[test]
    fn over_long_bodies_are_errors_at_every_width() {
        for (len, max) in [(LenPrefix::U8, 0xff), (LenPrefix::U16, 0xffff)] {
            let mut out = Vec::new();
            assert!(put_opaque(&mut out, len, &vec![1; max]).is_ok());
            let mut out = Vec::new();
            assert_eq!(
                put_opaque(&mut out, len, &vec![1; max + 1]),
                Err(EncodeError::new(max + 1, max))
            );
            // A vector whose items fit one by one but not together.
            let mut out = Vec::new();
            let items = vec![7u8; max + 1];
            assert_eq!(
                put_vec(&mut out, len, &items),
                Err(EncodeError::new(max + 1, max))
            );
        }
        let mut out = Vec::new();
        let lp = LengthPrefixed::begin(&mut out, LenPrefix::U24);
        out.resize(3 + 0x100_0000, 0);
        assert_eq!(
            lp.finish(&mut out),
            Err(EncodeError::new(0x100_0000, 0xff_ffff))
        );
    }
}
