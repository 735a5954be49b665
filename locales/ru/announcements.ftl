## Announcements of a program: the message participants get, and the curator's dialog.

announcement =
    Объявление программы «{ $program }»:

    { $text }
announcement-report = Объявление программы «{ $program }» доставлено: получили { $sent }{ $unreachable ->
        [0] {""}
       *[other] , недоступны в мессенджерах { $unreachable }
    }{ $failed ->
        [0] {""}
       *[other] , не удалось отправить { $failed }
    }.

announce-start = Объявления: сообщение всем участникам программы или только наставникам / наставляемым. Придёт каждому в его мессенджер.
announce-button-new = Новое объявление
announce-button-recent = Отправленные
announce-button-close = ← Назад
announce-button-back = ← Назад
announce-ask-whom = Кому отправить?
announce-whom = { $whom ->
        [mentor] Наставникам
        [mentee] Наставляемым
       *[other] Всем участникам
    } ({ $count })
announce-ask-text = Напишите текст объявления (до 3500 знаков).
announce-ask-file = Приложить файл программы? Файлы добавляются командой «admin material add».
announce-button-no-file = Без файла
announce-review =
    Проверьте объявление ({ $whom ->
        [mentor] наставникам
        [mentee] наставляемым
       *[other] всем участникам
    }, получателей: { $count }{ $file ->
        [none] {""}
       *[other] , файл: { $file }
    }):

    { $text }
announce-button-send = Отправить
announce-sent = Объявление отправляется: получателей { $count }. Когда все сообщения уйдут, придёт отчёт о доставке; его же видно в «Отправленные».
announce-invalid = Объявление не отправлено: текст пустой или длиннее 3500 знаков, либо файл не из этой программы.
announce-recent = { $count ->
        [0] Объявлений пока не было.
       *[other] Последние объявления:{"\u000A\u000A"}{ $lines }
    }
announce-line =
    { $day }, { $whom ->
        [mentor] наставникам
        [mentee] наставляемым
       *[other] всем
    }: «{ $text }»
    Получателей { $recipients }: доставлено { $sent }, недоступны { $unreachable }, ошибки { $failed }, в пути { $waiting }
announce-not_found = Такой программы нет или она завершена.
announce-not_allowed = Объявления программы отправляют только её кураторы и координаторы организации.
