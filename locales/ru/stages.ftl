## The cycle's stages of a program: the overview, the checklist, moving on, dates.
## Stage names are staff-stage-1 … staff-stage-7 (staff.ftl).

stages-overview =
    Программа «{ $program }»: { $closed ->
        [True] завершена.
       *[other] этап { $stage } из 7 — { $name }.
    }

    { $lines }
    { $closed ->
        [True] {""}
       *[other] {"\u000A"}Что нужно на этом этапе:{"\u000A"}{ $checklist }
    }
    Переход по датам: { $auto ->
        [True] включён — программа перейдёт к следующему этапу в день его начала.
       *[other] выключен — переходите кнопкой.
    }
stages-line = { $state ->
        [current] ▶
        [done] ✓
       *[other] ○
    } { $stage }. { $name }{ $start ->
        [none] {""}
       *[other] : { $start } – { $end }
    }
stages-item = { $done ->
        [True] ✓
       *[other] ○
    } { $text }
stages-item-curator = Назначен куратор программы
stages-item-description = Описание программы для участников
stages-item-dates = Даты этапов: { $count } из { $total }
stages-item-links = Ссылки-приглашения для наставляемых и наставников: { $count } из { $total }
stages-item-mentees-joined = Наставляемые присоединились: { $count }
stages-item-mentees-questionnaires = Анкеты наставляемых: { $count } из { $total }
stages-item-mentors-joined = Наставники присоединились: { $count }
stages-item-mentors-questionnaires = Анкеты наставников: { $count } из { $total }
stages-item-consents-pending = Ждут согласия родителей: { $count }
stages-item-mentors-approved = Утверждено наставников: { $count } из { $total }
stages-item-materials = Материалы для обучения наставников: { $count }
stages-item-pairs = Пар сформировано: { $count }
stages-item-proposals-decided = Предложений подбора без решения: { $count }
stages-item-unmatched = Наставляемых без пары: { $count }
stages-item-pairs-met = Пары, которые уже встречались: { $count } из { $total }
stages-item-pairs-goals = Пары, записавшие цели: { $count } из { $total }
stages-item-final-meetings = Итоговые встречи проведены: { $count } из { $total }
stages-item-goals-done = Целей достигнуто: { $count }

stages-button-next = { $name ->
        [none] Завершить программу
       *[other] Перейти к этапу { $stage }: { $name }
    }
stages-button-dates = Даты этапов
stages-button-auto = { $auto ->
        [True] Переход по датам: выключить
       *[other] Переход по датам: включить
    }
stages-button-close = ← Назад
stages-button-back = ← Назад
stages-button-force = Перейти всё равно
stages-button-stage = { $stage }. { $name }
stages-confirm =
    На этапе «{ $name }» ещё не всё готово:
    { $open }
    Перейти к следующему этапу всё равно? Участники получат сообщения следующего этапа.
stages-moved = { $closed ->
        [True] Программа завершена. Спасибо за работу!
       *[other] Программа перешла к этапу { $stage }: { $name }. Участники получат сообщения этого этапа.
    }
stages-auto-set = { $auto ->
        [True] Переход по датам включён.
       *[other] Переход по датам выключен.
    }
stages-pick = Даты какого этапа задать?
stages-ask-dates = Этап { $stage } «{ $name }»: напишите даты начала и конца, например 01.09.2026 - 30.09.2026. Чтобы стереть даты, отправьте «-».
stages-dates-invalid = Не понял даты. Напишите так: 01.09.2026 - 30.09.2026.
stages-dates-order = Конец этапа раньше начала. Проверьте даты.
stages-dates-set = Даты этапа { $stage } сохранены.
stages-not_found = Такой программы нет или она уже завершена.
stages-not_allowed = Этапы программы меняют только её кураторы и координаторы организации.

## What participants get when a program enters a stage.

stage-questionnaire = Программа «{ $program }» собирает анкеты участников. Ваша анкета ещё не заполнена — откройте в меню «{ menu-participation }» и продолжите, это займёт несколько минут.
stage-training = Программа «{ $program }» переходит к обучению наставников. Материалы для подготовки куратор пришлёт сюда же; если вопросы — напишите куратору.
stage-pairs-formed = В программе «{ $program }» сформированы пары. Загляните в «Моя пара»: там ваш партнёр и кнопка, чтобы предложить первую встречу.
stage-unmatched = В программе «{ $program }» пары сформированы, но для вас наставник пока не подобран. Куратор продолжает поиск и свяжется с вами; если хотите поговорить — вас поддержит школьный психолог.
stage-work = В программе «{ $program }» начинается работа пар. План встреч: знакомство → пробная встреча → планирование → регулярные встречи → итоговая. Предложите встречу в разделе «Мои встречи».
stage-thanks =
    Программа «{ $program }» подходит к концу. Спасибо за участие!
    Вместе вы провели { $held } { $held ->
        [one] встречу
        [few] встречи
       *[many] встреч
    } в { $pairs } { $pairs ->
        [one] паре
       *[other] парах
    }. Пожалуйста, ответьте на итоговый опрос — он придёт отдельным сообщением.
stage-award = Вы в числе лучших наставников программы «{ $program }» (место { $place }) по отзывам наставляемых и проведённым встречам. Куратор расскажет о награждении на итоговом мероприятии. Спасибо!
