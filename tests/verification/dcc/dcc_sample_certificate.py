"""A sample calibration certificate (electricity meter, Chinese and English) shared by the DCC tests."""

from datetime import date
from decimal import Decimal as D

from jiliang.verification.dcc import (
    Certificate,
    Contact,
    ExpandedUncertainty,
    Identification,
    Item,
    Location,
    MeasurementResult,
    Quantity,
    RespPerson,
    Software,
    Text,
)


def unc(U: str, k: str = "2", p: str = "0.95", distribution: str | None = None) -> ExpandedUncertainty:
    return ExpandedUncertainty(D(U), D(k), D(p), distribution)


def certificate(results: tuple[MeasurementResult, ...] | None = None) -> Certificate:
    """An electricity-meter calibration certificate in Chinese and English."""
    results = results or (
        MeasurementResult(
            Text.of(zh="基本误差", en="Error of indication"),
            (
                Quantity(Text.of(zh="1.0 Ib, cosφ = 1 相对误差", en="Relative error at 1.0 Ib, cos phi = 1"),
                         D("0.12"), "\\percent", unc("0.05")),
                Quantity(Text.of(zh="0.1 Ib, cosφ = 0.5L 相对误差", en="Relative error at 0.1 Ib, 0.5 L"),
                         D("-0.310"), "\\percent", unc("0.060", "2.00", "0.9545", "normal"), label="0.1Ib/0.5L"),
            ),
        ),
        MeasurementResult(
            Text.of(zh="环境条件", en="Ambient conditions"),
            (Quantity(Text.of(zh="温度", en="temperature"), D("23.1"), "\\degreecelsius"),
             Quantity(Text.of(zh="电能", en="energy"), D("1.5E+3"), "\\kilo\\watt\\hour", unc("2.5E-1", "1.96", "0.95"))),
        ),
    )
    return Certificate(
        unique_identifier="JSJL-2025-DN-000123",
        country_code="CN",
        languages_used=("zh", "en"),
        languages_mandatory=("zh",),
        begin_performance_date=date(2025, 1, 10),
        end_performance_date=date(2025, 1, 11),
        receipt_date=date(2025, 1, 8),
        performance_location="laboratory",
        laboratory=Contact(Text.of(zh="江苏省计量科学研究院", en="Jiangsu Institute of Metrology"),
                           email="lab@example.org", phone="+86 25 0000 0000",
                           location=Location(street="光华路", street_no="1", post_code="210000", city="南京",
                                             country_code="CN", further=Text.of(zh="电能计量室", en="energy lab"))),
        laboratory_code="CNAS L0000",
        customer=Contact(Text.of(zh="昆山某电子有限公司"), email="customer@example.org",
                         location=Location(city="昆山", state="江苏省")),
        items=(Item(name=Text.of(zh="三相多功能电能表", en="three-phase multifunction meter"),
                    manufacturer=Contact(Text.of(zh="某仪表厂")), model="DTZ-1",
                    identifications=(Identification("manufacturer", "000102030425", Text.of(zh="出厂编号")),
                                     Identification("customer", "KS-17")),
                    description=Text.of(zh="3×220/380 V, 1.5(6) A")),),
        resp_persons=(RespPerson(Contact(Text.of(zh="张检定")), role="检定员"),
                      RespPerson(Contact(Text.of(zh="李核验"), email="li@example.org"), role="核验员",
                                 main_signer=True)),
        results=results,
        software=(Software(Text.of("jiliang"), "0.1.0"),),
        identifications=(Identification("calibrationLaboratory", "WT-2025-0456", Text.of(zh="委托单号")),),
    )


