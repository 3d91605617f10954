"""One router for the whole API; each app registers its viewsets in its api.py."""

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from criteria.api import register as register_criteria
from evaluations.api import register as register_evaluations
from recognition.api import register as register_recognition
from registry.api import register as register_registry

router = DefaultRouter()
for register in (register_registry, register_evaluations, register_criteria, register_recognition):
    register(router)

urlpatterns = [
    path("token/", obtain_auth_token, name="api-token"),
    path("", include(router.urls)),
]
