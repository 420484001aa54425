"""The PDF of a certificate, drawn from its signed content (pure: reportlab and segno, no Django).

The page carries what JJF 1069 / JJG 1002 forms ask of a 检定证书, 检定结果通知书 or 校准证书: the
institute, the number, the owner, the instrument, the regulation and decision rule (ILAC-G8:09/2019
4.2), the results, the standards used and their traceability, the next due date, the three signatures,
the key id of the Ed25519 signature and a QR code (ISO/IEC 18004, segno) of the public check URL.

Laid out with reportlab's flowing layout (platypus): names, addresses, remarks and tables wrap (CJK line
breaking) and run onto further pages, the results table repeats its header on each page, and every page
carries its number and the page count ("第 x 页 共 y 页", "Page x of y") with the certificate number, as
Chinese certificates do. A certificate is in one language: the Chinese one (``lang="zh"``) has Chinese
labels throughout, the English one English labels; only names (organisations, people, standards,
addresses) stay as registered. Data provenance (V1/V2/M marks of the rules) belongs on the rule and
catalogue pages and is never printed here.

Chinese text uses reportlab's built-in CID font STSong-Light (Adobe-GB1, :mod:`jiliang.core.pdf_fonts`),
so no font file ships with jiliang. ``invariant=1`` makes the output depend only on the content, so the same content gives the
same bytes.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.doctemplate import LayoutError

from jiliang.core.pdf_fonts import CJK_FONT, cjk_font

LABELS = {
    "zh": {
        "number": "证书编号", "owner": "委托单位", "address": "委托单位地址", "instrument": "计量器具名称",
        "model": "型号/规格", "serial": "出厂编号", "manufacturer": "制造单位", "class": "准确度等级",
        "range": "测量范围", "regulation": "检定依据", "method": "校准依据", "stage": "检定类别", "rule": "判定规则",
        "conclusion": "检定结论", "measured": "检定/校准日期", "issued": "签发日期", "valid_until": "有效期至",
        "conditions": "环境条件", "temperature": "温度", "humidity": "相对湿度", "standards": "所用计量标准",
        "standard": "计量标准名称", "standard_cert": "证书编号", "standard_unc": "不确定度/准确度等级",
        "traceability": "溯源", "results": "检定/校准结果", "point": "检定点", "reference": "标准值",
        "indication": "示值", "error": "误差", "mpe": "最大允许误差", "U": "扩展不确定度 U (k)",
        "outcome": "结论", "technician": "检定员", "checker": "核验员", "approver": "批准人",
        "signature": "电子签名", "key": "Ed25519 签名，密钥标识", "check": "扫码或访问以下网址查验证书",
        "workorder": "委托单号", "supersedes": "替代证书", "notes": "说明", "check_code": "查验码", "risk": "误判风险",
        "page": "第 {page} 页 共 {pages} 页",
        "pass": "合格", "fail": "不合格", "conditional": "有条件", "none": "—",
        "initial": "首次检定", "subsequent": "后续检定", "in_service": "使用中检查",
        "rule_simple": "简单接受（ILAC-G8:09/2019 4.2.1，w = 0）",
        "rule_guarded": "保护带接受（ILAC-G8:09/2019 4.2.2，w = U）",
        "rule_guarded_conditional": "保护带接受（ILAC-G8:09/2019 4.2.2，w = U，可给出有条件结论）",
        "uncertainty_note": "扩展不确定度 U 由合成标准不确定度乘以包含因子 k 得到，包含概率约为 95%。",
    },
    "en": {
        "number": "Certificate No.", "owner": "Customer", "address": "Customer address", "instrument": "Instrument",
        "model": "Model", "serial": "Serial No.", "manufacturer": "Manufacturer", "class": "Accuracy class",
        "range": "Range", "regulation": "Regulation", "method": "Method", "stage": "Verification",
        "rule": "Decision rule", "conclusion": "Conclusion", "measured": "Date of measurement",
        "issued": "Date of issue", "valid_until": "Valid until", "conditions": "Conditions",
        "temperature": "Temperature", "humidity": "Relative humidity", "standards": "Standards used",
        "standard": "Standard", "standard_cert": "Certificate No.", "standard_unc": "Uncertainty / class",
        "traceability": "Traceable to", "results": "Results", "point": "Point", "reference": "Reference",
        "indication": "Indication", "error": "Error", "mpe": "MPE", "U": "U (k)", "outcome": "Outcome",
        "technician": "Measured by", "checker": "Checked by", "approver": "Approved by",
        "signature": "Electronic signature", "key": "Ed25519 signature, key id",
        "check": "Scan or visit to check this certificate", "workorder": "Work order", "supersedes": "Supersedes",
        "notes": "Remarks", "check_code": "Check code", "risk": "Specific risk", "page": "Page {page} of {pages}",
        "pass": "pass", "fail": "fail", "conditional": "conditional", "none": "—",
        "initial": "initial", "subsequent": "subsequent", "in_service": "in service",
        "rule_simple": "simple acceptance (ILAC-G8:09/2019 4.2.1, w = 0)",
        "rule_guarded": "guarded acceptance (ILAC-G8:09/2019 4.2.2, w = U)",
        "rule_guarded_conditional": "guarded acceptance (ILAC-G8:09/2019 4.2.2, w = U, conditional statements allowed)",
        "uncertainty_note": "The expanded uncertainty U is the combined standard uncertainty multiplied by the "
                            "coverage factor k, for a coverage probability of about 95 %.",
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


class QrCode(Flowable):
    """The QR code of the check URL as a flowable square."""

    def __init__(self, matrix: list[list[bool]], size: float):
        super().__init__()
        self.matrix, self.size = matrix, size

    def wrap(self, avail_width, avail_height):
        return self.size, self.size

    def draw(self) -> None:
        draw_qr(self.canv, self.matrix, 0, 0, self.size)


def _short_mpe(point: dict) -> str:
    """'±0.005 \\kilogram (JJG539-2016 III-0-500e, …)' -> '±0.005 kg' for the results table."""
    text = point.get("mpe_text") or ""
    head = text.split(" (")[0]
    return head.replace(point.get("error_unit") or "\x00", point.get("error_unit_text") or "") or "—"


def _text(value) -> str:
    return "—" if value in (None, "") else str(value)


def _page_canvas(lang: str, number: str):
    """A canvas that numbers its pages "第 x 页 共 y 页" once the count is known (drawn at save)."""
    template = LABELS[lang]["page"]

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(CJK_FONT, 8)
                width, _height = self._pagesize
                self.drawRightString(width - 18 * mm, 12 * mm, template.format(page=self._pageNumber, pages=total))
                self.drawString(18 * mm, 12 * mm, f"{LABELS[lang]['number']}: {number}")
                super().showPage()
            super().save()

    return NumberedCanvas


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    return {
        "base": base,
        "institute": ParagraphStyle("institute", parent=base, fontSize=15, leading=20, alignment=TA_CENTER),
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=26, alignment=TA_CENTER, spaceBefore=4),
        "number": ParagraphStyle("number", parent=base, alignment=TA_CENTER, spaceAfter=8),
        "label": ParagraphStyle("label", parent=base, textColor=colors.HexColor("#333333")),
        "strong": ParagraphStyle("strong", parent=base, fontSize=11.5, leading=15),
        "heading": ParagraphStyle("heading", parent=base, fontSize=11, leading=15, spaceBefore=8, spaceAfter=4),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10),
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10),
    }


def _p(text, style) -> Paragraph:
    return Paragraph(escape(_text(text)).replace("\n", "<br/>"), style)


def _fit(text, style, width: float):
    """A plain cell (drawn in the table's font, fast) when the text fits on one line, else a wrapping paragraph."""
    value = _text(text)
    if "\n" not in value and pdfmetrics.stringWidth(value, style.fontName, style.fontSize) < width - 8:
        return value
    return _p(value, style)


def render_pdf(content: dict, *, lang: str = "zh", verify_url: str | None = None,
               matrix: list[list[bool]] | None = None) -> bytes:
    """Draw the certificate; ``verify_url`` is the absolute check URL encoded in the QR code."""
    lang = "en" if lang == "en" else "zh"
    t = LABELS[lang]
    font = cjk_font()
    st = _styles(font)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=20 * mm, title=f"{content['title'][lang]} {content['number']}",
                            author=content["institute"]["name"], invariant=1, pageCompression=0)
    width = doc.width
    story: list = [_p(content["institute"]["name"], st["institute"]), _p(content["title"][lang], st["title"]),
                   _p(f"{t['number']}: {content['number']}", st["number"])]

    inst = content["instrument"]
    category = inst.get("category_en") if lang == "en" and inst.get("category_en") else inst["category"]
    rows = [(t["owner"], content["owner"]["name"]), (t["address"], content["owner"].get("address")),
            (t["instrument"], category), (t["model"], inst["model"]), (t["serial"], inst["serial_number"]),
            (t["manufacturer"], inst["manufacturer"]), (t["class"], inst["accuracy_class"]),
            (t["range"], inst["range"])]
    reg = content.get("regulation")
    if reg:
        rows.append((t["regulation"], f"{reg['number']}-{reg['edition']} {reg['title'][lang]}"))
        rows.append((t["stage"], t.get(content["stage"], content["stage"])))
    if content.get("method"):
        rows.append((t["method"], content["method"]))
    rule = content.get("decision_rule")
    if rule:
        key = "rule_simple" if rule.get("code") != "guarded" else (
            "rule_guarded_conditional" if content.get("kind") == "calibration" else "rule_guarded")
        rows.append((t["rule"], t[key]))
    strong = set()
    if content.get("outcome"):
        strong.add(len(rows))
        rows.append((t["conclusion"], t.get(content["outcome"], content["outcome"])))
    cond = content.get("conditions") or {}
    rows.append((t["conditions"], f"{t['temperature']} {_text(cond.get('temperature'))} °C, "
                                  f"{t['humidity']} {_text(cond.get('humidity'))} %"))
    rows += [(t["measured"], content["measured_on"]), (t["issued"], content["issued_on"])]
    if content.get("valid_until"):
        strong.add(len(rows))
        rows.append((t["valid_until"], content["valid_until"]))
    if content.get("supersedes"):
        rows.append((t["supersedes"], content["supersedes"]))
    rows.append((t["workorder"], content.get("work_order")))
    # labels are short fixed strings (drawn as plain cells, which is fast); values wrap as paragraphs
    info = Table([[label, _p(value, st["strong"]) if i in strong else _fit(value, st["base"], width - 36 * mm)]
                  for i, (label, value) in enumerate(rows)], colWidths=[36 * mm, width - 36 * mm])
    info.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                              ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("FONT", (0, 0), (-1, -1), font, 9.5),
                              ("TEXTCOLOR", (0, 0), (0, -1), colors.HexColor("#333333"))]))
    story.append(info)

    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                       ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)])
    standards = content.get("standards") or []
    if standards:
        story.append(_p(t["standards"], st["heading"]))
        std_widths = [w * width for w in (0.26, 0.18, 0.13, 0.18, 0.25)]
        data = [[_p(h, st["cell"]) for h in (t["standard"], t["standard_cert"], t["valid_until"], t["standard_unc"],
                                             t["traceability"])]]
        for s in standards:
            cal = s.get("calibration") or {}
            trace = " ".join(x for x in (cal.get("laboratory"), cal.get("certificate_no")) if x)
            if cal.get("traceability"):
                trace = f"{trace} → {cal['traceability']}" if trace else cal["traceability"]
            data.append([_fit(v, st["cell"], w) for v, w in zip(
                (s["name"], s["certificate_no"], s.get("valid_until"), s.get("uncertainty"), trace), std_widths)])
        table = Table(data, colWidths=std_widths, repeatRows=1)
        table.setStyle(grid)
        table.setStyle(TableStyle([("FONT", (0, 1), (-1, -1), font, 8), ("LEADING", (0, 1), (-1, -1), 10)]))
        story.append(table)

    story.append(_p(t["results"], st["heading"]))
    heads = [t["point"], t["reference"], t["indication"], t["error"], t["mpe"], t["U"], t["outcome"]]
    widths = [w * width for w in (0.15, 0.15, 0.15, 0.13, 0.15, 0.17, 0.10)]
    # A calibration without a conformity statement prints no empty MPE and outcome columns.
    conformity = any(p.get("mpe_text") or p.get("outcome") for p in content.get("points", []))
    if not conformity:
        heads = heads[:4] + [t["U"]]
        widths = [w * width for w in (0.2, 0.2, 0.2, 0.18, 0.22)]
    data = [[_p(h, st["cell"]) for h in heads]]
    with_u = False
    for p in content.get("points", []):
        u = f"{p['U']} (k={p['k']})" if p.get("U") not in (None, "") else "—"
        with_u = with_u or u != "—"
        values = [f"{p['reference_value']} {p['unit_text']}", f"{p['indication']} {p['unit_text']}",
                  f"{p['error']} {p['error_unit_text']}", _short_mpe(p), u,
                  t.get(p.get("outcome") or "none", p.get("outcome") or "—")]
        if not conformity:
            values = values[:3] + [u]
        # numbers are drawn as plain cells unless one would not fit its column
        data.append([_fit(v, st["cell"], w) for v, w in zip([p["label"], *values], widths)])
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(grid)
    table.setStyle(TableStyle([("FONT", (0, 1), (-1, -1), font, 8), ("LEADING", (0, 1), (-1, -1), 10)]))
    story.append(table)
    notes = [n for n in content.get("notes", []) if str(n).strip()]
    if with_u:
        notes.append(t["uncertainty_note"])
    if notes:
        story.append(_p(t["notes"], st["heading"]))
        story += [_p(n, st["small"]) for n in notes]

    # signatures, electronic signature and QR code, kept together at the end
    sig = content["signatures"]
    qr_size = 30 * mm
    col = (width - qr_size - 6 * mm) / 3
    roles = ("technician", "checker", "approver")
    people = [[_fit(f"{t[role]}: {_text((sig.get(role) or {}).get('name'))}", st["base"], col) for role in roles],
              [_fit((sig.get(role) or {}).get("certificate"), st["small"], col) for role in roles]]
    url = verify_url or content["verify_path"]
    foot = [_p(f"{t['signature']}: {t['key']} {content['key_id']}", st["small"]),
            *([_p(f"{t['check_code']}: {content['check_code'][:4]}-{content['check_code'][4:]}", st["base"])]
              if content.get("check_code") else []),
            _p(f"{t['check']}: {url}", st["small"]),
            _p(f"{content['institute']['name']}  {content['institute']['uscc']}", st["small"])]
    signers = Table(people, colWidths=[col] * 3)
    signers.setStyle(TableStyle([("FONT", (0, 0), (-1, 0), font, 9.5), ("FONT", (0, 1), (-1, 1), font, 7.5)]))
    end = Table([[signers, QrCode(
        matrix if matrix is not None else qr_matrix(url), qr_size)], [foot, ""]],
        colWidths=[width - qr_size - 4 * mm, qr_size + 4 * mm])
    end.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("SPAN", (1, 0), (1, 1)),
                             ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story += [Spacer(1, 8 * mm), KeepTogether([end])]
    try:
        doc.build(story, canvasmaker=_page_canvas(lang, content["number"]))
    except LayoutError as exc:  # a single cell taller than a page: say so rather than lose text
        raise ValueError(f"certificate {content['number']} cannot be laid out: {exc}") from exc
    return buf.getvalue()
