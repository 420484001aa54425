"""403 and 404 come in the site's layout, in the user's language, with a way back."""

import pytest


def _get(client, user, url, lang):
    if user is not None:
        client.force_login(user)
    client.cookies["django_language"] = lang
    return client.get(url)


@pytest.mark.parametrize("lang, title, detail, back, home", [
    ("zh-hans", "拒绝访问", "您的角色无权新增此类记录。", "返回上一页", "前往概览"),
    ("en", "Access denied", "Your role may not add these records.", "Back to the previous page", "Go to the overview"),
])
def test_403_in_layout_and_language(client, world, lang, title, detail, back, home):
    r = _get(client, world.users["enterprise"], "/registry/organisations/add/", lang)
    assert r.status_code == 403
    html = r.content.decode()
    assert 'id="error-page" data-status="403"' in html
    assert title in html and detail in html and back in html and home in html
    assert 'class="navbar' in html and 'data-nav="instruments-list"' in html  # the site's layout and menu
    assert 'href="/"' in html


@pytest.mark.parametrize("lang, title, absent", [
    ("zh-hans", "页面不存在", "Page not found"),
    ("en", "Page not found", "页面不存在"),
])
def test_404_in_layout_and_language(client, world, lang, title, absent):
    r = _get(client, world.users["province"], "/registry/instruments/999999/", lang)
    assert r.status_code == 404
    html = r.content.decode()
    assert 'data-status="404"' in html and title in html and absent not in html
    assert "matches the given query" not in html  # Django's English message stays out
    assert 'class="navbar' in html and 'id="error-home"' in html


def test_404_for_anonymous_offers_sign_in(client, db):
    r = _get(client, None, "/no-such-page/", "zh-hans")
    assert r.status_code == 404
    html = r.content.decode()
    assert "页面不存在" in html and 'id="error-login"' in html and "/login/?next=/no-such-page/" in html
