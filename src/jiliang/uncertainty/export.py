"""Budget tables as Excel (openpyxl) and PDF (reportlab) in the JJF 1059.1 layout.

Columns, Chinese with English beneath: 序号 No. | 输入量/来源 Source | 估计值 Estimate x_i |
标准不确定度 u(x_i) | 分布 Distribution | 灵敏系数 c_i | 不确定度分量 |c_i|u(x_i) | 自由度 ν_i |
方差占比 Share; then the combined standard uncertainty, effective degrees of freedom, coverage
factor, expanded uncertainty and the result rounded per JJF 1059.1 5.3.8. The Excel cells keep
the unrounded numbers; the PDF prints them to a few significant digits.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from .budget import Budget

HEADERS: tuple[tuple[str, str], ...] = (
    ("序号", "No."),
    ("输入量/来源", "Input quantity / source"),
    ("估计值 xᵢ", "Estimate"),
    ("标准不确定度 u(xᵢ)", "Standard uncertainty"),
    ("分布", "Distribution"),
    ("灵敏系数 cᵢ", "Sensitivity coefficient"),
    ("不确定度分量 |cᵢ|u(xᵢ)", "Uncertainty component"),
    ("自由度 νᵢ", "Degrees of freedom"),
    ("方差占比", "Share of variance"),
)

Target = str | Path | BinaryIO | None


def _budgets(budgets: Budget | Sequence[Budget]) -> list[Budget]:
    return [budgets] if isinstance(budgets, Budget) else list(budgets)


def _g(x: float | None, digits: int = 4) -> str:
    if x is None or (isinstance(x, float) and math.isinf(x)):
        return "∞"
    return f"{x:.{digits}g}"


def _dof_text(dof: float | None) -> str:
    if dof is None or math.isinf(dof):
        return "∞"
    return f"{dof:.0f}" if float(dof).is_integer() else f"{dof:.1f}"


def _summary(b: Budget) -> list[tuple[str, str]]:
    d = b.display
    unit = f" {b.unit}" if b.unit else ""
    p_text = f"p = {b.p:g}" if b.p is not None else "k 约定 / by convention"
    lines = [
        ("合成标准不确定度 u_c / Combined standard uncertainty", f"{d.get('u', _g(b.u))}{unit}  ({b.u!r})"),
        ("有效自由度 ν_eff / Effective degrees of freedom", _dof_text(b.dof) if b.dof_evaluated else "—"),
        ("包含因子 k / Coverage factor", f"{d.get('k', _g(b.k, 3))}  ({p_text})"),
        ("扩展不确定度 U / Expanded uncertainty", f"{d.get('U', _g(b.U))}{unit}  ({b.U!r})"),
        ("测量结果 / Result", f"{b.output} = ({d.get('y', _g(b.y, 10))} ± {d.get('U', _g(b.U))}){unit}"),
    ]
    if abs(b.other_share) > 1e-9:
        lines.append(("相关及高阶项占比 / Correlation and higher-order share", f"{b.other_share:.1%}"))
    return lines


def _write(data: bytes, target: Target) -> bytes:
    if target is None:
        return data
    if isinstance(target, str | Path):
        Path(target).write_bytes(data)
    else:
        target.write(data)
    return data


def export_excel(budgets: Budget | Sequence[Budget], target: Target = None, *, title: str = "测量不确定度评定 / Uncertainty budget") -> bytes:
    """Write one sheet per output; returns the .xlsx bytes (and writes them to ``target``)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    for b in _budgets(budgets):
        ws = wb.create_sheet(title=(b.output or "y")[:31])
        ws.append([title])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([f"模型 / Model: {b.output} = {b.model}" if b.model else f"输出量 / Output: {b.output}"])
        ws.append([])
        header_row = ws.max_row + 1
        ws.append([f"{zh}\n{en}" for zh, en in HEADERS])
        for cell in ws[header_row]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
            cell.border = box
        ws.row_dimensions[header_row].height = 36
        for i, r in enumerate(b.rows, start=1):
            source = r.source + (f" ({r.description})" if r.description else "")
            ws.append([i, source, r.estimate, r.std_uncertainty, r.distribution_label, r.sensitivity,
                       r.contribution, "∞" if r.dof is None else r.dof, r.share])
            for cell in ws[ws.max_row]:
                cell.border = box
            ws.cell(ws.max_row, 9).number_format = "0.0%"
        ws.append([])
        for label, value in _summary(b):
            ws.append(["", label, value])
            ws.cell(ws.max_row, 2).font = Font(bold=True)
        for note in b.notes:
            ws.append(["", f"注 / Note: {note}"])
        _no_formulas(ws)
        widths = (6, 28, 18, 16, 16, 16, 18, 12, 12)
        for col, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(col)].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return _write(buf.getvalue(), target)


def _no_formulas(ws) -> None:
    """Names and descriptions come from users: a text beginning with = is kept as text, never run as a
    formula (OWASP "CSV injection"; the same rule as jiliang.core.export)."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
                cell.quotePrefix = True




def export_pdf(budgets: Budget | Sequence[Budget], target: Target = None, *, title: str = "测量不确定度评定 / Uncertainty budget") -> bytes:
    """A4 landscape PDF with one table per output (CJK via the built-in STSong-Light CID font)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from jiliang.core.pdf_fonts import cjk_font, cjk_text

    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=8.5, leading=11)
    head = ParagraphStyle("head", fontName=font, fontSize=8, leading=10, alignment=1)
    titled = ParagraphStyle("title", fontName=font, fontSize=14, leading=18, spaceAfter=6)

    def para(s: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(cjk_text(s).replace("&", "&amp;").replace("<", "&lt;").replace("\n", "<br/>"), style)

    story: list = []
    for n, b in enumerate(_budgets(budgets)):
        if n:
            story.append(PageBreak())
        story.append(para(title, titled))
        story.append(para(f"模型 / Model: {b.output} = {b.model}" if b.model else f"输出量 / Output: {b.output}"))
        story.append(Spacer(1, 4 * mm))
        data = [[para(f"{zh}\n{en}", head) for zh, en in HEADERS]]
        for i, r in enumerate(b.rows, start=1):
            source = r.source + (f"\n{r.description}" if r.description else "")
            data.append([str(i), para(source), _g(r.estimate, 10), _g(r.std_uncertainty, 3),
                         para(r.distribution_label), _g(r.sensitivity, 4), _g(r.contribution, 3),
                         cjk_text(_dof_text(r.dof)), f"{r.share:.1%}"])
        widths = [10, 52, 34, 30, 30, 30, 32, 20, 22]
        table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
        table.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("FONTSIZE", (0, 0), (-1, -1), 8.5),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
        ]))
        story.append(table)
        story.append(Spacer(1, 4 * mm))
        summary = Table([[para(label), para(value)] for label, value in _summary(b)],
                        colWidths=[110 * mm, 150 * mm])
        summary.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                                     ("GRID", (0, 0), (-1, -1), 0.25, colors.grey)]))
        story.append(summary)
        for note in b.notes:
            story.append(Spacer(1, 2 * mm))
            story.append(para(f"注 / Note: {note}"))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=title)
    doc.build(story)
    return _write(buf.getvalue(), target)
