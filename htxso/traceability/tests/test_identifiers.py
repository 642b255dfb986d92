"""GS1 identifiers (core/gs1.py): check digits of every key length, the Vietnam prefix, lots,
and one canonical form per identifier (EPC URNs and Digital Link URIs meet)."""

import pytest

from htxso.core import gs1


@pytest.mark.parametrize(
    "value",
    ["8930000000019", "96385074", "036000291452", "4006381333931", "10614141000415",
     "8934588063053"],
)  # fmt: skip
def test_valid_gtins_of_every_length(value):
    assert gs1.is_gtin(value)
    assert gs1.gtin_error(value) is None
    assert len(gs1.gtin14(value)) == 14


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("8930000000018", "Số kiểm tra của GTIN sai (phải là 9)."),
        ("893000000001", "Số kiểm tra của GTIN sai (phải là 8)."),
        ("89300000000", "GTIN có 8, 12, 13 hoặc 14 chữ số."),
        ("893000000001A", "GTIN chỉ gồm chữ số."),
        ("８９３００００００００１７", "GTIN chỉ gồm chữ số."),  # full-width digits
        ("", "GTIN chỉ gồm chữ số."),
    ],
)
def test_a_wrong_gtin_says_why_in_vietnamese(value, reason):
    assert not gs1.is_gtin(value)
    assert gs1.gtin_error(value) == reason
    with pytest.raises(ValueError):
        gs1.gtin14(value)


def test_the_vietnam_prefix_in_gtin13_and_gtin14_forms():
    assert gs1.is_vietnamese_gtin("8930000000019")
    assert gs1.is_vietnamese_gtin("08930000000019")
    assert not gs1.is_vietnamese_gtin("4006381333931")
    assert not gs1.is_vietnamese_gtin("8930000000018")  # the prefix, but not a GTIN


def test_sscc_and_gln_check_digits():
    assert gs1.is_sscc("012345678912345675") and not gs1.is_sscc("012345678912345673")
    assert not gs1.is_sscc("12345678912345675")  # 17 digits
    assert gs1.is_gln("0123456789128") and not gs1.is_gln("0123456789123")


@pytest.mark.parametrize("lot", ["LO-01", "2026/05", "A", "x" * 20])
def test_lots_of_the_82_character_set(lot):
    assert gs1.is_lot(lot) and gs1.lot_error(lot) is None


@pytest.mark.parametrize("lot", ["", "x" * 21, "Lô 1", "LO 1", "LO#1"])
def test_lots_outside_it_are_refused(lot):
    assert not gs1.is_lot(lot)
    assert gs1.lot_error(lot)


def test_epc_urns_and_digital_links_meet_in_one_form():
    lot = "https://id.gs1.org/01/04012345111118/10/4444"
    assert gs1.canonical_epc("urn:epc:class:lgtin:4012345.011111.4444") == lot
    assert gs1.canonical_epc("https://example.com/01/4012345111118/10/4444") == lot
    assert gs1.lot_uri("4012345111118", "4444") == lot
    assert (
        gs1.canonical_epc("urn:epc:id:sgtin:4012345.011122.25")
        == "https://id.gs1.org/01/04012345111224/21/25"
    )
    assert (
        gs1.canonical_epc("urn:epc:id:sscc:0614141.1234567890")
        == "https://id.gs1.org/00/106141412345678908"
    )
    assert gs1.canonical_epc("urn:epc:id:sgln:4012345.00001.0") == (
        "https://id.gs1.org/414/4012345000016"
    )
    assert gs1.canonical_epc("urn:epc:idpat:sgtin:4012345.066666.*") == (
        "urn:epc:idpat:sgtin:4012345.066666.*"
    )
