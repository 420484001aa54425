"""The PDF of a certificate, drawn from its signed content (pure: reportlab and segno, no Django).

Chinese text uses reportlab's built-in CID font STSong-Light (Adobe-GB1), so no font file ships with
jiliang; the English rendering (``lang="en"``) uses the same font for the names, which stay Chinese.
The page carries what JJF 1069 / JJG 1002 forms ask of a 检定证书, 检定结果通知书 or 校准证书: the
institute, the number, the owner, the instrument, the regulation and decision rule (ILAC-G8:09/2019
4.2), the results, the standards used and their traceability, the next due date, the three signatures,
the key id of the Ed25519 signature and a QR code (ISO/IEC 18004, segno) of the public check URL.

``invariant=1`` makes the output depend only on the content, so the same content gives the same bytes.
"""

from __future__ import annotations

import io

import segno
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


LABELS = {
    "zh": {
        "number": "证书编号", "owner": "委托单位", "instrument": "计量器具名称", "model": "型号/规格",
        "serial": "出厂编号", "manufacturer": "制造单位", "class": "准确度等级", "range": "测量范围",
        "regulation": "检定依据", "method": "校准依据", "stage": "检定类别", "rule": "判定规则",
        "conclusion": "检定结论", "measured": "检定/校准日期", "issued": "签发日期", "valid_until": "有效期至",
        "conditions": "环境条件", "temperature": "温度", "humidity": "相对湿度", "standards": "所用计量标准",
        "traceability": "溯源", "results": "检定/校准结果", "point": "检定点", "reference": "标准值",
        "indication": "示值", "error": "误差", "mpe": "最大允许误差", "U": "扩展不确定度 U (k)", "outcome": "结论",
        "technician": "检定员", "checker": "核验员", "approver": "批准人", "signature": "电子签名",
        "check": "扫码或访问以下网址查验证书", "check_code": "查验码", "workorder": "委托单号", "supersedes": "替代证书",
        "risk": "误判风险", "page": "页",
        "pass": "合格", "fail": "不合格", "conditional": "有条件", "none": "—",
        "initial": "首次检定", "subsequent": "后续检定", "in_service": "使用中检查",
    },
    "en": {
        "number": "Certificate No.", "owner": "Customer", "instrument": "Instrument", "model": "Model",
        "serial": "Serial No.", "manufacturer": "Manufacturer", "class": "Accuracy class", "range": "Range",
        "regulation": "Regulation", "method": "Method", "stage": "Verification", "rule": "Decision rule",
        "conclusion": "Conclusion", "measured": "Date of measurement", "issued": "Date of issue",
        "valid_until": "Valid until", "conditions": "Conditions", "temperature": "Temperature",
        "humidity": "Relative humidity", "standards": "Standards used", "traceability": "Traceable to",
        "results": "Results", "point": "Point", "reference": "Reference", "indication": "Indication",
        "error": "Error", "mpe": "MPE", "U": "U (k)", "outcome": "Outcome", "technician": "Measured by",
        "checker": "Checked by", "approver": "Approved by", "signature": "Electronic signature",
        "check": "Scan or visit to check this certificate", "check_code": "Check code", "workorder": "Work order", "supersedes": "Supersedes",
        "risk": "Specific risk", "page": "page",
        "pass": "pass", "fail": "fail", "conditional": "conditional", "none": "—",
        "initial": "initial", "subsequent": "subsequent", "in_service": "in service",
    },
}


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR code modules of ``url`` (error correction M), for drawing as rectangles.

    The data mask is fixed (pattern 0) instead of scoring all eight (ISO/IEC 18004:2015 7.8.3): every
    reader decodes any mask, and the scoring costs six times the rest of the encoding (bench/
    verification_certificates.py).
    """
    qr = segno.make(url, error="m", micro=False, mask=0)
    return [[bool(v) for v in row] for row in qr.matrix]


def draw_qr(c: canvas.Canvas, matrix: list[list[bool]], x: float, y: float, size: float) -> None:
    n = len(matrix)
    module = size / (n + 8)  # quiet zone of four modules
    c.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(matrix):
        col = 0
        while col < n:
            if row[col]:
                start = col
                while col < n and row[col]:
                    col += 1
                c.rect(x + (start + 4) * module, y + size - (r + 5) * module, (col - start) * module, module,
                       stroke=0, fill=1)
            else:
                col += 1


def _short_mpe(point: dict) -> str:
    """'±0.005 \\kilogram (JJG539-2016 III-0-500e, …)' -> '±0.005 kg' for the results table."""
    text = point.get("mpe_text") or ""
    head = text.split(" (")[0]
    return head.replace(point.get("error_unit") or "\x00", point.get("error_unit_text") or "") or "—"


def _text(value) -> str:
    return "—" if value in (None, "") else str(value)


def render_pdf(content: dict, *, lang: str = "zh", verify_url: str | None = None,
               matrix: list[list[bool]] | None = None) -> bytes:
    """Draw the certificate; ``verify_url`` is the absolute check URL encoded in the QR code."""
    lang = "en" if lang == "en" else "zh"
    t = LABELS[lang]
    font = _font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=0)
    c.setTitle(f"{content['title'][lang]} {content['number']}")
    c.setAuthor(content["institute"]["name"])
    width, height = A4
    left, right = 50, width - 50
    y = height - 60

    def line(label: str, value, size: float = 10, dx: float = 0) -> None:
        nonlocal y
        c.setFont(font, size)
        c.drawString(left + dx, y, f"{label}: {_text(value)}")
        y -= size + 6

    c.setFont(font, 16)
    c.drawCentredString(width / 2, y, content["institute"]["name"])
    y -= 28
    c.setFont(font, 20)
    c.drawCentredString(width / 2, y, content["title"][lang])
    y -= 22
    c.setFont(font, 10)
    c.drawCentredString(width / 2, y, f"{t['number']}: {content['number']}")
    y -= 26

    inst = content["instrument"]
    line(t["owner"], content["owner"]["name"])
    line(t["instrument"], inst["category"])
    line(t["model"], inst["model"])
    line(t["serial"], inst["serial_number"])
    line(t["manufacturer"], inst["manufacturer"])
    line(t["class"], inst["accuracy_class"])
    line(t["range"], inst["range"])
    reg = content.get("regulation")
    if reg:
        line(t["regulation"], f"{reg['number']}-{reg['edition']} {reg['title'][lang]}")
        line(t["stage"], t.get(content["stage"], content["stage"]))
    if content.get("method"):
        line(t["method"], content["method"])
    if content.get("decision_rule"):
        line(t["rule"], content["decision_rule"]["text"])
    if content.get("outcome"):
        line(t["conclusion"], t.get(content["outcome"], content["outcome"]), size=12)
    cond = content.get("conditions") or {}
    line(t["conditions"], f"{t['temperature']} {_text(cond.get('temperature'))} °C, "
                          f"{t['humidity']} {_text(cond.get('humidity'))} %")
    line(t["measured"], content["measured_on"])
    line(t["issued"], content["issued_on"])
    if content.get("valid_until"):
        line(t["valid_until"], content["valid_until"], size=12)
    if content.get("supersedes"):
        line(t["supersedes"], content["supersedes"])
    line(t["workorder"], content.get("work_order"))

    y -= 4
    c.setFont(font, 11)
    c.drawString(left, y, t["standards"])
    y -= 16
    for s in content.get("standards", []):
        cal = s.get("calibration") or {}
        c.setFont(font, 8)
        c.drawString(left + 8, y, f"- {s['name']} ({s['certificate_no']}, {t['valid_until']} {s['valid_until']}); "
                                  f"{t['traceability']}: {_text(cal.get('laboratory'))} "
                                  f"{_text(cal.get('certificate_no'))} → {_text(cal.get('traceability'))}")
        y -= 14

    y -= 4
    c.setFont(font, 11)
    c.drawString(left, y, t["results"])
    y -= 16
    cols = [left, left + 60, left + 150, left + 230, left + 310, left + 400, left + 470]
    heads = [t["point"], t["reference"], t["indication"], t["error"], t["mpe"], t["U"], t["outcome"]]
    c.setFont(font, 8)
    for x, h in zip(cols, heads):
        c.drawString(x, y, h)
    y -= 12
    for p in content.get("points", []):
        if y < 170:
            c.showPage()
            y = height - 60
            c.setFont(font, 8)
        u = f"{p['U']} (k={p['k']})" if p.get("U") not in (None, "") else "—"
        row = [p["label"], f"{p['reference_value']} {p['unit_text']}", f"{p['indication']} {p['unit_text']}",
               f"{p['error']} {p['error_unit_text']}", _short_mpe(p), u,
               t.get(p.get("outcome") or "none", p.get("outcome") or "—")]
        c.setFont(font, 8)
        for x, v in zip(cols, row):
            c.drawString(x, y, str(v)[:22])
        y -= 11
    for note in content.get("notes", [])[:3]:
        c.setFont(font, 6)
        c.drawString(left, y, str(note)[:150])
        y -= 8

    # signatures and QR at the foot of the last page
    sig = content["signatures"]
    y = 120
    c.setFont(font, 10)
    for i, role in enumerate(("technician", "checker", "approver")):
        person = sig.get(role) or {}
        c.drawString(left + i * 120, y, f"{t[role]}: {_text(person.get('name'))}")
        c.setFont(font, 7)
        c.drawString(left + i * 120, y - 11, _text(person.get("certificate")))
        c.setFont(font, 10)
    if content.get("check_code"):
        c.setFont(font, 9)
        c.drawString(left, 92, f"{t['check_code']}: {content['check_code'][:4]}-{content['check_code'][4:]}")
    c.setFont(font, 7)
    c.drawString(left, 80, f"{t['signature']}: Ed25519, key {content['key_id']}")
    url = verify_url or content["verify_path"]
    c.drawString(left, 70, f"{t['check']}: {url}")
    c.drawString(left, 60, f"{content['institute']['name']}  {content['institute']['uscc']}")
    draw_qr(c, matrix if matrix is not None else qr_matrix(url), right - 100, 40, 100)
    c.showPage()
    c.save()
    return buf.getvalue()
