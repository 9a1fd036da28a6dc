"""``/i18n/setlang/``: Django's ``set_language`` (the language cookie, then back to ``next``), which also stores
the choice for a signed-in user so that it follows them to every device after sign-in."""

from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from .language import user_language_set


@require_POST
def set_language(request):
    response = django_set_language(request)
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=request.POST.get("language", ""))
    return response
