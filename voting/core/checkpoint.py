"""Tree heads of format 2 as C2SP signed-note checkpoints, and witnesses' cosignatures (spec v2 §6).

The checkpoint text and the cosignature message are byte for byte those of C2SP
tlog-checkpoint and tlog-cosignature/v1, so an off-the-shelf transparency-log witness can
cosign a vote's log as the street office's officer does in the browser.
"""

import base64
import struct

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from voting.core.canonical import H, b64d, b64e

# Signature types of the C2SP signed-note key ids.
_ED25519 = b"\x01"
_COSIGNATURE_V1 = b"\x04"


def origin(election_hash: str) -> str:
    """The checkpoint's first line: it names the log, one per vote."""
    return f"gongzhi/{election_hash}"


def text(election_hash: str, size: int, root: bytes) -> bytes:
    """The checkpoint text: origin, size and standard-base64 root, each ending in a newline."""
    return f"{origin(election_hash)}\n{size}\n{base64.b64encode(root).decode('ascii')}\n".encode()


def cosignature_message(checkpoint_text: bytes, time: int) -> bytes:
    """What a witness signs: C2SP tlog-cosignature/v1."""
    return b"cosignature/v1\ntime %d\n" % time + checkpoint_text


def sign(private_key: Ed25519PrivateKey, election_hash: str, size: int, root: bytes) -> dict:
    """A checkpoint of the first ``size`` entries, signed with the vote's key, not yet cosigned."""
    signature = private_key.sign(text(election_hash, size, root))
    return {"size": size, "root": b64e(root), "signature": b64e(signature), "cosignatures": []}


def cosign(private_key: Ed25519PrivateKey, witness: str, election_hash: str, checkpoint: dict, time: int) -> dict:
    """A witness's cosignature of ``checkpoint`` at ``time`` (whole seconds since the epoch)."""
    message = cosignature_message(text(election_hash, checkpoint["size"], b64d(checkpoint["root"])), time)
    return {"witness": witness, "time": time, "signature": b64e(private_key.sign(message))}


def signed_note(election_hash: str, checkpoint: dict, log_key: bytes, witness_keys: dict) -> str:
    """The checkpoint as a C2SP signed note, as posted on the notice board and sent to witnesses.

    ``log_key`` is the vote's raw public key; ``witness_keys`` maps each cosigner's name to theirs.
    """
    name = origin(election_hash)
    body = text(election_hash, checkpoint["size"], b64d(checkpoint["root"]))
    lines = [_line(name, log_key, _ED25519, b64d(checkpoint["signature"]))]
    for cosignature in checkpoint["cosignatures"]:
        witness = cosignature["witness"]
        signed = struct.pack(">Q", cosignature["time"]) + b64d(cosignature["signature"])
        lines.append(_line(witness, witness_keys[witness], _COSIGNATURE_V1, signed))
    return body.decode() + "\n" + "".join(lines)


def parse_note(note: str) -> tuple[bytes, list[tuple[str, bytes]]]:
    """The checkpoint text of a signed note and its (key name, key id + signature) lines.

    ValueError where it is not a signed note: text lines, one empty line, then lines
    "— <name> <standard base64>".
    """
    text, separator, signatures = note.partition("\n\n")
    if not separator or not text or not signatures.endswith("\n"):
        raise ValueError("not a signed note: no empty line between the text and its signatures")
    lines = []
    for line in signatures[:-1].split("\n"):
        dash, name, blob = (line.split(" ") + ["", ""])[:3] if line.count(" ") == 2 else ("", "", "")
        if dash != "\u2014" or not name:
            raise ValueError(f"not a signature line: {line!r}")
        try:
            lines.append((name, base64.b64decode(blob, validate=True)))
        except ValueError:
            raise ValueError(f"not base64 in the signature line of {name}") from None
    return (text + "\n").encode(), lines


def key_id(name: str, public_key: bytes, signature_type: bytes) -> bytes:
    """The 4-byte key id of a signed-note key: H(name ‖ 0x0A ‖ type ‖ key)[:4]."""
    return H(name.encode() + b"\n" + signature_type + public_key)[:4]


def _line(name: str, public_key: bytes, signature_type: bytes, signature: bytes) -> str:
    blob = key_id(name, public_key, signature_type) + signature
    return f"\u2014 {name} {base64.b64encode(blob).decode('ascii')}\n"
