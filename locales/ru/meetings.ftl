## Meetings (stage 6): notifications to the members of a pair or group. Times come in the
## reader's own time zone: $day (ДД.ММ.ГГГГ), $weekday (1 = понедельник), $time, $zone.

meeting-kind-name = { $kind ->
        [intro] встреча-знакомство
        [trial] пробная рабочая встреча
        [planning] встреча-планирование
        [final] итоговая встреча
       *[regular] встреча
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
