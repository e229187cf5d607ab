"""The demo world's regions with their key figures (rounded) and location strengths."""

from decimal import Decimal

from partnerhub.core.i18n import i18n
from partnerhub.regions.models import Region


def _region(slug, *, name, native, kind, country, parent=None, **figures) -> Region:
    region = Region(slug=slug, name=name, native_name=native, kind=kind, country=country, parent=parent)
    for key, value in figures.items():
        setattr(region, key, value)
    region.full_clean(exclude=["strength_sectors"])
    region.save()
    return region


def load_regions() -> dict[str, Region]:
    K = Region.Kind
    de = _region(
        "germany",
        name=i18n(de="Deutschland", en="Germany", zh_hans="德国"),
        native="Deutschland",
        kind=K.COUNTRY,
        country="DE",
        population=83_500_000,
        area_km2=Decimal("357596"),
    )
    rlp = _region(
        "rhineland-palatinate",
        name=i18n(de="Rheinland-Pfalz", en="Rhineland-Palatinate", zh_hans="莱茵兰-普法尔茨州"),
        native="Rheinland-Pfalz",
        kind=K.STATE,
        country="DE",
        parent=de,
        population=4_160_000,
        population_year=2023,
        area_km2=Decimal("19858"),
        latitude=Decimal("49.9"),
        longitude=Decimal("7.45"),
    )
    klr = _region(
        "kaiserslautern-economic-region",
        name=i18n(
            de="Wirtschaftsregion Kaiserslautern",
            en="Kaiserslautern economic region",
            zh_hans="凯泽斯劳滕经济区",
        ),
        native="Wirtschaftsregion Kaiserslautern",
        kind=K.ECONOMIC_AREA,
        country="DE",
        parent=rlp,
        population=207_000,
        population_year=2023,
        area_km2=Decimal("779.6"),
        latitude=Decimal("49.4447"),
        longitude=Decimal("7.7690"),
        description=i18n(
            de="Die Stadt Kaiserslautern und der sie umgebende Landkreis bilden gemeinsam eine Wirtschaftsregion "
            "im Westen der Pfalz, mit einer Technischen Universität, Forschungsinstituten für Informatik, "
            "Mathematik und Werkstoffe und einem starken industriellen Mittelstand.",
            en="The city of Kaiserslautern and the surrounding district form one economic region in the west of "
            "the Palatinate, with a technical university, research institutes for computer science, "
            "mathematics and materials, and strong industrial SMEs.",
            zh_hans="凯泽斯劳滕市及其周边县共同构成普法尔茨西部的经济区，拥有一所工业大学、计算机科学、数学和材料领域的研究机构以及实力雄厚的工业中小企业。",
        ),
        strengths=i18n(
            de="Software und künstliche Intelligenz, Simulation und angewandte Mathematik, Nutzfahrzeuge und "
            "Automobilzulieferung, Faserverbundwerkstoffe, Maschinenbau.",
            en="Software and artificial intelligence, simulation and applied mathematics, commercial vehicles "
            "and automotive supply, fibre-reinforced composites, mechanical engineering.",
            zh_hans="软件与人工智能、仿真与应用数学、商用车及汽车零部件、纤维复合材料、机械制造。",
        ),
    )
    kl = _region(
        "kaiserslautern",
        name=i18n(de="Kaiserslautern", en="Kaiserslautern", zh_hans="凯泽斯劳滕市"),
        native="Kaiserslautern",
        kind=K.CITY,
        country="DE",
        parent=klr,
        population=101_000,
        population_year=2023,
        area_km2=Decimal("139.7"),
        latitude=Decimal("49.4447"),
        longitude=Decimal("7.7690"),
    )
    kld = _region(
        "kaiserslautern-district",
        name=i18n(de="Landkreis Kaiserslautern", en="District of Kaiserslautern", zh_hans="凯泽斯劳滕县"),
        native="Landkreis Kaiserslautern",
        kind=K.DISTRICT,
        country="DE",
        parent=klr,
        population=106_000,
        population_year=2023,
        area_km2=Decimal("639.9"),
        latitude=Decimal("49.45"),
        longitude=Decimal("7.62"),
    )
    cn = _region(
        "china",
        name=i18n(de="China", en="China", zh_hans="中国"),
        native="中国",
        kind=K.COUNTRY,
        country="CN",
        population=1_409_000_000,
        area_km2=Decimal("9600000"),
    )
    yrd = _region(
        "yangtze-river-delta",
        name=i18n(de="Jangtse-Delta", en="Yangtze River Delta", zh_hans="长三角"),
        native="长江三角洲",
        kind=K.ECONOMIC_AREA,
        country="CN",
        parent=cn,
        population=237_000_000,
        area_km2=Decimal("358000"),
    )
    js = _region(
        "jiangsu",
        name=i18n(de="Provinz Jiangsu", en="Jiangsu Province", zh_hans="江苏省"),
        native="江苏省",
        kind=K.STATE,
        country="CN",
        parent=yrd,
        population=85_300_000,
        population_year=2023,
        area_km2=Decimal("107200"),
    )
    yz = _region(
        "yangzhou",
        name=i18n(de="Yangzhou", en="Yangzhou", zh_hans="扬州市"),
        native="扬州市",
        kind=K.PREFECTURE_CITY,
        country="CN",
        parent=js,
        population=4_580_000,
        population_year=2023,
        area_km2=Decimal("6591"),
        latitude=Decimal("32.3942"),
        longitude=Decimal("119.4129"),
        description=i18n(
            de="Yangzhou liegt in der Provinz Jiangsu im Jangtse-Delta, zwischen Nanjing und Shanghai, am "
            "Kaiserkanal. Die bezirksfreie Stadt hat rund 4,5 Millionen Einwohner.",
            en="Yangzhou lies in Jiangsu Province in the Yangtze River Delta, between Nanjing and Shanghai, on the "
            "Grand Canal. The prefecture-level city has about 4.5 million inhabitants.",
            zh_hans="扬州位于长江三角洲的江苏省，地处南京与上海之间，坐落在京杭大运河畔，常住人口约450万。",
        ),
        strengths=i18n(
            de="Automobil und Zulieferer, Schiffbau und Schiffsausrüstung, LED und Beleuchtung, Zahnbürsten und "
            "Körperpflege, Lebensmittel, Tourismus und Kultur, neue Energien, Halbleiter.",
            en="Automotive and suppliers, shipbuilding and marine equipment, LED and lighting, toothbrushes and "
            "personal care, food, tourism and culture, new energy, semiconductors.",
            zh_hans="汽车及零部件、船舶与海工装备、LED与照明、牙刷及日化、食品、文化旅游、新能源、半导体。",
        ),
    )
    nj = _region(
        "nanjing",
        name=i18n(de="Nanjing", en="Nanjing", zh_hans="南京市"),
        native="南京市",
        kind=K.PREFECTURE_CITY,
        country="CN",
        parent=js,
        population=9_550_000,
        population_year=2023,
        area_km2=Decimal("6587"),
        latitude=Decimal("32.0603"),
        longitude=Decimal("118.7969"),
    )
    sh = _region(
        "shanghai",
        name=i18n(de="Shanghai", en="Shanghai", zh_hans="上海市"),
        native="上海市",
        kind=K.MUNICIPALITY,
        country="CN",
        parent=yrd,
        population=24_870_000,
        population_year=2023,
        area_km2=Decimal("6341"),
        latitude=Decimal("31.2304"),
        longitude=Decimal("121.4737"),
    )
    klr.strength_sectors.set(["62.01", "72.19", "29.32", "22.29", "28.41"])
    yz.strength_sectors.set(["29.32", "30.11", "27.40", "32.91", "20.42"])
    return {r.slug: r for r in (de, rlp, klr, kl, kld, cn, yrd, js, yz, nj, sh)}
