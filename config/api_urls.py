"""One router for the whole API; each app registers its viewsets in its api.py."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from config.tokens import ObtainTokenView, TokenListView, TokenRevokeView
from criteria.api import register as register_criteria
from evaluations.api import register as register_evaluations
from recognition.api import register as register_recognition
from registry.api import register as register_registry

router = DefaultRouter()
for register in (register_registry, register_evaluations, register_criteria, register_recognition):
    register(router)

urlpatterns = [
    path("token/", ObtainTokenView.as_view(), name="api-token"),
    path("tokens/", TokenListView.as_view(), name="api-tokens"),
    path("tokens/<str:token_key>/", TokenRevokeView.as_view(), name="api-token-revoke"),
    path("", include(router.urls)),
]
