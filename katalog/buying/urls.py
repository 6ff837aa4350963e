from django.urls import path

from . import views

app_name = "buying"

urlpatterns = [
    path("keranjang/", views.cart, name="cart"),
    path("kantor/", views.choose_office, name="choose_office"),
    path("keranjang/tambah/<id:product_id>/", views.cart_add, name="cart_add"),
    path("keranjang/<id:pk>/ubah/", views.cart_update, name="cart_update"),
    path("keranjang/<id:pk>/hapus/", views.cart_remove, name="cart_remove"),
    path("keranjang/pesan/<id:vendor_id>/", views.checkout, name="checkout"),
    path("beli/<id:product_id>/", views.buy_now, name="buy_now"),
    path("pesanan/", views.order_list, name="orders"),
    path("pesanan/<id:pk>/", views.order_detail, name="order"),
    path("pesanan/<id:pk>/dokumen/<slug:kind>/", views.order_document, name="order_document"),
    path("pesanan/<id:pk>/pengiriman/<id:delivery_id>/foto/", views.delivery_photo, name="delivery_photo"),
    path("pesanan/<id:pk>/<slug:action>/", views.order_action, name="order_action"),
    path("notifikasi/", views.notification_list, name="notifications"),
    path("notifikasi/baca-semua/", views.notifications_read, name="notifications_read"),
    path("anggaran/", views.budget_lines, name="budget_lines"),
    path("anggaran/impor/", views.budget_import, name="budget_import"),
    path("anggaran/impor/laporan.csv", views.budget_import_report, name="budget_import_report"),
    path("hari-libur/", views.days_off, name="days_off"),
    path("hari-libur/<id:pk>/hapus/", views.day_off_remove, name="day_off_remove"),
]
