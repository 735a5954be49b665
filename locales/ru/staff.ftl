## Coordinators and curators: «Мои программы», creating a program, invite links, who joined.

menu-staff-programs = Мои программы
menu-staff-create = Создать программу

staff-not-allowed = Эта программа вам недоступна: её видят только кураторы программы и координаторы организации. Если вас недавно назначили, попросите координатора прислать новую ссылку-приглашение.
staff-not-found = Такой программы или ссылки больше нет.

## The list and the card

staff-programs = { $count ->
        [0] Программ пока нет.
       *[other] Ваши программы. Выберите программу:
    }
staff-button-create = ＋ Создать программу
staff-card =
    «{ $name }» — { $organization }
    Форма: { $form }, ролевая модель «{ $model }»
    Этап { $stage } из 7: { $stage_name }
    Сроки: { $dates }
    Наставляемые: { $mentees }
    Наставники: { $mentors }{ $description }
staff-dates = с { $starts } по { $ends }
staff-dates-from = с { $starts }
staff-dates-until = по { $ends }
staff-dates-none = не заданы
staff-count = { $total } ({ $details })
staff-count-none = пока никого
staff-button-links = Ссылки-приглашения
staff-button-joined = Кто присоединился
staff-button-stages = Этапы
staff-button-digest = Сводка
staff-button-announce = Объявление
staff-button-reports = Отчёты

staff-stage-1 = подготовка
staff-stage-2 = формирование базы наставляемых
staff-stage-3 = формирование базы наставников
staff-stage-4 = отбор и обучение наставников
staff-stage-5 = формирование пар и групп
staff-stage-6 = работа пар
staff-stage-7 = завершение

staff-form-student-student = ученик – ученик
staff-form-teacher-student = педагог – ученик
staff-form-teacher-teacher = педагог – педагог
staff-form-employer-student = работодатель – ученик
staff-form-graduate-student = выпускник – ученик

staff-model-achiever-underachiever = успевающий – неуспевающий
staff-model-leader-passive = лидер – пассивный
staff-model-peer-peer = равный – равному
staff-model-professional-consumer = активный профессионал – равнодушный потребитель
staff-model-colleague-young-colleague = коллега – молодой коллега
staff-model-teacher-future-teacher = педагог – будущий педагог
staff-model-experienced-young-specialist = опытный педагог – молодой специалист
staff-model-leader-struggling-teacher = лидер – педагог, испытывающий трудности
staff-model-innovator-conservative = педагог-новатор – консервативный педагог

staff-status-invited = приглашены: { $count }
staff-status-onboarding = регистрируются и заполняют анкету: { $count }
staff-status-consent-pending = ждут согласия родителей: { $count }
staff-status-ready = готовы к подбору пары: { $count }
staff-status-matched = в паре: { $count }
staff-status-finished = завершили: { $count }
staff-status-declined = отказались: { $count }
staff-status-left = вышли: { $count }
staff-status-removed = исключены: { $count }

## Invite links

staff-links-role = Для кого ссылка в программу «{ $program }»?
staff-role-mentee = Для наставляемых
staff-role-mentor = Для наставников
staff-role-curator = Для куратора (на одного человека)
staff-links =
    Ссылка для { $role ->
        [mentee] наставляемых
        [mentor] наставников
       *[other] куратора
    } программы «{ $program }»:
    { $links }

    { $state ->
        [active] { $role ->
            [curator] Ссылка сработает один раз: отправьте её лично будущему куратору.
           *[other] Отправьте её в чат класса или родительский чат. Кто откроет ссылку, попадёт в программу и начнёт регистрацию.
        }
        [expired] Срок действия этой ссылки истёк. Чтобы получить действующую, нажмите «Назад» и снова выберите, для кого ссылка.
        [revoked] Эта ссылка отключена. Чтобы получить действующую, нажмите «Назад» и снова выберите, для кого ссылка.
       *[other] По этой ссылке уже присоединились все, кому она предназначалась. Чтобы получить новую, нажмите «Назад» и снова выберите, для кого ссылка.
    }
staff-link-telegram = Telegram: { $link }
staff-link-vk = ВКонтакте: { $link }
staff-link-token =
    Ссылки на бота ещё не настроены. Код приглашения: { $token }
    Чтобы присоединиться, нужно открыть бота и отправить ему: /start { $token }
staff-qr-telegram = QR-код ссылки для Telegram — для плаката или чтобы отсканировать с экрана.
staff-qr-vk = QR-код ссылки для ВКонтакте — для плаката или чтобы отсканировать с экрана.
staff-button-replace = Заменить ссылку
staff-button-done = Готово
staff-replace-confirm = Старая ссылка для { $role ->
        [mentee] наставляемых
       *[other] наставников
    } перестанет работать — и в чатах, и на распечатанных плакатах. Заменить её новой?
