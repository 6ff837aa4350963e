from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("umkm/", views.umkm, name="umkm"),
    path("pembayaran/", views.payments, name="payments"),
    path("audit/", views.audit, name="audit"),
]
