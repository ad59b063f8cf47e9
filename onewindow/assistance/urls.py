from django.urls import path

from . import booking_views, ledger_views, resident_views, views

app_name = "assistance"

urlpatterns = [
    path("", views.home, name="home"),
    path("mandates/", views.mandates, name="mandates"),
    path("mandates/new/", views.mandate_new, name="mandate_new"),
    path("mandates/<uuid:uuid>/", views.mandate_detail, name="mandate"),
    path("mandates/<uuid:uuid>/<str:which>.file", views.mandate_file, name="mandate_file"),
    path("apply/", views.apply, name="apply"),
    path("book/", booking_views.book, name="book"),
    path("filing/", booking_views.filing, name="filing"),
    path("applications/<uuid:uuid>/", views.application, name="application"),
    path("incoming/", views.incoming, name="incoming"),
    path("township/", views.township, name="township"),
    path("till/", ledger_views.till, name="till"),
    path("receipts/<uuid:uuid>.pdf", ledger_views.receipt, name="receipt"),
    path("receipts/verify/", ledger_views.receipt_verify, name="receipt_verify"),
    path("batches/", ledger_views.batches, name="batches"),
    path("reconciliation/", ledger_views.reconciliation, name="reconciliation"),
    path("me/", resident_views.my_mandates, name="my_mandates"),
    path("me/<uuid:uuid>/", resident_views.my_mandate, name="my_mandate"),
]
