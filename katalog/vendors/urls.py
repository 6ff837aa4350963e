from django.urls import path

from katalog.insights import views as insights_views

from . import views

app_name = "vendors"

urlpatterns = [
    path("daftar/", views.register, name="register"),
    path("daftar/kode/", views.register_code, name="register_code"),
    path("daftar/sudah-terdaftar/", views.claim_check, name="claim_check"),
    path("usaha-saya/", views.mine, name="mine"),
    path("dasbor/", insights_views.vendor_dashboard, name="dashboard"),
    path("dasbor/unduh/<str:kind>", insights_views.vendor_download, name="dashboard_download"),
    path("klaim/", views.claimed_pick, name="claimed_pick"),
    path("klaim/<id:pk>/", views.claimed_data_check, name="claimed_data_check"),
    path("usaha-saya/pembayaran/", views.payment, name="payment"),
    path("usaha-saya/<slug:step>/", views.register_step, name="step"),
    path("usaha-saya-kirim/", views.submit_mine, name="submit"),
    path("usaha-saya-pilih/", views.switch_vendor, name="switch"),
    path("kelurahan/", views.villages, name="villages"),
    path("kbli/", views.kbli_suggest, name="kbli_suggest"),
    path("kelola/", views.vendor_list, name="list"),
    path("kelola/verifikasi/", views.queue, name="queue"),
    path("kelola/daftarkan/", views.assisted, name="assisted"),
    path("kelola/impor/", views.import_upload, name="import"),
    path("kelola/impor/<id:pk>/", views.import_status, name="import_status"),
    path("kelola/impor/<id:pk>/kemajuan/", views.import_progress, name="import_progress"),
    path("kelola/impor/<id:pk>/terapkan/", views.import_confirm, name="import_confirm"),
    path("kelola/impor/<id:pk>/batal/", views.import_cancel, name="import_cancel"),
    path("kelola/impor/<id:pk>/lanjutkan/", views.import_resume, name="import_resume"),
    path("kelola/impor/<id:pk>/laporan.csv", views.import_report, name="import_report"),
    path("kelola/undang/", views.invite_bulk, name="invite_bulk"),
    path("kelola/<id:pk>/", views.detail, name="detail"),
    path("kelola/<id:pk>/undang/", views.invite, name="invite"),
    path("kelola/<id:pk>/<slug:action>/", views.decide, name="decide"),
    path("dokumen/<id:pk>/<slug:kind>/", views.document, name="document"),
]
