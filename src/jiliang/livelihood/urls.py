"""Pages of livelihood metering under /livelihood/ (the public rotation lists are under /public/, public_urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

# Markets (market_views.py).
from .market_views import (  # noqa: E402
    market_add,
    market_detail,
    market_import,
    market_list,
    ranking,
    scale_add,
    scale_move,
    scale_remove,
    stall_add,
    unification_confirm,
    unification_document,
    unifications,
)

urlpatterns += [
    path("markets/", market_list, name="markets-list"),
    path("markets/add/", market_add, name="markets-add"),
    path("markets/ranking/", ranking, name="markets-ranking"),
    path("markets/<int:pk>/", market_detail, name="markets-detail"),
    path("markets/<int:pk>/stalls/add/", stall_add, name="markets-stall-add"),
    path("markets/<int:pk>/scales/add/", scale_add, name="markets-scale-add"),
    path("markets/<int:pk>/import/", market_import, name="markets-import"),
    path("markets/<int:pk>/unifications/", unifications, name="markets-unifications"),
    path("market-scales/<int:pk>/move/", scale_move, name="market-scales-move"),
    path("market-scales/<int:pk>/remove/", scale_remove, name="market-scales-remove"),
    path("unifications/<int:pk>/confirm/", unification_confirm, name="unifications-confirm"),
    path("unifications/<int:pk>/document/", unification_document, name="unifications-document"),
]
