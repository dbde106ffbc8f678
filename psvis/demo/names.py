"""Names for the synthetic Nanchang dataset: who owns which places, and what they are called.

Pure data and pure functions of a :class:`random.Random`; nothing here touches the
database. :func:`catalogue` returns the owners (units) with their sites, each site with its
Art. 8 / Art. 9 category and district. Real public institutions (schools, hospitals,
stations) are named as a city's register would name them; shops, companies, hotels and
residential compounds are invented.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from psvis.registry.enums import SiteCategory, UnitKind

C = SiteCategory
GOV, NONGOV = UnitKind.GOVERNMENT, UnitKind.NON_GOVERNMENT

# GB 32100 registering authority + kind (characters 1-2 of a unified social credit code).
ORGAN, INSTITUTION, COMPANY, SOLE_TRADER = "11", "12", "91", "92"

DONGHU, XIHU, QINGYUNPU, QINGSHANHU = "360102", "360103", "360104", "360111"
XINJIAN, HONGGUTAN, NC_COUNTY, ANYI, JINXIAN = "360112", "360113", "360121", "360123", "360124"
URBAN = (DONGHU, XIHU, QINGYUNPU, QINGSHANHU, HONGGUTAN, XINJIAN)
ALL_DISTRICTS = (*URBAN, NC_COUNTY, ANYI, JINXIAN)
#: Where an unplaced site lands: the old town is densest, the counties lightest.
DISTRICT_WEIGHTS = {
    DONGHU: 5,
    XIHU: 5,
    QINGYUNPU: 3,
    QINGSHANHU: 4,
    HONGGUTAN: 5,
    XINJIAN: 3,
    NC_COUNTY: 3,
    ANYI: 1,
    JINXIAN: 1,
}

ROADS: dict[str, tuple[str, ...]] = {
    DONGHU: ("八一大道", "阳明路", "中山路", "胜利路", "叠山路", "孺子路", "象山北路", "豫章路"),
    XIHU: ("井冈山大道", "南浦路", "朝阳中路", "桃花路", "抚河北路", "系马桩街", "船山路"),
    QINGYUNPU: ("迎宾北大道", "洪都中大道", "站前路", "三店西路", "青云谱路", "施尧路"),
    QINGSHANHU: ("北京东路", "上海路", "南京东路", "湖滨东路", "昌东大道", "高新大道"),
    XINJIAN: ("长堎大道", "子实路", "望城大道", "新建大道", "工业大道", "礼步湖路"),
    HONGGUTAN: ("红谷中大道", "赣江中大道", "丰和中大道", "会展路", "世贸路", "九龙大道"),
    NC_COUNTY: ("澄湖北大道", "小蓝大道", "莲塘北大道", "向塘大道", "富山大道", "银湖路"),
    ANYI: ("龙津大道", "凤山路", "文峰路", "安义大道", "东阳大道"),
    JINXIAN: ("胜利路", "民和大道", "云桥路", "进贤大道", "温圳路"),
}
STREETS: dict[str, tuple[str, ...]] = {
    DONGHU: ("公园", "百花洲", "董家窑", "大院"),
    XIHU: ("朝农", "南浦", "系马桩"),
    QINGYUNPU: ("洪都", "三家店"),
    QINGSHANHU: ("湖坊", "上海路"),
    HONGGUTAN: ("沙井", "卫东"),
}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭罗熊万邓涂龚喻"
GIVEN = _words(
    "伟 芳 建国 晓明 丽 志强 海燕 军 敏 建华 小红 俊 "
    "文斌 婷 国平 思远 红梅 鹏 晨 佳 德胜 秀英 磊 雪"
)
PLACE_WORDS = _words(
    "阳光 锦江 香溢 金域 御景 湖滨 滨江 世纪 象湖 青山 "
    "翠苑 丽景 新都 半山 中央 红谷 瑶湖 艾溪 梅岭 碧桂 "
    "江景 文华 东方 恒茂 洪都 豫章 天骄 紫金 凤凰 海棠"
)
COMPOUND_SUFFIXES = ("花园", "小区", "雅苑", "新村", "家园", "名都", "华府", "公馆", "城")
SHOP_WORDS = _words(
    "星际 极速 天翼 蓝海 佳和 福来 众诚 宏达 鑫源 康乐 "
    "安泰 恒丰 新时代 万家 友好 金鼎 隆昌 百合 华晨 博远"
)

MAINTENANCE_COMPANIES = (
    "江西赣安安防工程有限公司",
    "南昌洪城智能科技有限公司",
    "江西天视讯技术有限公司",
    "南昌恒安电子工程有限公司",
    "江西中安智控科技有限公司",
    "南昌瑞视安防系统有限公司",
    "江西豫章信息工程有限公司",
    "南昌昌安监控技术服务有限公司",
    "江西鄱湖智能系统集成有限公司",
    "南昌卫安科技有限公司",
    "江西联防数字技术有限公司",
    "南昌红谷安防服务有限公司",
)
#: The unit whose staff get the demo's unit_admin / unit_operator logins.
DEMO_UNIT = "江西银行股份有限公司南昌分行"
#: The maintenance company whose staff get the demo's maintainer login (Art. 16).
DEMO_MAINTAINER = MAINTENANCE_COMPANIES[0]


@dataclass(frozen=True, slots=True)
class SiteSpec:
    name: str
    category: SiteCategory
    district: str
    #: Inclusive range of cameras the site's main system has.
    cameras: tuple[int, int] = (4, 8)


@dataclass(slots=True)
class OwnerSpec:
    """A unit (单位) and the sites it answers for."""

    name: str
    kind: UnitKind
    authority: str
    district: str
    sites: list[SiteSpec] = field(default_factory=list)


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def police_unit(district: str, district_name: str) -> str:
    """The county-level bureau of a district: 东湖分局, 南昌县公安局."""
    if district_name.endswith("县"):
        return f"{district_name}公安局"
    return f"{district_name.removesuffix('区')}分局"


class _Builder:
    """Collects owners; ``place`` draws a district, ``unique`` a fresh place word."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.owners: list[OwnerSpec] = []
        self._used: set[str] = set()

    def owner(
        self, name: str, kind: UnitKind, authority: str, district: str | None = None
    ) -> OwnerSpec:
        spec = OwnerSpec(name, kind, authority, district or self.place())
        self.owners.append(spec)
        return spec

    def place(self, choices: tuple[str, ...] = ALL_DISTRICTS) -> str:
        return self.rng.choices(choices, weights=[DISTRICT_WEIGHTS[d] for d in choices])[0]

    def unique(
        self, make: str, pool: tuple[str, ...] = PLACE_WORDS, *, bare_first: bool = False
    ) -> str:
        """``make`` with ``{w}`` replaced by a word that gives a name not used before
        (first by nothing at all when ``bare_first``)."""
        for attempt in range(200):
            word = self.rng.choice(pool) + self.rng.choice(("", "", "新", "东"))
            name = make.format(w="" if bare_first and attempt == 0 else word)
            if name not in self._used:
                self._used.add(name)
                return name
        raise RuntimeError(f"ran out of names for {make!r}")

    def road(self, district: str) -> str:
        return self.rng.choice(ROADS[district])


