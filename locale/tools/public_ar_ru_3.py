# ruff: noqa: E501 - one message and its translations a line
"""Arabic and Russian for messages that reached the public pages' templates after the first
tables (co-brokering and mandates on the offer page, the joint-brand page's results link)."""

T = {
    "Change": ("تغيير", "Изменить"),
    "Mandates to brokers": ("التفويضات الممنوحة للوسطاء", "Доверенности брокерам"),
    "Mandates we hold": ("التفويضات التي نحملها", "Наши доверенности"),
    "This offer is not shown to companies, it cannot be published or reopened, and responses cannot be accepted.": (
        "لا يُعرض هذا العرض على الشركات، ولا يمكن نشره أو إعادة فتحه، ولا يمكن قبول الردود عليه.",
        "Это предложение не показывается компаниям, его нельзя опубликовать или открыть снова, а ответы нельзя принять.",
    ),
    "Your brokerage co-brokers this offer: you read its responses, and deals opened from them include you with the agreed share.": (
        "وساطتكم شريكة في هذا العرض: تطّلعون على ردوده، وتشملكم الصفقات المفتوحة منها بالحصة المتفق عليها.",
        "Ваше агентство — соброкер этого предложения: вы видите ответы на него, а сделки по ним включают вас с согласованной долей.",
    ),
    "Co-brokers": ("الوسطاء الشركاء", "Соброкеры"),
    "%(share)s%%": ("%(share)s٪", "%(share)s%%"),
    "Withdraw": ("سحب", "Отозвать"),
    "No co-broker yet.": ("لا يوجد وسيط شريك بعد.", "Соброкеров пока нет."),
    "Invite a co-broker": ("دعوة وسيط شريك", "Пригласить соброкера"),
    "Answer for a company you represent": (
        "الرد نيابةً عن شركة تمثلونها",
        "Ответить за компанию, которую вы представляете",
    ),
    "Companies whose mandate to your brokerage covers this offer's country:": (
        "الشركات التي يشمل تفويضها لوساطتكم بلد هذا العرض:",
        "Компании, чья доверенность вашему агентству охватывает страну этого предложения:",
    ),
    "No company's mandate to your brokerage covers this offer's country.": (
        "لا يشمل تفويض أي شركة لوساطتكم بلد هذا العرض.",
        "Ни одна доверенность компании вашему агентству не охватывает страну этого предложения.",
    ),
    "What the programme's companies have exported": (
        "ما صدّرته شركات البرنامج",
        "Что экспортировали компании программы",
    ),
}
