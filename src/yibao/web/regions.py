"""Where a person is treated (就医地): provinces and major cities with GB/T 2260 codes.

A small shipped list, not the full code table: every province-level division, its capital,
and the cities that have a built-in pack. "Elsewhere in the province" is the province's
own code (`370000`), which the engine reads as in-province but not local for a city
scheme. The four municipalities are a single city each.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    """One treatment place: its six-digit code and names."""

    code: str
    zh: str
    en: str


@dataclass(frozen=True)
class Province:
    """A province-level division and the cities offered in the form."""

    code: str
    zh: str
    en: str
    cities: tuple[Place, ...] = ()

    @property
    def is_municipality(self) -> bool:
        """直辖市: the province is one city."""
        return not self.cities


def _p(code: str, zh: str, en: str, *cities: tuple[str, str, str]) -> Province:
    return Province(code, zh, en, tuple(Place(*c) for c in cities))


PROVINCES: tuple[Province, ...] = (
    _p("110000", "北京市", "Beijing"),
    _p("120000", "天津市", "Tianjin"),
    _p("130000", "河北省", "Hebei", ("130100", "石家庄市", "Shijiazhuang")),
    _p("140000", "山西省", "Shanxi", ("140100", "太原市", "Taiyuan"), ("140200", "大同市", "Datong")),
    _p("150000", "内蒙古自治区", "Inner Mongolia", ("150100", "呼和浩特市", "Hohhot")),
    _p(
        "210000",
        "辽宁省",
        "Liaoning",
        ("210100", "沈阳市", "Shenyang"),
        ("210200", "大连市", "Dalian"),
        ("211200", "铁岭市", "Tieling"),
    ),
    _p("220000", "吉林省", "Jilin", ("220100", "长春市", "Changchun")),
    _p("230000", "黑龙江省", "Heilongjiang", ("230100", "哈尔滨市", "Harbin")),
    _p("310000", "上海市", "Shanghai"),
    _p(
        "320000",
        "江苏省",
        "Jiangsu",
        ("320100", "南京市", "Nanjing"),
        ("320200", "无锡市", "Wuxi"),
        ("320500", "苏州市", "Suzhou"),
    ),
    _p(
        "330000",
        "浙江省",
        "Zhejiang",
        ("330100", "杭州市", "Hangzhou"),
        ("330200", "宁波市", "Ningbo"),
        ("330900", "舟山市", "Zhoushan"),
    ),
    _p("340000", "安徽省", "Anhui", ("340100", "合肥市", "Hefei")),
    _p("350000", "福建省", "Fujian", ("350100", "福州市", "Fuzhou"), ("350200", "厦门市", "Xiamen")),
    _p("360000", "江西省", "Jiangxi", ("360100", "南昌市", "Nanchang")),
    _p(
        "370000",
        "山东省",
        "Shandong",
        ("370100", "济南市", "Jinan"),
        ("370200", "青岛市", "Qingdao"),
        ("371500", "聊城市", "Liaocheng"),
    ),
    _p("410000", "河南省", "Henan", ("410100", "郑州市", "Zhengzhou")),
    _p("420000", "湖北省", "Hubei", ("420100", "武汉市", "Wuhan")),
    _p("430000", "湖南省", "Hunan", ("430100", "长沙市", "Changsha")),
    _p("440000", "广东省", "Guangdong", ("440100", "广州市", "Guangzhou"), ("440300", "深圳市", "Shenzhen")),
    _p("450000", "广西壮族自治区", "Guangxi", ("450100", "南宁市", "Nanning")),
    _p("460000", "海南省", "Hainan", ("460100", "海口市", "Haikou")),
    _p("500000", "重庆市", "Chongqing"),
    _p("510000", "四川省", "Sichuan", ("510100", "成都市", "Chengdu"), ("510300", "自贡市", "Zigong")),
    _p("520000", "贵州省", "Guizhou", ("520100", "贵阳市", "Guiyang")),
    _p("530000", "云南省", "Yunnan", ("530100", "昆明市", "Kunming")),
    _p("540000", "西藏自治区", "Tibet", ("540100", "拉萨市", "Lhasa")),
    _p("610000", "陕西省", "Shaanxi", ("610100", "西安市", "Xi'an")),
    _p("620000", "甘肃省", "Gansu", ("620100", "兰州市", "Lanzhou")),
    _p("630000", "青海省", "Qinghai", ("630100", "西宁市", "Xining")),
    _p("640000", "宁夏回族自治区", "Ningxia", ("640100", "银川市", "Yinchuan")),
    _p("650000", "新疆维吾尔自治区", "Xinjiang", ("650100", "乌鲁木齐市", "Urumqi")),
)


def region_codes() -> set[str]:
    """Every code the form can send."""
    codes = {p.code for p in PROVINCES}
    return codes | {c.code for p in PROVINCES for c in p.cities}


def regions_document() -> list[dict[str, object]]:
    """The list as the page reads it: provinces with their cities (municipalities: none)."""
    return [
        {
            "code": p.code,
            "name": {"zh": p.zh, "en": p.en},
            "cities": [{"code": c.code, "name": {"zh": c.zh, "en": c.en}} for c in p.cities],
        }
        for p in PROVINCES
    ]
