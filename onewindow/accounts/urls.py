from django.contrib.auth import views as auth_views
from django.urls import path

from . import security_views, signin_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("password/forgot/", views.password_forgot, name="password_forgot"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("privacy/", views.privacy_notice, name="privacy"),
    path("register/enterprise/", views.register_enterprise, name="register_enterprise"),
    path("phone/verify/", views.phone_verify, name="phone_verify"),
    path("care-mode/", views.care_mode, name="care_mode"),
    path("second-factor/", signin_views.second_factor, name="second_factor"),
    path("second-factor/enrol/", signin_views.otp_enrol, name="otp_enrol"),
    path("password/change/", signin_views.password_change, name="password_change"),
    path("window/identity/", signin_views.window_identity, name="window_identity"),
    path("security/", security_views.security_home, name="security"),
    path("security/<str:username>/", security_views.security_person, name="security_person"),
    path("enterprises/<uuid:uuid>/", views.enterprise_detail, name="enterprise"),
]
