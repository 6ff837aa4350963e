from django.urls import path

from . import views

app_name = "catalogue"

urlpatterns = [
    # Public: no sign-in needed.
    path("cari/", views.search, name="search"),
    path("cari/saran/", views.suggestions, name="suggest"),
    path("cari/mengapa/<id:pk>/", views.why_here, name="why_here"),
    path("produk/<id:pk>/", views.product_page, name="product"),
    path("toko/<id:pk>/", views.storefront, name="storefront"),
    path("bandingkan/", views.compare, name="compare"),
    # The vendor's own products.
    path("penyedia/produk/", views.my_products, name="mine"),
    path("penyedia/produk/baru/", views.product_new, name="new"),
    path("penyedia/produk/impor/", views.my_import, name="my_import"),
    path("penyedia/produk/<id:pk>/", views.product_edit, name="edit"),
    path("penyedia/produk/<id:pk>/foto/<id:photo_id>/hapus/", views.photo_remove, name="photo_remove"),
    # The Pengelola's curation.
    path("kelola/produk/kurasi/", views.curation_queue, name="queue"),
    path("kelola/produk/kurasi/setujui/", views.approve_many, name="approve_many"),
    path("kelola/produk/impor/", views.assisted_import, name="assisted_import"),
    path("kelola/produk/sinonim/", views.synonyms, name="synonyms"),
    path("kelola/produk/sinonim/tambah/", views.synonym_add, name="synonym_add"),
    path("kelola/produk/pencarian-kosong/", views.zero_results, name="zero_results"),
    path("kelola/produk/kategori/", views.categories, name="categories"),
    path("kelola/produk/<id:pk>/", views.review, name="review"),
    # One POST endpoint per transition, for the vendor's and the curator's buttons alike.
    path("produk/<id:pk>/<slug:action>/", views.transition, name="transition"),
]
