# ruff: noqa: E501 - one message and its translations a line
"""Arabic and Russian for the broker directory and a brokerage's profile (its services, fees and
verified results) and for the public export results page."""

T = {
    # the breadcrumb trail's name for screen readers (product, company and brokerage pages)
    "Breadcrumb": ("مسار التنقل", "Навигационная цепочка"),
    # the broker directory and its filters
    "Covered country": ("البلد المشمول", "Страна работы"),
    "Service": ("الخدمة", "Услуга"),
    "Working language": ("لغة العمل", "Рабочий язык"),
    "Name": ("الاسم", "Название"),
    "Turkish": ("التركية", "Турецкий"),
    "Urdu": ("الأردية", "Урду"),
    "Pashto": ("البشتو", "Пушту"),
    "Azerbaijani": ("الأذربيجانية", "Азербайджанский"),
    "Armenian": ("الأرمنية", "Армянский"),
    "Kazakh": ("الكازاخية", "Казахский"),
    "French": ("الفرنسية", "Французский"),
    "Chinese": ("الصينية", "Китайский"),
    "Licensed brokers approved by the centre, with the services they offer and the countries they cover.": (
        "الوسطاء المرخّصون المعتمدون من المركز، مع الخدمات التي يقدمونها والبلدان التي يغطونها.",
        "Лицензированные брокеры, одобренные центром, с их услугами и странами, в которых они работают.",
    ),
    "No broker matches your search.": (
        "لا يوجد وسيط يطابق بحثك.",
        "Ни один брокер не соответствует вашему запросу.",
    ),
    # a brokerage's profile
    "Services": ("الخدمات", "Услуги"),
    "Covered countries": ("البلدان المشمولة", "Страны работы"),
    "Working languages": ("لغات العمل", "Рабочие языки"),
    "Licensed broker approved by the centre": (
        "وسيط مرخّص معتمد من المركز",
        "Лицензированный брокер, одобренный центром",
    ),
    "Only your colleagues see this page until the centre approves your brokerage.": (
        "لا يرى هذه الصفحة إلا زملاؤكم حتى يعتمد المركز وساطتكم.",
        "Эту страницу видят только ваши коллеги, пока центр не одобрит ваше агентство.",
    ),
    "This brokerage's licence has expired: its offers and services are not shown until the centre approves a new licence.": (
        "انتهت صلاحية ترخيص هذه الوساطة: لا تُعرض عروضها وخدماتها حتى يعتمد المركز ترخيصًا جديدًا.",
        "Срок лицензии этого агентства истёк: его предложения и услуги не показываются, пока центр не одобрит новую лицензию.",
    ),
    "About the brokerage": ("عن الوساطة", "О брокерском агентстве"),
    "This brokerage lists no services yet.": (
        "لم تُدرج هذه الوساطة أي خدمة بعد.",
        "Это агентство пока не указало услуг.",
    ),
    "No open offers right now.": ("لا توجد عروض مفتوحة حاليًا.", "Сейчас открытых предложений нет."),
    "Service types": ("أنواع الخدمات", "Виды услуг"),
    "Offices": ("المكاتب", "Офисы"),
    "Licence number": ("رقم الترخيص", "Номер лицензии"),
    "by %(broker)s for %(company)s": (
        "من %(broker)s نيابةً عن %(company)s",
        "%(broker)s от имени %(company)s",
    ),
    "Book this service": ("احجز هذه الخدمة", "Заказать услугу"),
    "%(percent)s%% of the deal": ("%(percent)s٪ من قيمة الصفقة", "%(percent)s%% от суммы сделки"),
    "per shipment": ("لكل شحنة", "за отгрузку"),
    "fixed fee": ("رسم ثابت", "фиксированная плата"),
    # verified results on a profile
    "Verified results": ("النتائج الموثّقة", "Подтверждённые результаты"),
    "Only your brokerage sees these figures until the centre makes them public.": (
        "لا ترى هذه الأرقام إلا وساطتكم حتى يجعلها المركز علنية.",
        "Эти цифры видит только ваше агентство, пока центр не сделает их публичными.",
    ),
    "Deals shipped or paid": ("الصفقات المشحونة أو المدفوعة", "Сделки отгружены или оплачены"),
    "Countries served": ("البلدان المخدومة", "Обслуженные страны"),
    "Credited share of those deals": ("الحصة المنسوبة من تلك الصفقات", "Засчитанная доля этих сделок"),
    "Credited value (US dollars)": ("القيمة المنسوبة (بالدولار الأمريكي)", "Засчитанная сумма (доллары США)"),
    "Credited value received (US dollars)": (
        "القيمة المنسوبة المُستلَمة (بالدولار الأمريكي)",
        "Засчитанная полученная сумма (доллары США)",
    ),
    "Credited value received (US dollars, rounded to the thousand)": (
        "القيمة المنسوبة المُستلَمة (بالدولار الأمريكي، مقرّبة إلى الألف)",
        "Засчитанная полученная сумма (доллары США, с округлением до тысяч)",
    ),
    "The value received is shown once the deals of at least %(n)s companies stand behind it, so that no company's own sales can be read here.": (
        "تُعرض القيمة المُستلَمة متى وقفت وراءها صفقات %(n)s شركات على الأقل، كي لا يمكن قراءة مبيعات أي شركة بعينها هنا.",
        "Полученная сумма показывается, когда за ней стоят сделки не менее чем %(n)s компаний, чтобы по ней нельзя было узнать продажи отдельной компании.",
    ),
    'About <span dir="ltr">%(value)s</span> US dollars received (credited share, rounded)': (
        'نحو <span dir="ltr">%(value)s</span> دولار أمريكي مُستلَم (الحصة المنسوبة، مقرّبة)',
        'Около <span dir="ltr">%(value)s</span> долларов США получено (засчитанная доля, округлено)',
    ),
    # the public export results
    "Export results": ("نتائج التصدير", "Результаты экспорта"),
    "What knowledge-based companies have shipped to the target markets through the export-support programme, and what their buyers have paid.": (
        "ما شحنته الشركات القائمة على المعرفة إلى الأسواق المستهدفة عبر برنامج دعم التصدير، وما دفعه مشتروها.",
        "Что наукоёмкие компании отгрузили на целевые рынки в рамках программы поддержки экспорта и что заплатили их покупатели.",
    ),
    "Totals": ("المجاميع", "Итоги"),
    "deals shipped": ("صفقات مشحونة", "сделок отгружено"),
    "deals paid": ("صفقات مدفوعة", "сделок оплачено"),
    "US dollars received (rounded)": ("دولار أمريكي مُستلَم (مقرّب)", "долларов США получено (округлено)"),
    "exporting companies": ("شركات مصدّرة", "компаний-экспортёров"),
    "By destination country": ("حسب بلد المقصد", "По стране назначения"),
    "By product category": ("حسب فئة المنتج", "По категории товаров"),
    "Destination country": ("بلد المقصد", "Страна назначения"),
    "Product category": ("فئة المنتج", "Категория товаров"),
    "Deals shipped": ("الصفقات المشحونة", "Сделки отгружены"),
    "Deals paid": ("الصفقات المدفوعة", "Сделки оплачены"),
    "Received (USD)": ("المُستلَم (دولار أمريكي)", "Получено (USD)"),
    "Not shown (too few companies)": ("غير معروض (عدد الشركات قليل)", "Не показано (слишком мало компаний)"),
    "No shipment has been recorded yet.": ("لم تُسجَّل أي شحنة بعد.", "Отгрузок пока не зарегистрировано."),
    "Figures count the deals recorded on the portal since it opened; values are payments received, converted to US dollars at each deal's rate and rounded to the thousand. A figure behind which fewer than %(n)s companies stand is not shown (nor another one that would reveal it), so no company's own sales can be read here.": (
        "تحسب الأرقام الصفقات المسجلة في البوابة منذ افتتاحها؛ والقيم هي المدفوعات المستلمة، محوّلة إلى الدولار الأمريكي بسعر كل صفقة ومقرّبة إلى الألف. لا يُعرض رقم تقف وراءه أقل من %(n)s شركات (ولا رقم آخر قد يكشفه)، فلا يمكن قراءة مبيعات أي شركة بعينها هنا.",
        "Учитываются сделки, записанные на портале с его открытия; суммы — полученные платежи, пересчитанные в доллары США по курсу каждой сделки и округлённые до тысяч. Цифра, за которой стоит меньше %(n)s компаний, не показывается (как и другая, по которой её можно вычислить), поэтому продажи отдельной компании здесь не видны.",
    ),
    "Products under the joint national brand": (
        "المنتجات تحت العلامة الوطنية المشتركة",
        "Товары под общим национальным брендом",
    ),
    # The page number alone, where the total is an estimate or a lower bound.
    "Page %(n)s": ("الصفحة %(n)s", "Страница %(n)s"),
}