def _state_organs(b: _Builder, names: dict[str, str]) -> None:
    city = b.owner("南昌市人民政府", GOV, ORGAN, HONGGUTAN)
    city.sites.append(SiteSpec("南昌市人民政府办公大楼", C.ART8_1, HONGGUTAN, (6, 10)))
    for code in ALL_DISTRICTS:
        gov = b.owner(f"南昌市{names[code]}人民政府", GOV, ORGAN, code)
        gov.sites.append(SiteSpec(f"{names[code]}人民政府机关大院", C.ART8_1, code, (4, 8)))
    for code, streets in STREETS.items():
        for street in streets[:1] if code in (QINGYUNPU, QINGSHANHU) else streets[:2]:
            office = b.owner(f"南昌市{names[code]}{street}街道办事处", GOV, ORGAN, code)
            office.sites.append(SiteSpec(f"{street}街道办事处", C.ART8_1, code, (3, 5)))
    for unit, site, code in (
        ("江西日报社", "江西日报社新闻大楼", DONGHU),
        ("南昌日报社", "南昌日报社办公楼", XIHU),
        ("南昌广播电视台", "南昌广播电视台演播中心", HONGGUTAN),
        ("江西广播电视台", "江西广播电视台发射塔及机房", DONGHU),
    ):
        b.owner(unit, GOV, INSTITUTION, code).sites.append(SiteSpec(site, C.ART8_1, code, (5, 9)))


