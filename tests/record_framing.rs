//! Property tests of the record layer: splitting the byte stream anywhere changes nothing.

use proptest::prelude::*;
use tls12::Error;
use tls12::internal::codec::enums::{ContentType, HandshakeType, ProtocolVersion};
use tls12::internal::record::{
    Deframer, HEADER_LEN, HandshakeJoiner, MAX_CIPHERTEXT, MAX_PLAINTEXT, RecordHeader, fragments,
    write_records,
};

/// A deterministic payload of `len` bytes.
fn payload(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| seed.wrapping_add((i % 251) as u8))
        .collect()
}

fn record_bytes(h: &RecordHeader, body: &[u8]) -> Vec<u8> {
    let mut v = h.to_array().to_vec();
    v.extend_from_slice(body);
    v
}

/// Records as owned header and payload.
type Records = Vec<(RecordHeader, Vec<u8>)>;

/// Feeds `stream` in chunks whose sizes cycle through `sizes`, draining after every feed
/// as the contract says. Returns the records and the deframer.
fn deframe(stream: &[u8], sizes: &[usize]) -> Result<(Records, Deframer), Error> {
    let mut d = Deframer::new();
    let mut out = Vec::new();
    let mut rest = stream;
    let mut sizes = sizes.iter().cycle();
    while !rest.is_empty() {
        let size = (*sizes.next().expect("sizes is never empty")).min(rest.len());
        let mut chunk = &rest[..size];
        rest = &rest[size..];
        while !chunk.is_empty() {
            let n = d.feed(chunk);
            chunk = &chunk[n..];
            let before = out.len();
            while let Some(r) = d.next_record()? {
                out.push((r.header, r.payload.to_vec()));
            }
            assert!(n > 0 || out.len() > before, "feed/drain made no progress");
        }
    }
    Ok((out, d))
}

fn record_len() -> impl Strategy<Value = usize> {
    prop_oneof![
        6 => 0..64usize,
        3 => 0..3000usize,
        1 => (MAX_CIPHERTEXT - 8)..=MAX_CIPHERTEXT,
    ]
}

fn records() -> impl Strategy<Value = Records> {
    prop::collection::vec((20u8..=23, 0u8..=3, record_len(), any::<u8>()), 1..12).prop_map(|v| {
        v.into_iter()
            .map(|(typ, minor, len, seed)| {
                let h = RecordHeader {
                    typ: ContentType(typ),
                    version: ProtocolVersion(0x0300 | u16::from(minor)),
                    len: len as u16,
                };
                (h, payload(len, seed))
            })
            .collect()
    })
}

