"""The people of a generated edition: applicants with plausible Kazakh and Russian names,
valid IINs and BINs, workplaces in their region, and the texts of their applications, in
Russian or Kazakh as a real applicant would write them. Everything comes from one seeded
random generator, so an edition is the same every time it is generated."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from contest_intake.domain.identifiers import with_check_digit


def _names(text: str) -> list[str]:
    return text.split()


KAZAKH_MEN = _names(
    "Ерлан Нурлан Арман Даурен Асхат Бауыржан Ержан Қайрат Марат Серік Талгат Жандос "
    "Айдос Нұрсұлтан Ғалым Берик"
)
KAZAKH_WOMEN = _names(
    "Айгуль Гульнара Динара Жанар Сауле Айжан Асель Мадина Гүлмира Ботагөз Назгуль "
    "Әсел Ақмарал Салтанат Жазира Алия"
)
KAZAKH_SURNAMES = _names(
    "Абенов Жумабаев Сериков Нурланов Касымов Тулегенов Ахметов Оспанов Байжанов "
    "Искаков Мухамедов Садыков Ермеков Кенжебаев Омаров Смагулов Амантаев Бекмуханов"
)
RUSSIAN_MEN = _names("Александр Сергей Андрей Дмитрий Владимир Игорь Олег Виктор Евгений Николай")
RUSSIAN_WOMEN = _names("Елена Ольга Татьяна Наталья Ирина Светлана Анна Людмила Марина Юлия")
RUSSIAN_SURNAMES = _names(
    "Иванов Кузнецов Петров Соколов Попов Лебедев Козлов Новиков Морозов Волков Зайцев Павлов"
)
RUSSIAN_FATHERS = ["Александр", "Сергей", "Николай", "Виктор", "Иван", "Петр", "Андрей"]

CITIES = {
    "KZ-10": ("Семей", "Семей"), "KZ-11": ("Кокшетау", "Көкшетау"),
    "KZ-15": ("Актобе", "Ақтөбе"), "KZ-19": ("Конаев", "Қонаев"),
    "KZ-23": ("Атырау", "Атырау"), "KZ-27": ("Уральск", "Орал"),
    "KZ-31": ("Тараз", "Тараз"), "KZ-33": ("Талдыкорган", "Талдықорған"),
    "KZ-35": ("Караганда", "Қарағанды"), "KZ-39": ("Костанай", "Қостанай"),
    "KZ-43": ("Кызылорда", "Қызылорда"), "KZ-47": ("Актау", "Ақтау"),
    "KZ-55": ("Павлодар", "Павлодар"), "KZ-59": ("Петропавловск", "Петропавл"),
    "KZ-61": ("Туркестан", "Түркістан"), "KZ-62": ("Жезказган", "Жезқазған"),
    "KZ-63": ("Усть-Каменогорск", "Өскемен"), "KZ-71": ("Астана", "Астана"),
    "KZ-75": ("Алматы", "Алматы"), "KZ-79": ("Шымкент", "Шымкент"),
}  # fmt: skip

WORKPLACES = {
    "special-services-centre-worker": (
        "Центр оказания специальных социальных услуг №{n}, г. {city}",
        "{city} қ. №{n} арнаулы әлеуметтік қызметтер көрсету орталығы",
        ("социальный работник", "әлеуметтік қызметкер"),
    ),
    "social-pedagogue": (
        "Центр поддержки семьи №{n}, г. {city}",
        "{city} қ. №{n} отбасын қолдау орталығы",
        ("социальный педагог", "әлеуметтік педагог"),
    ),
    "social-inspector": (
        "Департамент Комитета регулирования и контроля в сфере социальной защиты, г. {city}",
        "{city} қ. Әлеуметтік қорғау саласындағы реттеу және бақылау комитетінің департаменті",
        ("главный инспектор", "бас инспектор"),
    ),
    "home-care-worker": (
        "Отделение социальной помощи на дому №{n}, г. {city}",
        "{city} қ. №{n} үйде әлеуметтік көмек көрсету бөлімшесі",
        ("социальный работник по уходу", "күтім жөніндегі әлеуметтік қызметкер"),
    ),
    "employment-centre-specialist": (
        "Центр трудовой мобильности, г. {city}",
        "{city} қ. Еңбек ұтқырлығы орталығы",
        ("ведущий специалист", "жетекші маман"),
    ),
}
ACHIEVEMENTS = (
    "За {years} лет сопровождал(а) более {people} получателей услуг; внедрил(а) "
    "индивидуальные планы реабилитации и обучил(а) {mentees} молодых специалистов.",
    "{years} жыл ішінде {people}-ден астам қызмет алушыға қолдау көрсетті; оңалтудың "
    "жеке жоспарларын енгізіп, {mentees} жас маманды оқытты.",
)
PROJECTS = [
    ("Спорт для всех", "Баршаға арналған спорт", "молодёжь с инвалидностью"),
    ("Серебряный университет", "Күміс университет", "пожилые люди"),
    ("Дорога к труду", "Еңбекке жол", "безработные граждане"),
    ("Инклюзивная мастерская", "Инклюзивті шеберхана", "люди с особыми потребностями"),
    ("Тёплый дом", "Жылы үй", "одинокие пожилые люди"),
    ("Школа родителей", "Ата-аналар мектебі", "семьи с детьми с инвалидностью"),
    ("Доступная среда", "Қолжетімді орта", "люди на креслах-колясках"),
    ("Наставник рядом", "Тәлімгер қасыңда", "выпускники детских домов"),
]
ORGANISATION_KINDS = ("ОО", "ОФ", "КГУ")
ORGANISATION_NAMES = ["Жігер", "Мейірім", "Шапағат", "Ізгі ниет", "Жарқын болашақ", "Қамқор",
                      "Бірлік", "Сенім", "Ақ жол", "Дара"]  # fmt: skip


@dataclass(frozen=True)
class Person:
    """A generated person: full name, IIN, and the language they write in."""

    name: str
    iin: str
    language: str
    latin: str


class People:
    """A seeded source of people, organisations and application forms."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self._serial = 0

    def _next_serial(self) -> int:
        self._serial += 1
        return self._serial

    def person(self) -> Person:
        """A person with a Kazakh or Russian name and a valid IIN matching birth and sex."""
        woman = self.random.random() < 0.7  # the profession is mostly women
        kazakh = self.random.random() < 0.75
        if kazakh:
            first = self.random.choice(KAZAKH_WOMEN if woman else KAZAKH_MEN)
            surname = self.random.choice(KAZAKH_SURNAMES) + ("а" if woman else "")
            father = self.random.choice(KAZAKH_MEN)
            patronymic = father + ("қызы" if woman else "ұлы")
            name = f"{surname} {first} {patronymic}"
        else:
            first = self.random.choice(RUSSIAN_WOMEN if woman else RUSSIAN_MEN)
            surname = self.random.choice(RUSSIAN_SURNAMES) + ("а" if woman else "")
            father = self.random.choice(RUSSIAN_FATHERS)
            stem = father[:-1] + "е" if father.endswith("й") else father + "о"
            patronymic = stem + ("вна" if woman else "вич")
            name = f"{surname} {first} {patronymic}"
        born = date(1962, 1, 1) + timedelta(days=self.random.randrange(365 * 38))
        sex_and_century = 4 if woman else 3  # born in the 1900s
        iin = self._identifier(f"{born:%y%m%d}{sex_and_century}")
        language = "kk" if kazakh and self.random.random() < 0.6 else "ru"
        return Person(name, iin, language, transliterated(f"{first}.{surname}"))

    def bin(self) -> str:
        """A valid BIN of a resident legal entity's head office."""
        registered = f"{self.random.randrange(5, 24):02d}{self.random.randrange(1, 13):02d}"
        return self._identifier(f"{registered}40")

    def _identifier(self, prefix: str) -> str:
        # About one serial in eleven has no check digit: the next one will.
        while True:
            serial = self._next_serial() % 10 ** (11 - len(prefix))
            number = with_check_digit(f"{prefix}{serial:0{11 - len(prefix)}d}")
            if number is not None:
                return number

    def phone(self) -> str:
        """A Kazakhstan mobile number, unique within this generator."""
        return f"+77{self.random.choice('0057'):s}{self._next_serial() % 10**8:08d}"

    def worker_form(self, nomination: str, region: str) -> dict[str, Any]:
        """An individual's application in a worker nomination."""
        person = self.person()
        city_ru, city_kk = CITIES[region]
        workplace_ru, workplace_kk, (position_ru, position_kk) = WORKPLACES[nomination]
        n = self.random.randrange(1, 12)
        years = self.random.randrange(2, 31)
        russian = person.language == "ru"
        achievements = ACHIEVEMENTS[0 if russian else 1].format(
            years=years, people=self.random.randrange(20, 400), mentees=self.random.randrange(1, 9)
        )
        return {
            "nomination_code": nomination,
            "region_code": region,
            "applicant": {
                "kind": "individual",
                "identifier": person.iin,
                "display_name": person.name,
            },
            "contact": {
                "email": f"{person.latin}{self._next_serial()}@mail.kz",
                "phone": self.phone(),
                "language": person.language,
            },
            "details": {
                "kind": "worker",
                "workplace": (workplace_ru if russian else workplace_kk).format(
                    n=n, city=city_ru if russian else city_kk
                ),
                "position": position_ru if russian else position_kk,
                "years_of_service": years,
                "achievements": achievements,
            },
        }

    def project_form(self, nomination: str, region: str) -> dict[str, Any]:
        """An organisation's application in a project nomination."""
        title_ru, title_kk, target = self.random.choice(PROJECTS)
        city_ru, city_kk = CITIES[region]
        organisation = (
            f'{self.random.choice(ORGANISATION_KINDS)} "{self.random.choice(ORGANISATION_NAMES)}"'
        )
        russian = self.random.random() < 0.6
        started = date(2021, 1, 1) + timedelta(days=self.random.randrange(1200))
        reached = self.random.randrange(40, 3000)
        summary = (
            f"{title_ru}: занятия, консультации и сопровождение; охвачено {reached} человек "
            f"в г. {city_ru}."
            if russian
            else f"«{title_kk}»: сабақтар, кеңестер және сүйемелдеу; {city_kk} қаласында "
            f"{reached} адам қамтылды."
        )
        return {
            "nomination_code": nomination,
            "region_code": region,
            "applicant": {
                "kind": "organisation",
                "identifier": self.bin(),
                "display_name": f"{organisation}, {city_ru}",
            },
            "contact": {
                "email": f"office{self._next_serial()}@ngo.kz",
                "phone": self.phone(),
                "language": "ru" if russian else "kk",
            },
            "details": {
                "kind": "project",
                "project_title": f"{title_ru if russian else title_kk} — {city_ru}",
                "summary": summary,
                "target_group": target,
                "beneficiaries_reached": reached,
                "budget_tenge": self.random.randrange(5, 200) * 100_000,
                "period_start": started.isoformat(),
            },
        }


_CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі"
_ROMAN = (
    "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh sh - y - e yu ya a g q n o u u h i"
)
_LATIN = dict(zip(_CYRILLIC, _ROMAN.split(), strict=True))


def transliterated(text: str) -> str:
    """A Latin spelling for email addresses."""
    return "".join(_LATIN.get(c, c) for c in text.lower()).replace("-", "")
