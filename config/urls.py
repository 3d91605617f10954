from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config import health
from config.auth import ThrottledLoginView
from recognition import home as portal_home


class PasswordResetView(auth_views.PasswordResetView):
    """The reset e-mail's link starts with PORTAL_BASE_URL, never with the request's Host header."""

    @property
    def extra_email_context(self):
        return {"portal_base_url": settings.PORTAL_BASE_URL}


urlpatterns = [
    # The home starts from the work of each role; it reads every layer, so it lives in the top one.
    path("", portal_home.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    # The admin signs in through the same throttled login page (config/auth.py).
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/", include("config.api_urls")),
    path("", include("registry.urls")),
    path("", include("evaluations.urls")),
    path("", include("criteria.urls")),
    path("", include("recognition.urls")),
]

handler404 = "config.errors.page_not_found"

if settings.DEBUG:
    urlpatterns += static(settings.STATIC_URL, document_root=settings.STATIC_ROOT)