METRO_STATIONS = (
    ("地铁1号线双港站", XINJIAN),
    ("地铁1号线八一馆站", DONGHU),
    ("地铁1号线八一广场站", DONGHU),
    ("地铁1号线万寿宫站", XIHU),
    ("地铁1号线滕王阁站", XIHU),
    ("地铁1号线秋水广场站", HONGGUTAN),
    ("地铁1号线地铁大厦站", HONGGUTAN),
    ("地铁1号线青山路口站", QINGSHANHU),
    ("地铁1号线瑶湖西站", QINGSHANHU),
    ("地铁2号线南昌西站站", HONGGUTAN),
    ("地铁2号线师大南路站", QINGSHANHU),
    ("地铁2号线永叔路站", XIHU),
    ("地铁2号线辛家庵站", QINGSHANHU),
    ("地铁3号线绳金塔站", XIHU),
    ("地铁3号线京东大道站", QINGSHANHU),
    ("地铁4号线白马山站", XINJIAN),
)


def _transport(b: _Builder) -> None:
    metro = b.owner("南昌轨道交通集团有限公司运营分公司", NONGOV, COMPANY, HONGGUTAN)
    metro.sites += [SiteSpec(n, C.ART8_2, d, (6, 12)) for n, d in METRO_STATIONS]
    rail = b.owner("中国铁路南昌局集团有限公司南昌站", NONGOV, COMPANY, XIHU)
    rail.sites += [
        SiteSpec("南昌站", C.ART8_2, XIHU, (10, 16)),
        SiteSpec("南昌西站", C.ART8_2, HONGGUTAN, (10, 16)),
        SiteSpec("向塘站", C.ART8_2, NC_COUNTY, (5, 8)),
    ]
    air = b.owner("江西省机场集团有限公司南昌昌北国际机场", NONGOV, COMPANY, XINJIAN)
    air.sites += [
        SiteSpec("南昌昌北国际机场T2航站楼", C.ART8_2, XINJIAN, (12, 16)),
        SiteSpec("南昌昌北国际机场停车楼", C.ART8_2, XINJIAN, (5, 8)),
    ]
    coach = b.owner("南昌长运股份有限公司", NONGOV, COMPANY, XIHU)
    coach.sites += [
        SiteSpec("徐坊客运站", C.ART8_2, QINGYUNPU, (6, 10)),
        SiteSpec("青山客运站", C.ART8_2, QINGSHANHU, (5, 8)),
        SiteSpec("南昌长途汽车站", C.ART8_2, XIHU, (6, 10)),
    ]
    works = b.owner("南昌市政公用集团有限公司", NONGOV, COMPANY, DONGHU)
    works.sites += [
        SiteSpec("八一大桥", C.ART8_2, DONGHU, (4, 6)),
        SiteSpec("南昌大桥", C.ART8_2, XIHU, (4, 6)),
        SiteSpec("朝阳大桥", C.ART8_2, XIHU, (4, 6)),
        SiteSpec("英雄大桥", C.ART8_2, QINGSHANHU, (4, 6)),
        SiteSpec("红谷隧道", C.ART8_2, HONGGUTAN, (6, 10)),
        SiteSpec("八一广场地下通道", C.ART8_2, DONGHU, (3, 5)),
    ]
    bus = b.owner("南昌市公共交通总公司", NONGOV, COMPANY, DONGHU)
    for code in (QINGSHANHU, XIHU, HONGGUTAN, QINGYUNPU, NC_COUNTY):
        bus.sites.append(SiteSpec(b.unique("{w}公交停车场"), C.ART8_2, code, (3, 6)))
    port = b.owner("江西省港口集团南昌港务有限公司", NONGOV, COMPANY, QINGSHANHU)
    port.sites.append(SiteSpec("南昌港龙头岗码头", C.ART8_2, QINGSHANHU, (5, 8)))
    toll = b.owner("江西省高速公路投资集团南昌管理中心", NONGOV, COMPANY, NC_COUNTY)
    for name, code in (
        ("南昌北收费站", XINJIAN),
        ("南昌南收费站", NC_COUNTY),
        ("安义收费站", ANYI),
        ("进贤收费站", JINXIAN),
    ):
        toll.sites.append(SiteSpec(name, C.ART8_2, code, (3, 6)))


