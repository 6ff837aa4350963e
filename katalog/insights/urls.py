from django.urls import path

from . import flag_views, views

app_name = "insights"

urlpatterns = [
    path("umkm/", views.umkm, name="umkm"),
    path("pembayaran/", views.payments, name="payments"),
    path("audit/", views.audit, name="audit"),
    path("onboarding/", views.onboarding_funnel, name="onboarding"),
    path("onboarding/unduh/<str:kind>", views.onboarding_download, name="onboarding_download"),
    path("belanja/", views.spending_dashboard, name="spending"),
    path("belanja/unduh/<str:kind>", views.spending_download, name="spending_download"),
    path("anggaran/", views.budget_dashboard, name="budget"),
    path("anggaran/unduh/<str:kind>", views.budget_download, name="budget_download"),
    path("pembayaran/unduh/<str:kind>", views.payments_download, name="payments_download"),
    path("tanda-bahaya/", flag_views.flags, name="flags"),
    path("tanda-bahaya/<id:pk>/tinjau/", flag_views.review, name="flag_review"),
]
