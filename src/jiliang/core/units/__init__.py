"""Units, one package (pure: no Django).

* :mod:`.dsi` -- PTB's D-SI unit strings (``\\kilo\\watt\\hour``): parse, validate, compare. D-SI is the
  exchange form of the rules files, stored test points and the DCC; people never type it.
* :mod:`.symbols` -- units as people write them in the registry and on forms (``kg``, ``MPa``, ``m³/h``) and
  as pages and certificates print them; the one table between symbols and D-SI.
* :mod:`.si` -- a quantity normalised to coherent SI units, so that quantities in different units of the
  same kind compare (``15 t`` > ``2000 kg``, ``20 °C`` = ``293.15 K``).
"""

from .dsi import DsiUnit, UnitError, is_valid_unit, parse_unit, same_unit
from .si import commensurable, compare, si_value
from .symbols import prefix_factor, quantity, range_text, symbol, symbols_in, to_dsi


def registry_dsi(text: str | None) -> str:
    """The D-SI string of a unit as the registry writes it (``kg``, ``m³/h``), or "" when it is not a unit."""
    try:
        return to_dsi(text or "")
    except UnitError:
        return ""


__all__ = ["DsiUnit", "UnitError", "commensurable", "compare", "is_valid_unit", "parse_unit", "prefix_factor", "quantity",
           "range_text", "registry_dsi", "same_unit", "si_value", "symbol", "symbols_in", "to_dsi"]