def _utilities(b: _Builder) -> None:
    water = b.owner("南昌水业集团有限责任公司", NONGOV, COMPANY, DONGHU)
    for name, code in (
        ("青云水厂", QINGYUNPU),
        ("朝阳水厂", XIHU),
        ("双港水厂", HONGGUTAN),
        ("长堎水厂", XINJIAN),
        ("红角洲水厂", HONGGUTAN),
    ):
        water.sites.append(SiteSpec(f"{name}（自来水厂）", C.ART8_3, code, (5, 8)))
    power = b.owner("国网江西省电力有限公司南昌供电分公司", NONGOV, COMPANY, DONGHU)
    for _ in range(6):
        code = b.place()
        power.sites.append(SiteSpec(b.unique("110千伏{w}变电站"), C.ART8_3, code, (3, 5)))
    for unit, count, home in (
        ("中国石化销售股份有限公司江西南昌石油分公司", 8, DONGHU),
        ("中国石油天然气股份有限公司江西南昌销售分公司", 4, QINGSHANHU),
    ):
        brand = unit[:4]
        oil = b.owner(unit, NONGOV, COMPANY, home)
        for _ in range(count):
            code = b.place()
            name = b.unique(brand + b.road(code) + "{w}加油站", bare_first=True)
            oil.sites.append(SiteSpec(name, C.ART8_3, code, (3, 5)))
    gas = b.owner("南昌市燃气集团有限公司", NONGOV, COMPANY, QINGSHANHU)
    gas.sites += [
        SiteSpec("南昌燃气蛟桥门站", C.ART8_3, XINJIAN, (4, 6)),
        SiteSpec("南昌燃气小蓝门站", C.ART8_3, NC_COUNTY, (4, 6)),
    ]


BANKS = (
    (DEMO_UNIT, "江西银行", 8),
    ("中国工商银行股份有限公司南昌分行", "中国工商银行", 5),
    ("中国建设银行股份有限公司南昌分行", "中国建设银行", 5),
    ("中国农业银行股份有限公司南昌分行", "中国农业银行", 4),
    ("中国银行股份有限公司南昌分行", "中国银行", 4),
    ("南昌农村商业银行股份有限公司", "南昌农商银行", 5),
    ("九江银行股份有限公司南昌分行", "九江银行", 3),
)


def _finance_and_telecom(b: _Builder) -> None:
    for unit, brand, count in BANKS:
        bank = b.owner(unit, NONGOV, COMPANY, DONGHU)
        for _ in range(count):
            code = b.place()
            name = b.unique(f"{brand}南昌{b.road(code)}{{w}}支行", bare_first=True)
            bank.sites.append(SiteSpec(name, C.ART8_4, code, (5, 9)))
    post = b.owner("中国邮政集团有限公司南昌市分公司", NONGOV, COMPANY, DONGHU)
    for _ in range(6):
        code = b.place()
        post.sites.append(SiteSpec(b.unique("南昌{w}邮政支局"), C.ART8_4, code, (3, 5)))
    post.sites.append(SiteSpec("南昌邮区中心局", C.ART8_4, QINGSHANHU, (6, 10)))
    for unit, brand, count, home in (
        ("中国移动通信集团江西有限公司南昌分公司", "中国移动", 4, HONGGUTAN),
        ("中国电信股份有限公司南昌分公司", "中国电信", 3, DONGHU),
        ("中国联合网络通信有限公司南昌市分公司", "中国联通", 2, XIHU),
    ):
        telco = b.owner(unit, NONGOV, COMPANY, home)
        telco.sites.append(SiteSpec(f"{brand}南昌枢纽机房", C.ART8_4, home, (4, 7)))
        for _ in range(count - 1):
            code = b.place()
            name = b.unique(f"{brand}{b.road(code)}{{w}}营业厅", bare_first=True)
            telco.sites.append(SiteSpec(name, C.ART8_4, code, (2, 4)))


