from django.contrib import admin

from .models import OutgoingMessage


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "katalog", "channel", "to", "kind", "status", "attempts"]
    list_filter = ["katalog", "channel", "status"]
    search_fields = ["to", "kind", "provider_id"]
    raw_id_fields = ["user"]
    readonly_fields = ["attempts", "last_error", "provider_id", "sent_at", "created_at", "updated_at"]
