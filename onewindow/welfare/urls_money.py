"""URLs of the register and the money (included by `welfare/urls.py`)."""

from django.urls import path

from . import views_money as v

urlpatterns = [
    path("register/", v.register, name="register"),
    path("households/<uuid:uuid>/", v.household, name="household"),
    path("changes/", v.changes, name="changes"),
    path("exits/", v.exits, name="exits"),
    path("reviews/", v.reviews, name="reviews"),
    path("rolls/", v.roll_list, name="rolls"),
    path("rolls/<uuid:uuid>/", v.roll, name="roll"),
    path("rolls/<uuid:uuid>/bank.<str:fmt>", v.bank_file, name="bank_file"),
    path("standards/", v.standards, name="standards"),
    path("figures/", v.figures, name="figures"),
]
