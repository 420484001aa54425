"""The certificate PDF as a legal document (issue #9 item 8): one language throughout, no data-provenance
remarks, long texts and many points flowing onto further pages, "第 x 页 共 y 页" on every page."""

import re

from verification_helpers import pdf_pages, pdf_text

from jiliang.verification.pdf import LABELS, render_pdf

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def _data_strings(node) -> list[str]:
    """Every string of the content (names, addresses, numbers: data, printed as registered)."""
    if isinstance(node, dict):
        return [s for v in node.values() for s in _data_strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _data_strings(v)]
    return [node] if isinstance(node, str) else []


def test_chinese_certificate_has_no_english_and_no_provenance(flow):
    cert = flow.issued()
    assert any("unverified" in n for n in cert.item.result.decision["provenance"])  # the rules do flag M data ...
    text = pdf_text(cert.pdf)
    for word in ("unverified", "(M)", "source", "rests on", "required test point"):  # ... the certificate does not
        assert word not in text
    english = [v for k, v in LABELS["en"].items() if k not in ("none", "page") and re.search("[a-z]{3}", v)]
    for label in english:
        assert label not in text, label
    assert "Page " not in text and " key " not in text
    assert "检定证书" in text and "简单接受" in text and "合格" in text


def test_english_certificate_has_english_labels_only(flow):
    cert = flow.issued()
    from jiliang.verification.certificates import public_url

    text = pdf_text(render_pdf(cert.content, lang="en", verify_url=public_url(cert.content["verify_path"])))
    assert "Verification certificate" in text and "Digital indicating" in text and "Page 1 of 1" in text
    text = "".join(text.split())  # cells wrap names over lines
    data = {"".join(v.split()) for v in _data_strings(cert.content) if CJK.search(v)}
    data -= {cert.content["title"]["zh"], cert.content["regulation"]["title"]["zh"]}
    for value in sorted(data, key=len, reverse=True):  # names stay as registered
        text = text.replace(value, "")
    assert not CJK.search(text), CJK.findall(text)


def test_long_texts_and_many_points_flow_onto_numbered_pages(flow):
    cert = flow.issued()
    content = dict(cert.content)
    owner = "昆山市" + "精密机械与智能装备" * 12 + "有限公司"
    address = "江苏省苏州市昆山市" + "开发区前进东路" * 20 + "1号"
    note = "本次检定在使用现场进行，" + "环境振动与气流影响已评估，" * 25 + "结论有效。"
    points = [dict(cert.content["points"][i % 4], label=f"点{i + 1:03d}") for i in range(90)]
    content.update(owner={**content["owner"], "name": owner, "address": address}, points=points, notes=[note])
    pages = pdf_pages(render_pdf(content))
    assert len(pages) >= 3
    for i, page in enumerate(pages, start=1):
        assert f"第 {i} 页 共 {len(pages)} 页" in page
        assert content["number"] in page
    joined = "".join("".join(pages).split())
    for text in (owner, address, note):
        assert "".join(text.split()) in joined  # nothing cut: every character is there, wrapped
    assert all(f"点{i + 1:03d}" in joined for i in range(90))
    assert pages[-1].count("检定员") == 1 and "检定点" in pages[1]  # the results header repeats on later pages


def test_same_content_same_bytes(flow):
    cert = flow.issued()
    assert render_pdf(cert.content, verify_url="https://x/verify") == render_pdf(cert.content, verify_url="https://x/verify")


def test_provenance_notes_stay_on_the_work_order_page(flow):
    from django.conf import settings
    from django.test import Client

    cert = flow.issued()
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the notes are shown in the reader's language
    client.force_login(flow.world.users["province"])  # provenance is for the provincial administrator (#10 item 13)
    html = client.get(f"/verification/work-orders/{cert.item.work_order_id}/").content.decode()
    assert "decision-notes" in html and "unverified (M) source" in html
    client.force_login(flow.institute_user)
    assert "unverified (M) source" not in client.get(f"/verification/work-orders/{cert.item.work_order_id}/"
                                                      ).content.decode()
