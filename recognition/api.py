"""REST API: registrations, their one transition endpoint, decisions and their PDFs; all scoped."""

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from criteria.models import Plan
from registry.models import Member, Organization
from registry.scoping import REGISTER

from .models import Decision, Registration, SubjectKind, Transition
from .services import decisions, policy, registrations, transitions
from .workflow import ACTIONS, TransitionConflict


class TransitionSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()
    from_state = serializers.CharField(read_only=True)
    to_state = serializers.CharField(read_only=True)

    class Meta:
        model = Transition
        fields = [
            "id",
            "action",
            "from_state",
            "to_state",
            "actor",
            "acting_for",
            "at",
            "comment",
            "eligible",
            "eligibility",
            "overrode_verdict",
            "override_reason",
        ]


class RegistrationSerializer(serializers.ModelSerializer):
    subject_name = serializers.CharField(read_only=True)
    next_step = serializers.SerializerMethodField()
    decision_number = serializers.SerializerMethodField()
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta:
        model = Registration
        fields = [
            "id",
            "plan",
            "scheme",
            "year",
            "phase",
            "subject_kind",
            "organization",
            "member",
            "member_position",
            "model_name",
            "model_type",
            "registrant",
            "authority",
            "subject_name",
            "state",
            "deadline",
            "submitted_at",
            "is_late",
            "commendation_proposed",
            "commended",
            "return_request",
            "rejection_reason",
            "revocation_reason",
            "decision",
            "decision_number",
            "revocation_decision",
            "eligibility",
            "recognized_over_verdict",
            "override_reason",
            "next_step",
            "transitions",
        ]
        read_only_fields = [
            f
            for f in fields
            if f
            not in (
                "plan",
                "year",
                "phase",
                "subject_kind",
                "organization",
                "member",
                "member_position",
                "model_name",
                "model_type",
                "registrant",
                "commendation_proposed",
            )
        ]

    def get_next_step(self, obj) -> str:
        return policy.next_step(obj)

    def get_decision_number(self, obj) -> str | None:
        return obj.decision.display_number if obj.decision_id else None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["plan"].queryset = Plan.objects.visible_to(request.user)
            self.fields["organization"].queryset = Organization.objects.visible_to(request.user, REGISTER)
            self.fields["registrant"].queryset = Organization.objects.visible_to(request.user, REGISTER)
            self.fields["member"].queryset = Member.objects.visible_to(request.user, REGISTER)
        self.fields["registrant"].required = False
        self.fields["subject_kind"].required = False


class TransitionRequestSerializer(serializers.Serializer):
    """One move of the workflow: an action of the table in recognition/workflow.py."""

    action = serializers.ChoiceField(
        choices=[(action.name, action.label) for action in ACTIONS.values()],
        help_text="Thao tác, theo bảng chuyển trạng thái (recognition/workflow.py).",
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000, help_text="Ý kiến, lý do."
    )
    commend = serializers.BooleanField(
        required=False, default=False, help_text="Chỉ với “recognize”: biểu dương tiêu biểu (SCHEMES §3.2)."
    )
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text=(
            "Chỉ với “recognize”: lý do công nhận dù chưa đủ điều kiện. Bắt buộc khi kết quả đối chiếu tiêu chí "
            "tính lại lúc này là chưa đủ điều kiện (thiếu: 400)."
        ),
    )


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Thao tác không phù hợp với trạng thái hiện tại của đăng ký."
    default_code = "conflict"


class RegistrationFilter(django_filters.FilterSet):
    organization = django_filters.NumberFilter(method="filter_under", label="Trong phạm vi tổ chức")

    class Meta:
        model = Registration
        fields = ["scheme", "year", "state", "plan", "subject_kind", "is_late", "authority"]

    def filter_under(self, queryset, name, value):
        org = Organization.objects.filter(pk=value).first()
        return queryset.filter(organization__path__startswith=org.path) if org else queryset.none()


