from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class UserPreferencesMiddleware:
    """Pick the language: the user's saved choice, else the language cookie, else French.

    The browser's Accept-Language header is ignored on purpose: Guichet is French first, and an
    unknown or unsupported code falls back to French.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.codes = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = user.language
        if language not in self.codes:
            language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.codes:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response
