## Pulse and final surveys (the questions live in questionnaires/pulse-*.yaml and final-*.yaml).

# Notifications: the invitations and the reminder, each with a button that opens the survey.
survey-pulse-invite = Как у вас дела в программе «{ $program }»? Ответьте, пожалуйста, на несколько коротких вопросов — это займёт пару минут и поможет куратору вовремя заметить, если что-то идёт не так.
survey-final-invite = Программа «{ $program }» подходит к концу. Расскажите, как всё прошло: несколько вопросов, пара минут. Ваши ответы помогут сделать следующую программу лучше.
survey-reminder = Напоминаем про опрос программы «{ $program }»: ответы ещё не отправлены. Это займёт пару минут — нажмите кнопку ниже.
survey-button-open = Пройти опрос

# Answering (the questions, the review and the buttons are the questionnaire's).
survey-intro =
    Опрос «{ $title }»: { $total } { $total ->
        [one] вопрос
        [few] вопроса
       *[many] вопросов
    }. Каждый ответ сохраняется сразу, а в конце вы сможете всё проверить. Ответы увидит куратор программы.
survey-resume = Продолжаем опрос с вопроса { $number } из { $total }. Прежние ответы сохранены.
survey-done = Спасибо! Ответы сохранены и переданы куратору программы.
survey-unavailable = Этот опрос недоступен: возможно, он адресован не вам или вы больше не участвуете в программе. Если это ошибка, напишите куратору.
survey-answered = Вы уже ответили на этот опрос — спасибо! После отправки ответы не меняются.
survey-expired = Этот опрос уже закрыт: вместо него пришёл новый. Он в меню, в разделе «{ menu-surveys }».

# The menu entry, shown while a survey waits for answers.
menu-surveys = Опросы
survey-list = Эти опросы ждут ваших ответов. Выберите опрос:
survey-list-empty = Сейчас нет опросов, которые ждут ответа. Спасибо!
survey-item = { $kind ->
        [final] Итоговый опрос
       *[pulse] Опрос № { $round }
    } — «{ $program }»
