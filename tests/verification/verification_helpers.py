"""Shared test data of the verification tests (imported by conftest and the test modules)."""

KG = "\\kilogram"
# label, load (kg), indication (kg)
SCALE_POINTS = [("Min", "0.1", "0.1"), ("500e", "2.5", "2.5025"), ("2000e", "10", "9.995"), ("Max", "15", "15.005")]


def scale_points(points=SCALE_POINTS, **extra) -> list[dict]:
    return [{"label": label, "reference_value": ref, "indication": ind, "unit": KG, "U": "0.0005", "k": "2", **extra}
            for label, ref, ind in points]
