"""Sign in, MFA enrolment and verification, sign out, and staff management."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from openrecovery.core.errors import DomainError
from openrecovery.core.forms import form_add_service_errors
from openrecovery.core.text import text_problem

from .access import StaffRequest, public_view, staff_view
from .forms import LoginForm, OTPForm, StaffAddForm
from .mfa import (
    ERROR_BAD_CODE,
    mfa_enrol_confirm,
    mfa_has_confirmed_device,
    mfa_pending_device,
    mfa_verify,
    totp_provisioning_uri,
    totp_qr_svg,
    totp_secret_base32,
)
from .models import RoleChange, User
from .passwords import password_generate
from .roles import Role
from .services import (
    APPROVE_PERMISSION,
    role_change_decide,
    staff_create,
    staff_deactivate,
    staff_mfa_reset,
    staff_reactivate,
    staff_set_role,
)


class StaffLoginView(LoginView):
    """Password step of signing in; MFA follows (see MFARequiredMiddleware)."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


login_view = public_view(StaffLoginView.as_view())


def _next_url(request: HttpRequest) -> str:
    target = request.GET.get("next", "")
    # A control character never belongs in a URL, and would reach the Location header.
    if (
        target
        and text_problem(target) is None
        and url_has_allowed_host_and_scheme(target, {request.get_host()})
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


@public_view
def mfa_view(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator (first time) or check a code (every sign-in)."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = OTPForm(request.POST or None)
    if not mfa_has_confirmed_device(request.user):
        device = mfa_pending_device(request.user)
        if request.method == "POST" and form.is_valid():
            codes = mfa_enrol_confirm(
                request=request, device=device, token=form.cleaned_data["code"]
            )
            if codes is not None:
                return render(request, "accounts/recovery_codes.html", {"codes": codes})
            form.add_error("code", ERROR_BAD_CODE)
        uri = totp_provisioning_uri(device, settings.PROGRAM_NAME)
        context = {
            "form": form,
            "secret": totp_secret_base32(device),
            "qr_svg": totp_qr_svg(uri),
        }
        return render(request, "accounts/mfa_enrol.html", context)
    if request.method == "POST" and form.is_valid():
        if mfa_verify(request=request, token=form.cleaned_data["code"]):
            return redirect(_next_url(request))
        form.add_error("code", ERROR_BAD_CODE)
    return render(request, "accounts/mfa_verify.html", {"form": form})


@public_view
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Sign out: the server-side session is deleted."""
    logout(request)
    return redirect("accounts:login")


@staff_view("accounts.manage_staff")
def staff_list(request: StaffRequest) -> HttpResponse:
    """List staff accounts with their roles and any role change awaiting approval."""
    staff = User.objects.order_by("username")
    pending = {
        change.user_id: change
        for change in RoleChange.objects.filter(status=RoleChange.Status.PENDING).select_related(
            "requested_by"
        )
    }
    rows = [(member, pending.get(member.pk)) for member in staff]
    return render(request, "accounts/staff_list.html", {"rows": rows, "roles": Role.choices})


# Actions that cannot be undone with one click ask once more, on a page of their own.
CONFIRMED_ACTIONS = {
    "deactivate": (
        "Deactivate {name}?",
        "They are signed out at once, their API tokens stop working, and they cannot sign "
        "in until an administrator reactivates the account.",
        "Deactivate",
    ),
    "mfa_reset": (
        "Reset two-step sign-in for {name}?",
        "Their authenticator and recovery codes stop working and they are signed out. At "
        "their next sign-in they set up a new authenticator. Do this only after checking "
        "who is asking (in person or by a call back to a known number).",
        "Reset two-step sign-in",
    ),
}


@staff_view("accounts.manage_staff")
@require_POST
def staff_change(request: StaffRequest, user_id: int) -> HttpResponse:
    """Change a staff member's role (or ask for approval); deactivate, reactivate, reset MFA."""
    user = get_object_or_404(User, pk=user_id)
    action = request.POST.get("action", "role")
    if action in CONFIRMED_ACTIONS and request.POST.get("confirmed") != "yes":
        title, explanation, button = CONFIRMED_ACTIONS[action]
        name = user.get_full_name() or user.username
        context = {
            "member": user,
            "action": action,
            "title": title.format(name=name),
            "explanation": explanation,
            "button": button,
        }
        return render(request, "accounts/staff_confirm.html", context)
    try:
        if action == "deactivate":
            if user == request.user:
                raise ValidationError("You cannot deactivate your own account.")
            staff_deactivate(actor=request.user, user=user, request=request)
            messages.success(request, f"{user.username} was deactivated and signed out.")
        elif action == "reactivate":
            staff_reactivate(actor=request.user, user=user, request=request)
            messages.success(request, f"{user.username} can sign in again as {user.role_label}.")
        elif action == "mfa_reset":
            staff_mfa_reset(actor=request.user, user=user, request=request)
            messages.success(
                request, f"{user.username} sets up a new authenticator at the next sign-in."
            )
        else:
            role = request.POST.get("role", "")
            change = staff_set_role(actor=request.user, user=user, role=role, request=request)
            if change is None:
                messages.success(request, f"{user.username} is now {user.role_label}.")
            else:
                messages.info(request, _waiting(user, change))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:staff_list")


def _waiting(user: User, change: RoleChange) -> str:
    return (
        f"{user.username} would see more patients as {change.get_role_to_display()}: "
        "the change waits for another administrator or the clinical director."
    )


@staff_view("accounts.manage_staff")
def staff_add(request: StaffRequest) -> HttpResponse:
    """Create a staff account; its first password is generated and shown once."""
    form = StaffAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password = password_generate()
        try:
            user = staff_create(
                actor=request.user, password=password, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            pending = RoleChange.objects.filter(user=user, status=RoleChange.Status.PENDING).first()
            context = {"member": user, "password": password, "pending": pending}
            return render(request, "accounts/staff_added.html", context)
    status = 422 if form.errors else 200
    return render(request, "accounts/staff_add.html", {"form": form}, status=status)


@staff_view(APPROVE_PERMISSION)
def role_changes(request: StaffRequest) -> HttpResponse:
    """List the role changes awaiting a second person's approval, oldest first."""
    pending = RoleChange.objects.filter(status=RoleChange.Status.PENDING).select_related(
        "user", "requested_by"
    )
    return render(request, "accounts/role_changes.html", {"pending": pending})


@staff_view(APPROVE_PERMISSION)
@require_POST
def role_change_decision(request: StaffRequest, change_id: int) -> HttpResponse:
    """Approve or reject one pending role change."""
    change = get_object_or_404(RoleChange, pk=change_id)
    approve = request.POST.get("decision") == "approve"
    try:
        decided = role_change_decide(
            actor=request.user, change_id=change.pk, approve=approve, request=request
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        verb = "approved" if approve else "rejected"
        messages.success(
            request,
            f"The change of {decided.user.username} to {decided.get_role_to_display()} was {verb}.",
        )
    return redirect("accounts:role_changes")
