## Goals of a pair (stage 6). In a teacher–teacher program ($roadmap = yes) the goals are the
## steps of the mentee's individual educational route (ИОМ): a deficit area, a concrete product,
## a due date. $status: open, done, dropped. $area: subject, methods, psychology, ict,
## upbringing, health. Optional values come as "none".

goals-area-name = { $area ->
        [subject] Предметная подготовка
        [methods] Методика преподавания
        [psychology] Психолого-педагогическая работа
        [ict] Цифровые технологии (ИКТ)
        [upbringing] Воспитательная работа
       *[health] Здоровье и профилактика выгорания
    }
goals-status = { $status ->
        [done] { $roadmap ->
            [yes] выполнен
           *[other] выполнена
        }
        [dropped] отказались
       *[open] в работе
    }
goals-details = { $mentee ->
        [none] {""}
       *[other] {"\u000A"}Для кого: { $mentee }
    }{ $area ->
        [none] {""}
       *[other] {"\u000A"}Область: { goals-area-name }
    }{ $product ->
        [none] {""}
       *[other] {"\u000A"}Продукт: { $product }
    }{ $due ->
        [none] {""}
       *[other] {"\u000A"}Срок: до { $due }{ $overdue ->
            [yes] {" "}— срок прошёл
           *[other] {""}
        }
    }

## Notifications to the other members of the pair.

goals-added =
    { $who } { $roadmap ->
        [yes] добавил(а) шаг в индивидуальный образовательный маршрут
       *[other] записал(а) новую цель пары
    } (программа «{ $program }»):
    «{ $title }»{ $area ->
        [none] {""}
       *[other] {"\u000A"}Область: { goals-area-name }
    }{ $product ->
        [none] {""}
       *[other] {"\u000A"}Продукт: { $product }
    }{ $due ->
        [none] {""}
       *[other] {"\u000A"}Срок: до { $due }
    }
goals-closed = { $status ->
        [done] { $who } отметил(а): { $roadmap ->
            [yes] шаг маршрута «{ $title }» выполнен
           *[other] цель «{ $title }» выполнена
        }. Поздравляем! 🎉
       *[dropped] { $who } отказался(-ась) от { $roadmap ->
            [yes] шага маршрута
           *[other] цели
        } «{ $title }». Обсудите на встрече, чем { $roadmap ->
            [yes] его
           *[other] её
        } заменить.
    }
goals-button-open = Открыть цели

## The list.

goals-list =
    { $roadmap ->
        [yes] Индивидуальный образовательный маршрут — шаги (программа «{ $program }»)
       *[other] Цели пары (программа «{ $program }»)
    }
    Выполнено: { $done } из { $count }.

    { $lines }

    { $active ->
        [yes] Нажмите на { $roadmap ->
            [yes] шаг
           *[other] цель
        }, чтобы отметить прогресс или добавить заметку.{ goals-meeting-note }
       *[other] Работа пары завершена: цели сохранены, их можно только посмотреть.
    }
goals-empty = { $active ->
        [yes] { goals-about }{ goals-meeting-note }
       *[other] Работа пары завершена; цели в ней не записывали.
    }
goals-about = { $roadmap ->
        [yes] Шагов маршрута пока нет.
            Индивидуальный образовательный маршрут (ИОМ) — это дорожная карта профессионального роста. Запишите её шаги: что сделать, над каким дефицитом это работа (предмет, методика, психология, ИКТ, воспитательная работа, здоровье), какой конкретный продукт получится (конспект урока, открытый урок, методическая разработка) и к какому сроку. На следующих встречах отмечайте, как идут дела.
       *[other] Целей пока нет.
            Цели помогают паре понимать, к чему она идёт, и видеть результат. Обычно их записывают на встрече-планировании: две-три конкретные цели, например «Подготовить проект к школьной конференции». На следующих встречах отмечайте прогресс.
    }
goals-meeting-note = { $meeting ->
        [none] {""}
       *[other] {"\u000A\u000A"}Новые { $roadmap ->
            [yes] шаги
           *[other] цели
        } и отметки будут записаны к встрече: { meeting-kind-name }.
    }
goals-line =
    { $number }. { $title }
    { $bar } { $progress }% · { goals-status }{ goals-details }
goals-item-button = { $number }. { $title } · { $status ->
        [done] ✓
        [dropped] ✗
       *[open] { $progress }%
    }
goals-button-add = { $roadmap ->
        [yes] Добавить шаг
       *[other] Добавить цель
    }
goals-button-close = Закрыть

## The add wizard.

