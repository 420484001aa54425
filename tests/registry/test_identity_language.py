"""The USCC and GBW messages come in the user's language, naming the character at fault."""

import pytest

from jiliang.registry.identity import IdentityError, validate_uscc


def _post(client, world, lang, uscc):
    client.force_login(world.users["province"])
    client.cookies["django_language"] = lang
    return client.post("/registry/organisations/add/", {
        "name": "测试计量有限公司", "uscc": uscc, "kind": "enterprise", "region": "320583"}).content.decode()


@pytest.mark.parametrize("lang, expected, absent", [
    ("zh-hans", "统一社会信用代码应为 18 位，此代码为 16 位", "18 characters"),
    ("en", "a unified social credit code has 18 characters, this one has 16", "统一社会信用代码"),
])
def test_uscc_length_message_in_language(client, world, lang, expected, absent):
    html = _post(client, world, lang, "9111000060003734")
    assert expected in html and absent not in html


def test_check_character_message_names_both_characters(client, world):
    good = world.ent_ks.uscc
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    html = _post(client, world, "zh-hans", bad)
    assert f"校验码为 &#x27;{bad[17]}&#x27;，但按前 17 位计算应为 &#x27;{good[17]}&#x27;" in html


def test_english_text_and_position_kept_for_callers():
    with pytest.raises(IdentityError) as exc:
        validate_uscc("91110000600037341I")
    assert exc.value.position == 18
    assert "character" in str(exc.value)
