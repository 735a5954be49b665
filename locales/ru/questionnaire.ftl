## Filling a questionnaire (the questions themselves live in questionnaires/*.yaml).

questionnaire-intro =
    Анкета «{ $title }»: { $total } { $total ->
        [one] вопрос
        [few] вопроса
       *[many] вопросов
    }. Каждый ответ сохраняется сразу — можно прерваться и продолжить позже с того же места.
questionnaire-resume = Продолжаем анкету с вопроса { $number } из { $total }. Прежние ответы сохранены.
questionnaire-question =
    Вопрос { $number } из { $total }

    { $text }{ $hint }
questionnaire-hint-multi = Отметьте от { $min } до { $max } { $max ->
        [one] варианта
       *[other] вариантов
    } и нажмите «Готово».
questionnaire-hint-multi-any = Отметьте всё, что подходит, и нажмите «Готово».
questionnaire-hint-multi-exact = Отметьте { $count } { $count ->
        [one] вариант
        [few] варианта
       *[many] вариантов
    } и нажмите «Готово».
questionnaire-hint-text = Напишите ответ сообщением — не длиннее { $limit } { $limit ->
        [one] символа
       *[other] символов
    }.
questionnaire-hint-date = Напишите дату в формате ДД.ММ.ГГГГ, например: { $example }.
questionnaire-current = Сейчас: { $answer }. Нажмите «Оставить как есть» или напишите новый ответ.

questionnaire-button-done = Готово
questionnaire-button-keep = Оставить как есть
questionnaire-button-yes = Да
questionnaire-button-no = Нет
questionnaire-button-confirm = Всё верно
questionnaire-button-edit = Изменить ответ
questionnaire-button-close = Понятно

questionnaire-multi-min = Выберите хотя бы { $min } { $min ->
        [one] вариант
        [few] варианта
       *[many] вариантов
    }, затем нажмите «Готово».
questionnaire-multi-max = Можно выбрать не больше { $max } { $max ->
        [one] варианта
       *[other] вариантов
    }. Чтобы заменить вариант, сначала снимите отметку с лишнего — нажмите на него ещё раз.
questionnaire-number-invalid = Не получилось прочитать число. Напишите его цифрами, например: 12.
questionnaire-number-whole = Нужно целое число, без дробной части, например: 12.
questionnaire-number-any = Напишите число цифрами, например: 12.
questionnaire-number-range = Нужно число от { $min } до { $max }.
questionnaire-number-min = Нужно число не меньше { $min }.
questionnaire-number-max = Нужно число не больше { $max }.
questionnaire-date-invalid = Не получилось прочитать дату. Напишите её как ДД.ММ.ГГГГ, например: { $example }.
questionnaire-date-early = Дата должна быть не раньше { $date }.
questionnaire-date-late = Дата должна быть не позже { $date }.

questionnaire-review =
    Проверьте ответы — «{ $title }»:

    { $answers }

    Если всё верно, нажмите «Всё верно». Чтобы исправить ответ, нажмите «Изменить ответ».
questionnaire-review-line = { $number }. { $question }: { $answer }
questionnaire-skipped = пропущено
questionnaire-scale-value = { $value } из { $max }
questionnaire-pick = Какой ответ изменить?
questionnaire-unanswered = Остались вопросы без ответа — давайте ответим на них.
questionnaire-done = Спасибо! Анкета заполнена, ответы сохранены. Куратор учтёт их при подборе пары.
questionnaire-unavailable = Эта анкета сейчас недоступна: возможно, вы больше не участвуете в программе. Если это ошибка, напишите куратору.
questionnaire-reminder = Напоминаем: анкета программы «{ $program }» заполнена не до конца. Ответы сохранены — откройте бота, и продолжим с того же вопроса.
