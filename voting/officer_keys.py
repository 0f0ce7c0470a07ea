"""What officer_keys.js needs from a page where someone signs with the key their browser holds
(a clerk's, a group member's, a street-office officer's): one shape for every feature's pages."""

from flask_login import current_user
from flask_wtf.csrf import generate_csrf


def officer_key_data(election, keys, **asks) -> dict:
    """The keys of this account for this vote that the browser looks for, and what the page asks
    of them (``asks``: ``register_url``, ``sign``, ``cosign``)."""
    return {
        "election": election.public_id,
        "user": current_user.username,
        "csrf_token": generate_csrf(),
        "keys": [officer.key_json() for officer in keys],
        **asks,
    }
