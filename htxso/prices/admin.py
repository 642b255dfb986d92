from django.contrib import admin

from .models import Commodity, CropWindow, ExchangeRate, Series


@admin.register(Commodity)
class CommodityAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "is_crop")
    search_fields = ("code", "name")


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ("commodity", "province", "price_type", "currency", "unit", "source")
    list_filter = ("price_type", "currency", "frequency")
    raw_id_fields = ("commodity",)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("currency", "month", "vnd", "source")
    list_filter = ("currency",)


@admin.register(CropWindow)
class CropWindowAdmin(admin.ModelAdmin):
    list_display = ("commodity", "region", "stage", "start_month", "end_month")
    list_filter = ("stage",)
