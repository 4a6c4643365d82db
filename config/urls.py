"""The project's root URLconf: language-prefixed pages, the admin, each app's API and the health check."""

from __future__ import annotations

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_page
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal import views
from portal.accounts import security_views
from portal.accounts import views as account_views
from portal.http import health, seo
from portal.i18n import views as i18n_views
from portal.notifications import views as notification_views
from portal.uploads import media

handler400 = "portal.http.error_views.bad_request"
handler403 = "portal.http.error_views.permission_denied"
handler404 = "portal.http.error_views.page_not_found"
handler500 = "portal.http.error_views.server_error"

admin.site.site_header = _("Export Support Portal — administration")
admin.site.site_title = _("Export Support Portal")
admin.site.index_title = _("Programme administration")

# Each app serves its own part of the API (its `api_urls` module, included by name): this module
# is the only one that knows every app, and the shared `portal` core imports none of them.
API_MODULES = [
    "portal.api_urls", "products.api_urls", "companies.api_urls", "brokers.api_urls", "deals.api_urls",
    "support.api_urls", "results.api_urls",
]  # fmt: skip

# The sitemap's sections, each app's public pages (its `sitemaps` module, named like the API's):
# /sitemap.xml is their index.
SITEMAPS = {
    section: import_string(name)
    for section, name in {
        "pages": "portal.http.seo.StaticPagesSitemap",
        "countries": "portal.http.seo.CountrySitemap",
        "products": "products.sitemaps.ProductSitemap",
        "companies": "companies.sitemaps.CompanySitemap",
        "brokers": "brokers.sitemaps.BrokerSitemap",
        "offers": "brokers.sitemaps.OfferSitemap",
        "results": "results.sitemaps.ResultsSitemap",
    }.items()
}
SITEMAP_SECONDS = 3600  # crawlers come back daily; 100,000 products take a moment to list
# Kept per release, like every cached rendering: a deployment that moves URLs lists the new ones.
sitemap_cached = cache_page(SITEMAP_SECONDS, key_prefix=f"sitemap.{settings.RELEASE}")

account_patterns = [
    path("signup/", account_views.signup, name="signup"),
    path("signup/sent/", account_views.signup_done, name="signup_done"),
    path("signup/confirm/<uidb64>/<token>/", account_views.signup_confirm, name="signup_confirm"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", account_views.profile, name="profile"),
    path("two-factor/", security_views.two_factor_manage, name="two_factor_manage"),
    path("two-factor/setup/", security_views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", security_views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/backup-codes/", security_views.two_factor_backup_codes, name="two_factor_backup_codes"),
    path("two-factor/disable/", security_views.two_factor_disable, name="two_factor_disable"),
    path("api-tokens/", security_views.api_token_list, name="api_tokens"),
    path("api-tokens/<str:token_key>/revoke/", security_views.api_token_delete, name="api_token_revoke"),
    path("password/change/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        account_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("robots.txt", seo.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        sitemap_cached(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_cached(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("i18n/setlang/", i18n_views.set_language, name="set_language"),
    # The export results' staff pages, inside the admin site (results/admin_urls.py).
    path("admin/results/", include("results.admin_urls")),
    path("admin/", admin.site.urls),
    *(path("api/v1/", include(module)) for module in API_MODULES),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file (?script): the CSP allows no inline one.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path(f"{settings.MEDIA_URL.strip('/')}/<path:name>", media.serve, name="media"),
    *i18n_patterns(
        path("", views.home, name="home"),
        path("accounts/", include(account_patterns)),
        path("countries/", views.country_list, name="country_list"),
        path("countries/<str:iso_code>/", views.country_detail, name="country_detail"),
        path("notifications/", notification_views.notification_list, name="notification_list"),
        path(
            "notifications/read-all/",
            notification_views.notifications_read_all,
            name="notifications_read_all",
        ),
        path("notifications/<int:pk>/open/", notification_views.notification_open, name="notification_open"),
        path("companies/", include("companies.urls")),
        path("products/", include("products.urls")),
        path("", include("brokers.urls")),
        path("deals/", include("deals.urls")),
        path("", include("support.urls")),
        path("", include("results.urls")),
    ),
]
