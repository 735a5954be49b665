## Meetings (stage 6): notifications to the members of a pair or group. Times come in the
## reader's own time zone: $day (ДД.ММ.ГГГГ), $weekday (1 = понедельник), $time, $zone.

meeting-kind-name = { $kind ->
        [intro] встреча-знакомство
        [trial] пробная рабочая встреча
        [planning] встреча-планирование
        [final] итоговая встреча
       *[regular] встреча
    }
meeting-kind-title = { $kind ->
        [intro] Встреча-знакомство
        [trial] Пробная рабочая встреча
        [planning] Встреча-планирование
        [final] Итоговая встреча
       *[regular] Встреча
    }
meeting-weekday = { $weekday ->
        [1] пн
        [2] вт
        [3] ср
        [4] чт
        [5] пт
        [6] сб
       *[7] вс
    }
meeting-when = { meeting-weekday }, { $day }, { $time } ({ $zone })
meeting-details =
    { meeting-kind-name }, { meeting-when }, { $minutes } мин.{ $place ->
        [none] {""}
       *[other] {"\u000A"}Место: { $place }
    }{ $link ->
        [none] {""}
       *[other] {"\u000A"}Ссылка: { $link }
    }{ $topic ->
        [none] {""}
       *[other] {"\u000A"}Тема: { $topic }
    }

meeting-proposed =
    { $who } предлагает встречу (программа «{ $program }»):
    { meeting-details }
    Подходит?
meeting-countered =
    { $who } предлагает другое время (программа «{ $program }»):
    { meeting-details }
    Подходит?
meeting-moved =
    { $who } переносит встречу (программа «{ $program }»). Новое время:
    { meeting-details }
    Подходит?
meeting-declined = { $who } не может прийти на встречу { meeting-when }. Предложите другое время в разделе «Мои встречи».
meeting-cancelled = { $who } отменил(а) встречу { meeting-when } (программа «{ $program }»). Напоминаний о ней не будет.
meeting-confirmed =
    Встреча подтверждена:
    { meeting-details }
    Файл ниже добавит её в календарь. Напомним заранее.
meeting-reminder = { $before ->
        [60] Через час
        [1440] Завтра
       *[other] Скоро
    } встреча (программа «{ $program }»):
    { meeting-details }
meeting-check =
    Встреча { meeting-when } состоялась?
meeting-check-nudge =
    Напомним: встреча { meeting-when } состоялась? Ответ займёт секунду и поможет куратору.

meeting-button-confirm = Подтвердить
meeting-button-decline = Не смогу
meeting-button-other-time = Другое время
meeting-button-open = Открыть встречу
meeting-button-happened-yes = Да, состоялась
meeting-button-happened-no = Нет
meeting-button-happened-moved = Перенесли

## Dialogs: «Мои встречи», the meeting card, the proposal wizard, feedback.

menu-meetings = Мои встречи
meetings-list = { $count ->
        [0] Запланированных встреч пока нет.
        [one] Ближайшая встреча — ниже.
       *[other] Ближайшие встречи ({ $count }) — ниже.
    } { $pairs ->
        [0] {""}
       *[other] Чтобы договориться о новой, нажмите «Предложить встречу».
    }
meetings-item = { $when } · { meeting-kind-name }{ $status ->
        [proposed] {" "}(ждёт ответа)
       *[other] {""}
    }
meetings-zone-button = Часовой пояс: { meetings-zone-name } ({ $offset })
meetings-zone-option = { meetings-zone-name } ({ $offset })
meetings-ask-zone = В каком часовом поясе вы живёте? Время встреч будет показано в нём.
meetings-zone-saved = Часовой пояс сохранён: { meetings-zone-name }.
meetings-zone-name = { $zone ->
        [kaliningrad] Калининград
        [samara] Самара
        [yekaterinburg] Екатеринбург
        [omsk] Омск
        [krasnoyarsk] Красноярск
        [irkutsk] Иркутск
        [yakutsk] Якутск
        [vladivostok] Владивосток
        [magadan] Магадан
        [kamchatka] Камчатка
       *[other] Москва
    }
meetings-propose-with = Предложить встречу: { $partner }

meeting-status = { $status ->
        [proposed] предложена, ждёт ответа
        [confirmed] подтверждена
        [declined] отклонена
        [countered] предложено другое время
        [held] состоялась
        [missed] не состоялась
        [cancelled] отменена
       *[rescheduled] перенесена
    }
meeting-response = { $response ->
        [confirmed] подтвердил(а)
        [declined] не сможет
        [countered] предложил(а) другое время
       *[pending] ещё не ответил(а)
    }
