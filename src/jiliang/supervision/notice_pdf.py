"""The PDF of a notice to verify within a deadline (限期检定通知书), in Chinese (pure: reportlab, no Django).

Laid out with reportlab's platypus like the certificates (verification/pdf.py), in the CJK font of
:mod:`jiliang.core.pdf_fonts`; the instrument table wraps and runs onto further pages with its header repeated.
``invariant=1``: the same content gives the same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from jiliang.core.pdf_fonts import cjk_font, cjk_text

#: 细则 Art. 22 and 43, quoted only as far as reference/supervision-integrity-licensing.md §3.1 gives them.
BASIS = ("依据《中华人民共和国计量法实施细则》第二十二条：任何单位和个人不准在工作岗位上使用"
         "“无检定合格印、证或者超过检定周期以及经检定不合格”的计量器具；第四十三条：对未按照规定申请检定"
         "或者使用经检定不合格的计量器具的，“责令其停止使用，可并处1000元以下的罚款”。")


@dataclass(frozen=True)
class NoticeContent:
    number: str
    bureau: str
    owner: str
    owner_address: str
    issued_on: str
    deadline: str
    instruments: list[tuple[str, str, str, str, str]]  # name, model, serial, address, status
    basis: str = BASIS


def render(c: NoticeContent) -> bytes:
    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16)
    cell = ParagraphStyle("cell", fontName=font, fontSize=9, leading=12)
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=26, alignment=TA_CENTER)
    right = ParagraphStyle("right", parent=body, alignment=2)

    def p(text: str, style=body) -> Paragraph:
        return Paragraph(escape(cjk_text(text)), style)

    rows = [[p(h, cell) for h in ("序号", "计量器具名称", "型号/规格", "出厂编号", "使用地点", "状态")]]
    rows += [[p(str(n), cell), *(p(v or "—", cell) for v in inst)] for n, inst in enumerate(c.instruments, 1)]
    table = Table(rows, colWidths=[12 * mm, 38 * mm, 28 * mm, 30 * mm, 44 * mm, 22 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [
        p("限期检定通知书", title),
        p(f"编号：{c.number}", right),
        Spacer(1, 4 * mm),
        p(f"{c.owner}："),
        p(f"地址：{c.owner_address or '—'}"),
        Spacer(1, 2 * mm),
        p(f"经查，你单位使用的下列 {len(c.instruments)} 台（件）强制检定的工作计量器具未按照规定申请检定"
          f"（超过检定周期或未经检定）。请于 {c.deadline} 前向指定的计量检定机构申请检定，"
          "检定合格前不得使用。"),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 4 * mm),
        p(c.basis),
        Spacer(1, 8 * mm),
        p(c.bureau, right),
        p(c.issued_on, right),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=f"限期检定通知书 {c.number}", invariant=1)
    doc.build(story)
    return out.getvalue()
