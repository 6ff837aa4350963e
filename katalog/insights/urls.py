from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("umkm/", views.umkm, name="umkm"),
    path("pembayaran/", views.payments, name="payments"),
    path("audit/", views.audit, name="audit"),
    path("onboarding/", views.onboarding_funnel, name="onboarding"),
    path("onboarding/unduh/<str:kind>", views.onboarding_download, name="onboarding_download"),
    path("belanja/", views.spending_dashboard, name="spending"),
    path("belanja/unduh/<str:kind>", views.spending_download, name="spending_download"),
]
