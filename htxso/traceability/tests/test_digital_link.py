"""GS1 Digital Link: every test vector of gs1/digital-link.js that this parser implements
(parse results, validity, refusals), producing URIs, and the resolver's pages."""

import pytest

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


COMPRESSED = {"https://dlnkd.tn.gg/ARHKVAdpQg"}  # compression: not implemented (docstring)


@pytest.mark.parametrize(
    "vector",
    [v for v in VECTORS["validity"] if v["uri"] not in COMPRESSED],
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
