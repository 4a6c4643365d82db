"""Country names in Arabic and Russian, by ISO 3166-1 code: target countries store Persian and
English names only (the centre edits those), and a buyer reading Arabic or Russian sees these."""

from __future__ import annotations

NAMES = {
    "AE": ("الإمارات العربية المتحدة", "ОАЭ"),
    "AF": ("أفغانستان", "Афганистан"),
    "AM": ("أرمينيا", "Армения"),
    "AZ": ("أذربيجان", "Азербайджан"),
    "BH": ("البحرين", "Бахрейн"),
    "BY": ("بيلاروس", "Беларусь"),
    "CN": ("الصين", "Китай"),
    "DZ": ("الجزائر", "Алжир"),
    "EG": ("مصر", "Египет"),
    "GE": ("جورجيا", "Грузия"),
    "IN": ("الهند", "Индия"),
    "IQ": ("العراق", "Ирак"),
    "JO": ("الأردن", "Иордания"),
    "KE": ("كينيا", "Кения"),
    "KG": ("قيرغيزستان", "Киргизия"),
    "KW": ("الكويت", "Кувейт"),
    "KZ": ("كازاخستان", "Казахстан"),
    "LB": ("لبنان", "Ливан"),
    "LY": ("ليبيا", "Ливия"),
    "MA": ("المغرب", "Марокко"),
    "OM": ("عُمان", "Оман"),
    "PK": ("باكستان", "Пакистан"),
    "QA": ("قطر", "Катар"),
    "RU": ("روسيا", "Россия"),
    "SA": ("السعودية", "Саудовская Аравия"),
    "SD": ("السودان", "Судан"),
    "SY": ("سوريا", "Сирия"),
    "TJ": ("طاجيكستان", "Таджикистан"),
    "TM": ("تركمانستان", "Туркменистан"),
    "TN": ("تونس", "Тунис"),
    "TR": ("تركيا", "Турция"),
    "UZ": ("أوزبكستان", "Узбекистан"),
    "VE": ("فنزويلا", "Венесуэла"),
    "YE": ("اليمن", "Йемен"),
}
_INDEX = {"ar": 0, "ru": 1}


def country_name(iso_code: str, language: str) -> str:
    """The country's name in Arabic or Russian, or "" (for another language or an unlisted code)."""
    index = _INDEX.get(language[:2])
    names = NAMES.get((iso_code or "").upper())
    return names[index] if index is not None and names else ""
