from django.contrib import admin

from .models import Membership, Office


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "katalog", "is_active"]
    list_filter = ["katalog"]
    search_fields = ["code", "name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "katalog", "office"]
    list_filter = ["role", "katalog"]
    search_fields = ["user__username"]
    raw_id_fields = ["user", "office"]
