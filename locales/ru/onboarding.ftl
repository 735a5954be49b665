## Joining a program after an invite link, a parent's consent through a link, /consents,
## /privacy and /delete_me. The consent texts themselves are in consent-text.ftl.

menu-participation = Моё участие
menu-consents = Мои согласия

## The overview of a participation

onboarding-welcome =
    Вас пригласили в программу наставничества «{ $program }» ({ $organization }) в роли { $role ->
        [mentor] наставника
       *[other] наставляемого
    }.{ $about }

    { $resumed ->
        [yes] Вы уже начали регистрацию — продолжим с того места, где остановились.
       *[other] Регистрация займёт несколько минут: согласие на участие, пара вопросов о вас и анкета.
    }
onboarding-button-start = Начать
onboarding-button-continue = Продолжить
onboarding-choose = Вы приглашены в несколько программ. Какую открыть?
onboarding-choice = «{ $program }» — { $role ->
        [mentor] наставник
       *[other] наставляемый
    }
onboarding-nothing = Сейчас нет программ, где от вас что-то нужно. Чтобы присоединиться к программе, откройте приглашение от куратора.
onboarding-not-yours = Это приглашение оформлено не на вас. Попросите куратора прислать вам ваше.
onboarding-ready =
    Вы участник программы «{ $program }» ({ $organization }).{ $about }

    Куратор подберёт вам пару и напишет сюда.
onboarding-gone = Вы больше не участвуете в программе «{ $program }». Чтобы вернуться, попросите у куратора новое приглашение.
onboarding-declined =
    Вы не участвуете в программе «{ $program }»: { $who ->
        [parent] родитель не дал согласия.
       *[other] вы отказались.
    }{ $about }

    Передумали? Нажмите «{ onboarding-button-rejoin }» — { $who ->
        [parent] появится новая ссылка для родителя.
       *[other] согласие можно будет дать снова.
    }
onboarding-button-rejoin = Участвовать

## Own consent and the profile

onboarding-consent-thanks = Спасибо, согласие записано.
onboarding-declined-now = Вы отказались от участия в программе «{ $program }». Если передумаете, откройте в меню «{ menu-participation }» и нажмите «{ onboarding-button-rejoin }».
onboarding-ask-full-name = Как вас зовут? Напишите имя и фамилию — так вас будет видеть куратор.
onboarding-ask-grade = В каком вы классе? Например: 6Б или 10 «А».
onboarding-ask-birth-date = Когда вы родились? Напишите дату так: ДД.ММ.ГГГГ, например 14.03.2013. По ней бот поймёт, чьё согласие на участие нужно.
onboarding-ask-subject = Какой предмет вы ведёте?
onboarding-ask-position = Ваша должность? Например: учитель, педагог-психолог, заместитель директора.
onboarding-ask-workplace = Где вы работаете или учитесь? Напишите название организации.
onboarding-ask-occupation = Чем вы занимаетесь? Должность или профессия.
onboarding-name-invalid = Не похоже на имя и фамилию. Напишите их буквами через пробел, например: Миша Иванов.
onboarding-grade-invalid = Не получилось понять класс. Напишите номер и букву, например: 6Б.
onboarding-birth-date-invalid = Не получилось понять дату. Напишите её так: ДД.ММ.ГГГГ, например 14.03.2013.
onboarding-birth-date-out-of-range = Проверьте год рождения: такая дата не подходит.
onboarding-text-invalid = Напишите, пожалуйста, ответ словами.

## A parent's consent: what the student sees

onboarding-parent-needed = { $need ->
        [parent] Вам ещё нет { $self_age } { $self_age ->
            [one] года
           *[other] лет
        }, поэтому участвовать можно только с согласия родителя (законного представителя).
       *[other] Вам ещё нет { $adult_age } { $adult_age ->
            [one] года
           *[other] лет
        }, поэтому нужно ещё согласие родителя (законного представителя).
    } Ниже — сообщение для него: перешлите его в Telegram или ВКонтакте, где ему удобнее.
onboarding-forward =
    Здравствуйте! { $child } просит вашего согласия на участие в программе наставничества «{ $program }» ({ $organization }).
    Откройте ссылку — бот «Наставник» покажет текст согласия, и вы сможете согласиться или отказаться:
    { $links }
    Ссылка действует до { $until } включительно и подходит один раз.
