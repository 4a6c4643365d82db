# Bilingual data tables read best one record a line, as in the apps' demo.py files.
# ruff: noqa: E501
"""Bilingual word lists the generator builds names and descriptions from.

Every catalog item and modifier is a (Persian, English) pair, so a product's two names always say
the same thing. Persian compounds keep their zero-width non-joiner (U+200C) as careful writers
type them (ماسک سه‌لایه); `persian_variant` spoils some of them the way real data entry does
(Arabic ي/ك, a space or nothing instead of the ZWNJ), so search has real text to chew on.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

ZWNJ = "\u200c"
_TO_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_TO_ARABIC_LETTERS = str.maketrans({"ی": "ي", "ک": "ك"})


@dataclass(frozen=True)
class Item:
    """A kind of product: its names, HS code, unit, FOB price range (USD) and monthly capacity."""

    fa: str
    en: str
    hs_code: str
    unit: str
    price: tuple[float, float]
    capacity: int


# category slug -> items (the categories themselves come from products.demo.CATEGORIES)
ITEMS: dict[str, list[Item]] = {
    "masks": [
        Item("ماسک سه‌لایه پزشکی", "three-ply medical mask", "630790", "piece", (0.04, 0.09), 2_000_000),
        Item("ماسک جراحی", "surgical mask", "630790", "piece", (0.05, 0.12), 1_500_000),
        Item("رسپیراتور N95", "N95 respirator", "630790", "piece", (0.25, 0.6), 500_000),
        Item("ماسک KN95", "KN95 mask", "630790", "piece", (0.15, 0.4), 800_000),
        Item("رسپیراتور FFP2", "FFP2 respirator", "630790", "piece", (0.3, 0.7), 400_000),
        Item("رسپیراتور FFP3 سوپاپ‌دار", "FFP3 respirator with valve", "630790", "piece", (0.8, 1.5), 200_000),
        Item("ماسک کودک", "children's face mask", "630790", "piece", (0.05, 0.1), 600_000),
        Item("ماسک پارچه‌ای قابل شستشو", "washable cloth mask", "630790", "piece", (0.4, 1.2), 300_000),
    ],
    "ventilators": [
        Item("ونتیلاتور ICU", "ICU ventilator", "901920", "device", (9000, 18000), 40),
        Item("ونتیلاتور پرتابل", "portable ventilator", "901920", "device", (3500, 7000), 120),
        Item("ونتیلاتور آمبولانس", "transport ventilator", "901920", "device", (4000, 8000), 90),
        Item("ونتیلاتور نوزاد", "neonatal ventilator", "901920", "device", (8000, 15000), 30),
        Item("دستگاه CPAP", "CPAP machine", "901920", "device", (450, 900), 600),
        Item("دستگاه BiPAP", "BiPAP machine", "901920", "device", (700, 1400), 400),
        Item(
            "دستگاه اکسیژن‌درمانی با جریان بالا",
            "high-flow nasal cannula system",
            "901920",
            "device",
            (1500, 3000),
            150,
        ),
    ],
    "test-kits": [
        Item("کیت RT-PCR کرونا", "COVID-19 RT-PCR kit", "382200", "kit", (4, 9), 300_000),
        Item("کیت تست PCR", "PCR test kit", "382200", "kit", (3, 8), 300_000),
        Item("کیت تست سریع آنتی‌ژن", "rapid antigen test", "382200", "kit", (1.2, 3), 1_000_000),
        Item("کیت تشخیص آنتی‌بادی", "antibody test kit", "382200", "kit", (1.5, 4), 500_000),
        Item("کیت استخراج RNA", "RNA extraction kit", "382200", "kit", (2.5, 6), 200_000),
        Item("محیط انتقال ویروس", "viral transport medium", "382200", "kit", (0.5, 1.5), 700_000),
        Item("سواب نازوفارنکس", "nasopharyngeal swab", "300590", "piece", (0.05, 0.2), 3_000_000),
    ],
    "disinfectants": [
        Item("محلول ضدعفونی دست ۷۰٪", "70% hand sanitizer", "380894", "litre", (1.5, 3), 400_000),
        Item("ژل ضدعفونی‌کننده دست", "hand sanitiser gel", "380894", "litre", (1.8, 3.5), 350_000),
        Item("ضدعفونی‌کننده سطوح", "surface disinfectant", "380894", "litre", (1, 2.5), 600_000),
        Item("ژل الکلی جیبی", "pocket alcohol gel", "380894", "piece", (0.3, 0.8), 900_000),
        Item("دستمال مرطوب ضدعفونی‌کننده", "disinfectant wipes", "380894", "box", (1, 2.5), 500_000),
        Item("ضدعفونی‌کننده بیمارستانی", "hospital disinfectant", "380894", "litre", (2, 5), 250_000),
        Item("محلول مه‌پاش ضدعفونی", "fogging disinfectant", "380894", "litre", (2.5, 6), 150_000),
    ],
    "oxygen": [
        Item("اکسیژن‌ساز ۵ لیتری", "5-litre oxygen concentrator", "901920", "device", (380, 650), 1_500),
        Item("اکسیژن‌ساز ۱۰ لیتری", "10-litre oxygen concentrator", "901920", "device", (700, 1200), 800),
        Item("اکسیژن‌ساز پرتابل", "portable oxygen concentrator", "901920", "device", (900, 2000), 500),
        Item("پالس اکسیمتر انگشتی", "fingertip pulse oximeter", "901819", "device", (6, 15), 50_000),
        Item("فلومتر اکسیژن", "oxygen flowmeter", "902680", "device", (15, 40), 20_000),
        Item("کپسول اکسیژن آلومینیومی", "aluminium oxygen cylinder", "761300", "device", (60, 150), 5_000),
        Item(
            "ماسک اکسیژن با کیسه ذخیره", "non-rebreather oxygen mask", "901920", "piece", (0.5, 1.5), 200_000
        ),
    ],
    "ppe": [
        Item("گان جراحی یک‌بار مصرف", "disposable surgical gown", "621010", "piece", (0.9, 2.2), 300_000),
        Item("گان ایزوله", "isolation gown", "621010", "piece", (0.7, 1.8), 350_000),
        Item("شیلد محافظ صورت", "face shield", "392690", "piece", (0.3, 0.9), 500_000),
        Item("دستکش نیتریل", "nitrile gloves", "401519", "box", (3, 6), 200_000),
        Item("دستکش لاتکس معاینه", "latex examination gloves", "401511", "box", (2.5, 5), 250_000),
        Item("لباس ایزوله سطح ۳", "level 3 isolation suit", "621010", "piece", (2.5, 6), 120_000),
        Item("لباس سرهمی محافظ", "protective coverall", "621010", "piece", (3, 8), 100_000),
        Item("عینک محافظ ضدبخار", "anti-fog safety goggles", "900490", "piece", (0.8, 2.5), 150_000),
        Item("کاور کفش", "shoe covers", "621010", "box", (1, 3), 400_000),
    ],
}

# What sets one product of a kind apart from another (empty: no modifier).
MODIFIERS: list[tuple[str, str]] = [
    ("", ""), ("", ""), ("", ""),
    ("بیمارستانی", "hospital grade"), ("صادراتی", "export edition"), ("حرفه‌ای", "professional"),
    ("اقتصادی", "economy"), ("ممتاز", "premium"), ("ضدحساسیت", "hypoallergenic"),
    ("سایز بزرگ", "large size"), ("سایز کوچک", "small size"), ("سفید", "white"), ("آبی", "blue"),
    ("مشکی", "black"), ("سبک", "lightweight"), ("هوشمند", "smart"), ("نسل دوم", "second generation"),
    ("بسته‌بندی استریل", "sterile packed"), ("بسته ۵۰ عددی", "pack of 50"), ("ضدباکتری", "antibacterial"),
]  # fmt: skip

STANDARDS = ["EN 14683", "EN 149", "ISO 13485", "ISO 80601", "EN 455", "EN 14126", "NIOSH 42 CFR 84"]

# Sentences of product descriptions: (Persian, English); {item_fa}/{item_en}, {company_*}, {n}.
DESCRIPTION_SENTENCES: list[tuple[str, str]] = [
    ("{item_fa} ساخت {company_fa}، مطابق استاندارد {standard} و آماده صادرات.",
     "{item_en} made by {company_en} to {standard}, ready for export."),
    ("مناسب بیمارستان‌ها، درمانگاه‌ها و آزمایشگاه‌های تشخیص کرونا.",
     "Suitable for hospitals, clinics and COVID-19 testing laboratories."),
    ("ظرفیت تولید ماهانه {n} واحد با امکان افزایش برای سفارش‌های بزرگ.",
     "Monthly production capacity of {n} units, scalable for large orders."),
    ("دارای گواهی‌های بین‌المللی و پروانه اداره کل تجهیزات پزشکی.",
     "Holds international certificates and the national medical devices licence."),
    ("بسته‌بندی در کارتن‌های صادراتی با برچسب دوزبانه عربی و انگلیسی.",
     "Packed in export cartons with bilingual Arabic and English labels."),
    ("تحویل از انبار تهران در کمتر از دو هفته؛ حمل زمینی، دریایی یا هوایی.",
     "Delivered from our Tehran warehouse within two weeks by road, sea or air."),
    ("طراحی شده برای استفاده طولانی در بخش‌های مراقبت ویژه و اورژانس.",
     "Designed for long use in intensive care units and emergency wards."),
    ("کنترل کیفیت صد درصدی هر سری تولید در آزمایشگاه داخلی شرکت.",
     "Every production batch is fully quality-checked in our own laboratory."),
    ("سابقه صادرات به عراق، افغانستان و کشورهای آسیای میانه.",
     "Export track record in Iraq, Afghanistan and Central Asia."),
    ("قابل عرضه با برند مشترک ملی و نشان تجاری خریدار.",
     "Available under the joint national brand or the buyer's own label."),
    ("همه ماسک‌ها، کیت‌ها و دستکش‌ها پیش از ارسال بازرسی می‌شوند.",
     "All masks, kits and gloves are inspected before shipment."),
]  # fmt: skip

# Technical specification lines per category: (Persian, English).
SPECIFICATIONS: dict[str, list[tuple[str, str]]] = {
    "masks": [("فیلتر ملت‌بلون BFE ≥ ۹۸٪", "Melt-blown filter, BFE ≥ 98%"), ("گیره بینی آلومینیومی", "Aluminium nose clip"),
              ("کش گوش بدون لاتکس", "Latex-free ear loops"), ("مقاومت تنفسی کمتر از ۴۰ پاسکال", "Breathing resistance below 40 Pa")],
    "ventilators": [("حالت‌های VCV، PCV و SIMV", "VCV, PCV and SIMV modes"), ("نمایشگر لمسی ۱۵ اینچ", "15-inch touch screen"),
                    ("باتری ۴ ساعته", "4-hour battery"), ("هشدار قطع برق و فشار بالا", "Power-loss and high-pressure alarms")],
    "test-kits": [("۹۶ تست در هر کیت", "96 tests per kit"), ("حساسیت ۹۸٪", "98% sensitivity"),
                  ("نتیجه در ۱۵ دقیقه", "Result in 15 minutes"), ("نگهداری در ۲ تا ۸ درجه", "Store at 2-8 °C")],
    "disinfectants": [("اتانول ۷۰٪", "70% ethanol"), ("حاوی گلیسیرین", "With glycerine"),
                      ("پایه آمونیوم چهارتایی", "Quaternary ammonium base"), ("ماندگاری ۲۴ ماه", "24-month shelf life")],
    "oxygen": [("خلوص ۹۳٪ ± ۳", "93% ± 3 purity"), ("صدای کمتر از ۴۵ دسی‌بل", "Below 45 dB"),
               ("هشدار خلوص پایین", "Low-purity alarm"), ("نمایشگر OLED", "OLED display")],
    "ppe": [("اسپان‌باند ۴۰ گرمی", "40 gsm spunbond"), ("مچ کشی", "Knitted cuffs"),
            ("بدون پودر", "Powder-free"), ("مقاوم در برابر مایعات", "Fluid resistant")],
}  # fmt: skip

# Company names: prefix x field x form, each a (Persian, English) pair.
COMPANY_PREFIXES: list[tuple[str, str]] = [
    ("پارس", "Pars"), ("آریا", "Arya"), ("نانو", "Nano"), ("سپید", "Sepid"), ("البرز", "Alborz"),
    ("کیمیا", "Kimia"), ("شریف", "Sharif"), ("مهر", "Mehr"), ("آسیا", "Asia"), ("زیست", "Zist"),
    ("رایان", "Rayan"), ("سبلان", "Sabalan"), ("نوین", "Novin"), ("کاوه", "Kaveh"), ("زاگرس", "Zagros"),
    ("امید", "Omid"), ("آوند", "Avand"), ("کیان", "Kian"), ("پارت", "Part"), ("دانا", "Dana"),
    ("آرمان", "Arman"), ("تابان", "Taban"), ("ایمن", "Iman"), ("پویا", "Pooya"), ("سینا", "Sina"),
    ("رازی", "Razi"), ("فردوس", "Ferdos"), ("ستاره", "Setareh"), ("هیراد", "Hirad"), ("نگین", "Negin"),
    ("بهار", "Bahar"), ("سامان", "Saman"), ("آتروپات", "Atropat"), ("خلیج فارس", "Persian Gulf"),
    ("کاسپین", "Caspian"), ("دماوند", "Damavand"), ("سهند", "Sahand"), ("تفتان", "Taftan"),
    ("اروند", "Arvand"), ("هامون", "Hamoun"),
]  # fmt: skip
COMPANY_FIELDS: list[tuple[str, str]] = [
    ("تجهیز سلامت", "Health Equipment"), ("طب نوین", "Modern Medicine"), ("فیلتر", "Filters"),
    ("تنفس", "Respiratory Care"), ("ژن آزما", "Gene Diagnostics"), ("بهداشت", "Hygiene"),
    ("اکسیژن", "Oxygen Systems"), ("تشخیص", "Diagnostics"), ("پوشش ایمن", "Safe Wear"),
    ("زیست فناوری", "Biotech"), ("تجهیزات پزشکی", "Medical Devices"), ("ماسک", "Masks"),
    ("آزمایه", "Test Kits"), ("ضدعفونی", "Disinfection"), ("پلیمر طب", "Medical Polymers"),
    ("نساجی پزشکی", "Medical Textiles"), ("شیمی سلامت", "Health Chemicals"), ("ونتیلاتور", "Ventilators"),
    ("الکترونیک پزشکی", "Medical Electronics"), ("دارو و درمان", "Pharma and Care"),
    ("حفاظت فردی", "Protective Equipment"), ("آزمایشگاهی", "Laboratory Supplies"),
    ("مهندسی پزشکی", "Biomedical Engineering"), ("سلامت هوشمند", "Smart Health"), ("نانو الیاف", "Nanofibres"),
]  # fmt: skip
COMPANY_FORMS: list[tuple[str, str]] = [
    ("شرکت {name}", "{name} Co."), ("گروه صنعتی {name}", "{name} Industrial Group"),
    ("{name} دانش‌بنیان", "{name} Knowledge-Based Co."), ("صنایع {name}", "{name} Industries"),
]  # fmt: skip

BROKER_PREFIXES: list[tuple[str, str]] = [
    ("کارگزاری صادراتی", "Export Brokers"), ("بازرگانی", "Trading"), ("لجستیک", "Logistics"),
    ("ترانزیت", "Transit"), ("تجارت بین‌الملل", "International Trade"), ("خدمات صادرات", "Export Services"),
]  # fmt: skip

# Words that occur nowhere in the generated text: queries with no hit.
NO_HIT_WORDS: list[str] = [
    "xylophone", "saffron", "pistachio", "carpet", "tractor", "bicycle", "blockchain", "violin",
    "umbrella", "telescope", "skateboard", "avocado", "harmonica", "snowboard", "trombone",
    "زعفران", "پسته", "قالی", "تراکتور", "دوچرخه", "ویولن", "چتر", "تلسکوپ", "اسکیت", "آووکادو",
    "فرش دستباف", "خاویار", "گلاب", "خرمای مضافتی", "سنگ مرمر",
]  # fmt: skip
NO_HIT_SYLLABLES_EN = ["zor", "vex", "quib", "plon", "drak", "wum", "fiz", "grob", "yal", "thrum"]
NO_HIT_SYLLABLES_FA = ["ژوب", "قیص", "ثلب", "ضغر", "طوش", "غژد", "ظپل", "خثم"]


def persian_digits(value: object) -> str:
    return str(value).translate(_TO_PERSIAN_DIGITS)


def persian_variant(text: str, roll: float) -> str:
    """Return `text` as real data entry sometimes stores it: Arabic ي/ك, or the ZWNJ lost.

    `roll` (0-1) picks the habit, so a name and a description typed by one person share it.
    """
    if roll < 0.05:
        return text.translate(_TO_ARABIC_LETTERS)
    if roll < 0.08:
        return text.replace(ZWNJ, " ")
    if roll < 0.10:
        return text.replace(ZWNJ, "")
    return text


def no_hit_queries(count: int, rng: random.Random) -> list[str]:
    """`count` distinct queries that match nothing: real but absent words, then pseudo-words."""
    queries = list(NO_HIT_WORDS)
    while len(queries) < count:
        syllables = NO_HIT_SYLLABLES_EN if len(queries) % 2 else NO_HIT_SYLLABLES_FA
        word = "".join(rng.choice(syllables) for _ in range(3))
        if word not in queries:
            queries.append(word)
    return queries[:count]
