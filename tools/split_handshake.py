#!/usr/bin/env python3
"""Builds the fuzz seed corpora from the captures and the Illustrated TLS 1.2 records.

  fuzz/corpus/handshake/  one plaintext handshake message a file, 4-byte header included:
                          every message before the ChangeCipherSpec in each direction of
                          each capture, plus the Illustrated TLS 1.2 messages and its two
                          decrypted Finished messages
  fuzz/corpus/record/     record streams: each capture direction's plaintext prefix (up
                          to and including its ChangeCipherSpec record), one whole
                          capture (encrypted records too), and the Illustrated TLS 1.2
                          records of each direction concatenated

Identical contents are written once (the first name wins). The corpus directories are
emptied of *.bin first, so a rerun gives the same files for the same captures.
"""

import glob
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tlswire  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CAPTURES = os.path.join(ROOT, "tests", "data", "captures")
ILLUSTRATED = os.path.join(ROOT, "tests", "data", "illustrated-tls12")
CORPUS = os.path.join(ROOT, "fuzz", "corpus")

ILLUSTRATED_C2S = ["clienthello", "clientkeyexchange", "clientccs", "clientfinished",
                   "clientdata", "clientalert"]
ILLUSTRATED_S2C = ["serverhello", "servercert", "serverkeyexchange", "serverhellodone",
                   "serverccs", "serverfinished", "serverdata"]
# The records among those that hold plaintext handshake messages (the Finished records
# are encrypted; their decryptions are the *finishedplain files).
ILLUSTRATED_PLAIN_HS = ["clienthello", "clientkeyexchange", "serverhello", "servercert",
                        "serverkeyexchange", "serverhellodone"]
# A capture whose whole streams (encrypted records too) seed the record target.
WHOLE = "ecdhe-rsa-aes128gcm-x25519-sha512"


class Writer:
    def __init__(self, directory: str):
        self.dir = directory
        self.seen = set()
        os.makedirs(directory, exist_ok=True)
        for old in glob.glob(os.path.join(directory, "*.bin")):
            os.remove(old)

    def put(self, name: str, data: bytes) -> None:
        if not data or data in self.seen:
            return
        self.seen.add(data)
        with open(os.path.join(self.dir, name + ".bin"), "wb") as f:
            f.write(data)


def read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def main() -> int:
    hs = Writer(os.path.join(CORPUS, "handshake"))
    rec = Writer(os.path.join(CORPUS, "record"))

    names = sorted(os.path.basename(p)[: -len(".c2s.bin")]
                   for p in glob.glob(os.path.join(CAPTURES, "*.c2s.bin")))
    for name in names:
        for d in ("c2s", "s2c"):
            stream = read(os.path.join(CAPTURES, f"{name}.{d}.bin"))
            rec.put(f"{name}.{d}.plain", tlswire.plaintext_prefix(stream))
            if name == WHOLE:
                rec.put(f"{name}.{d}.whole", stream)
            for i, (mtype, _, raw) in enumerate(tlswire.handshake_messages(stream)):
                label = tlswire.HS_NAMES.get(mtype, f"type{mtype}")
                hs.put(f"{name}.{d}.{i:02}-{label}", raw)

    for d, files in (("c2s", ILLUSTRATED_C2S), ("s2c", ILLUSTRATED_S2C)):
        rec.put(f"illustrated.{d}", b"".join(read(os.path.join(ILLUSTRATED, f)) for f in files))
    for f in ILLUSTRATED_PLAIN_HS:
        for mtype, _, raw in tlswire.handshake_messages(read(os.path.join(ILLUSTRATED, f))):
            hs.put(f"illustrated.{f}", raw)
    for f in ("clientfinishedplain", "serverfinishedplain"):
        hs.put(f"illustrated.{f}", read(os.path.join(ILLUSTRATED, f))[:16])

    print(f"split_handshake: {len(hs.seen)} handshake seeds, {len(rec.seen)} record seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
