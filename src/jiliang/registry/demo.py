"""Registry part of the demo province: bureaus, institutes with standards and reference materials,
enterprises, markets, hospitals and fuel stations with their instruments, people, demo users.

Everything is synthetic (names, codes, uncertainties) except the regions and the catalogue, which are
the real data shipped with jiliang. The same seed builds the same province.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model

from jiliang.core import audit
from jiliang.core.demo import DEMO_PASSWORD
from jiliang.core.models import Region
from jiliang.core.roles import Role

from . import models as m
from .identity import make_uscc

TODAY = dt.date(2026, 11, 29)
DEMO_ENTERPRISE_REGION = "320583"  # Kunshan
DEMO_ENTERPRISE_NAME = "昆山华兴钢铁有限公司"  # fixed so that the same seed gives the same province on any day
ORG_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code(rng) -> str:
    """A GB 11714 organisation code (8 characters and its check character) for synthetic organisations."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    total = sum(int(c) * w for c, w in zip(body, GB11714_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def uscc(rng, prefix: str, region: str) -> str:
    return make_uscc(prefix + region + org_code(rng))


# (category code, share of instruments, owner kinds, usage, manufacturer/model pool, class, range)
INSTRUMENT_MIX = [
    ("nawi-price-scale", 0.30, ("market",), "trade",
     [("上海友声衡器", "TCS-30"), ("凯丰衡器", "ACS-15"), ("常州大华", "TM-30")], "III", ("0", "30", "kg")),
    ("water-meter-dn15-25", 0.18, ("water",), "trade",
     [("宁波水表", "LXS-20E"), ("三川智慧", "LXSG-15"), ("杭州竞达", "LXS-25C")], "2", ("0", "5", "m³/h")),
    ("gas-meter-natural", 0.13, ("gas",), "trade",
     [("成都秦川", "G2.5"), ("重庆前卫", "G4"), ("浙江苍南", "G1.6")], "1.5", ("0.016", "4", "m³/h")),
    ("electricity-meter", 0.10, ("power",), "trade",
     [("江苏林洋", "DDZY71"), ("威胜集团", "DTZY341"), ("宁波三星", "DDZY285")], "2", ("0", "60", "A")),
    ("fuel-dispenser", 0.06, ("fuel_station",), "trade",
     [("正星科技", "ZX-2242"), ("托肯恒山", "TH-4288"), ("稳牌", "CS46")], "0.3", ("5", "60", "L/min")),
    ("pressure-gauge-safety", 0.07, ("enterprise",), "safety",
     [("上海自动化仪表", "Y-100"), ("红旗仪表", "YN-60")], "1.6", ("0", "1.6", "MPa")),
    ("sphygmomanometer", 0.05, ("hospital",), "medical",
     [("鱼跃医疗", "YE660"), ("欧姆龙", "HBP-1320")], "", ("0", "40", "kPa")),
    ("clinical-thermometer-electronic", 0.04, ("hospital",), "medical",
     [("鱼跃医疗", "YHT101"), ("华安", "MT-101")], "", ("35", "42", "°C")),
    ("taximeter", 0.03, ("enterprise",), "trade", [("深圳华强", "HQ-9")], "", ("0", "999", "km")),
    ("sound-level-meter", 0.02, ("enterprise",), "environment", [("杭州爱华", "AWA5688")], "2", ("30", "130", "dB")),
    ("water-meter-large", 0.02, ("enterprise",), "trade", [("宁波水表", "LXLC-80")], "2", ("0", "100", "m³/h")),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅志鹏飞宇欣怡晨浩然子轩思源佳琪雨婷"
STREETS = ["人民路", "解放路", "中山路", "建设路", "长江路", "新华路", "和平路", "青年路", "文化路", "友谊路"]

# Standards of a provincial institute and of a city institute: (name, domain, parameter, range, U, unit, k, level)
PROVINCIAL_STANDARDS = [
    ("E1级砝码标准装置", "mechanics", "质量", ("1e-6", "50", "kg"), "0.000003", "g", "2", "provincial_highest"),
    ("0.02级活塞式压力计标准装置", "mechanics", "压力", ("0.1", "60", "MPa"), "0.02", "%", "2", "provincial_highest"),
    ("水流量标准装置", "mechanics", "流量", ("0.01", "50", "m³/h"), "0.05", "%", "2", "provincial_highest"),
    ("燃油加油机检定装置", "mechanics", "体积", ("5", "100", "L"), "0.025", "%", "2", "social_public"),
    ("交流电能表检定装置", "electromagnetism", "电能", ("0.01", "100", "A"), "0.02", "%", "2", "provincial_highest"),
    ("标准铂电阻温度计标准装置", "thermal", "温度", ("-189", "420", "°C"), "5", "mK", "2", "provincial_highest"),
    ("量块标准装置", "length", "长度", ("0.5", "100", "mm"), "0.05", "µm", "2", "provincial_highest"),
    ("声级计检定装置", "acoustics", "声压级", ("30", "130", "dB"), "0.3", "dB", "2", "social_public"),
    ("血压计（表）检定装置", "medical", "压力", ("0", "40", "kPa"), "0.05", "kPa", "2", "social_public"),
    ("气体分析仪检定装置", "chemistry", "浓度", ("0", "100", "%LEL"), "2", "%", "2", "social_public"),
]
CITY_STANDARDS = [
    ("F1级砝码标准装置", "mechanics", "质量", ("1e-6", "50", "kg"), "0.00001", "g", "2", "social_public"),
    ("精密压力表标准装置", "mechanics", "压力", ("0", "60", "MPa"), "0.1", "%", "2", "social_public"),
    ("水表检定装置", "mechanics", "流量", ("0.01", "10", "m³/h"), "0.2", "%", "2", "social_public"),
    ("膜式燃气表检定装置", "mechanics", "流量", ("0.016", "10", "m³/h"), "0.3", "%", "2", "social_public"),
    ("加油机检定装置（标准金属量器）", "mechanics", "体积", ("20", "200", "L"), "0.025", "%", "2", "social_public"),
    ("出租汽车计价器检定装置", "length", "距离", ("0", "10", "km"), "0.2", "%", "2", "social_public"),
]


# Long-distance area codes of Jiangsu's 13 cities (the first four digits of the GB/T 2260 code); provincial
# organisations (3200) sit in Nanjing.
AREA_CODES = {"3200": "025", "3201": "025", "3202": "0510", "3203": "0516", "3204": "0519", "3205": "0512", "3206": "0513",
              "3207": "0518", "3208": "0517", "3209": "0515", "3210": "0514", "3211": "0511", "3212": "0523",
              "3213": "0527"}
TRADE_NAME_CHARS = "华兴恒达永泰金陵润新宏昌盛隆鑫源益丰宝力通汇德瑞康安嘉信和立明远科"
INDUSTRIES = ["化工", "钢铁", "纺织", "电子", "机械", "食品", "建材", "造纸", "制药", "塑胶"]
TOWNS = ["城东", "城西", "城南", "城北", "新城", "开发区", "高新区", "湖滨", "运河", "滨江", "花园", "北门",
         "南门", "东关", "西郊", "港口", "工业园"]


def phone(rng, region_code: str) -> str:
    """A landline number with the area code of the region's own city."""
    return f"{AREA_CODES[region_code[:4]]}-{rng.randint(50000000, 89999999)}"


def unique_name(rng, used: set, make) -> str:
    """``make(rng)`` until it gives a name not in ``used``; names carry no serial numbers."""
    for _ in range(1000):
        name = make(rng)
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError("ran out of demo names")  # pragma: no cover - the pools hold thousands per county


def _trade_name(rng) -> str:
    return rng.choice(TRADE_NAME_CHARS) + rng.choice(TRADE_NAME_CHARS)


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _address(rng, region: Region) -> str:
    return f"{region.name}{rng.choice(STREETS)}{rng.randint(1, 999)}号"


# The demo enterprise's own instruments (a steel works): (category, name of use, maker, model, class, range,
# usage, how many). Its energy meters are the ones its metering points read (telemetry demo).
STEEL_WORKS = [
    ("automatic-weighing", "进厂原料动态汽车衡", "梅特勒-托利多", "7560", "0.5", ("1", "100000", "kg"), "trade", 2),
    ("electricity-meter", "10 kV 总进线关口电能表", "江苏林洋", "DTZ71", "0.5S", ("0", "1.5", "A"), "trade", 1),
    ("electricity-meter", "车间分表", "威胜集团", "DTZY341", "1", ("0", "60", "A"), "trade", 2),
    ("flow-meter", "天然气总表（涡轮流量计）", "天信仪表", "TBQZ-100", "1.5", ("10", "400", "m³/h"), "trade", 1),
    ("water-meter-large", "自来水总表 DN100", "宁波水表", "LXLC-100", "2", ("0", "100", "m³/h"), "trade", 1),
    ("pressure-gauge-safety", "高炉煤气管网压力表", "上海自动化仪表", "Y-150", "1.6", ("0", "1.6", "MPa"), "safety", 4),
    ("gas-detector", "一氧化碳报警仪", "汉威科技", "BS01II", "", ("0", "1000", "µmol/mol"), "safety", 3),
]


def _steel_works_instruments(rng, categories, owner, county: Region, serial_from: int) -> int:
    """The demo enterprise's instruments in service, installed one to six years ago."""
    rows = []
    for category_code, use, maker, model, klass, (lo, hi, unit), usage, count in STEEL_WORKS:
        category = categories.get(category_code)
        if category is None:  # a catalogue edited without this category: leave it out
            continue
        for _ in range(count):
            inst = m.Instrument(
                owner=owner, category=category, manufacturer=maker, model=model,
                serial_number=f"{serial_from + len(rows):09d}", accuracy_class=klass, range_min=Decimal(lo),
                range_max=Decimal(hi), range_unit=unit, usage=usage, region=county, address=owner.address,
                installation_date=TODAY - dt.timedelta(days=rng.randint(365, 6 * 365)), status="in_service",
                description=use)
            inst.mandatory = category.is_mandatory_for(usage)
            rows.append(inst)
    m.Instrument.objects.bulk_create(rows)
    return len(rows)


def build(ctx: dict, rng, scale: int, progress) -> None:
    regions = {r.code: r for r in Region.objects.filter(is_current=True).select_related("parent")}
    province = regions["320000"]
    cities = sorted((r for r in regions.values() if r.level == "prefecture"), key=lambda r: r.code)
    counties = sorted((r for r in regions.values() if r.is_county_level), key=lambda r: r.code)
    counties_by_city: dict[str, list[Region]] = {}
    for c in counties:
        counties_by_city.setdefault(c.parent_id, []).append(c)
    categories = {c.code: c for c in m.InstrumentCategory.objects.all()}
    designations = {d.code: d for d in m.Designation.objects.all()}

    orgs: list[m.Organisation] = []

    def org(name, kind, region, prefix, **extra):
        o = m.Organisation(name=name, uscc=uscc(rng, prefix, region.code), kind=kind, region=region,
                           address=_address(rng, region), contact_name=_name(rng),
                           contact_phone=phone(rng, region.code),
                           **extra)
        orgs.append(o)
        return o

    bureau_p = org("江苏省市场监督管理局", "bureau", province, "11")
    inst_p = org("江苏省计量科学研究院", "institute", province, "12", contact_email="jsmi@example.cn")
    city_bureaus, city_institutes, utilities = {}, {}, {}
    for city in cities:
        short = city.name.removesuffix("市")
        city_bureaus[city.code] = org(f"{city.name}市场监督管理局", "bureau", city, "11")
        city_institutes[city.code] = org(f"{short}市计量测试技术研究所", "institute", city, "12",
                                         contact_email=f"jl{city.code}@example.cn")
        utilities[city.code] = {
            "water": org(f"{short}市自来水有限公司", "utility", city, "91"),
            "gas": org(f"{short}港华燃气有限公司", "utility", city, "91"),
            "power": org(f"国网江苏省电力有限公司{short}供电分公司", "utility", city, "91"),
        }
    county_bureaus = {c.code: org(f"{regions[c.parent_id].name}{c.name}市场监督管理局", "bureau", c, "11")
                      for c in counties}
    # Owners per county: markets, hospitals, fuel stations and enterprises, more with larger scales.
    per_county = max(1, scale // 400)
    owners: dict[str, dict[str, list[m.Organisation]]] = {}
    used: set[str] = set()
    for c in counties:
        o = owners.setdefault(c.code, {"market": [], "hospital": [], "fuel_station": [], "enterprise": []})
        # district names repeat across cities (鼓楼区 in Nanjing and Xuzhou): name them with their city
        place = f"{regions[c.parent_id].name}{c.name}" if c.level == "district" else c.name
        for i in range(per_county):
            market = unique_name(rng, used, lambda r, p=place: f"{p}{r.choice(TOWNS)}{_trade_name(r)}农贸市场")
            station = unique_name(rng, used, lambda r, p=place: f"中国石化{p}{r.choice(TOWNS)}{_trade_name(r)}加油站")
            hospital = f"{place}人民医院" if i == 0 else unique_name(
                rng, used, lambda r, p=place: f"{p}{r.choice(TOWNS)}{_trade_name(r)}社区卫生服务中心")
            if c.code == DEMO_ENTERPRISE_REGION and i == 0:
                name = DEMO_ENTERPRISE_NAME  # the demo enterprise's login: a steel works with energy metering
            else:
                name = unique_name(rng, used, lambda r, p=place: f"{p}{_trade_name(r)}{r.choice(INDUSTRIES)}有限公司")
            o["market"].append(org(market, "market", c, "91"))
            o["fuel_station"].append(org(station, "fuel_station", c, "91"))
            o["hospital"].append(org(hospital, "hospital", c, "12"))
            o["enterprise"].append(org(name, "enterprise", c, "91"))
    # USCCs must be unique; regenerate the rare collision.
    seen = set()
    for o in orgs:
        while o.uscc in seen:
            o.uscc = uscc(rng, o.uscc[:2], o.region_id)
        seen.add(o.uscc)
    progress(0, len(orgs))
    m.Organisation.objects.bulk_create(orgs, batch_size=2000)
    progress(len(orgs), len(orgs))
    inst_p.designations.add(designations["provincial-metrology-centre"], designations["public-service-platform"],
                            designations["international-mutual-recognition"],
                            designations["national-industrial-test-centre"], designations["brand-laboratory"],
                            designations["national-type-evaluation-lab"])
    for n, city in enumerate(cities):  # the plan's indicators 5 and 6 count these (kpi)
        held = ["public-service-platform"] if n < 4 else []
        held += ["provincial-metrology-centre"] if n < 9 else []
        held += ["national-industrial-test-centre", "national-type-evaluation-lab"] if n < 2 else []
        held += ["international-mutual-recognition"] if n < 3 else []
        city_institutes[city.code].designations.add(*[designations[c] for c in held])
    key_energy = [o for c in counties for o in owners[c.code]["enterprise"][:1]]
    key_energy = key_energy[: max(20, len(key_energy) // 3)]
    demo_enterprise = owners[DEMO_ENTERPRISE_REGION]["enterprise"][0]
    if demo_enterprise not in key_energy:
        key_energy.insert(0, demo_enterprise)
    for o in key_energy:
        o.designations.add(designations["key-energy-consumer"])
        o.mms_status, o.mms_certificate = "certified", f"MMS-{o.uscc[-6:]}"
        o.mms_valid_until = TODAY + dt.timedelta(days=rng.randint(30, 1000))
    m.Organisation.objects.bulk_update(key_energy, ["mms_status", "mms_certificate", "mms_valid_until"])

    # Measurement standards and people of the institutes.
    standards, people = [], []

    def add_standards(inst, table, prefix):
        for i, (name, domain, param, rng_, u, unit, k, level) in enumerate(table):
            valid_from = TODAY - dt.timedelta(days=rng.randint(100, 1400))
            # Most certificates are valid for four years; a few lapse so supervision has work to do.
            valid_until = valid_from + dt.timedelta(days=4 * 365) if rng.random() > 0.08 else TODAY - dt.timedelta(days=rng.randint(1, 60))
            standards.append(m.MeasurementStandard(
                institute=inst, name=name, domain=domain, parameter=param, range_min=Decimal(rng_[0]),
                range_max=Decimal(rng_[1]), range_unit=rng_[2], uncertainty=Decimal(u), uncertainty_unit=unit,
                coverage_factor=Decimal(k), level=level, certificate_no=f"[{rng.randint(2018, 2026)}]{prefix}{i + 1:03d}号",
                valid_from=valid_from, valid_until=valid_until,
                # built between 2008 and the current certificate; renewals every four years keep this date
                first_assessed_on=min(valid_from, dt.date(2008, 1, 1) + dt.timedelta(days=rng.randint(0, 16 * 365))),
                rating=rng.choice(["", "domestic_advanced", "domestic_advanced", "international_advanced"])
                if level == "provincial_highest" else "",
            ))

    add_standards(inst_p, PROVINCIAL_STANDARDS, "苏量标企证字")
    for code, inst in city_institutes.items():
        add_standards(inst, CITY_STANDARDS, f"苏{code[2:4]}量标证字")
    m.MeasurementStandard.objects.bulk_create(standards)

    regulations = ["JJG 539", "JJG 443", "JJG 162", "JJG 577", "JJG 596", "JJG 270", "JJG 1162", "JJG 517", "JJG 52"]
    for inst in [inst_p, *city_institutes.values()]:
        for i in range(6 if inst is inst_p else 4):
            certified = i < 5
            people.append(m.Person(
                name=_name(rng), organisation=inst, position=["检定员", "核验员", "批准人", "技术负责人", "检定员", "业务员"][i],
                phone=f"139{rng.randint(10000000, 99999999)}",
                metrologist_certificate=f"JL{rng.randint(2015, 2025)}{rng.randint(100000, 999999)}" if certified else "",
                metrologist_level=("1" if i == 2 else "2") if certified else "",
                qualified_items="\n".join(rng.sample(regulations, 5)) if certified else "",
                certificate_valid_from=TODAY - dt.timedelta(days=rng.randint(200, 1500)) if certified else None,
                certificate_valid_until=TODAY + dt.timedelta(days=rng.randint(60, 1500)) if certified else None,
            ))
    m.Person.objects.bulk_create(people)

    rms = []
    for i, (name, prop, value, u, unit) in enumerate([
        ("pH标准缓冲溶液", "pH值", "6.864", "0.010", "pH"), ("甲烷中氧气气体标准物质", "氧摩尔分数", "20.9", "0.2", "%"),
        ("乙醇水溶液标准物质", "乙醇质量浓度", "0.800", "0.008", "mg/mL"), ("电导率标准溶液", "电导率", "1408", "7", "µS/cm"),
        ("煤中全硫成分分析标准物质", "全硫含量", "1.12", "0.03", "%"),
    ]):
        for holder in (inst_p, *list(city_institutes.values())[:3]):
            rms.append(m.ReferenceMaterial(
                gbw_number=f"GBW(E){130000 + i * 37:06d}", grade="secondary", name=name, property=prop,
                certified_value=Decimal(value), uncertainty=Decimal(u), coverage_factor=Decimal(2), unit=unit,
                producer="中国计量科学研究院" if i % 2 else "江苏省计量科学研究院", holder=holder, lot=f"{2025}{i:02d}",
                expiry_date=TODAY + dt.timedelta(days=rng.randint(-30, 700)),
            ))
    m.ReferenceMaterial.objects.bulk_create(rms)

    # Instruments.
    weights = [mix[1] for mix in INSTRUMENT_MIX]
    total = max(scale - sum(row[-1] for row in STEEL_WORKS), 0)  # the steel works' own count towards the scale
    batch: list[m.Instrument] = []
    made = 0
    progress(0, total)
    serial_base = rng.randint(10_000_000, 20_000_000)
    county_list = counties
    for n in range(total):
        cat_code, _, kinds, usage, pool, klass, (lo, hi, unit) = rng.choices(INSTRUMENT_MIX, weights)[0]
        county = rng.choice(county_list)
        kind = kinds[0]
        if kind in ("water", "gas", "power"):
            owner = utilities[county.parent_id][kind]
        else:
            owner = rng.choice(owners[county.code][kind])
        maker, model = rng.choice(pool)
        category = categories[cat_code]
        installed = TODAY - dt.timedelta(days=rng.randint(10, 3000))
        r = rng.random()
        status = "in_service" if r < 0.86 else "registered" if r < 0.93 else "suspended" if r < 0.97 else "retired"
        inst = m.Instrument(
            owner=owner, category=category, manufacturer=maker, model=model, serial_number=f"{serial_base + n:09d}",
            pattern_approval_no=f"{rng.randint(2015, 2025)}F{rng.randint(100, 999)}-32",
            accuracy_class=klass, range_min=Decimal(lo), range_max=Decimal(hi), range_unit=unit, usage=usage,
            region=county, address=_address(rng, county), installation_date=installed, status=status,
            status_reason="" if status in ("in_service", "registered") else rng.choice(
                ["检定不合格，待维修", "停业整改", "到期轮换拆除", "损坏报废"]),
            status_date=None if status in ("in_service", "registered")
            else min(installed + dt.timedelta(days=rng.randint(1, 300)), TODAY),
        )
        inst.mandatory = category.is_mandatory_for(usage)
        batch.append(inst)
        if len(batch) >= 5000:
            m.Instrument.objects.bulk_create(batch)
            made += len(batch)
            batch.clear()
            progress(made, total)
    if batch:
        m.Instrument.objects.bulk_create(batch)
        made += len(batch)
    progress(made, total)
    made += _steel_works_instruments(rng, categories, owners[DEMO_ENTERPRISE_REGION]["enterprise"][0],
                                     regions[DEMO_ENTERPRISE_REGION], serial_base + total)

    # Demo users, one per role.
    User = get_user_model()
    kunshan = regions["320583"]
    suzhou = regions["320500"]
    enterprise = owners[kunshan.code]["enterprise"][0]
    demo_users = [
        ("demo-admin", "系统管理员", "", None, None, True),
        ("demo-province", "省局计量处", Role.PROVINCIAL_BUREAU, province, bureau_p, False),
        ("demo-suzhou", "苏州市局", Role.CITY_BUREAU, suzhou, city_bureaus[suzhou.code], False),
        ("demo-kunshan", "昆山市局", Role.COUNTY_BUREAU, kunshan, county_bureaus[kunshan.code], False),
        ("demo-institute", "省计量院 检定员", Role.INSTITUTE, province, inst_p, False),
        ("demo-checker", "省计量院 核验员", Role.INSTITUTE, province, inst_p, False),
        ("demo-approver", "省计量院 批准人", Role.INSTITUTE, province, inst_p, False),
        ("demo-enterprise", enterprise.name, Role.ENTERPRISE, kunshan, enterprise, False),
    ]
    for username, full_name, role, region, organisation, superuser in demo_users:
        u = User(username=username, full_name=full_name, role=role, region=region, organisation=organisation,
                 is_superuser=superuser, is_staff=superuser)
        u.set_password(DEMO_PASSWORD)
        u.save()
    # The institute's technician, checker and approver each sign from their own account (JJF 1069-2012 6.3).
    inst_people = [p for p in people if p.organisation_id == inst_p.pk]
    for p, username in zip(inst_people[:3], ["demo-institute", "demo-checker", "demo-approver"], strict=False):
        p.user = User.objects.get(username=username)
        p.save(update_fields=["user"])
    ctx.update(province=province, institute=inst_p, city_institutes=city_institutes, owners=owners,
               utilities=utilities, people=people, standards=standards)

    audit.record(None, "action", object_type="registry.demo", object_id="demo", object_repr="demo province",
                 message=f"demo province built: {len(orgs)} organisations, {len(standards)} standards, "
                         f"{len(people)} people, {len(rms)} reference materials, {made} instruments")
