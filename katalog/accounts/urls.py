from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import registration_views, security_views, two_factor, views

app_name = "accounts"

urlpatterns = [
    path("masuk/", views.SignInView.as_view(), name="login"),
    path("masuk/hp/", views.phone_sign_in, name="login_phone"),
    path("masuk/hp/kode/", views.phone_code, name="login_phone_code"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("2fa/", two_factor.two_factor, name="two_factor"),
    path("daftar/terkirim/", registration_views.register_sent, name="register_sent"),
    path("daftar/konfirmasi/<str:token>/", registration_views.register_confirm, name="register_confirm"),
    path("keamanan/", security_views.security, name="security"),
    path("keamanan/token/cabut/", security_views.token_revoke, name="token_revoke"),
    path("keamanan/sesi/akhiri/", security_views.session_end, name="session_end"),
    path("sandi/ubah/", security_views.PasswordChangeView.as_view(), name="password_change"),
    path("profil/", views.profile, name="profile"),
    path(
        "lupa-sandi/",
        views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "lupa-sandi/terkirim/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "sandi/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_set.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "sandi/selesai/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_set_done.html"),
        name="password_reset_complete",
    ),
]
