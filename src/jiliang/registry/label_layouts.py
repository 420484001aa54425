"""A4 label sheets that instrument labels are printed on: their exact geometry, in millimetres.

Pure: no Django, no reportlab. A sheet is ``columns × rows`` labels of ``width × height``; the first label's
top-left corner lies ``left`` from the sheet's left edge and ``top`` from its top edge, and the next label in a
row (a column) starts ``pitch_x`` (``pitch_y``) further on (pitch = label size + gap).

Source of every figure: LibreOffice's label database, ``officecfg/registry/data/org/openoffice/Office/
Labels.xcu`` (LibreOffice/core, commit 02891e1ae50b72daee0e40e3de36f7d09b54cabb), manufacturer "Avery A4",
whose ``Measure`` value is ``S;horizontal pitch;vertical pitch;width;height;left margin;top margin;columns;rows``
in 1/100 mm on an A4 sheet (210 × 297 mm)::

    L7160 Address       S;6604;3810;6350;3810;720;1515;3;7
    L7163 Address       S;10160;3810;9906;3810;467;1515;2;7
    L7173 Shipping      S;10160;5700;9906;5700;467;600;2;5
    L7651 Mini Address  S;4064;2117;3810;2117;467;1090;5;13

The label sizes and counts agree with Avery's product names (L7160 "63.5 × 38.1 mm, 21 per sheet", L7163
"99.1 × 38.1 mm, 14 per sheet", L7651 "38.1 × 21.2 mm, 65 per sheet"; also gLabels' avery-iso-templates.xml),
and L7160's 15.15 mm top margin and 66.04 mm horizontal pitch with Avery's own Word template. Every layout
leaves the same margin top and bottom, left and right (checked by the tests). Layouts whose geometry could
not be verified are left out.

``barcode``: whether a Code 128 bar code of the code is drawn beside the QR code: only where the label is wide
enough for it to be read (see :mod:`.label_pdf`, which also drops it for a code too long to fit).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

A4_WIDTH_MM = 210.0
A4_HEIGHT_MM = 297.0
SOURCE = ("LibreOffice Labels.xcu (LibreOffice/core officecfg/registry/data/org/openoffice/Office/Labels.xcu, "
          "Avery A4)")


@dataclass(frozen=True)
class LabelLayout:
    """One sheet of labels; all lengths in millimetres."""

    key: str
    name: str  # as sold (the box says it), e.g. "Avery L7160"
    columns: int
    rows: int
    width: float
    height: float
    left: float
    top: float
    pitch_x: float
    pitch_y: float
    barcode: bool = False
    page_width: float = A4_WIDTH_MM
    page_height: float = A4_HEIGHT_MM

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    @property
    def right(self) -> float:
        """The margin right of the last column."""
        return self.page_width - self.left - (self.columns - 1) * self.pitch_x - self.width

    @property
    def bottom(self) -> float:
        """The margin below the last row."""
        return self.page_height - self.top - (self.rows - 1) * self.pitch_y - self.height

    def sheets(self, count: int) -> int:
        """How many sheets ``count`` labels take."""
        return math.ceil(count / self.per_sheet) if count > 0 else 0

    def position(self, index: int) -> tuple[float, float]:
        """The top-left corner of label ``index`` (0-based, across then down) on its sheet, from the sheet's
        top-left corner, in mm."""
        cell = index % self.per_sheet
        row, column = divmod(cell, self.columns)
        return self.left + column * self.pitch_x, self.top + row * self.pitch_y

    def describe(self) -> str:
        return (f"{self.name}: {self.per_sheet} per A4 sheet ({self.columns} × {self.rows}), "
                f"{self.width:g} × {self.height:g} mm")


LAYOUTS: dict[str, LabelLayout] = {layout.key: layout for layout in (
    LabelLayout("L7160", "Avery L7160", columns=3, rows=7, width=63.50, height=38.10, left=7.20, top=15.15,
                pitch_x=66.04, pitch_y=38.10),
    LabelLayout("L7163", "Avery L7163", columns=2, rows=7, width=99.06, height=38.10, left=4.67, top=15.15,
                pitch_x=101.60, pitch_y=38.10, barcode=True),
    LabelLayout("L7173", "Avery L7173", columns=2, rows=5, width=99.06, height=57.00, left=4.67, top=6.00,
                pitch_x=101.60, pitch_y=57.00, barcode=True),
    LabelLayout("L7651", "Avery L7651", columns=5, rows=13, width=38.10, height=21.17, left=4.67, top=10.90,
                pitch_x=40.64, pitch_y=21.17),
)}
DEFAULT_LAYOUT = "L7160"


class UnknownLayout(ValueError):
    """A layout key that is not one of :data:`LAYOUTS`."""


def layout(key: str) -> LabelLayout:
    try:
        return LAYOUTS[key]
    except KeyError:
        raise UnknownLayout(key) from None
