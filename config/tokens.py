"""API tokens: expiring, revocable, listed per user (django-rest-knox).

Why knox rather than DRF's authtoken: DRF's tokens never expire, one per user, stored
in clear; knox stores only a digest, gives each token an expiry (REST_KNOX TOKEN_TTL),
allows several per user (a phone and a script), and revokes one or all of them.

A token is obtained with the user name and password through the same throttle as the
login form (config/auth.py): after too many failures for a user name from an address
both refuse, even with the right password, until the window has passed.
"""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.auth import LOGIN_THROTTLE_ATTEMPTS, LOGIN_THROTTLE_WINDOW, clear_failures, failed_attempts, record_failure


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True)


class TokenListedSerializer(serializers.Serializer):
    """What a user sees of their tokens: the first characters, never the secret."""

    token_key = serializers.CharField()
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)


class ObtainTokenView(APIView):
    """POST a user name and password, get a new expiring token."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=CredentialsSerializer, responses={200: TokenSerializer})
    def post(self, request):
        if failed_attempts(request) >= LOGIN_THROTTLE_ATTEMPTS:
            return Response(
                {
                    "detail": _("Bạn đã đăng nhập sai quá %(count)d lần. Vui lòng thử lại sau %(minutes)d phút.")
                    % {"count": LOGIN_THROTTLE_ATTEMPTS, "minutes": LOGIN_THROTTLE_WINDOW // 60}
                },
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        credentials = CredentialsSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = authenticate(request._request, **credentials.validated_data)
        if user is None or not user.is_active:
            record_failure(request)
            return Response(
                {"detail": _("Tên đăng nhập hoặc mật khẩu không đúng.")}, status=status.HTTP_400_BAD_REQUEST
            )
        clear_failures(request)
        instance, token = AuthToken.objects.create(user=user)
        return Response(TokenSerializer({"token": token, "expiry": instance.expiry}).data)


class TokenListView(APIView):
    """GET the signed-in user's live tokens; DELETE revokes all of them."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: TokenListedSerializer(many=True)})
    def get(self, request):
        tokens = AuthToken.objects.filter(user=request.user).order_by("-created")
        return Response(TokenListedSerializer(tokens, many=True).data)

    @extend_schema(operation_id="tokens_revoke_all", responses={204: None})
    def delete(self, request):
        AuthToken.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenRevokeView(APIView):
    """DELETE one of the signed-in user's tokens by its first characters (token_key)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="tokens_revoke_one",
        responses={204: None, 404: inline_serializer("NotFound", {"detail": serializers.CharField()})},
    )
    def delete(self, request, token_key):
        if len(token_key) > CONSTANTS.MAXIMUM_TOKEN_PREFIX_LENGTH + CONSTANTS.TOKEN_KEY_LENGTH:
            return Response({"detail": _("Không tìm thấy.")}, status=status.HTTP_404_NOT_FOUND)
        deleted, _rows = AuthToken.objects.filter(user=request.user, token_key=token_key).delete()
        if not deleted:
            return Response({"detail": _("Không tìm thấy.")}, status=status.HTTP_404_NOT_FOUND)
        return Response(status=status.HTTP_204_NO_CONTENT)
