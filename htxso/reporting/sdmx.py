"""SDMX 2.1 output of the statistical indicator cube, in plain Python (no Django models).

- `structure_message(structure, prepared)`: an SDMX-ML 2.1 Structure message — the dataflow, one
  codelist per dimension (`CL_` + dimension id) and `CL_UNIT_MEASURE`, names in Vietnamese and
  English (`xml:lang`), the concept scheme `CS_` + the DSD id without `DSD_`, and the DSD:
  the dimensions in key order (each represented by its codelist), the time dimension
  `TIME_PERIOD`, the primary measure `OBS_VALUE` and the mandatory attribute `UNIT_MEASURE`
  attached to the observation (units may differ within a series).
- `generic_data_message(structure, observations, prepared)`: SDMX-ML 2.1 GenericData with
  `dimensionAtObservation="TIME_PERIOD"`. Consecutive observations with the same series key
  (every dimension but the time) go into one `Series`: sort by series key, then time. Unsorted
  input is still valid SDMX, but a key then appears in several `Series` elements.
- `sdmx_csv(structure, observations)`: SDMX-CSV 1.0 lines (`DATAFLOW` = `AGENCY:DF(VERSION)`,
  the dimensions, `TIME_PERIOD`, `OBS_VALUE`, `UNIT_MEASURE`), each ending in CRLF (RFC 4180).

An observation is a mapping with every dimension id, `TIME_PERIOD` (our period codes "2025",
"2025S1", "2025S2", written "2025", "2025-S1", "2025-S2"), `OBS_VALUE` (int, float or Decimal)
and `UNIT_MEASURE` (a unit code). Every code is checked against its codelist: a wrong
observation raises ValueError where the stream has reached it. Nothing is built whole: the
generators read observations one at a time and yield chunks of about `CHUNK` bytes.
"""

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

__all__ = [
    "Code",
    "Dimension",
    "Structure",
    "generic_data_message",
    "sdmx_csv",
    "sdmx_period",
    "structure_message",
]

CHUNK = 64 * 1024  # bytes (characters, roughly) gathered before a data message yields

_NS = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/"
_ID = re.compile(r"[A-Za-z0-9_@$\-]+")  # common:IDType
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PERIOD = re.compile(r"([0-9]{4})(?:S([12]))?")
_RESERVED = ("TIME_PERIOD", "OBS_VALUE", "UNIT_MEASURE")


@dataclass(frozen=True)
class Code:
    id: str
    name_vi: str
    name_en: str


@dataclass(frozen=True)
class Dimension:
    id: str
    name_vi: str
    name_en: str
    codes: tuple[Code, ...]  # codelist id = "CL_" + id


@dataclass(frozen=True, kw_only=True)
class Structure:
    agency: str = "HTXSO"
    dsd_id: str = "DSD_HTX"
    dataflow_id: str = "DF_HTX"
    version: str = "1.0"
    name_vi: str = "Chỉ tiêu thống kê kinh tế tập thể, hợp tác xã"
    name_en: str = "Collective economy and cooperative statistical indicators"
    dimensions: tuple[Dimension, ...]  # in key order
    units: tuple[Code, ...]  # codelist CL_UNIT_MEASURE, attribute UNIT_MEASURE

    def __post_init__(self) -> None:
        for value in (self.agency, self.dsd_id, self.dataflow_id):
            _check_id(value)
        if not re.fullmatch(r"[0-9]+(\.[0-9]+)*", self.version):
            raise ValueError(f"SDMX: phiên bản không hợp lệ / invalid version {self.version!r}")
        if not self.dimensions or not self.units:
            raise ValueError("SDMX: cần ít nhất một chiều và một đơn vị / need dimensions, units")
        ids = [_check_id(d.id) for d in self.dimensions]
        if len(set(ids)) != len(ids) or set(ids) & set(_RESERVED):
            raise ValueError(f"SDMX: mã chiều trùng hoặc dành riêng / bad dimension ids {ids}")
        for codes in [d.codes for d in self.dimensions] + [self.units]:
            code_ids = [_check_id(c.id) for c in codes]
            if not code_ids or len(set(code_ids)) != len(code_ids):
                raise ValueError(f"SDMX: danh mục rỗng hoặc mã trùng / bad codelist {code_ids}")

    @property
    def concept_scheme_id(self) -> str:
        return "CS_" + self.dsd_id.removeprefix("DSD_")

    @property
    def dataflow_ref(self) -> str:
        """The dataflow as SDMX-CSV 1.0 names it: "HTXSO:DF_HTX(1.0)"."""
        return f"{self.agency}:{self.dataflow_id}({self.version})"


