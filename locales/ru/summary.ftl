## The summary of a pair (stage 6), for its members and its curators.

pair-summary-text = { $text }
pair-summary =
    Программа «{ $program }»{ $since ->
        [none] {""}
       *[other] , пара с { $since }
    }{ $status ->
        [active] {""}
       *[other] {" "}(работа пары завершена)
    }
    Наставник: { $mentor }
    { $count ->
        [one] Наставляемый
       *[other] Наставляемые
    }: { $mentees }

    Встречи: проведено { $held }, запланировано { $planned }{ $missed ->
        [0] {""}
       *[other] , не состоялось { $missed }
    }{ $unknown ->
        [0] {""}
       *[other] , без ответа «состоялась ли» { $unknown }
    }
    План: { $plan }
    Следующая по плану: { $next_kind }
    Ближайшая: { $next ->
        [none] не назначена
       *[other] { $next }, { $next_kind_planned }{ $confirmed ->
            [True] {""}
           *[other] {" "}(ждёт ответа)
        }
    }
    Оценки встреч: { $ratings ->
        [0] ещё нет
       *[other] наставник — { $rating_mentor ->
            [none] нет
           *[other] { $rating_mentor }
        }, { $count ->
            [one] наставляемый
           *[other] наставляемые
        } — { $rating_mentees ->
            [none] нет
           *[other] { $rating_mentees }
        } (из 5)
    }
    Цели: { $goals_total ->
        [0] пока не записаны
       *[other] выполнено { $goals_done } из { $goals_total }
    }{ $goals ->
        [none] {""}
       *[other] {"\u000A"}{ $goals }
    }
pair-summary-step = { $name } { $done ->
        [True] ✓
       *[other] —
    }
pair-summary-regular = регулярные: { $count }
pair-summary-goal = • { $title }: { $bar }{ $status ->
        [done] {" "}✓
        [dropped] {" "}(отказались)
       *[other] {""}
    }
pair-summary-not-found = Этой пары нет или она вам недоступна.
pair-summary-not_found = Такой программы нет.
pair-summary-not_allowed = Пары этой программы видят только её кураторы и координаторы школы.
pair-summary-button-back = ← К списку пар
pair-summary-button-close = ← Назад

pair-summary-list = { $total ->
        [0] В программе пока нет работающих пар.
       *[other] Работающие пары: { $total }. Сначала те, кто дольше всех не встречался.
    }
pair-summary-line = { $mentor } → { $mentees } · встреч { $held } · { $quiet } дн. без встреч
pair-summary-previous = ‹ Назад
pair-summary-next = Дальше ›
