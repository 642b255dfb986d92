"""SDMX 2.1 output: valid against the official XSDs (shipped in the sdmxthon package, read offline),
read back by sdmx1 with every key and value intact, SDMX-CSV 1.0 as sdmx1 writes it, streamed."""

import csv
import datetime as dt
import importlib.util
import io
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
import sdmx
from lxml import etree
from sdmx.format.csv.v1 import FormatOptions as CsvV1

from htxso.reporting.sdmx import (
    Code,
    Dimension,
    Structure,
    format_number,
    generic_data_message,
    sdmx_csv,
    sdmx_period,
    structure_message,
)

GEN = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic}"
PREPARED = dt.datetime(2025, 7, 1, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
TRICKY = 'Số HTX & tổ hợp tác <đang hoạt động> "mới"'

TOTAL = Code("_T", "Tổng số", "Total")
STRUCTURE = Structure(
    dimensions=(
        Dimension(
            "INDICATOR",
            "Chỉ tiêu",
            "Indicator",
            (
                Code("HTX_SO", TRICKY, "Number of cooperatives & groups"),
                Code("VON", "Vốn điều lệ", "Charter capital"),
            ),
        ),
        Dimension(
            "REF_AREA",
            "Địa bàn",
            "Reference area",
            (
                Code("VN", "Việt Nam", "Viet Nam"),
                Code("01", "Thành phố Hà Nội", "Ha Noi"),
                Code("79", "Thành phố Hồ Chí Minh", "Ho Chi Minh City"),
            ),
        ),
        Dimension("ORG_KIND", "Loại hình", "Kind", (TOTAL, Code("HTX", "Hợp tác xã", "Co-op"))),
        Dimension("SECTOR", "Ngành", "Sector", (TOTAL, Code("A", "Nông nghiệp", "Agriculture"))),
        Dimension(
            "STATUS", "Tình trạng", "Status", (TOTAL, Code("ACT", "Đang hoạt động", "Active"))
        ),
    ),
    units=(Code("NUM", "Số lượng", "Number"), Code("BN_VND", "Tỷ đồng", "Billion VND")),
)
DIMS = [d.id for d in STRUCTURE.dimensions]
VALUES = iter([12, 15, 17, 0, 3, 4, 250, 260, 270, 1.5, 0.30000000000000004, 2.25,
               Decimal("123.45"), 7.0, 1e-7, 88.125, 99.5, 1e20])  # fmt: skip


def _obs(indicator, area, period, value, kind="_T", sector="_T", status="_T"):
    unit = "NUM" if indicator == "HTX_SO" else "BN_VND"
    return dict(INDICATOR=indicator, REF_AREA=area, ORG_KIND=kind, SECTOR=sector, STATUS=status,
                TIME_PERIOD=period, OBS_VALUE=value, UNIT_MEASURE=unit)  # fmt: skip


# 20 observations sorted by series key then time: 6 series x 3 periods + 2 one-period series.
OBSERVATIONS = [
    _obs(ind, area, period, next(VALUES))
    for ind in ("HTX_SO", "VON")
    for area in ("01", "79", "VN")
    for period in ("2024", "2025S1", "2025S2")
] + [_obs("HTX_SO", "VN", "2025", 9, "HTX", "A", "ACT"), _obs("VON", "VN", "2025", -4.75, "HTX")]
SERIES = {tuple(o[d] for d in DIMS) for o in OBSERVATIONS}


@pytest.fixture(scope="module")
def schema():
    spec = importlib.util.find_spec("sdmxthon")
    assert spec and spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations)), "schemas", "SDMXMessage.xsd")
    parser = etree.XMLParser(no_network=True)
    return etree.XMLSchema(etree.parse(str(path), parser))


def _valid(schema, document: bytes):
    tree = etree.fromstring(document, etree.XMLParser(no_network=True))
    assert schema.validate(tree), schema.error_log
    return tree


@pytest.fixture(scope="module")
def structure_xml():
    return b"".join(structure_message(STRUCTURE, PREPARED))