_CONCEPTS = (  # the concepts that are not dimensions
    ("TIME_PERIOD", "Thời kỳ", "Time period"),
    ("OBS_VALUE", "Giá trị quan sát", "Observation value"),
    ("UNIT_MEASURE", "Đơn vị đo", "Unit of measure"),
)


def sdmx_period(code: str) -> str:
    """Our period code as an SDMX time period: "2025" → "2025", "2025S1" → "2025-S1"."""
    match = _PERIOD.fullmatch(code) if isinstance(code, str) else None
    if match is None:
        raise ValueError(f"SDMX: mã kỳ không hợp lệ / invalid period code {code!r}")
    year, half = match.groups()
    return year if half is None else f"{year}-S{half}"


def format_number(value: Any) -> str:
    """An observation value without exponent: 12, 12.0 → "12"; 0.1 → "0.1"; 1e-7 → "0.0000001"."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"SDMX: giá trị không phải số / not a number {value!r}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"SDMX: giá trị không hữu hạn / not finite {value!r}")
        value = Decimal(repr(value))  # the shortest repr, not the binary expansion
    if not value.is_finite():
        raise ValueError(f"SDMX: giá trị không hữu hạn / not finite {value!r}")
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _check_id(value: str) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise ValueError(f"SDMX: mã không hợp lệ / invalid id {value!r}")
    return value


def _text(value: str) -> str:
    if _XML_ILLEGAL.search(value):
        raise ValueError(f"SDMX: ký tự không hợp lệ trong XML / character illegal in XML {value!r}")
    return escape(value, {'"': "&quot;"})


def _names(name_vi: str, name_en: str) -> str:
    return (
        f'<com:Name xml:lang="vi">{_text(name_vi)}</com:Name>'
        f'<com:Name xml:lang="en">{_text(name_en)}</com:Name>'
    )


def _header(message_id: str, prepared: datetime, structure: Structure) -> str:
    if not isinstance(prepared, datetime):
        raise ValueError(f"SDMX: prepared phải là datetime / must be a datetime {prepared!r}")
    return (
        f"<mes:Header><mes:ID>{_check_id(message_id)}</mes:ID><mes:Test>false</mes:Test>"
        f"<mes:Prepared>{prepared.isoformat(timespec='seconds')}</mes:Prepared>"
        f'<mes:Sender id="{structure.agency}"/>'
    )


def _stamp(prepared: datetime) -> str:
    return prepared.strftime("%Y%m%dT%H%M%S")


def structure_message(structure: Structure, prepared: datetime) -> Iterator[bytes]:
    """SDMX-ML 2.1 Structure message: dataflow, codelists, concept scheme, DSD."""
    s = structure
    maint = f'agencyID="{s.agency}" version="{s.version}"'
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<mes:Structure xmlns:mes="{_NS}message" xmlns:str="{_NS}structure" '
        f'xmlns:com="{_NS}common">'
        + _header(f"{s.agency}_STRUCTURE_{_stamp(prepared)}", prepared, s)
        + "</mes:Header><mes:Structures>"
        f'<str:Dataflows><str:Dataflow id="{s.dataflow_id}" {maint}>'
        + _names(s.name_vi, s.name_en)
        + f'<str:Structure><Ref id="{s.dsd_id}" {maint} package="datastructure" '
        'class="DataStructure"/></str:Structure></str:Dataflow></str:Dataflows>'
        "<str:Codelists>"
    ).encode()
    lists = [(d.id, d.name_vi, d.name_en, d.codes) for d in s.dimensions]
    for cid, name_vi, name_en, codes in [*lists, (*_CONCEPTS[2], s.units)]:  # + UNIT_MEASURE
        parts = [f'<str:Codelist id="CL_{cid}" {maint}>', _names(name_vi, name_en)]
        for code in codes:
            parts.append(
                f'<str:Code id="{code.id}">{_names(code.name_vi, code.name_en)}</str:Code>'
            )
        parts.append("</str:Codelist>")
        yield "".join(parts).encode()
    concepts = [(d.id, d.name_vi, d.name_en) for d in s.dimensions] + list(_CONCEPTS)
    parts = [
        f'</str:Codelists><str:Concepts><str:ConceptScheme id="{s.concept_scheme_id}" {maint}>'
        f"{_names('Khái niệm: ' + s.name_vi, 'Concepts: ' + s.name_en)}"
    ]
    parts += [f'<str:Concept id="{c}">{_names(vi, en)}</str:Concept>' for c, vi, en in concepts]
    parts.append(
        "</str:ConceptScheme></str:Concepts><str:DataStructures>"
        f'<str:DataStructure id="{s.dsd_id}" '
        f"{maint}>{_names(s.name_vi, s.name_en)}<str:DataStructureComponents>"
        '<str:DimensionList id="DimensionDescriptor">'
    )

    def concept(cid: str) -> str:
        return (
            f'<str:ConceptIdentity><Ref id="{cid}" maintainableParentID="{s.concept_scheme_id}" '
            f'maintainableParentVersion="{s.version}" agencyID="{s.agency}" '
            'package="conceptscheme" class="Concept"/></str:ConceptIdentity>'
        )

    def codelist(cid: str) -> str:
        return (
            f'<str:LocalRepresentation><str:Enumeration><Ref id="CL_{cid}" {maint} '
            'package="codelist" class="Codelist"/></str:Enumeration></str:LocalRepresentation>'
        )

    for position, dim in enumerate(s.dimensions, 1):
        parts.append(
            f'<str:Dimension id="{dim.id}" position="{position}">'
            f"{concept(dim.id)}{codelist(dim.id)}</str:Dimension>"
        )
    parts.append(
        f'<str:TimeDimension id="TIME_PERIOD" position="{len(s.dimensions) + 1}">'
        f"{concept('TIME_PERIOD')}<str:LocalRepresentation><str:TextFormat "
        'textType="ObservationalTimePeriod"/></str:LocalRepresentation></str:TimeDimension>'
        '</str:DimensionList><str:AttributeList id="AttributeDescriptor">'
        '<str:Attribute id="UNIT_MEASURE" assignmentStatus="Mandatory">'
        f"{concept('UNIT_MEASURE')}{codelist('UNIT_MEASURE')}<str:AttributeRelationship>"
        '<str:PrimaryMeasure><Ref id="OBS_VALUE"/></str:PrimaryMeasure>'
        "</str:AttributeRelationship></str:Attribute></str:AttributeList>"
        '<str:MeasureList id="MeasureDescriptor"><str:PrimaryMeasure id="OBS_VALUE">'
        f'{concept("OBS_VALUE")}<str:LocalRepresentation><str:TextFormat textType="Decimal"/>'
        "</str:LocalRepresentation></str:PrimaryMeasure></str:MeasureList>"
        "</str:DataStructureComponents></str:DataStructure></str:DataStructures>"
        "</mes:Structures></mes:Structure>\n"
    )
    yield "".join(parts).encode()


def _rows(
    structure: Structure, observations: Iterable[Mapping[str, Any]]
) -> Iterator[tuple[tuple[str, ...], str, str, str]]:
    """(series key, SDMX period, value, unit) of each observation, every code checked."""
    checks = [(d.id, frozenset(c.id for c in d.codes)) for d in structure.dimensions]
    units = frozenset(u.id for u in structure.units)
    for number, obs in enumerate(observations, 1):
        try:
            key = tuple(obs[dim] for dim, _ in checks)
            period, value, unit = obs["TIME_PERIOD"], obs["OBS_VALUE"], obs["UNIT_MEASURE"]
        except KeyError as missing:
            raise ValueError(
                f"SDMX: quan sát {number} thiếu / observation lacks {missing}"
            ) from None
        for (dim, codes), code in zip(checks, key, strict=True):
            if code not in codes:
                raise ValueError(f"SDMX: quan sát {number}: mã lạ / unknown {dim} code {code!r}")
        if unit not in units:
            raise ValueError(f"SDMX: quan sát {number}: đơn vị lạ / unknown unit {unit!r}")
        yield key, sdmx_period(period), format_number(value), unit


def generic_data_message(
    structure: Structure,
    observations: Iterable[Mapping[str, Any]],
    prepared: datetime,
    dataset_id: str = "DS_HTX",
) -> Iterator[bytes]:
    """SDMX-ML 2.1 GenericData, one Series per run of observations with the same series key."""
    s = structure
    ref = "STR_" + re.sub(r"[^A-Za-z0-9_]", "_", f"{s.agency}_{s.dsd_id}_{s.version}")  # xs:ID
    _check_id(dataset_id)
    dims = [d.id for d in s.dimensions]
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<mes:GenericData xmlns:mes="{_NS}message" xmlns:gen="{_NS}data/generic" '
        f'xmlns:com="{_NS}common">'
        + _header(f"{dataset_id}_{_stamp(prepared)}", prepared, s)
        + f'<mes:Structure structureID="{ref}" dimensionAtObservation="TIME_PERIOD">'
        f'<com:Structure><Ref agencyID="{s.agency}" id="{s.dsd_id}" version="{s.version}"/>'
        f"</com:Structure></mes:Structure><mes:DataSetID>{dataset_id}</mes:DataSetID>"
        f'</mes:Header><mes:DataSet structureRef="{ref}" setID="{dataset_id}">'
    ]
    size = len(parts[0])
    current: tuple[str, ...] | None = None
    for key, period, value, unit in _rows(s, observations):
        if key != current:
            values = "".join(
                f'<gen:Value id="{d}" value="{c}"/>' for d, c in zip(dims, key, strict=True)
            )
            piece = f"<gen:Series><gen:SeriesKey>{values}</gen:SeriesKey>"
            if current is not None:
                piece = "</gen:Series>" + piece
            current = key
        else:
            piece = ""
        piece += (
            f'<gen:Obs><gen:ObsDimension value="{period}"/><gen:ObsValue value="{value}"/>'
            f'<gen:Attributes><gen:Value id="UNIT_MEASURE" value="{unit}"/></gen:Attributes>'
            "</gen:Obs>"
        )
        parts.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield "".join(parts).encode()
            parts, size = [], 0
    parts.append(("</gen:Series>" if current is not None else "") + "</mes:DataSet>")
    parts.append("</mes:GenericData>\n")
    yield "".join(parts).encode()


def sdmx_csv(structure: Structure, observations: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """SDMX-CSV 1.0, one line per observation (codes are SDMX ids: nothing needs quoting)."""
    dims = [d.id for d in structure.dimensions]
    yield ",".join(["DATAFLOW", *dims, *_RESERVED]) + "\r\n"
    flow = structure.dataflow_ref
    for key, period, value, unit in _rows(structure, observations):
        yield ",".join((flow, *key, period, value, unit)) + "\r\n"