goals-ask-title = { $roadmap ->
        [yes] Что нужно сделать на этом шаге? Напишите коротко и конкретно, например: «Пройти курс по формирующему оцениванию» или «Провести открытый урок в 7 классе».
       *[other] Какая цель? Напишите коротко и конкретно, например: «Подготовить проект к школьной конференции» или «Разобраться с дробями до конца четверти».
    }
goals-ask-whom = { $roadmap ->
        [yes] Чей это шаг маршрута?
       *[other] Для кого эта цель?
    }
goals-whom-all = Для всей группы
goals-ask-area = Над каким дефицитом работает этот шаг? Выберите область.
goals-area-skip = Без области
goals-ask-product = Какой конкретный продукт будет у этого шага? Например: конспект урока, методическая разработка, выступление на педсовете, сертификат курса. Или нажмите «Пропустить».
goals-ask-due = К какому сроку? Напишите дату, например 15.12 или 15.12.2026, или нажмите «Пропустить».
goals-due-invalid = Не понял дату. Напишите день и месяц, например 15.12, или полностью: 15.12.2026.
goals-saved = { $roadmap ->
        [yes] Шаг записан
       *[other] Цель записана
    }: «{ $title }». Остальные участники пары получат сообщение.

## The goal card.

goals-card =
    { $roadmap ->
        [yes] Шаг маршрута
       *[other] Цель
    }: { $title }
    { $bar } { $progress }% · { goals-status }{ goals-details }{ $description ->
        [none] {""}
       *[other] {"\u000A"}{ $description }
    }{ $history ->
        [none] {""}
       *[other] {"\u000A\u000A"}Последние отметки:{"\u000A"}{ $history }
    }

    { $hint ->
        [open] Отметьте прогресс кнопкой или напишите число, например 60%.
        [closed] { $status ->
            [done] Готово! Если работа ещё не закончена, верните в работу.
           *[other] От этого отказались. Если передумали, верните в работу.
        }
       *[ended] Работа пары завершена: можно только посмотреть.
    }
goals-history-line = { $day }, { $who }: { $progress }%{ $status ->
        [done] , выполнено
        [dropped] , отказались
       *[open] {""}
    }{ $kind ->
        [none] {""}
       *[other] {" "}(встреча: { meeting-kind-name })
    }{ $note ->
        [none] {""}
       *[other] {" "}— «{ $note }»
    }
goals-button-done = { $roadmap ->
        [yes] Выполнен ✓
       *[other] Выполнена ✓
    }
goals-button-note = Заметка
goals-button-drop = Отказаться
goals-button-reopen = Вернуть в работу
goals-progress-invalid = Напишите число от 0 до 100, например 60 или 60%, или выберите кнопкой.
goals-progress-saved = Записано: { $progress }%.
goals-done-saved = { $roadmap ->
        [yes] Шаг «{ $title }» выполнен
       *[other] Цель «{ $title }» выполнена
    } — поздравляем! 🎉
goals-reopened = Снова в работе. Отмечайте прогресс.
goals-ask-note = Напишите заметку: что получилось, что мешает, что дальше. Её увидят участники пары.
goals-note-saved = Заметка сохранена.
goals-drop-confirm = Отказаться от { $roadmap ->
        [yes] шага
       *[other] цели
    } «{ $title }»? { $roadmap ->
        [yes] Он останется
       *[other] Она останется
    } в списке с пометкой «отказались», и { $roadmap ->
        [yes] его
       *[other] её
    } можно будет вернуть в работу.
goals-button-drop-yes = Да, отказаться
goals-button-drop-no = Нет, оставить
goals-dropped = Отметили: от «{ $title }» отказались. Пересматривать { $roadmap ->
        [yes] маршрут
       *[other] планы
    } — нормально; обсудите замену на встрече.
goals-drop-kept = Хорошо, оставили как есть.

goals-error-not_found = Эти цели недоступны: их нет или вы не участник этой пары.
goals-error-ended = Работа этой пары завершена: цели сохранены, но изменить их уже нельзя.
goals-error-invalid = Так записать не получится: название — до 200 знаков, продукт — до 500, заметка — до 2000.
goals-error-full = У пары уже { $limit } открытых целей — это максимум. Отметьте выполненные или откажитесь от неактуальных, и можно будет добавить новую.
goals-error-due_date = Срок должен быть не раньше сегодняшнего дня и не дальше чем через три года. Напишите другую дату или нажмите «Пропустить».
goals-error-meeting = К этой встрече отметки записать нельзя: подходят только подтверждённые или состоявшиеся встречи этой пары.
goals-error-closed = Это уже закрыто (выполнено или от этого отказались). Чтобы изменить прогресс, сначала верните в работу.
goals-error-unchanged = Ничего не изменилось: прогресс уже такой. Чтобы отметить, что на этой встрече всё так же, добавьте заметку.