@pytest.fixture(scope="module")
def data_xml():
    return b"".join(generic_data_message(STRUCTURE, iter(OBSERVATIONS), PREPARED))


@pytest.fixture(scope="module")
def read_back(structure_xml, data_xml):
    sm = sdmx.read_sdmx(io.BytesIO(structure_xml))
    dm = sdmx.read_sdmx(io.BytesIO(data_xml), structure=sm.structure["DSD_HTX"])
    return sm, dm


def _expected_text(value) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def test_structure_message_is_valid_and_read_by_sdmx1(schema, structure_xml, read_back):
    tree = _valid(schema, structure_xml)
    assert tree.tag.endswith("}Structure")
    sm, _ = read_back
    assert set(sm.codelist) == {f"CL_{d}" for d in DIMS} | {"CL_UNIT_MEASURE"}
    # Vietnamese with diacritics, "&", "<" and quotes come back exactly, in both languages.
    code = sm.codelist["CL_INDICATOR"]["HTX_SO"]
    assert code.name.localizations == {"vi": TRICKY, "en": "Number of cooperatives & groups"}
    assert sm.codelist["CL_REF_AREA"]["79"].name.localizations["vi"] == "Thành phố Hồ Chí Minh"
    assert [c.id for c in sm.codelist["CL_UNIT_MEASURE"]] == ["NUM", "BN_VND"]
    assert sm.codelist["CL_SECTOR"]["_T"].name.localizations["en"] == "Total"
    dsd = sm.structure["DSD_HTX"]
    assert dsd.maintainer.id == "HTXSO" and dsd.version == "1.0"
    assert [d.id for d in dsd.dimensions.components] == [*DIMS, "TIME_PERIOD"]
    for dim in dsd.dimensions.components[:-1]:
        assert dim.local_representation.enumerated is sm.codelist[f"CL_{dim.id}"]
    assert [m.id for m in dsd.measures.components] == ["OBS_VALUE"]
    (unit,) = dsd.attributes.components
    assert unit.id == "UNIT_MEASURE"
    assert unit.local_representation.enumerated is sm.codelist["CL_UNIT_MEASURE"]
    assert set(sm.concept_scheme["CS_HTX"].items) == {
        *DIMS,
        "TIME_PERIOD",
        "OBS_VALUE",
        "UNIT_MEASURE",
    }
    assert sm.dataflow["DF_HTX"].structure is dsd


def test_data_message_is_valid_and_reads_back_exactly(schema, data_xml, read_back):
    tree = _valid(schema, data_xml)
    header = tree.find("{*}Header/{*}Structure")
    assert tree.find("{*}DataSet").get("structureRef") == header.get("structureID")
    assert header.get("dimensionAtObservation") == "TIME_PERIOD"
    # Consecutive observations of one series key share one Series element.
    assert len(tree.findall(f".//{GEN}Series")) == len(SERIES) == 8
    assert len(tree.findall(f".//{GEN}Obs")) == len(OBSERVATIONS) == 20
    _, dm = read_back
    (ds,) = dm.data
    assert len(ds.obs) == len(OBSERVATIONS)
    got = {}
    for o in ds.obs:
        key = {k: str(v.value) for k, v in o.key.values.items()}
        got[tuple(key[d] for d in [*DIMS, "TIME_PERIOD"])] = (
            o.value,
            o.attrib["UNIT_MEASURE"].value,
        )
    want = {}
    for o in OBSERVATIONS:
        key = (*(o[d] for d in DIMS), sdmx_period(o["TIME_PERIOD"]))
        want[key] = (o["OBS_VALUE"], o["UNIT_MEASURE"])
    assert got.keys() == want.keys()
    assert {k[-1] for k in got} == {"2024", "2025", "2025-S1", "2025-S2"}
    for key, (value, unit) in want.items():
        text, got_unit = got[key]
        assert got_unit == unit
        assert Decimal(text) == Decimal(_expected_text(value)), key
        assert "e" not in text.lower() and not text.endswith(".0")
    assert len(ds.series) == 8


