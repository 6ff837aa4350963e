"""Read-only: messages are queued and sent by messaging/services.py and the worker."""

from django.contrib import admin

from katalog.core.admin import ReadOnlyAdminMixin

from .models import OutgoingMessage


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "katalog", "channel", "to", "kind", "status", "attempts"]
    list_filter = ["katalog", "channel", "status"]
    search_fields = ["to", "kind", "provider_id"]
    raw_id_fields = ["user"]