meeting-card =
    { meeting-kind-title } (программа «{ $program }»)
    Когда: { $when }, { $minutes } мин.{ $place ->
        [none] {""}
       *[other] {"\u000A"}Место: { $place }
    }{ $link ->
        [none] {""}
       *[other] {"\u000A"}Ссылка: { $link }
    }{ $topic ->
        [none] {""}
       *[other] {"\u000A"}Тема: { $topic }
    }
    Статус: { meeting-status }{ $reason ->
        [none] {""}
       *[other] {"\u000A"}Почему не состоялась: { $reason }
    }{ $others ->
        [none] {""}
       *[other] {"\u000A"}{ $others }
    }
meeting-card-answer = { $name }: { meeting-response }

meeting-button-change = Изменить время
meeting-button-reschedule = Перенести
meeting-button-cancel = Отменить встречу
meeting-button-feedback = Оставить отзыв
meeting-button-close = ← К списку встреч
meeting-button-send = Отправить

meeting-answered = { $confirm ->
        [True] { $status ->
            [confirmed] Встреча подтверждена. Файл для календаря и напоминания придут отдельным сообщением.
           *[other] Ваше согласие записано. Ждём ответа остальных.
        }
       *[other] Записали, что вы не сможете. Предложите другое время, если удобно.
    }
meeting-cancelled-by-me = Встреча отменена, все участники получат сообщение.
meeting-sent = { $mode ->
        [counter] Другое время отправлено. Ответ придёт сообщением.
        [reschedule] Новое время отправлено. Ответ придёт сообщением.
       *[other] Предложение отправлено. Ответ придёт сообщением.
    }

meeting-ask-day = В какой день? Выберите или напишите дату, например 15.12.
meeting-day-button = { $offset ->
        [0] сегодня, { $day }
        [1] завтра, { $day }
       *[other] { meeting-weekday }, { $day }
    }
meeting-ask-time = Во сколько? Выберите или напишите время, например 18:30. Время — ваше местное.
meeting-ask-minutes = Сколько продлится встреча?
meeting-minutes-button = { $minutes } мин
meeting-ask-kind = Какая это встреча?
meeting-kind-button = { meeting-kind-name }{ $suggested ->
        [True] {" "}(следующая по плану)
       *[other] {""}
    }
meeting-ask-place = Где встречаетесь? Напишите место (например, «библиотека, 2 этаж») или ссылку на онлайн-встречу.
meeting-ask-topic = О чём поговорите? Напишите тему в нескольких словах или нажмите «Пропустить».
meeting-review =
    Проверьте { $mode ->
        [counter] новое предложение
        [reschedule] новое время
       *[other] предложение
    }:
    { meeting-details }
meeting-date-invalid = Не понял дату. Напишите день и месяц, например 15.12, или выберите день кнопкой.
meeting-time-invalid = Не понял время. Напишите часы и минуты, например 18:30.
meeting-place-invalid = Напишите место или ссылку, или нажмите «Пропустить».
meeting-topic-invalid = Напишите тему или нажмите «Пропустить».

meeting-ask-rating = Как прошла встреча? Оцените от 1 (плохо) до 5 (отлично).
meeting-ask-done = Что сделали на встрече? Пара предложений — или «Пропустить».
meeting-ask-comment = Хотите что-то добавить? Комментарий увидит куратор.
meeting-ask-result = Есть промежуточный результат (проект, оценка, решение)? Запишите его — или «Пропустить».
meeting-feedback-thanks = Спасибо за отзыв! Он поможет куратору.

meeting-error-not_found = Эта встреча недоступна: её нет или вы не участник этой пары.
meeting-error-decided = На эту встречу уже ответили или её статус изменился. Вот как она выглядит сейчас.
meeting-error-past = Это время уже прошло или слишком далеко (больше года). Выберите другое.
meeting-error-invalid = Что-то не так с данными встречи: длительность 15–480 минут, место до 200 знаков, ссылка вида https://…
meeting-error-too_early = Встреча ещё не закончилась — спросим, как прошло, после неё.
meeting-error-not_held = Отзыв можно оставить после того, как вы отметили, что встреча состоялась.

meeting-ask-reason = { $moved ->
        [True] Записали: встречу перенесли. Что помешало? Напишите пару слов — это увидит только куратор. Или нажмите «Пропустить».
       *[other] Записали: встреча не состоялась. Что помешало? Напишите пару слов — это увидит только куратор. Или нажмите «Пропустить».
    }
meeting-reason-thanks = Спасибо, причину записали.
meeting-offer-again = Договоримся о новой встрече сейчас?
meeting-button-new-time = Предложить новое время
meeting-button-later = Позже
meeting-goals-offer = Это была встреча-планирование — самое время записать цели пары. Записать сейчас?
meeting-button-goals-now = Записать цели
meeting-button-goals = Цели пары
