import pytest

from voting.core import signing
from voting.core.canonical import b64d, b64e

# RFC 8032 §7.1, TEST 1.
RFC8032_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
RFC8032_EMPTY_MESSAGE_SIGNATURE = bytes.fromhex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)

BODY = {"voter_id": "v0001", "choices": {"a": "yes"}, "note": "测试"}


@pytest.fixture(scope="module")
def key():
    return signing.private_key_from_seed(bytes(range(32)))


def test_key_from_seed_matches_rfc8032():
    private_key = signing.private_key_from_seed(RFC8032_SEED)
    assert signing.public_key_b64(private_key) == b64e(RFC8032_PUBLIC)
    assert private_key.sign(b"") == RFC8032_EMPTY_MESSAGE_SIGNATURE
    assert signing.verify_message(RFC8032_PUBLIC, b"", b64e(RFC8032_EMPTY_MESSAGE_SIGNATURE))


def test_message_is_domain_separated_canonical_json():
    assert signing.message("ballot", {"b": 1, "a": "测"}) == (b'gongzhi/1/ballot\x00{"a":"\xe6\xb5\x8b","b":1}')
    assert signing.message("tree-head", {}) == b"gongzhi/1/tree-head\x00{}"
    assert signing.message("certification", []) == b"gongzhi/1/certification\x00[]"


@pytest.mark.parametrize("purpose", ["vote", "", "Ballot", "ballot\x00", None])
def test_unknown_purposes_are_refused(key, purpose):
    with pytest.raises(ValueError):
        signing.sign(key, purpose, BODY)
    assert not signing.verify(signing.public_key_b64(key), purpose, BODY, "A" * 86)


@pytest.mark.parametrize(
    "version, purpose",
    [(version, purpose) for version, purposes in signing.PURPOSES.items() for purpose in purposes],
)
def test_sign_and_verify(key, version, purpose):
    signature = signing.sign(key, purpose, BODY, version)
    assert len(b64d(signature)) == 64
    assert signing.verify(signing.public_key_b64(key), purpose, BODY, signature, version)


def test_signature_does_not_carry_over_to_another_format(key):
    signature = signing.sign(key, "ballot", BODY)
    public_key = signing.public_key_b64(key)
    assert signing.message("ballot", BODY, 2).startswith(b"gongzhi/2/ballot\x00")
    assert not signing.verify(public_key, "ballot", BODY, signature, version=2)


def test_signature_does_not_carry_over_to_another_purpose(key):
    signature = signing.sign(key, "ballot", BODY)
    public_key = signing.public_key_b64(key)
    assert not signing.verify(public_key, "tree-head", BODY, signature)
    assert not signing.verify(public_key, "certification", BODY, signature)


def test_signature_covers_the_body_and_the_key(key):
    signature = signing.sign(key, "ballot", BODY)
    assert not signing.verify(signing.public_key_b64(key), "ballot", {**BODY, "voter_id": "v0002"}, signature)
    _, other_public_key = signing.generate_keypair()
    assert not signing.verify(other_public_key, "ballot", BODY, signature)


@pytest.mark.parametrize(
    "public_key, signature",
    [
        (None, None),
        ("", "AAAA"),
        ("not base64!", "AAAA"),
        ("A" * 43, "A" * 86),  # decodes, but not a signature by that key
        ("A" * 42, "A" * 86),  # 31 bytes
        (42, ["x"]),
    ],
)
def test_verify_returns_false_on_malformed_input(key, public_key, signature):
    assert signing.verify(public_key, "ballot", BODY, signature) is False


def test_verify_returns_false_for_padded_or_unencodable_input(key):
    public_key = signing.public_key_b64(key)
    signature = signing.sign(key, "ballot", BODY)
    assert not signing.verify(public_key + "=", "ballot", BODY, signature)
    assert not signing.verify(public_key, "ballot", BODY, signature + "==")
    assert not signing.verify(public_key, "ballot", {"a": "\ud800"}, signature)


def test_generate_keypair_gives_a_fresh_usable_pair():
    seed, public_key = signing.generate_keypair()
    assert len(seed) == signing.SEED_BYTES
    assert signing.generate_keypair()[0] != seed
    private_key = signing.private_key_from_seed(seed)
    assert signing.public_key_b64(private_key) == public_key
    assert signing.verify(public_key, "ballot", BODY, signing.sign(private_key, "ballot", BODY))


def test_private_key_needs_32_bytes():
    with pytest.raises(ValueError):
        signing.private_key_from_seed(bytes(31))


def _checks(count: int, bad: set[int]) -> list:
    key = signing.private_key_from_seed(bytes(32))
    public_key = signing.public_key_bytes(signing.public_key_b64(key))
    checks = []
    for index in range(count):
        signed = signing.message("ballot", {"n": index})
        signature = signing.sign(key, "ballot", {"n": index + 1 if index in bad else index})
        checks.append((public_key, signed, signature))
    return checks


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_first_failure_finds_the_earliest_bad_signature(workers):
    assert signing.first_failure(_checks(30, set()), workers) is None
    assert signing.first_failure(_checks(30, {29}), workers) == 29
    assert signing.first_failure(_checks(30, {7, 3, 20}), workers) == 3
    assert signing.first_failure([], workers) is None


P = 2**255 - 19
D = -121665 * pow(121666, -1, P) % P


def test_small_order_y_values_are_those_of_points_of_order_dividing_8():
    # On -x² + y² = 1 + d·x²·y²: y = 1 is the identity, y = -1 has order 2, y = 0 order 4;
    # P has order 8 exactly when 2P has y = 0, i.e. x² = -y², i.e. d·y⁴ + 2·y² - 1 = 0.
    order_8 = signing.SMALL_ORDER_Y - {0, 1, P - 1}
    assert len(order_8) == 2
    for y in order_8:
        assert (D * y**4 + 2 * y**2 - 1) % P == 0


def test_the_all_zero_key_shows_why_small_order_keys_are_refused():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    # The raw library accepts a "signature" of zeros under the zero key for any message...
    Ed25519PublicKey.from_public_bytes(bytes(32)).verify(bytes(64), signing.message("ballot", BODY))
    # ...so the project refuses such keys outright.
    assert not signing.verify(b64e(bytes(32)), "ballot", BODY, b64e(bytes(64)))


@pytest.mark.parametrize("y", sorted(signing.SMALL_ORDER_Y) + [P, P + 1, 2**255 - 1])
@pytest.mark.parametrize("x_sign", [0, 1 << 255])
def test_public_key_bytes_refuses_small_order_and_non_canonical_points(y, x_sign):
    with pytest.raises(ValueError):
        signing.public_key_bytes(b64e((y | x_sign).to_bytes(32, "little")))


def test_public_key_bytes_accepts_real_keys():
    _, public_key = signing.generate_keypair()
    assert len(signing.public_key_bytes(public_key)) == 32
    assert signing.public_key_bytes(b64e(RFC8032_PUBLIC)) == RFC8032_PUBLIC