onboarding-link-telegram = Telegram: { $url }
onboarding-link-vk = ВКонтакте: { $url }
onboarding-link-token = Если ссылка не открывается, напишите боту «Наставник» сообщение: /start { $token }
onboarding-waiting =
    «{ $program }» ({ $organization }){ $about }

    Участие начнётся, когда родитель (законный представитель) даст согласие. Перешлите ему сообщение выше. Пока согласия нет, можно только читать о программе.
    Если ссылка ушла не тому человеку или истекла, нажмите «{ onboarding-button-renew }».
onboarding-button-renew = Новая ссылка
onboarding-link-renewed = Готово: прежняя ссылка больше не работает, вот новая.

## The questionnaire and the end

onboarding-questionnaire-paused = Анкета для программы «{ $program }» ещё не закончена. Ответы сохраняются — продолжить можно в любой момент.
onboarding-button-questionnaire = Продолжить анкету
onboarding-done = Готово! Вы участник программы «{ $program }». Куратор подберёт вам пару и сообщит об этом здесь.

## A parent opening a consent link

consent-button-agree = Даю согласие
consent-button-refuse = Не даю согласия
consent-parent-name-needed = Сначала напишите ваши фамилию, имя и отчество — так, как подписали бы бумагу.
consent-parent-confirm = { $signer }, подтвердите: вы даёте согласие на участие ребёнка ({ $child }) в программе и на обработку персональных данных ребёнка на условиях из сообщения выше?
consent-parent-granted = Спасибо! Согласие записано. { $child } получит сообщение и сможет продолжить регистрацию. Посмотреть или отозвать согласие — команда /consents.
consent-parent-refused = Ваш отказ записан: { $child } не будет участвовать в программе. Если передумаете, попросите ребёнка прислать новую ссылку.
consent-link-unknown = Такой ссылки для согласия нет — возможно, в ней опечатка. Попросите ребёнка переслать её ещё раз.
consent-link-expired = Срок действия этой ссылки истёк. Попросите ребёнка прислать новую: в боте «Наставник» — «{ menu-participation }» → «{ onboarding-button-renew }».
consent-link-used = По этой ссылке решение уже принято. Тот, кто его принял, может посмотреть или отозвать согласие командой /consents.
consent-link-own = Эта ссылка — для вашего родителя (законного представителя): согласие даёт он. Перешлите ему сообщение со ссылкой.
consent-link-closed = Согласие по этой ссылке больше не нужно: участие не ждёт решения.

## Notifications

consent-reminder = Напоминаем: родитель ещё не ответил на просьбу о согласии для программы «{ $program }». Откройте в меню «{ menu-participation }» — там сообщение со ссылкой можно переслать ещё раз или получить новую ссылку.
consent-granted-notice = Родитель дал согласие на ваше участие в программе «{ $program }». Откройте в меню «{ menu-participation }», чтобы продолжить регистрацию.
consent-refused-notice = Родитель не дал согласия на ваше участие в программе «{ $program }». Если он передумает, откройте «{ menu-participation }» и нажмите «{ onboarding-button-rejoin }» — появится новая ссылка.
consent-curator-granted = Родитель дал согласие: { $name } продолжает регистрацию в программе «{ $program }».
consent-curator-refused = Родитель не дал согласия: { $name } не будет участвовать в программе «{ $program }».
consent-curator-revoked = { $relation ->
        [parent] Родитель отозвал согласие: { $name } больше не участвует в программе «{ $program }».{ $erased ->
            [yes] {" "}Данные ребёнка удалены.
           *[other] {""}
        }
       *[other] { $name } отозвал(а) своё согласие и больше не участвует в программе «{ $program }».
    }
enrolment-curator-ready = { $name } { $role ->
        [mentor] (наставник)
       *[other] (наставляемый)
    } прошёл(ла) регистрацию в программе «{ $program }» и готов(а) к подбору пары.
enrolment-curator-left = { $name } { $role ->
        [mentor] (наставник)
       *[other] (наставляемый)
    } удалил(а) свои данные из бота и больше не участвует в программе «{ $program }».

## /consents

consents-list =
    Согласия, которые вы давали:
    { $lines }

    Отозвать согласие можно в любой момент.
consents-line = { $number }. { $who } — «{ $program }»: { $status ->
        [granted] действует
        [refused] отказ
       *[revoked] отозвано
    } (с { $date })
