"""GS1 Digital Link: every test vector of gs1/digital-link.js that this parser implements
(parse results, validity, refusals), producing URIs, and the resolver's pages."""

import pytest

from htxso.traceability import compression
from htxso.traceability import digital_link as dl

from .conftest import load

VECTORS = load("digital-link-test-vectors.json")["digital_link_js"]


@pytest.mark.parametrize("vector", VECTORS["parse"], ids=lambda v: v["uri"][-60:])
def test_parse_vectors(vector):
    link = dl.parse(vector["uri"])
    expect = vector["expect"]
    if "toJsonString" in expect:
        assert link.to_json() == expect["toJsonString"]
        return
    got = {"domain": link.domain, "identifier": {link.key_ai: link.key}}
    if link.qualifiers:
        got["keyQualifiers"] = link.qualifiers
    if link.attributes:
        got["attributes"] = link.attributes
    if link.link_type:
        got["linkType"] = link.link_type
    assert got == expect


# Two vectors transcribed from gs1/digital-link.js call a GIAI invalid; the 1.2 grammar shipped
# beside them defines `giai-path = giai-comp` (1*30 XCHAR), and GIAI is a key the resolver
# must answer (issue #21): we follow the grammar and the syntax dictionary.
GIAI_BY_GRAMMAR = {"https://example.com/giai/0801234126", "https://example.com/giai/0801234127"}


def test_the_giai_vectors_are_valid_by_the_grammar():
    for uri in GIAI_BY_GRAMMAR:
        link = dl.parse(uri)
        assert (link.key_ai, link.key) == ("8004", uri.rsplit("/", 1)[1])
    assert not dl.is_valid("https://example.com/giai/" + "1" * 31)  # at most 30 characters
    assert not dl.is_valid("https://example.com/giai/08012%C3%A9")  # outside the 82 characters


@pytest.mark.parametrize(
    "vector",
    [v for v in VECTORS["validity"] if v["uri"] not in GIAI_BY_GRAMMAR],
    ids=lambda v: v["note"],
)
def test_validity_vectors(vector):
    sort = "setSortKeyQualifiers(true)" in vector["note"]
    assert dl.is_valid(vector["uri"], sort_qualifiers=sort) is vector["valid"]


def test_out_of_order_qualifiers_are_refused_unless_sorting_and_sorted_on_output():
    uri = "https://example.com/01/01234565/21/12345/10/4512"
    with pytest.raises(dl.DigitalLinkError, match="sai thứ tự"):
        dl.parse(uri)
    assert dl.parse(uri, sort_qualifiers=True).uri() == (
        "https://example.com/01/01234565/10/4512/21/12345"
    )


@pytest.mark.parametrize("vector", VECTORS["throws"], ids=lambda v: v["note"])
def test_what_is_not_a_digital_link_is_refused_with_a_reason(vector):
    with pytest.raises(dl.DigitalLinkError) as error:
        dl.parse(vector["input"])
    assert str(error.value)  # a Vietnamese reason


def test_every_parse_vector_round_trips_through_the_producer():
    for vector in VECTORS["parse"]:
        link = dl.parse(vector["uri"])
        assert dl.parse(link.uri()) == link
        assert link.uri() == vector["uri"]


def test_the_other_keys_and_short_names():
    assert dl.parse("https://x.vn/sscc/012345678912345675").canonical() == (
        "https://id.gs1.org/00/012345678912345675"
    )
    assert dl.parse("https://x.vn/414/0123456789128/254/KHO-1").qualifiers == {"254": "KHO-1"}
    assert dl.parse("https://x.vn/gtin/8930000000019/lot/LO%2F01").qualifiers == {"10": "LO/01"}
    assert dl.parse("https://x.vn/01/8930000000019/lot/LO%2F01").uri() == (
        "https://x.vn/01/8930000000019/10/LO%2F01"
    )
    with pytest.raises(dl.DigitalLinkError, match="không nhận"):
        dl.parse("https://x.vn/00/012345678912345675/10/1")
    with pytest.raises(dl.DigitalLinkError, match="hai lần"):
        dl.parse("https://x.vn/01/8930000000019/10/A/10/B")
    with pytest.raises(dl.DigitalLinkError):
        dl.parse("https://x.vn/01/8930000000019/10/" + "x" * 21)
    with pytest.raises(dl.DigitalLinkError, match="0 hoặc 1"):
        dl.parse("https://x.vn/01/8930000000019?4321=2")
    assert dl.parse("https://x.vn/01/8930000000019?17=261231").attributes == {"17": "261231"}


def _compression_call(vector):
    op, given = vector["op"], vector["input"]
    if op.startswith("compressWebUri(useOptimisations=false"):
        return compression.compress(given, optimise=False, compress_others=False)
    if op.startswith("compressWebUri"):
        return compression.compress(given)
    if op.startswith("decompressWebUri(useShortNames=true)"):
        return compression.decompress(given, short_names=True)
    if op.startswith("decompress"):
        return compression.decompress(given)
    assert op == "isCompressedWebUri", op
    return compression.is_compressed(given)


@pytest.mark.parametrize("vector", VECTORS["compression"], ids=lambda v: v["op"])
def test_compression_vectors(vector):
    assert _compression_call(vector) == vector["output"]


@pytest.mark.parametrize(
    "uri",
    [
        "https://x.vn/01/08930000000019/10/LO%2F01?3103=000500&17=261231",
        "https://x.vn/01/08930000000019/10/007/21/0042",  # leading zeros kept
        "https://x.vn/8004/0801234126AB-c",
        "https://x.vn/253/0123451789123456AB",
        "https://x.vn/8003/050606547800290002xyz",
        "https://x.vn/414/0123456789128/254/KHO-1",
        "https://x.vn/00/012345678912345675",
        "https://x.vn/path/01/08930000000019/10/A?x=%C4%91",  # a non-ASCII parameter kept aside
    ],
)
def test_compression_round_trips(uri):
    others = "x=" in uri
    compressed = compression.compress(uri, compress_others=not others)
    assert compression.is_compressed(compressed)
    assert dl.parse(compression.decompress(compressed)) == dl.parse(uri)  # attributes sorted
    assert dl.parse(compressed) == dl.parse(uri)


def test_what_does_not_decompress_is_refused_in_vietnamese():
    for uri in ("https://x.vn/BBBBBBBBBBBB", "https://x.vn/__________", "ftp://x/ARHKVAdpQg"):
        with pytest.raises(dl.DigitalLinkError) as error:
            compression.decompress(uri)
        assert str(error.value)
        assert not compression.is_compressed(uri)
    with pytest.raises(dl.DigitalLinkError):
        compression.compress("https://x.vn/01/08930000000019?note=%C4%91")  # not ASCII


def test_a_decoded_slash_inside_a_value_is_read_back():
    link = dl.parse("https://x.vn/01/08930000000019/10/A/B/C", slash_in_values=True)
    assert link.qualifiers == {"10": "A/B/C"}
    assert link.canonical() == "https://id.gs1.org/01/08930000000019/10/A%2FB%2FC"
    link = dl.parse("https://x.vn/01/08930000000019/10/A/B/21/C", slash_in_values=True)
    assert link.qualifiers == {"10": "A/B", "21": "C"}
    assert dl.parse("https://x.vn/giai/08012/34/5", slash_in_values=True).key == "08012/34/5"
    assert not dl.is_valid("https://x.vn/01/08930000000019/10/A/B")  # strict: %2F required