def _call(fn, **kwargs):
    """Run a service; its refusals become API errors: 409 state or path, 403 actor, 400 input."""
    try:
        return fn(**kwargs)
    except TransitionConflict as exc:
        raise Conflict(" ".join(exc.messages)) from exc
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc) or None) from exc
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc


class RegistrationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Registrations in the user's reach; every move is `POST <pk>/transition/` (recognition/workflow.py)."""

    serializer_class = RegistrationSerializer
    filterset_class = RegistrationFilter
    ordering_fields = ["year", "state", "submitted_at"]
    search_fields = ["model_name", "organization__name", "member__full_name"]

    def get_queryset(self):
        return (
            Registration.objects.visible_to(self.request.user)
            .select_related("organization", "member", "decision", "decision__issuer", "plan", "authority")
            .prefetch_related("transitions__actor")
            .order_by("-year", "pk")
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        registration = _call(
            registrations.registration_create,
            user=self.request.user,
            plan=data["plan"],
            year=data["year"],
            organization=data["organization"],
            subject_kind=data.get("subject_kind") or SubjectKind.ORGANIZATION,
            member=data.get("member"),
            member_position=data.get("member_position", ""),
            model_name=data.get("model_name", ""),
            model_type=data.get("model_type"),
            registrant=data.get("registrant"),
            phase=data.get("phase", ""),
            commendation_proposed=data.get("commendation_proposed", False),
        )
        serializer.instance = registration

    def get_serializer_class(self):
        return TransitionRequestSerializer if self.action == "transition" else RegistrationSerializer

    @extend_schema(
        operation_id="recognition_registrations_transition",
        summary="Chuyển trạng thái đăng ký",
        description=(
            "The one workflow endpoint: takes `action` (see the transition table) on the registration. "
            "404 outside the user's scope, 403 without the capability for this step, "
            "409 when the registration's state or path does not allow the action, "
            "400 for invalid input, a missing required comment, or recognizing a subject whose verdict "
            "recomputed now is not eligible without `override_reason`."
        ),
        request=TransitionRequestSerializer,
        responses={
            200: RegistrationSerializer,
            400: OpenApiTypes.OBJECT,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        registration = get_object_or_404(self.get_queryset(), pk=pk)
        payload = TransitionRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        _call(
            transitions.registration_transition,
            registration=registration,
            user=request.user,
            action=data["action"],
            comment=data["comment"],
            commend=data["commend"],
            override_reason=data["override_reason"],
        )
        registration = self.get_queryset().get(pk=registration.pk)
        return Response(RegistrationSerializer(registration, context=self.get_serializer_context()).data)


class DecisionSerializer(serializers.ModelSerializer):
    display_number = serializers.CharField(read_only=True)
    issuer_name = serializers.CharField(source="issuer.name", read_only=True)
    has_pdf = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = [
            "id",
            "display_number",
            "number",
            "year",
            "kind",
            "scheme",
            "issuer",
            "issuer_name",
            "issued_on",
            "subject_line",
            "recognition_year",
            "conference",
            "signer_title",
            "signer_name",
            "reason",
            "revokes",
            "has_pdf",
        ]

    def get_has_pdf(self, obj) -> bool:
        return bool(obj.pdf)


class DecisionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DecisionSerializer
    filterset_fields = ["year", "kind", "scheme", "issuer"]

    def get_queryset(self):
        return Decision.objects.visible_to(self.request.user).select_related("issuer").order_by("-year", "-number")

    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        decision = self.get_object()
        if not decision.pdf:
            decisions.decision_render_pdf(decision=decision)
        return FileResponse(
            decision.pdf.open("rb"),
            content_type="application/pdf",
            filename=f"QD-{decision.number}-{decision.year}.pdf",
        )


def register(router):
    """Register this app's API viewsets on the shared router."""
    router.register("recognition/registrations", RegistrationViewSet, basename="recognition-registration")
    router.register("recognition/decisions", DecisionViewSet, basename="recognition-decision")
