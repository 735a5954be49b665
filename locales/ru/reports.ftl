## Reports: the program's workbook and CSV files, the final analytical report.
## Sheet titles are report-sheet-<sheet>, column headers report-column-<column>; enum values
## are rendered by report-<enum> selecting on $value. Stage names are staff-stage-N (staff.ftl).

## The dialog.

report-menu =
    Отчёты по программе «{ $program }» (этап { report-stage }).

    • Выгрузка XLSX — одна книга: участники, пары, встречи, отзывы, цели, согласия.
    • Выгрузка CSV — те же таблицы, каждая отдельным файлом (разделитель «;», кодировка UTF-8).
    • Итоговый отчёт — показатели программы, опросы, итоги, рейтинг наставников для награждения и графики.

    В выгрузке нет дат рождения, аккаунтов мессенджеров и ответов анкет (в том числе о здоровье); данные удалённых участников не попадают в неё.
report-button-xlsx = Выгрузка XLSX
report-button-csv = Выгрузка CSV
report-button-final = Итоговый отчёт
report-button-close = Закрыть
report-not-found = Такой программы нет — возможно, её удалили.
report-not-allowed = Эта программа вам недоступна: отчёты видят её кураторы и координаторы организации.
report-xlsx-sent = Выгрузка по программе «{ $program }» (XLSX).
report-csv-sent = { $sheet } (CSV)
report-final-xlsx = Итоговый отчёт по программе «{ $program }» (XLSX).
report-final-chart = { $title }
report-final-summary =
    Итоговый отчёт по программе «{ $program }».
    { $complete ->
        [True] {""}
       *[other] Программа ещё на этапе { $stage } из 7 — это предварительный отчёт; окончательный будет на этапе 7.
    }
    Участников: { $joined } (открыли ссылку: { $invited }), активных пар: { $pairs }.
    Встреч проведено: { $held } из { $planned } запланированных.
    Средняя оценка встреч: { $rating ->
        [none] оценок нет
       *[other] { $rating } из 5
    }.
    Удовлетворённость: { $satisfaction ->
        [none] опросов нет
       *[other] { $satisfaction } из 5
    }, NPS: { $nps ->
        [none] —
       *[other] { $nps }
    }.
    Целей достигнуто: { $goals_done } из { $goals_set }, промежуточных результатов: { $results }.
    Хотят стать наставниками: { $would_mentor }.

    { $mentors ->
        [0] Наставников для рейтинга пока нет.
       *[other] Лучшие наставники по отзывам и встречам:
    }
    { $top }
report-final-mentor = { $place }. { $name } — { $score } б. (встреч: { $held }, средняя оценка: { $rating ->
        [none] —
       *[other] { $rating }
    }, целей достигнуто: { $goals })

## Values in the tables.

report-stage = { $stage } — { $stage ->
        [1] { staff-stage-1 }
        [2] { staff-stage-2 }
        [3] { staff-stage-3 }
        [4] { staff-stage-4 }
        [5] { staff-stage-5 }
        [6] { staff-stage-6 }
       *[7] { staff-stage-7 }
    }
report-yes-no = { $value ->
        [yes] да
       *[no] нет
    }