consents-self = ваше собственное
consents-erased = ребёнок (данные удалены)
consents-none = Вы пока не давали согласий в этом боте.
consents-button-revoke = Отозвать № { $number }
consents-button-list = К списку
consents-gone = Это согласие уже не действует.
consents-revoke-confirm =
    { $relation ->
        [parent] Отозвать согласие за { $who } на участие в программе «{ $program }»?
            Участие ребёнка прекратится, его данные будут удалены: имя, дата рождения, класс, ответы анкеты и аккаунты в мессенджерах. Бот больше не сможет написать ребёнку — расскажите ему сами. Куратор получит уведомление.
       *[other] Отозвать ваше согласие на участие в программе «{ $program }»?
            Ваше участие прекратится, ответы анкеты этой программы будут удалены, куратор получит уведомление. Удалить все свои данные — команда /delete_me.
    }
    Записи о согласиях (кто, когда и на что соглашался) сохраняются — этого требует закон.
consents-button-yes = Да, отозвать
consents-button-no = Нет
consents-revoked = Согласие отозвано: { $relation ->
        [parent] { $who } больше не участвует в программе «{ $program }».{ $erased ->
            [yes] {" "}Данные ребёнка удалены.
           *[other] {" "}Ребёнок участвует в других программах, поэтому его профиль остаётся для них.
        }
       *[other] вы больше не участвуете в программе «{ $program }».
    }

## /privacy

privacy-info =
    Ваши данные в «Наставнике»

    Что хранится:
    { $stored }

    Зачем: чтобы вести программу наставничества — подбирать пары, договариваться о встречах, собирать отзывы.
    Кто видит: { $programs ->
        [none] никто, кроме вас: вы пока не участвуете в программах.
       *[other] кураторы программ, к которым относятся эти данные ({ $programs }).{ $participates ->
            [yes] {" "}Когда куратор утвердит пару, ваш наставник или наставляемый увидит ваше имя и то, чем вы разрешите поделиться; сведения о здоровье видят только кураторы.
           *[other] {""}
        }
    }
    Сколько хранится: пока идёт программа — согласие действует до её окончания или до отзыва. Записи о согласиях хранятся и после: ими подтверждается, что согласие было.
    Как удалить: /delete_me — удалить все ваши данные; /consents — посмотреть и отозвать согласия.
privacy-field = { $field ->
        [full_name] Имя
        [birth_date] Дата рождения
        [grade] Класс
        [subject] Предмет
        [position] Должность
        [workplace] Организация
       *[occupation] Род занятий
    }: { $value }
privacy-channels = Мессенджеры: { $channels }
privacy-participation = Программа «{ $program }»: { $role ->
        [mentor] наставник
       *[other] наставляемый
    }, { $status ->
        [invited] приглашение
        [onboarding] регистрация не закончена
        [consent_pending] ждём согласия родителя
        [ready] готовы к подбору пары
        [matched] в паре
        [finished] программа завершена
        [declined] отказ
        [left] вышли из программы
       *[removed] исключены куратором
    }
privacy-answers = Ответы в анкетах: { $count }
privacy-consents = Согласия: ваши — { $own }, за детей — { $children }
privacy-staff = Роль в школе: { $role ->
        [coordinator] координатор
        [curator] куратор
       *[psychologist] педагог-психолог
    }
privacy-curated = Куратор программы «{ $program }»
privacy-language = Язык общения: { $language }
privacy-button-delete = Удалить мои данные
privacy-button-consents = Мои согласия

## /delete_me

delete-me-confirm =
    Удалить все ваши данные из «Наставника»?

    Будет удалено:
    { $stored }

    { $children ->
        [0] {""}
       *[other] Согласия, которые вы дали за детей, останутся в силе. Если хотите их отозвать, сначала сделайте это командой /consents.{" "}
    }{ $programs ->
        [0] {""}
       *[other] Кураторы ваших программ узнают, что вы вышли из программы.{" "}
    }Записи о согласиях (кто, когда и на что соглашался) сохранятся — этого требует закон. Отменить удаление будет нельзя.
delete-me-button-yes = Да, удалить всё
delete-me-button-no = Нет, оставить
delete-me-kept = Хорошо, ничего не удаляем.
delete-me-done = Ваши данные удалены. Спасибо, что были с нами! Если напишете снова, бот встретит вас как нового собеседника.
