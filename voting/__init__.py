"""Gongzhi (共治): owners' assembly voting.

This module stays free of Flask imports so that ``voting.core`` (the trust core the
verifier uses) can be imported with only the standard library and ``cryptography``.
"""


def create_app(config=None):
    """App factory used by ``flask --app voting`` and the tests."""
    from voting.app import build_app

    return build_app(config)