report-erased = удалён (#{ $id })
report-missed-reason = { $name }: { $reason }
report-answer = { $question }: { $value }
report-made-by-system = администратор ({ $name })
report-left-out = Не выгружаются: даты рождения, аккаунты и чаты мессенджеров, ответы анкет (в том числе о здоровье), места и ссылки встреч, неотправленные ответы опросов; данные удалённых участников и всё, что они написали.
report-role = { $value ->
        [mentee] наставляемый
        [mentor] наставник
       *[other] { $value }
    }
report-participant-status = { $value ->
        [invited] приглашён
        [onboarding] заполняет данные
        [consent_pending] ждёт согласия родителя
        [ready] готов
        [matched] в паре
        [finished] завершил
        [declined] отказался
        [left] вышел
        [removed] исключён
       *[other] { $value }
    }
report-pair-kind = { $value ->
        [pair] пара
        [group] группа
       *[other] { $value }
    }
report-pair-status = { $value ->
        [proposed] предложена
        [active] работает
        [finished] завершена
        [rejected] отклонена
        [dissolved] распалась
       *[other] { $value }
    }
report-meeting-kind = { $value ->
        [intro] встреча-знакомство
        [trial] пробная рабочая встреча
        [planning] встреча-планирование
        [regular] регулярная встреча
        [final] итоговая встреча
       *[other] { $value }
    }
report-meeting-status = { $value ->
        [proposed] предложена
        [confirmed] подтверждена
        [declined] отклонена
        [countered] предложено другое время
        [held] состоялась
        [missed] не состоялась
        [cancelled] отменена
        [rescheduled] перенесена
       *[other] { $value }
    }
report-feedback-kind = { $value ->
        [meeting] после встречи
        [pulse] пульс-опрос
        [final] итоговый опрос
       *[other] { $value }
    }
report-goal-status = { $value ->
        [open] в работе
        [done] достигнута
        [dropped] снята
       *[other] { $value }
    }
report-consent-purpose = { $value ->
        [participation] участие в программе
        [personal_data] обработка персональных данных
       *[other] { $value }
    }
report-consent-status = { $value ->
        [requested] запрошено
        [granted] дано
        [refused] отказ
        [revoked] отозвано
       *[other] { $value }
    }
report-consent-relation = { $value ->
        [self] сам участник
        [parent] родитель (законный представитель)
       *[other] { $value }
    }
report-channel = { $value ->
        [telegram] Telegram
        [vk] ВКонтакте
        [console] консоль
       *[other] { $value }
    }

## Sheets.

report-sheet-about = О выгрузке
report-sheet-participants = Участники
report-sheet-pairs = Пары
report-sheet-meetings = Встречи
report-sheet-feedback = Отзывы
report-sheet-goals = Цели
report-sheet-consents = Согласия
report-sheet-summary = Итоги
report-sheet-mentors = Рейтинг наставников
report-sheet-weeks = По неделям
report-sheet-surveys = Опросы

report-about-program = Программа
report-about-organization = Организация
report-about-stage = Этап
report-about-made-at = Выгружено
report-about-made-by = Кто выгрузил
report-about-timezone = Часовой пояс дат и времени
report-about-left-out = Что не выгружается
report-about-rows = Строк на листе «{ $sheet }»

## Columns.

report-column-item = Показатель
report-column-value = Значение
report-column-participant-id = № участника
report-column-name = Имя
report-column-grade = Класс
report-column-role = Роль
report-column-status = Статус
report-column-approved = Наставник утверждён
report-column-capacity = Сколько наставляемых берёт
report-column-questionnaire-done-at = Анкета заполнена
report-column-joined-at = Присоединился
report-column-pair-id = № пары
report-column-kind = Вид
report-column-mentor = Наставник
report-column-mentee = Наставляемый
report-column-score = Баллы
report-column-approved-at = Пара утверждена
report-column-ended-at = Пара завершена
report-column-meetings-held = Встреч проведено
report-column-meeting-id = № встречи
report-column-mentees = Наставляемые
report-column-starts-at = Начало
report-column-duration-minutes = Длительность, мин
report-column-topic = Тема
report-column-missed-reasons = Почему не состоялась
report-column-feedback-id = № отзыва
report-column-round = Раунд опроса
report-column-author = Автор
report-column-author-role = Роль автора
report-column-rating = Оценка
report-column-done-text = Что сделали
report-column-comment = Комментарий
report-column-intermediate-result = Промежуточный результат
report-column-satisfaction = Удовлетворённость (1–5)
report-column-nps = Готовность рекомендовать (0–10)
report-column-would-mentor = Хочет быть наставником
report-column-answers = Другие ответы
report-column-at = Когда
report-column-goal-id = № цели
report-column-title = Цель
report-column-progress = Прогресс, %
report-column-due-on = Срок
report-column-updated-at = Обновлена
report-column-consent-id = № согласия
report-column-subject = За кого
report-column-purpose = Цель согласия
report-column-relation = Кто решал
report-column-given-by = Кто дал
report-column-channel = Канал
report-column-text-version = Версия текста
report-column-text-hash = Отпечаток текста (SHA-256)
report-column-decided-at = Дата решения
report-column-valid-until = Действует до
report-column-place = Место
report-column-ratings = Оценок
report-column-held = Встреч проведено
report-column-feedback-given = Отзывов дал
report-column-goals-done = Целей достигнуто
report-column-week-start = Неделя с
report-column-planned = Запланировано
report-column-sent = Отправлено
report-column-completed = Заполнено
report-column-promoters = Промоутеры (9–10)
report-column-passives = Нейтральные (7–8)
report-column-detractors = Критики (0–6)

## The final report's summary.

report-figure-stage = Этап
report-figure-complete = Программа на этапе завершения
report-figure-invited = Открыли ссылку-приглашение
report-figure-joined = Присоединились
report-figure-consent-pending = Ждут согласия родителей
report-figure-questionnaires-done = Анкет заполнено
report-figure-mentors-approved = Наставников утверждено
report-figure-pairs-active = Активных пар
report-figure-held-total = Встреч проведено
report-figure-planned-total = Встреч запланировано
report-figure-meetings-missed = Встреч не состоялось
report-figure-rating = Средняя оценка встреч (все)
report-figure-rating-recent = Средняя оценка встреч (последние 4 недели)
report-figure-goals-set = Целей поставлено
report-figure-goals-done = Целей достигнуто
report-figure-intermediate-results = Промежуточных результатов
report-figure-pulse-completed = Пульс-опросов заполнено
report-figure-pulse-satisfaction = Удовлетворённость по пульс-опросам
report-figure-pulse-nps = NPS по пульс-опросам
report-figure-final-sent = Итоговых опросов отправлено
report-figure-final-completed = Итоговых опросов заполнено
report-figure-final-satisfaction = Удовлетворённость по итоговому опросу
report-figure-final-nps = NPS по итоговому опросу
report-figure-would-mentor = Наставляемых хотят стать наставниками
report-figure-mentor-again = Наставников готовы продолжить
report-figure-made-at = Отчёт составлен

## Charts.

report-chart-weeks = Встречи и оценки по неделям
report-chart-ratings = Оценки встреч
report-chart-rating = оценка
report-chart-mentors = Рейтинг наставников
report-chart-empty = Пока нет данных
report-chart-score = баллы