SCHOOL_NUMBERS = _words(
    "一 二 三 五 八 十 十二 十五 十七 十九 二十三 二十六 二十八 三十 三十七 四十"
)
UNIVERSITIES = (
    ("南昌大学", (("前湖校区", HONGGUTAN), ("青山湖校区", QINGSHANHU))),
    ("江西师范大学", (("瑶湖校区", QINGSHANHU), ("青山湖校区", QINGSHANHU))),
    ("江西财经大学", (("蛟桥园", XINJIAN), ("麦庐园", XINJIAN))),
    ("南昌航空大学", (("前湖校区", HONGGUTAN),)),
    ("华东交通大学", (("南区", QINGSHANHU),)),
    ("江西中医药大学", (("湾里校区", XINJIAN),)),
)
HOSPITALS = (
    ("江西省人民医院", DONGHU, ("爱国路院区", "红角洲院区")),
    ("南昌大学第一附属医院", DONGHU, ("东湖院区", "象湖院区")),
    ("南昌大学第二附属医院", DONGHU, ("",)),
    ("南昌市第一医院", DONGHU, ("",)),
    ("南昌市第九医院", QINGSHANHU, ("",)),
    ("江西省儿童医院", HONGGUTAN, ("",)),
    ("南昌县人民医院", NC_COUNTY, ("",)),
    ("进贤县人民医院", JINXIAN, ("",)),
    ("安义县人民医院", ANYI, ("",)),
    ("南昌市新建区人民医院", XINJIAN, ("",)),
)


def _education_health(b: _Builder, names: dict[str, str]) -> None:
    for number in SCHOOL_NUMBERS:
        code = b.place(URBAN)
        school = b.owner(f"南昌市第{number}中学", GOV, INSTITUTION, code)
        school.sites.append(SiteSpec(f"南昌市第{number}中学", C.ART8_5, code, (6, 10)))
    for _ in range(10):
        code = b.place()
        name = b.unique(f"南昌市{names[code].removesuffix('区')}{{w}}小学")
        b.owner(name, GOV, INSTITUTION, code).sites.append(SiteSpec(name, C.ART8_5, code, (4, 8)))
    for unit, campuses in UNIVERSITIES:
        uni = b.owner(unit, GOV, INSTITUTION, campuses[0][1])
        uni.sites += [SiteSpec(f"{unit}{c}", C.ART8_5, d, (8, 14)) for c, d in campuses]
    for unit, code, branches in HOSPITALS:
        hospital = b.owner(unit, GOV, INSTITUTION, code)
        for i, branch in enumerate(branches):
            where = code if i == 0 else HONGGUTAN if "红角洲" in branch else QINGYUNPU
            hospital.sites.append(SiteSpec(f"{unit}{branch}", C.ART8_5, where, (8, 14)))
    for unit, code in (("江西省科学院", QINGSHANHU), ("江西省农业科学院", NC_COUNTY)):
        b.owner(unit, GOV, INSTITUTION, code).sites.append(
            SiteSpec(f"{unit}实验楼", C.ART8_5, code, (4, 7))
        )
    for unit, site, code in (
        ("南昌国际体育中心", "南昌国际体育中心体育场", HONGGUTAN),
        ("江西省体育局体育馆管理中心", "江西省体育馆", DONGHU),
        ("江西艺术中心", "江西艺术中心大剧院", HONGGUTAN),
    ):
        b.owner(unit, GOV, INSTITUTION, code).sites.append(SiteSpec(site, C.ART8_5, code, (8, 12)))
    chain = b.owner("南昌极速网咖连锁有限公司", NONGOV, COMPANY, QINGSHANHU)
    for _ in range(8):
        code = b.place(URBAN)
        chain.sites.append(SiteSpec(b.unique("极速网咖（{w}店）"), C.ART8_5, code, (2, 4)))
    for _ in range(5):
        code = b.place()
        name = b.unique(f"南昌市{names[code]}{{w}}网吧", SHOP_WORDS)
        b.owner(name, NONGOV, SOLE_TRADER, code).sites.append(
            SiteSpec(name, C.ART8_5, code, (2, 3))
        )


def _culture(b: _Builder) -> None:
    for unit, site, code in (
        ("江西省博物馆", "江西省博物馆", HONGGUTAN),
        ("八一南昌起义纪念馆", "八一南昌起义纪念馆", XIHU),
        ("南昌市滕王阁管理处", "滕王阁景区", XIHU),
        ("南昌汉代海昏侯国遗址博物馆", "海昏侯国遗址博物馆", XINJIAN),
        ("江西省档案馆", "江西省档案馆库房楼", DONGHU),
        ("南昌市档案馆", "南昌市档案馆", HONGGUTAN),
        ("南昌万寿宫文化街区运营管理有限公司", "万寿宫历史文化街区", XIHU),
        ("八大山人纪念馆", "八大山人纪念馆（青云谱道院）", QINGYUNPU),
        ("新四军军部旧址陈列馆", "新四军军部旧址", DONGHU),
        ("南昌市博物馆", "南昌市博物馆", HONGGUTAN),
        ("南昌市绳金塔管理所", "绳金塔", XIHU),
        ("南昌市佑民寺", "佑民寺", DONGHU),
    ):
        kind, auth = (NONGOV, COMPANY) if unit.endswith("公司") else (GOV, INSTITUTION)
        b.owner(unit, kind, auth, code).sites.append(SiteSpec(site, C.ART8_6, code, (5, 10)))