staff-button-replace-yes = Да, заменить
staff-button-replace-no = Нет, оставить
staff-replaced = Готово: старая ссылка отключена, вот новая.

## Who joined

staff-joined = { $total ->
        [0] В программу «{ $program }» пока никто не присоединился. Поделитесь ссылками-приглашениями.
       *[other] Присоединились к программе «{ $program }»: { $total }. Показаны { $first }–{ $last }:
            { $lines }
    }
staff-joined-line = • { $name } — { $role ->
        [mentee] наставляемый
       *[other] наставник
    }, { $status }
staff-joined-no-name = имя не указано (№{ $id })
staff-button-previous = ← Предыдущие
staff-button-next = Следующие →

staff-person-invited = приглашён
staff-person-onboarding = регистрируется, анкета не закончена
staff-person-consent-pending = ждёт согласия родителя
staff-person-ready = анкета заполнена, ждёт пару
staff-person-matched = в паре
staff-person-finished = завершил программу
staff-person-declined = отказался
staff-person-left = вышел из программы
staff-person-removed = исключён

## Creating a program

staff-create-name = Шаг 1 из 6. Как называется программа? Например: «Наставничество 2026/27, ученик – ученик».
staff-create-name-empty = Напишите название программы словами.
staff-create-form = Шаг 2 из 6. Форма наставничества — кто кого наставляет:
staff-create-model = Шаг 3 из 6. Ролевая модель для формы «{ $form }»:
staff-create-description = Шаг 4 из 6. Опишите программу в двух-трёх предложениях: это прочтут те, кто откроет ссылку-приглашение. Можно пропустить.
staff-create-starts = Шаг 5 из 6. Когда программа начинается? Дата в виде ДД.ММ.ГГГГ, например 01.09.2026.
staff-create-ends = Шаг 6 из 6. Когда программа заканчивается? Дата в виде ДД.ММ.ГГГГ, например 31.05.2027.
staff-create-organization = В какой организации создать программу?
staff-create-not-allowed = Создавать программы могут координаторы и кураторы организации. Если вас недавно назначили, попросите координатора прислать ссылку-приглашение. Программа не создана.
staff-create-not-found = Этой организации больше нет в боте. Программа не создана.
staff-date-invalid = Не получилось прочитать дату. Напишите её в виде ДД.ММ.ГГГГ, например 01.09.2026.
staff-date-order = Программа должна закончиться позже, чем начнётся ({ $starts }).
staff-no-description = без описания
staff-create-review =
    Проверьте, всё ли верно:
    Название: «{ $name }»
    Организация: { $organization }
    Форма: { $form }
    Ролевая модель: { $model }
    Описание: { $description }
    Сроки: с { $starts } по { $ends }

    Если нужно что-то исправить, нажмите «Назад».
staff-button-create-confirm = Создать программу
staff-program-created = Программа «{ $name }» создана.{ $hint ->
        [yes] {" "}Ссылки-приглашения для участников — в разделе «{ menu-staff-programs }».
       *[other] {""}
    }

## Invite links opened

staff-invite-joined = { $already ->
        [yes] Вы уже участвуете в программе «{ $program }»
       *[other] Вы присоединились к программе «{ $program }»
    } как { $role ->
        [mentee] наставляемый
       *[other] наставник
    }.
staff-invite-curator = { $named ->
        [yes] Здравствуйте, { $name }!
       *[other] Здравствуйте!
    } { $already ->
        [yes] Вы уже куратор
       *[other] Теперь вы куратор
    } программы «{ $program }» ({ $organization }). В меню откройте «{ menu-staff-programs }»: там ссылки-приглашения для наставляемых и наставников и список тех, кто присоединился. Новую программу своей организации можно завести кнопкой «{ menu-staff-create }».
staff-invite-coordinator = { $named ->
        [yes] Здравствуйте, { $name }!
       *[other] Здравствуйте!
    } { $already ->
        [yes] Вы уже координатор
       *[other] Теперь вы координатор
    } наставничества в организации «{ $organization }». В меню: «{ menu-staff-programs }» — все программы организации, «{ menu-staff-create }» — новая программа.
staff-invite-removed = Куратор исключил вас из программы «{ $program }». Если это ошибка, напишите куратору.
staff-invite-expired = Срок действия этой ссылки-приглашения истёк. Попросите того, кто её прислал, дать новую.
staff-invite-revoked = Эта ссылка-приглашение отключена. Попросите куратора прислать действующую.
staff-invite-used-up = По этой ссылке уже присоединилось столько людей, сколько было предусмотрено. Попросите новую ссылку у того, кто её прислал.
staff-invite-unknown = Такого приглашения нет: возможно, ссылка скопирована не целиком. Скопируйте её ещё раз или попросите новую.
