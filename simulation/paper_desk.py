"""Two clerks at a paper-ballot desk, for the simulated vote (simulation/vote.py): one records the
papers handed in before the close, then both key and check them (the sealed box is keyed after
the close as well).

Their browsers are stood in for by Ed25519 keys held here; each step goes through the same
HTTP endpoints (and CSRF tokens) as officer_keys.js, each request in an app context of its own so
that every clerk is loaded from their own session, as in production.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass

from flask import Flask

from voting.core import record_v2, signing
from voting.core.canonical import b64e
from voting.errors import API_PREFIX

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class DeskError(RuntimeError):
    pass


def scan_image(text: str) -> bytes:
    """A small valid PNG, different for every ballot (a desk refuses a scan twice)."""
    pixels = bytes(range(256))[: 16 * 3] + text.encode()
    raw = b"".join(b"\x00" + pixels[:48] for _ in range(16))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"tEXt", b"ballot\x00" + text.encode())
        + chunk(b"IEND", b"")
    )


@dataclass
class Clerk:
    username: str
    password: str
    officer_id: str
    key: object  # Ed25519PrivateKey, as non-extractable in a browser


class PaperDesk:
    def __init__(self, app: Flask, estate_code: str, election_id: int, clerks: list[Clerk]):
        self.app = app
        self.base = f"{API_PREFIX}/estates/{estate_code}/elections/{election_id}/paper"
        self.clerks = clerks
        self.clients = {clerk.username: self._logged_in(clerk) for clerk in clerks}

    def _request(self, client, method: str, url: str, **kwargs):
        with self.app.app_context():
            return client.open(url, method=method, **kwargs)

    def _logged_in(self, clerk: Clerk):
        client = self.app.test_client()
        page = self._request(client, "GET", "/login").get_data(as_text=True)
        token = CSRF_FIELD.search(page).group(1)
        response = self._request(
            client, "POST", "/login", data={"csrf_token": token, "username": clerk.username, "password": clerk.password}
        )
        if response.status_code != 302:
            raise DeskError(f"clerk {clerk.username} could not log in")
        desk = self._request(client, "GET", f"{self.base}/").get_json()
        client.csrf = desk["csrf_token"]
        return client

    def _answer(self, response, path: str) -> dict:
        if response.status_code >= 400:
            raise DeskError(f"{path}: {response.status_code} {response.get_data(as_text=True)}")
        return response.get_json()

    def _get(self, clerk: Clerk, path: str, **query) -> dict:
        client = self.clients[clerk.username]
        return self._answer(
            self._request(client, "GET", f"{self.base}{path}", query_string=query),
            path,
        )

    def _post(self, clerk: Clerk, path: str, body: dict) -> dict:
        client = self.clients[clerk.username]
        return self._answer(
            self._request(
                client,
                "POST",
                f"{self.base}{path}",
                json=body,
                headers={"X-CSRFToken": client.csrf},
            ),
            path,
        )

    def hand_in(self, unit_label: str) -> str:
        """The owner hands the paper in at the desk, in person with their identity document;
        returns the desk receipt number on their slip."""
        clerk = self.clerks[0]
        body = self._get(clerk, "/handins/sign", unit=unit_label, identity_checked="1")["body"]
        return self._post(
            clerk,
            "/handins",
            {
                "officer_id": clerk.officer_id,
                "body": body,
                "signature": signing.sign(clerk.key, "handin", body, record_v2.VERSION),
            },
        )["desk_receipt"]

    def enter(self, voter_code: str, unit_label: str, choices: dict, desk_receipt: str) -> dict:
        """Key, sign, check blind and countersign the paper handed in as ``desk_receipt``;
        returns the receipt."""
        keyer, checker = self.clerks
        keyed = self._post(
            keyer,
            "/ballots",
            {
                "unit": unit_label,
                "officer_id": keyer.officer_id,
                "choices": choices,
                "handin": desk_receipt,
                "scan": b64e(scan_image(voter_code)),
            },
        )
        paper = keyed["paper_id"]
        self._post(
            keyer,
            f"/ballots/{paper}/signature",
            {
                "officer_id": keyer.officer_id,
                "signature": signing.sign(keyer.key, "ballot", keyed["ballot"], record_v2.VERSION),
            },
        )
        checked = self._post(
            checker,
            f"/ballots/{paper}/check",
            {"unit": unit_label, "officer_id": checker.officer_id, "choices": choices},
        )
        if checked["status"] != "match":
            raise DeskError(f"paper ballot of {voter_code}: the second keying differs")
        logged = self._post(
            checker,
            f"/ballots/{paper}/countersignature",
            {
                "officer_id": checker.officer_id,
                "signature": signing.sign(checker.key, "ballot", checked["ballot"], record_v2.VERSION),
            },
        )
        return logged["receipt"]