def _commerce(b: _Builder, names: dict[str, str]) -> None:
    wanda = b.owner("南昌万达广场商业管理有限公司", NONGOV, COMPANY, HONGGUTAN)
    wanda.sites += [
        SiteSpec("南昌红谷滩万达广场", C.ART8_7, HONGGUTAN, (8, 12)),
        SiteSpec("南昌青山湖万达广场", C.ART8_7, QINGSHANHU, (8, 12)),
    ]
    b.owner("南昌百货大楼股份有限公司", NONGOV, COMPANY, DONGHU).sites.append(
        SiteSpec("南昌百货大楼", C.ART8_7, DONGHU, (6, 10))
    )
    parks = b.owner("南昌市园林事业发展中心", GOV, INSTITUTION, DONGHU)
    for name, code in (
        ("人民公园", DONGHU),
        ("象湖公园", QINGYUNPU),
        ("艾溪湖湿地公园", QINGSHANHU),
        ("八一公园", DONGHU),
        ("青山湖公园", QINGSHANHU),
        ("孺子亭公园", DONGHU),
    ):
        parks.sites.append(SiteSpec(name, C.ART8_7, code, (4, 8)))
    squares = b.owner("南昌市城市管理和综合执法局", GOV, ORGAN, DONGHU)
    squares.sites += [
        SiteSpec("八一广场", C.ART8_7, DONGHU, (8, 12)),
        SiteSpec("秋水广场", C.ART8_7, HONGGUTAN, (6, 10)),
    ]
    tourism = b.owner("南昌旅游集团有限公司", NONGOV, COMPANY, XIHU)
    tourism.sites += [
        SiteSpec("梅岭国家级风景名胜区", C.ART8_7, XINJIAN, (5, 8)),
        SiteSpec("凤凰沟风景区", C.ART8_7, NC_COUNTY, (4, 6)),
        SiteSpec("安义古村群景区", C.ART8_7, ANYI, (4, 6)),
        SiteSpec("军山湖景区", C.ART8_7, JINXIAN, (3, 5)),
    ]
    for unit, site, code in (
        ("南昌深圳农产品中心批发市场有限公司", "南昌深圳农产品中心批发市场", QINGSHANHU),
        ("江西洪城大市场管理有限公司", "洪城大市场", XIHU),
        ("南昌国际陆港有限公司", "南昌向塘国际陆港", NC_COUNTY),
        ("南昌昌南物流园管理有限公司", "昌南物流园", NC_COUNTY),
        ("中央储备粮南昌直属库有限公司", "中央储备粮南昌直属库", NC_COUNTY),
        ("南昌市粮食储备有限公司", "南昌市粮食储备库", XINJIAN),
    ):
        b.owner(unit, NONGOV, COMPANY, code).sites.append(SiteSpec(site, C.ART8_7, code, (4, 8)))
    parking = b.owner("南昌市停车场管理有限公司", NONGOV, COMPANY, DONGHU)
    for _ in range(8):
        code = b.place(URBAN)
        parking.sites.append(SiteSpec(b.unique("{w}公共停车场"), C.ART8_7, code, (3, 5)))
    for _ in range(6):
        code = b.place()
        name = b.unique(f"{names[code]}{{w}}农贸市场")
        owner = name if name.startswith("南昌") else f"南昌市{name}"
        b.owner(f"{owner}管理有限公司", NONGOV, COMPANY, code).sites.append(
            SiteSpec(name, C.ART8_7, code, (3, 6))
        )
    for _ in range(4):
        code = b.place(URBAN)
        name = b.unique("南昌{w}购物中心")
        b.owner(f"{name}有限公司", NONGOV, COMPANY, code).sites.append(
            SiteSpec(name, C.ART8_7, code, (6, 10))
        )
    b.owner("进贤县文港笔都商贸城管理有限公司", NONGOV, COMPANY, JINXIAN).sites.append(
        SiteSpec("文港笔都商贸城", C.ART8_7, JINXIAN, (4, 6))
    )