def test_unsorted_input_stays_valid(schema, structure_xml):
    shuffled = OBSERVATIONS[::2] + OBSERVATIONS[1::2]
    tree = _valid(schema, b"".join(generic_data_message(STRUCTURE, shuffled, PREPARED, "DS_2")))
    assert len(tree.findall(f".//{GEN}Obs")) == 20
    assert len(tree.findall(f".//{GEN}Series")) > len(SERIES)  # fragmented, as documented
    dsd = sdmx.read_sdmx(io.BytesIO(structure_xml)).structure["DSD_HTX"]
    dm = sdmx.read_sdmx(io.BytesIO(b"".join(generic_data_message(STRUCTURE, shuffled, PREPARED))),
                        structure=dsd)  # fmt: skip
    assert len(dm.data[0].obs) == 20


def test_empty_data_message_is_valid(schema):
    tree = _valid(schema, b"".join(generic_data_message(STRUCTURE, [], PREPARED)))
    assert tree.findall(f".//{GEN}Series") == []


def test_csv_header_and_rows():
    lines = list(sdmx_csv(STRUCTURE, OBSERVATIONS))
    assert len(lines) == 1 + len(OBSERVATIONS)
    assert all(line.endswith("\r\n") for line in lines)
    rows = list(csv.reader(io.StringIO("".join(lines))))
    assert rows[0] == ["DATAFLOW", *DIMS, "TIME_PERIOD", "OBS_VALUE", "UNIT_MEASURE"]
    for row, o in zip(rows[1:], OBSERVATIONS, strict=True):
        assert row[0] == "HTXSO:DF_HTX(1.0)"
        assert row[1:6] == [o[d] for d in DIMS]
        assert row[6] == sdmx_period(o["TIME_PERIOD"])
        assert Decimal(row[7]) == Decimal(_expected_text(o["OBS_VALUE"]))
        assert row[8] == o["UNIT_MEASURE"]


def test_csv_matches_sdmx1_writer(read_back):
    # sdmx1 2.28 reads SDMX-CSV 2.x only; compare with its SDMX-CSV 1.0 writer instead.
    sm, dm = read_back
    ds = dm.data[0]
    ds.described_by = sm.dataflow["DF_HTX"]
    theirs = sdmx.to_csv(ds, rtype=pd.DataFrame, format_options=CsvV1(), attributes="o")
    ours = pd.read_csv(io.StringIO("".join(sdmx_csv(STRUCTURE, OBSERVATIONS))), dtype=str)
    assert list(ours.columns) == list(theirs.columns)

    def rows(frame):
        return sorted(
            (*(str(r[c]) for c in frame.columns if c != "OBS_VALUE"), float(r["OBS_VALUE"]))
            for _, r in frame.iterrows()
        )

    assert rows(ours) == rows(theirs)


class Counter:
    seen = 0


