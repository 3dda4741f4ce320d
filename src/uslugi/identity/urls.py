"""Identity's pages under /account/ (namespace "identity")."""

from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache

from uslugi.identity.views import (
    account,
    confirm,
    login,
    operator,
    recovery,
    registration,
    security,
    standard,
)

app_name = "identity"

# Every identity page may show codes, contacts or personal data: never cached, signed in
# or not (core adds `no-store` for signed-in people; these flows start before sign-in).
_urlpatterns = [
    path("", account.account, name="account"),
    # Registration
    path("register/", registration.register, name="register"),
    path("register/code/", registration.register_code, name="register_code"),
    path("register/resend/", registration.register_resend, name="register_resend"),
    path("register/email/", registration.register_email_sent, name="register_email_sent"),
    path("register/email/<str:token>/", registration.register_email, name="register_email"),
    path("register/password/", registration.register_password, name="register_password"),
    # Signing in and out
    path("login/", login.login, name="login"),
    path("login/second-step/", login.login_second_step, name="login_second_step"),
    path(
        "login/second-step/resend/",
        login.login_second_step_resend,
        name="login_second_step_resend",
    ),
    path("logout/", login.logout, name="logout"),
    # Password recovery
    path("recover/", recovery.recover, name="recover"),
    path("recover/code/", recovery.recover_code, name="recover_code"),
    path("recover/password/", recovery.recover_password, name="recover_password"),
    # Levels
    path("standard/", standard.standard, name="standard"),
    path("standard/progress/", standard.standard_progress, name="standard_progress"),
    path("standard/cancel/", standard.standard_cancel, name="standard_cancel"),
    path("confirm/", confirm.confirm, name="confirm"),
    path("confirm/post/", confirm.confirm_post, name="confirm_post"),
    path("confirm/post/code/", confirm.confirm_post_code, name="confirm_post_code"),
    path("centres/", confirm.centres, name="centres"),
    # Profile
    path("profile/", account.profile, name="profile"),
    path("profile/contact/confirm/", account.contact_confirm, name="contact_confirm"),
    path("profile/contact/<str:channel>/", account.contact_change, name="contact_change"),
    path("profile/addresses/", account.addresses, name="addresses"),
    path("profile/documents/add/", account.document_add, name="document_add"),
    path(
        "profile/documents/<uuid:document_id>/delete/",
        account.document_delete,
        name="document_delete",
    ),
    path("profile/inn/", account.inn_lookup, name="inn_lookup"),
    path("profile/delete/", account.delete, name="delete"),
    # Security
    path("security/", security.security, name="security"),
    path("security/password/", security.password_change, name="password_change"),
    path(
        "security/sessions/<uuid:session_id>/end/",
        security.session_revoke,
        name="session_revoke",
    ),
    path(
        "security/sessions/end-others/",
        security.sessions_revoke_others,
        name="sessions_revoke_others",
    ),
    path("security/app/", security.totp_setup, name="totp_setup"),
    path("security/sms/", security.sms_factor, name="sms_factor"),
    path("security/second-step/off/", security.second_factor_off, name="second_factor_off"),
    path("security/recovery-codes/", security.recovery_codes, name="recovery_codes"),
    path("security/recovery-codes/new/", security.recovery_codes_new, name="recovery_codes_new"),
    # Service-centre operators
    path("operator/", operator.console, name="operator"),
    path("operator/person/<uuid:account_id>/", operator.person, name="operator_person"),
]

urlpatterns = [
    URLPattern(p.pattern, never_cache(p.callback), p.default_args, p.name) for p in _urlpatterns
]
