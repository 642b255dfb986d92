"""Market prices: the commodity catalogue, price series (what, where, which price, in which
currency and unit, how often, from whom), their observations (outliers flagged, never dropped),
exchange rates as data, forecasts with their backtest, crop calendars and price alerts.
Services (`services.py`, `ingest.py`, `alerts.py`) are the only writes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from htxso.core.scoping import Kind, Scope, ScopedQuerySet


class Unit(models.TextChoices):
    KG = "kg", _("kg")
    TA = "ta", _("tạ (100 kg)")
    TON = "tan", _("tấn (1.000 kg)")
    LITRE = "l", _("lít")


# How many kilograms one unit is (a litre is kept as a litre: its commodities are sold so).
KG_PER_UNIT = {Unit.KG: 1, Unit.TA: 100, Unit.TON: 1000, Unit.LITRE: 1}


class Currency(models.TextChoices):
    VND = "VND", _("đồng (VND)")
    USD = "USD", _("đô la Mỹ (USD)")


class PriceType(models.TextChoices):
    FARM_GATE = "farm_gate", _("giá tại vườn (thu mua)")
    WHOLESALE = "wholesale", _("giá bán buôn")
    RETAIL = "retail", _("giá bán lẻ")
    EXPORT = "export_fob", _("giá xuất khẩu (FOB)")
    WORLD = "world", _("giá thế giới")


class Frequency(models.TextChoices):
    DAILY = "daily", _("hằng ngày")
    WEEKLY = "weekly", _("hằng tuần")
    MONTHLY = "monthly", _("hằng tháng")


class Commodity(models.Model):
    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=120)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=120, blank=True)
    unit = models.CharField(_("đơn vị"), max_length=4, choices=Unit.choices, default=Unit.KG)
    is_crop = models.BooleanField(_("là cây trồng"), default=True)

    scope = Scope(Kind.PRICES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("mặt hàng")
        verbose_name_plural = _("mặt hàng")

    def __str__(self) -> str:
        return self.name


class Series(models.Model):
    commodity = models.ForeignKey(Commodity, on_delete=models.PROTECT, related_name="series")
    province = models.ForeignKey(
        "core.Province", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # None: a world or national series
    market = models.CharField(_("chợ / thị trường"), max_length=120, blank=True)
    price_type = models.CharField(_("loại giá"), max_length=12, choices=PriceType.choices)
    currency = models.CharField(_("tiền tệ"), max_length=3, choices=Currency.choices)
    unit = models.CharField(_("đơn vị"), max_length=4, choices=Unit.choices)
    frequency = models.CharField(_("tần suất"), max_length=8, choices=Frequency.choices)
    source = models.CharField(_("nguồn"), max_length=120)
    source_code = models.CharField(_("mã của nguồn"), max_length=40, blank=True)
    # Kept by the write path, for lists without counting: the last period and its count.
    last_period = models.DateField(_("kỳ gần nhất"), null=True, blank=True)
    observations_count = models.PositiveIntegerField(_("số quan sát"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(Kind.PRICES, province="province_id")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("chuỗi giá")
        verbose_name_plural = _("chuỗi giá")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "commodity",
                    "province",
                    "market",
                    "price_type",
                    "currency",
                    "unit",
                    "frequency",
                    "source",
                ],
                name="prices_series_unique",
            )
        ]
        indexes = [
            models.Index(fields=["commodity", "province", "price_type"]),
            models.Index(fields=["province", "commodity"]),
        ]

    def __str__(self) -> str:
        where = self.market or (self.province.name if self.province else _("Thế giới"))
        return f"{self.commodity.name} — {where} ({self.get_price_type_display()})"


class Observation(models.Model):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="observations")
    period = models.DateField(_("kỳ"))  # the day; a monthly series: the first of its month
    value = models.DecimalField(_("giá"), max_digits=16, decimal_places=4)
    # The value in VND per kg (the series' unit and currency converted with the rate of the
    # month as data); None when no rate covers the month.
    vnd_per_kg = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    outlier = models.BooleanField(_("giá bất thường"), default=False)
    outlier_note = models.CharField(_("ghi chú bất thường"), max_length=200, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(Kind.PRICES, province="series__province_id", owner="reported_by_id")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("quan sát giá")
        verbose_name_plural = _("quan sát giá")
        indexes = [models.Index(fields=["series", "period"])]

    def __str__(self) -> str:
        return f"{self.series_id} {self.period:%d/%m/%Y}: {self.value}"

    @property
    def vnd_per_kg_rounded(self) -> int | None:
        return None if self.vnd_per_kg is None else round(self.vnd_per_kg)


class ExchangeRate(models.Model):
    """VND per one unit of `currency` for a month (the rate of the nearest earlier month
    applies to a month without one)."""

    currency = models.CharField(_("tiền tệ"), max_length=3, choices=Currency.choices)
    month = models.DateField(_("tháng"))
    vnd = models.DecimalField(_("số đồng"), max_digits=14, decimal_places=2)
    source = models.CharField(_("nguồn"), max_length=400)

    scope = Scope(Kind.PRICES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["currency", "month"], name="prices_rate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.month:%m/%Y}: {self.vnd}"


class Forecast(models.Model):
    """The latest forecast of a series with its rolling-origin backtest (one per series)."""

    series = models.OneToOneField(Series, on_delete=models.CASCADE, related_name="forecast")
    method = models.CharField(_("phương pháp"), max_length=40)
    origin = models.DateField(_("tháng cuối có số liệu"))
    # [{"period": "2025-01-01", "mean": …, "lo80": …, "hi80": …, "lo95": …, "hi95": …}, …]
    points = models.JSONField(default=list)
    mase_1 = models.FloatField(_("MASE 1 tháng"), null=True)
    mase_6 = models.FloatField(_("MASE 6 tháng"), null=True)
    coverage_80 = models.FloatField(_("độ phủ khoảng 80%"), null=True)
    coverage_95 = models.FloatField(_("độ phủ khoảng 95%"), null=True)
    backtest_origins = models.PositiveIntegerField(default=0)
    made_at = models.DateTimeField(auto_now=True)

    scope = Scope(Kind.PRICES, province="series__province_id")
    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.method} {self.series_id} {self.origin:%m/%Y}"

    @property
    def beats_naive(self) -> bool | None:
        """Whether the backtest beat the seasonal-naive forecast at both horizons."""
        if self.mase_1 is None or self.mase_6 is None:
            return None
        return self.mase_1 < 1 and self.mase_6 < 1


class Stage(models.TextChoices):
    PLANTING = "planting", _("Gieo trồng")
    CARE = "care", _("Chăm sóc")
    HARVEST = "harvest", _("Thu hoạch")


class CropWindow(models.Model):
    """One window of a crop calendar: a stage of a crop in a region (its provinces), from
    `start_month` to `end_month` (wrapping over the new year when end < start)."""

    commodity = models.ForeignKey(Commodity, on_delete=models.CASCADE, related_name="windows")
    region = models.CharField(_("vùng"), max_length=80)
    provinces = models.ManyToManyField("core.Province", related_name="+")
    stage = models.CharField(_("giai đoạn"), max_length=10, choices=Stage.choices)
    start_month = models.PositiveSmallIntegerField(_("từ tháng"))
    end_month = models.PositiveSmallIntegerField(_("đến tháng"))
    advice = models.CharField(_("việc cần làm"), max_length=300)
    source = models.CharField(_("nguồn"), max_length=400)

    scope = Scope(Kind.PRICES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["commodity", "start_month"]

    def __str__(self) -> str:
        return f"{self.commodity_id} {self.region} {self.stage}"

    def covers(self, month: int) -> bool:
        if self.start_month <= self.end_month:
            return self.start_month <= month <= self.end_month
        return month >= self.start_month or month <= self.end_month


class Subscription(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="price_alerts"
    )
    commodity = models.ForeignKey(Commodity, on_delete=models.CASCADE, related_name="+")
    province = models.ForeignKey(
        "core.Province", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    above = models.DecimalField(
        _("báo khi giá lên trên (đồng/kg)"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    below = models.DecimalField(
        _("báo khi giá xuống dưới (đồng/kg)"),
        max_digits=14,
        decimal_places=0,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(Kind.ALERT, owner="user_id")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["commodity", "province"])]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.commodity_id} {self.province_id or '*'}"


class Notice(models.Model):
    """What an alert sent: once per subscription, observation period and direction."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="notices")
    period = models.DateField()
    direction = models.CharField(max_length=5)  # "above" / "below"
    forecast = models.BooleanField(default=False)  # crossed by the forecast, not a price
    vnd_per_kg = models.DecimalField(max_digits=16, decimal_places=2)
    message = models.CharField(max_length=300)
    emailed = models.BooleanField(default=False)
    seen = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(Kind.ALERT, owner="subscription__user_id")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period", "direction", "forecast"],
                name="prices_notice_once",
            )
        ]
        indexes = [models.Index(fields=["subscription", "seen"])]

    def __str__(self) -> str:
        return self.message


from .import_models import PriceImportIssue, PriceImportJob  # noqa: E402, F401
