"""The navigation, built from the menu groups and entries the installed apps contribute (core/extending.py) and
fitted to the signed-in user's role."""

from django.urls import NoReverseMatch, reverse

from .extending import MenuEntry, MenuGroup, contributed, shown_to
from .scoping import sees_provenance, user_role


def menu(user) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """[(group label, [(entry label, url, url name)])]: the groups with at least one entry ``user`` may see."""
    role = user_role(user)
    links: dict[str, list] = {}
    for entry in contributed(MenuEntry):
        if not shown_to(entry.roles, user, role):
            continue
        try:
            links.setdefault(entry.group, []).append((entry.label, reverse(entry.url_name), entry.url_name))
        except NoReverseMatch:
            continue
    return [(group.label, links[group.key]) for group in contributed(MenuGroup) if links.get(group.key)]


def navigation(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {"nav": []}
    return {"nav": menu(user), "user_role": user_role(user), "sees_provenance": sees_provenance(user)}