P = {
    "Verified: %(shown)s deal shipped or paid, %(countries)s countries served": (
        [
            "موثّق: %(shown)s صفقة مشحونة أو مدفوعة، %(countries)s بلدان مخدومة",
            "موثّق: %(shown)s صفقة مشحونة أو مدفوعة، %(countries)s بلدان مخدومة",
            "موثّق: %(shown)s صفقتان مشحونتان أو مدفوعتان، %(countries)s بلدان مخدومة",
            "موثّق: %(shown)s صفقات مشحونة أو مدفوعة، %(countries)s بلدان مخدومة",
            "موثّق: %(shown)s صفقة مشحونة أو مدفوعة، %(countries)s بلدان مخدومة",
            "موثّق: %(shown)s صفقة مشحونة أو مدفوعة، %(countries)s بلدان مخدومة",
        ],
        [
            "Подтверждено: %(shown)s сделка отгружена или оплачена, стран: %(countries)s",
            "Подтверждено: %(shown)s сделки отгружены или оплачены, стран: %(countries)s",
            "Подтверждено: %(shown)s сделок отгружено или оплачено, стран: %(countries)s",
            "Подтверждено: %(shown)s сделки отгружено или оплачено, стран: %(countries)s",
        ],
    ),
    "%(shown)s service to book": (
        [
            "%(shown)s خدمة للحجز",
            "%(shown)s خدمة للحجز",
            "%(shown)s خدمتان للحجز",
            "%(shown)s خدمات للحجز",
            "%(shown)s خدمة للحجز",
            "%(shown)s خدمة للحجز",
        ],
        [
            "%(shown)s услуга для заказа",
            "%(shown)s услуги для заказа",
            "%(shown)s услуг для заказа",
            "%(shown)s услуги для заказа",
        ],
    ),
    # A search counted only as far as its cap: a lower bound ("more than 200 products").
    "more than %(shown)s product": (
        [
            "أكثر من %(shown)s منتج",
            "أكثر من %(shown)s منتج",
            "أكثر من %(shown)s منتجين",
            "أكثر من %(shown)s منتجات",
            "أكثر من %(shown)s منتجًا",
            "أكثر من %(shown)s منتج",
        ],
        [
            "более %(shown)s товара",
            "более %(shown)s товаров",
            "более %(shown)s товаров",
            "более %(shown)s товара",
        ],
    ),
}
