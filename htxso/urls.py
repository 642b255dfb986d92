from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from htxso.assessment.api import router as assessment_api
from htxso.core import account_views, signup
from htxso.core import home as core_home
from htxso.core import views as core_views
from htxso.core.api import api
from htxso.core.api_urls import api_path
from htxso.exchange.api import router as exchange_api
from htxso.marketplace.api import router as marketplace_api
from htxso.marketplace.b2b_api import router as marketplace_b2b_api
from htxso.prices.api import router as prices_api
from htxso.registration.api import router as registration_api
from htxso.registry import edit_views as registry_edit_views
from htxso.registry import views as registry_views
from htxso.registry.api import router as registry_api
from htxso.reporting.api import router as reporting_api
from htxso.reporting.urls import statistics_patterns
from htxso.tasks.api import router as tasks_api
from htxso.traceability.api import router as traceability_api

api.add_router("/", registry_api)
api.add_router("/", reporting_api)
api.add_router("/", exchange_api)
api.add_router("/", registration_api)
api.add_router("/", tasks_api)
api.add_router("/", marketplace_api)
api.add_router("/", marketplace_b2b_api)
api.add_router("/", prices_api)
api.add_router("/", traceability_api)
api.add_router("/", assessment_api)

urlpatterns = [
    # First: an API read is the most frequent request and the cheapest one; it overlaps no page.
    api_path("api/v1/", api.urls),  # path(…, api.urls), resolved by first segment
    # A signed-in user's own home (inbox and their role's panels); the public's is the national
    # overview, which everyone also finds at /overview/.
    path("", core_home.view(public=registry_views.home), name="home"),
    path("overview/", registry_views.home, name="overview"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/tokens/", core_views.tokens, name="tokens"),
    path("accounts/tokens/<int:pk>/revoke/", core_views.revoke, name="token-revoke"),
    path("accounts/columns/", core_views.list_columns, name="list-columns"),
    path("accounts/contact/", registry_edit_views.my_contact, name="my-contact"),
    # Sign-in and the password change; no e-mailed password reset (the platform sends no mail:
    # an officer resets a password).
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/login/otp/", account_views.login_otp, name="login-otp"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        account_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/otp/", account_views.otp_setup, name="otp-setup"),
    path("accounts/signup/", signup.signup_view, name="signup"),
    path("accounts/signup/<str:uidb64>/<str:token>/", signup.confirm_view, name="signup-confirm"),
    path("accounts/locked/", account_views.locked_accounts, name="locked-accounts"),
    path("accounts/locked/<int:pk>/unlock/", account_views.unlock_account, name="unlock-account"),
    path("registry/", include("htxso.registry.urls")),
    path("exchange/", include("htxso.exchange.urls")),
    path("reporting/", include("htxso.reporting.urls")),
    path("registration/", include("htxso.registration.urls")),
    path("tasks/", include("htxso.tasks.urls")),
    path("market/", include("htxso.marketplace.urls")),
    path("prices/", include("htxso.prices.urls")),
    path("assessment/", include("htxso.assessment.urls")),
    path("statistics/", include(statistics_patterns)),
    # Traceability: its pages under traceability/, and the GS1 Digital Link resolver at the
    # root (/01/<gtin>/10/<lot>…), where the QR labels point.
    path("", include("htxso.traceability.urls")),
]
