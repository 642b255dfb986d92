"""Devices travelling with the goods: an individual asset (GIAI: a temperature logger, a
reusable crate) attached to a case or pallet (SSCC) or to a lot, later detached, with the
readings taken at that moment (temperature, relative humidity) — an EPCIS 2.0
AssociationEvent (parent the device, child what it is attached to) with a sensorElementList.
Written through `capture.emit`: the schema check, all or nothing, the audit."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import digital_link, services
from .capture import emit
from .models import Event

GIAI_AI = "8004"
# What the form accepts (the schema takes any decimal; these catch a slipped digit).
TEMPERATURE_RANGE = (Decimal(-60), Decimal(100))  # °C: a freezer to a drying oven
HUMIDITY_RANGE = (Decimal(0), Decimal(100))  # % relative humidity


def giai_uri(giai: str) -> str:
    """The device's Digital Link (`https://id.gs1.org/8004/<giai>`), or a Vietnamese error."""
    giai = giai.strip()
    if not giai or digital_link.value_error(GIAI_AI, giai):
        raise ValidationError(
            {
                "device": _(
                    "GIAI «%(giai)s» không hợp lệ: tiền tố doanh nghiệp GS1 rồi mã tài sản, "
                    "tối đa 30 ký tự (chữ, số, - . _ /…)."
                )
                % {"giai": giai}
            }
        )
    return f"https://id.gs1.org/{GIAI_AI}/{giai}"


def _child(target: str) -> dict[str, Any]:
    """What the device goes with: an SSCC (an instance: childEPCs) or a lot (a class:
    childQuantityList)."""
    code = target.strip()
    uri = services.canonical(code) if code else ""
    if "/10/" in uri and "/01/" in uri:
        return {"childQuantityList": [{"epcClass": uri}]}
    if "/00/" in uri:
        return {"childEPCs": [uri]}
    raise ValidationError(
        {
            "target": _(
                "Nhập SSCC 18 số của thùng/pallet, hoặc GTIN/số lô (ví dụ 8930000000019/LO-01)."
            )
        }
    )


def _reading(
    kind: str, value: Decimal | None, uom: str, bounds: tuple[Decimal, Decimal], field: str
) -> list[dict[str, Any]]:
    if value is None:
        return []
    low, high = bounds
    if not low <= value <= high:
        raise ValidationError(
            {
                field: _("Giá trị phải trong khoảng %(low)s đến %(high)s.")
                % {"low": low, "high": high}
            }
        )
    return [{"type": kind, "value": float(value), "uom": uom}]


def associate(
    actor: Any,
    organisation_id: int,
    device: str,
    target: str,
    when: dt.datetime,
    *,
    attach: bool = True,
    temperature: Decimal | None = None,
    humidity: Decimal | None = None,
    public: bool = True,
) -> Event:
    """Attach (`attach`) or detach a device from a case, pallet or lot, with the readings
    taken then (UN/ECE units: CEL, P1 = percent)."""
    parent = giai_uri(device)
    event: dict[str, Any] = {
        "type": "AssociationEvent",
        "eventTime": when.isoformat(timespec="seconds"),
        "eventTimeZoneOffset": services.TZ,
        "parentID": parent,
        **_child(target),
        "action": "ADD" if attach else "DELETE",
        "bizStep": "assembling" if attach else "disassembling",
    }
    reports = _reading(
        "Temperature", temperature, "CEL", TEMPERATURE_RANGE, "temperature"
    ) + _reading("RelativeHumidity", humidity, "P1", HUMIDITY_RANGE, "humidity")
    if reports:
        event["sensorElementList"] = [
            {
                "sensorMetadata": {"time": event["eventTime"], "deviceID": parent},
                "sensorReport": reports,
            }
        ]
    return emit(actor, organisation_id, [event], public=public)[0]