fn chunk_sizes() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(
        prop_oneof![3 => 1..8usize, 2 => 1..600usize, 1 => 1..40_000usize],
        1..16,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn any_split_yields_the_same_records(recs in records(), sizes in chunk_sizes()) {
        let stream: Vec<u8> = recs.iter().flat_map(|(h, b)| record_bytes(h, b)).collect();
        let (got, d) = deframe(&stream, &sizes).expect("valid records deframe");
        prop_assert_eq!(&got, &recs);
        prop_assert_eq!(d.buffered(), 0);
        prop_assert!(!d.has_partial());
    }

    #[test]
    fn truncated_stream_leaves_a_partial(recs in records(), sizes in chunk_sizes(), cut in 1usize..100) {
        let stream: Vec<u8> = recs.iter().flat_map(|(h, b)| record_bytes(h, b)).collect();
        let last = HEADER_LEN + recs.last().expect("at least one record").1.len();
        let cut = cut.min(last - 1);
        let (got, d) = deframe(&stream[..stream.len() - cut], &sizes).expect("valid prefix");
        prop_assert_eq!(&got[..], &recs[..recs.len() - 1]);
        prop_assert!(d.has_partial());
        prop_assert_eq!(d.buffered(), last - cut);
    }

    #[test]
    fn any_split_of_handshake_messages_rejoins(
        msgs in prop::collection::vec(
            (any::<u8>(), prop_oneof![4 => 0..200usize, 2 => 0..5000usize, 1 => 0..40_000usize], any::<u8>()),
            1..10,
        ),
        sizes in prop::collection::vec(prop_oneof![1..8usize, 1..=MAX_PLAINTEXT], 1..10),
    ) {
        let msgs: Vec<Vec<u8>> = msgs
            .into_iter()
            .map(|(typ, len, seed)| {
                let mut m = vec![typ];
                m.extend_from_slice(&(len as u32).to_be_bytes()[1..]);
                m.extend(payload(len, seed));
                m
            })
            .collect();
        let stream: Vec<u8> = msgs.concat();
        let mut j = HandshakeJoiner::default();
        let mut got = Vec::new();
        let mut rest = &stream[..];
        let mut sizes = sizes.iter().cycle();
        while !rest.is_empty() {
            let size = (*sizes.next().expect("sizes is never empty")).min(rest.len());
            j.push(&rest[..size]).expect("valid fragments");
            rest = &rest[size..];
            while let Some(m) = j.pop().expect("valid messages") {
                prop_assert_eq!(m.typ, HandshakeType(m.encoded[0]));
                prop_assert_eq!(m.body, &m.encoded[4..]);
                got.push(m.encoded.to_vec());
            }
            let pushed = stream.len() - rest.len();
            let joined: usize = got.iter().map(Vec::len).sum();
            prop_assert_eq!(j.is_empty(), joined == pushed);
        }
        prop_assert_eq!(got, msgs);
    }

    #[test]
    fn fragmenter_output_deframes_to_the_payload(
        len in prop_oneof![0..100usize, 0..50_000usize],
        seed in any::<u8>(),
        max_fragment in prop_oneof![1..64usize, 1..=MAX_PLAINTEXT, Just(MAX_PLAINTEXT)],
        typ in 20u8..=23,
        sizes in chunk_sizes(),
    ) {
        let data = payload(len, seed);
        let typ = ContentType(typ);
        let mut wire = Vec::new();
        write_records(&mut wire, typ, ProtocolVersion::TLS12, &data, max_fragment);
        let (got, _) = deframe(&wire, &sizes).expect("fragmenter output deframes");
        prop_assert_eq!(got.len(), len.div_ceil(max_fragment));
        prop_assert_eq!(
            got.len(),
            fragments(typ, ProtocolVersion::TLS12, &data, max_fragment).len()
        );
        for (i, (h, body)) in got.iter().enumerate() {
            prop_assert_eq!(h.typ, typ);
            prop_assert_eq!(usize::from(h.len), body.len());
            if i + 1 < got.len() {
                prop_assert_eq!(body.len(), max_fragment);
            } else {
                prop_assert!(!body.is_empty() && body.len() <= max_fragment);
            }
        }
        let back: Vec<u8> = got.into_iter().flat_map(|(_, b)| b).collect();
        prop_assert_eq!(back, data);
    }

    #[test]
    fn handshake_through_fragmenter_deframer_joiner(
        lens in prop::collection::vec(prop_oneof![0..300usize, 0..30_000usize], 1..6),
        max_fragment in prop_oneof![1..32usize, 1..=MAX_PLAINTEXT],
        sizes in chunk_sizes(),
    ) {
        let msgs: Vec<Vec<u8>> = lens
            .iter()
            .enumerate()
            .map(|(i, &len)| {
                let mut m = vec![i as u8];
                m.extend_from_slice(&(len as u32).to_be_bytes()[1..]);
                m.extend(payload(len, i as u8));
                m
            })
            .collect();
        let flight = msgs.concat();
        let mut wire = Vec::new();
        write_records(&mut wire, ContentType::HANDSHAKE, ProtocolVersion::TLS12, &flight, max_fragment);
        let (recs, _) = deframe(&wire, &sizes).expect("fragmenter output deframes");
        let mut j = HandshakeJoiner::default();
        let mut got = Vec::new();
        for (_, body) in &recs {
            j.push(body).expect("valid fragment");
            while let Some(m) = j.pop().expect("valid message") {
                got.push(m.encoded.to_vec());
            }
        }
        prop_assert!(j.is_empty());
        prop_assert_eq!(got, msgs);
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..2000),
        sizes in chunk_sizes(),
    ) {
        // Deframer: any error is sticky and repeats.
        match deframe(&bytes, &sizes) {
            Ok((recs, d)) => {
                for (h, b) in &recs {
                    prop_assert!(usize::from(h.len) == b.len() && b.len() <= MAX_CIPHERTEXT);
                }
                prop_assert!(d.buffered() <= Deframer::CAPACITY);
            }
            Err(e) => prop_assert!(e.alert().is_some()),
        }
        // Joiner: fed the bytes as fragments of the given sizes.
        let mut j = HandshakeJoiner::new(1024);
        let mut rest = &bytes[..];
        let mut sizes = sizes.iter().cycle();
        'outer: while !rest.is_empty() {
            let size = (*sizes.next().expect("sizes is never empty")).min(rest.len()).min(MAX_PLAINTEXT);
            if let Err(e) = j.push(&rest[..size]) {
                prop_assert_eq!(j.pop().unwrap_err(), e);
                break;
            }
            rest = &rest[size..];
            loop {
                match j.pop() {
                    Ok(Some(m)) => prop_assert!(m.body.len() <= 1024),
                    Ok(None) => break,
                    Err(_) => break 'outer,
                }
            }
        }
    }
}
