"""The calculator's script gets its parameter labels and distribution names in the user's language."""

import json
import re

import pytest


@pytest.mark.parametrize("lang, low, normal", [("zh-hans", "下限", "正态分布"), ("en", "lower limit", "normal")])
def test_parameter_labels_and_distribution_names(client, world, lang, low, normal):
    client.force_login(world.users["institute"])
    client.cookies["django_language"] = lang
    html = client.get("/uncertainty/").content.decode()
    strings = json.loads(re.search(r'<script id="calc-strings" type="application/json">(.*?)</script>', html,
                                   re.S).group(1))
    assert strings["params"]["low"] == low and strings["params"]["half_width"] == "a"
    options = dict(re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', html))
    assert options["normal"] == normal  # one name, in one language ("正态 · normal" before)