def _hazards_and_defence(b: _Builder) -> None:
    for unit, site, code, kind in (
        ("江西省疾病预防控制中心", "江西省疾控中心生物安全实验室", QINGSHANHU, GOV),
        ("南昌市疾病预防控制中心", "南昌市疾控中心病原微生物实验室", XIHU, GOV),
        ("江西省血液中心", "江西省血液中心储血库", DONGHU, GOV),
        ("南昌市动物疫病预防控制中心", "南昌市动物疫病检测实验室", HONGGUTAN, GOV),
        ("江西洪安民用爆炸物品有限公司", "洪安民爆器材仓库", JINXIAN, NONGOV),
        ("南昌化工原料有限公司", "南昌化工原料危险化学品库", XINJIAN, NONGOV),
        ("南昌小蓝危险化学品仓储有限公司", "小蓝危化品仓储中心", NC_COUNTY, NONGOV),
        ("江西省医疗废物处置中心", "江西省医疗废物处置中心", XINJIAN, NONGOV),
        ("南昌石油液化气储配有限公司", "南昌液化气储配站", QINGSHANHU, NONGOV),
        ("南昌赣江化工有限公司", "赣江化工厂区", ANYI, NONGOV),
    ):
        auth = INSTITUTION if kind is GOV else COMPANY
        b.owner(unit, kind, auth, code).sites.append(SiteSpec(site, C.ART8_8, code, (4, 8)))
    hongdu = b.owner("江西洪都航空工业集团有限责任公司", NONGOV, COMPANY, QINGYUNPU)
    hongdu.sites += [
        SiteSpec("洪都航空工业集团总装厂区", C.ART8_9, QINGYUNPU, (8, 12)),
        SiteSpec("洪都航空工业集团瑶湖试飞区", C.ART8_9, QINGSHANHU, (6, 10)),
    ]
    for unit, site, code in (
        ("江西长江光电研究所", "长江光电研究所科研区", QINGSHANHU),
        ("江西赣江精密机械厂", "赣江精密机械厂（国防配套）", XINJIAN),
        ("昌景黄高铁南昌段项目经理部", "昌景黄高铁南昌段施工营地", JINXIAN),
        ("特高压南昌换流站工程项目部", "特高压南昌换流站施工现场", NC_COUNTY),
        ("南昌地铁5号线工程项目部", "地铁5号线盾构始发井工地", HONGGUTAN),
        ("昌北国际机场三期扩建工程指挥部", "昌北机场三期扩建工地", XINJIAN),
    ):
        b.owner(unit, NONGOV, COMPANY, code).sites.append(SiteSpec(site, C.ART8_9, code, (4, 8)))


def _residential(b: _Builder) -> None:
    for brand, count, home in (
        ("万科", 14, HONGGUTAN),
        ("绿地", 12, HONGGUTAN),
        ("保利", 11, QINGSHANHU),
        ("华润", 9, XIHU),
        ("洪城", 9, DONGHU),
    ):
        company = b.owner(f"南昌{brand}物业服务有限公司", NONGOV, COMPANY, home)
        for _ in range(count):
            code = b.place()
            name = b.unique(brand + "{w}" + b.rng.choice(COMPOUND_SUFFIXES))
            company.sites.append(SiteSpec(name, C.ART8_10, code, (4, 7)))
    for _ in range(10):
        code = b.place()
        name = b.unique("{w}" + b.rng.choice(COMPOUND_SUFFIXES))
        office = name if name.endswith("小区") else f"{name}小区"
        b.owner(f"{office}物业服务中心", NONGOV, COMPANY, code).sites.append(
            SiteSpec(name, C.ART8_10, code, (3, 6))
        )