def _lazy(count, counter):
    for i in range(count):
        counter.seen += 1
        yield _obs("HTX_SO" if i % 2 else "VON", ("VN", "01", "79")[i % 3],
                   str(1000 + i // 6 % 9000), i * 1.25)  # fmt: skip


def test_data_message_is_streamed():
    counter = Counter()
    chunks = generic_data_message(STRUCTURE, _lazy(100_000, counter), PREPARED)
    first = next(chunks)
    assert first.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert 0 < counter.seen < 1_000  # reads only what the first chunk needs
    count, size, biggest, step, before = 1, len(first), len(first), 0, counter.seen
    for chunk in chunks:
        count, size, biggest = count + 1, size + len(chunk), max(biggest, len(chunk))
        step, before = max(step, counter.seen - before), counter.seen
    assert counter.seen == 100_000
    assert size > 20_000_000 and count > 100
    assert biggest < 100_000 and step < 1_000  # each chunk holds a few hundred observations


def test_data_message_memory_stays_small():
    tracemalloc.start()  # slows the generator tenfold: a smaller run
    try:
        size = sum(
            len(c) for c in generic_data_message(STRUCTURE, _lazy(10_000, Counter()), PREPARED)
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert size > 3_000_000
    assert peak < 1_000_000  # the document is never held whole


def test_csv_is_streamed():
    counter = Counter()
    lines = sdmx_csv(STRUCTURE, _lazy(100_000, counter))
    assert next(lines).startswith("DATAFLOW,") and counter.seen == 0
    assert next(lines) == "HTXSO:DF_HTX(1.0),VON,VN,_T,_T,_T,1000,0,BN_VND\r\n"
    assert counter.seen == 1
    assert sum(1 for _ in lines) == 99_999


def test_structure_message_is_chunked():
    assert len(list(structure_message(STRUCTURE, PREPARED))) > 1


@pytest.mark.parametrize(
    ("code", "expected"), [("2025", "2025"), ("2025S1", "2025-S1"), ("1999S2", "1999-S2")]
)
def test_sdmx_period(code, expected):
    assert sdmx_period(code) == expected


@pytest.mark.parametrize(
    "code", ["2025S3", "25", "2025-1", "2025S0", "2025-S1", "2025s1", " 2025", "２０２５", "", 2025]
)
def test_sdmx_period_rejects(code):
    with pytest.raises(ValueError):
        sdmx_period(code)


@pytest.mark.parametrize(
    ("value", "text"),
    [(12, "12"), (-3, "-3"), (12.0, "12"), (0.1, "0.1"), (2.5, "2.5"), (1e-7, "0.0000001"),
     (1e20, "100000000000000000000"), (0.30000000000000004, "0.30000000000000004"),
     (Decimal("2.50"), "2.5"), (Decimal("1E+3"), "1000"), (Decimal("-0.0"), "0")],
)  # fmt: skip
def test_format_number(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize("value", ["12", None, True, float("nan"), float("inf"), Decimal("NaN")])
def test_format_number_rejects(value):
    with pytest.raises(ValueError):
        format_number(value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"REF_AREA": "99"}, "REF_AREA"),
        ({"UNIT_MEASURE": "KG"}, "unit"),
        ({"TIME_PERIOD": "2025S3"}, "period"),
        ({"OBS_VALUE": "12"}, "number"),
        ({"SECTOR": None}, "SECTOR"),
    ],
)
def test_bad_observation_raises(change, message):
    bad = [OBSERVATIONS[0], {**OBSERVATIONS[1], **change}]
    for output in (generic_data_message(STRUCTURE, bad, PREPARED), sdmx_csv(STRUCTURE, bad)):
        with pytest.raises(ValueError, match=message):
            list(output)


def test_missing_field_raises():
    bad = {k: v for k, v in OBSERVATIONS[0].items() if k != "STATUS"}
    with pytest.raises(ValueError, match="STATUS"):
        list(sdmx_csv(STRUCTURE, [bad]))


def _dims(*codes):
    return (Dimension("INDICATOR", "Chỉ tiêu", "Indicator", codes or (TOTAL,)),)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"dimensions": (), "units": (TOTAL,)},
        {"dimensions": _dims(), "units": ()},
        {"dimensions": _dims(TOTAL, TOTAL), "units": (TOTAL,)},
        {"dimensions": _dims(Code("A B", "x", "y")), "units": (TOTAL,)},
        {"dimensions": _dims() * 2, "units": (TOTAL,)},
        {"dimensions": (Dimension("TIME_PERIOD", "x", "y", (TOTAL,)),), "units": (TOTAL,)},
        {"dimensions": _dims(), "units": (TOTAL,), "agency": "HTX SỐ"},
        {"dimensions": _dims(), "units": (TOTAL,), "version": "1.0 beta"},
    ],
)
def test_bad_structure_is_refused(kwargs):
    with pytest.raises(ValueError):
        Structure(**kwargs)


def test_control_character_in_a_name_is_refused():
    structure = Structure(dimensions=_dims(Code("X", "bad\x01name", "x")), units=(TOTAL,))
    with pytest.raises(ValueError, match="XML"):
        list(structure_message(structure, PREPARED))