def _special_trades_and_privacy(
    b: _Builder, universities: dict[str, OwnerSpec], squares: OwnerSpec, rail_works: OwnerSpec
) -> None:
    """Art. 8(11): trades that other laws require to be watched (hotels, pawnshops, scrap
    metal, used cars, seal engravers). Art. 9: a few privacy places, some owned by units
    that also run mandatory sites."""
    for i in range(5):
        code = b.place(URBAN)
        hotel_name = b.unique("南昌{w}大酒店", SHOP_WORDS)
        hotel = b.owner(f"{hotel_name}有限公司", NONGOV, COMPANY, code)
        hotel.sites.append(SiteSpec(f"{hotel_name}大堂及前台", C.ART8_11, code, (3, 5)))
        if i < 2:  # a hotel's guest floors: Art. 9 forbids cameras there
            floors = f"{hotel_name}客房层（{6 + i}-{12 + i}层）"
            hotel.sites.append(SiteSpec(floors, C.ART9_HOTEL_ROOM, code, (1, 3)))
    for make, count in (
        ("南昌{w}典当有限责任公司", 3),
        ("南昌{w}二手车交易市场有限公司", 2),
        ("南昌{w}废旧金属回收站", 3),
        ("南昌{w}印章刻制有限公司", 2),
    ):
        for _ in range(count):
            code = b.place()
            name = b.unique(make, SHOP_WORDS)
            auth = SOLE_TRADER if name.endswith("站") else COMPANY
            site = name.removesuffix("有限责任公司").removesuffix("有限公司")
            b.owner(name, NONGOV, auth, code).sites.append(SiteSpec(site, C.ART8_11, code, (2, 4)))
    for make, category in (
        ("南昌{w}洗浴中心", C.ART9_BATHHOUSE),
        ("南昌{w}汗蒸洗浴会所", C.ART9_BATHHOUSE),
        ("南昌{w}健身会所", C.ART9_CHANGING_ROOM),
    ):
        code = b.place(URBAN)
        name = b.unique(make, SHOP_WORDS)
        where = f"{name}更衣室" if category is C.ART9_CHANGING_ROOM else name
        b.owner(f"{name}有限公司", NONGOV, COMPANY, code).sites.append(
            SiteSpec(where, category, code, (1, 3))
        )
    aviation = universities["南昌航空大学"]
    aviation.sites.append(SiteSpec("南昌航空大学学生宿舍区", C.ART9_DORMITORY, HONGGUTAN, (1, 3)))
    squares.sites.append(SiteSpec("八一广场公共卫生间", C.ART9_TOILET, DONGHU, (1, 2)))
    rail_works.sites.append(
        SiteSpec("昌景黄高铁南昌段工人集体宿舍", C.ART9_DORMITORY, JINXIAN, (1, 2))
    )


def _other(b: _Builder) -> None:
    for unit, site, count in (
        ("南昌{w}便利连锁有限公司", "便利店（{n}店）", 10),
        ("江西{w}大药房连锁有限公司", "大药房（{n}店）", 6),
        ("南昌{w}超市有限公司", "超市（{n}店）", 6),
        ("南昌{w}物业管理有限公司", "大厦", 4),
        ("南昌{w}商务楼宇管理有限公司", "大厦", 4),
        ("南昌{w}餐饮管理有限公司", "酒楼（{n}店）", 3),
        ("南昌{w}餐饮有限公司", "酒楼（{n}店）", 3),
        ("江西{w}汽车销售服务有限公司", "汽车4S店（{n}）", 2),
        ("南昌{w}汽车服务有限公司", "汽车4S店（{n}）", 2),
    ):
        owner_name = b.unique(unit, SHOP_WORDS)
        word = owner_name.removeprefix("南昌").removeprefix("江西")[:2]
        owner = b.owner(owner_name, NONGOV, COMPANY)
        for _ in range(count):
            code = b.place()
            branch = b.road(code)
            name = (
                b.unique("{w}" + word + "大厦")
                if site == "大厦"
                else b.unique(word + site.replace("{n}", branch + "{w}"), bare_first=True)
            )
            owner.sites.append(SiteSpec(name, C.OTHER, code, (2, 5)))


def catalogue(rng: random.Random, district_names: dict[str, str]) -> list[OwnerSpec]:
    """Every owner with its sites, Nanchang-shaped. ``district_names`` maps the district
    codes of the jurisdiction tree to their names (东湖区 …)."""
    missing = set(ALL_DISTRICTS) - set(district_names)
    if missing:
        raise ValueError(f"the demo dataset needs the Nanchang districts; missing {missing}")
    b = _Builder(rng)
    _state_organs(b, district_names)
    _transport(b)
    _utilities(b)
    _finance_and_telecom(b)
    _education_health(b, district_names)
    _culture(b)
    _commerce(b, district_names)
    _hazards_and_defence(b)
    _residential(b)
    by_name = {o.name: o for o in b.owners}
    universities = {u: by_name[u] for u, _ in UNIVERSITIES}
    _special_trades_and_privacy(
        b,
        universities,
        squares=by_name["南昌市城市管理和综合执法局"],
        rail_works=by_name["昌景黄高铁南昌段项目经理部"],
    )
    _other(b)
    return b.owners
