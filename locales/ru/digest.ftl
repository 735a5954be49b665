## The curators' weekly digest and the /digest screens.

# One program of the digest: the weekly notification and the /digest screen.
digest-program =
    📊 «{ $program }», этап { $stage } из 7
    Приглашено: { $invited } · присоединились: { $joined }{ $new ->
        [none] {""}
       *[other] {" "}(новых с прошлой недели: { $new })
    }
    Ждут согласия родителей: { $consent }
    Анкеты заполнены: { $questionnaires } · наставники одобрены: { $mentors }
    Активных пар: { $pairs }
    Встречи на этой неделе: проведено { $held_week } из { $planned_week }
    На прошлой неделе: проведено { $held_last } из { $planned_last }
    Средняя оценка встреч за 4 недели: { $rating ->
        [none] пока нет
       *[other] { NUMBER($rating, minimumFractionDigits: 1, maximumFractionDigits: 1) } из 5{ $trend_dir ->
            [up] {" "}↑ +{ NUMBER($trend, minimumFractionDigits: 1, maximumFractionDigits: 1) }
            [down] {" "}↓ −{ NUMBER($trend, minimumFractionDigits: 1, maximumFractionDigits: 1) }
            [flat] {" "}→ без изменений
           *[none] {""}
        }
    }
    NPS пульс-опроса: { $nps ->
        [none] пока нет ответов
       *[other] { $nps }
    }{ $nudges ->
        [none] {""}
       *[other] {"\u000A"}Напоминаний парам от бота: { $nudges }
    }
    { $flags ->
        [none] ✅ Рисков не видно.
       *[other] ⚠️ Требует внимания:
    }{ $overloaded ->
        [none] {""}
       *[other] {"\u000A"}• { $overloaded } { $overloaded ->
            [one] наставник перегружен
            [few] наставника перегружены
           *[many] наставников перегружены
        }
    }{ $quiet ->
        [none] {""}
       *[other] {"\u000A"}• { $quiet } { $quiet ->
            [one] пара давно без встреч
            [few] пары давно без встреч
           *[many] пар давно без встреч
        }
    }{ $falling ->
        [none] {""}
       *[other] {"\u000A"}• у { $falling } { $falling ->
            [one] наставника
           *[many] наставников
        } падают оценки встреч
    }{ $unanswered ->
        [none] {""}
       *[other] {"\u000A"}• { $unanswered } { $unanswered ->
            [one] участник не отвечает
            [few] участника не отвечают
           *[many] участников не отвечают
        } на опрос больше недели
    }{ $unreachable ->
        [none] {""}
       *[other] {"\u000A"}• { $unreachable } { $unreachable ->
            [one] участник недоступен
            [few] участника недоступны
           *[many] участников недоступны
        } в мессенджерах
    }{ $unmatched ->
        [none] {""}
       *[other] {"\u000A"}• { $unmatched } { $unmatched ->
            [one] наставляемый
           *[many] наставляемых
        } без пары
    }

# A coordinator's header line for one organisation.
digest-organization =
    🏫 { $organization }: { $programs } { $programs ->
        [one] программа
        [few] программы
       *[many] программ
    }{ $quiet ->
        [none] {""}
       *[other] , без новостей: { $quiet }
    }
    Присоединились: { $joined } · активных пар: { $pairs } · встреч на прошлой неделе: { $held } из { $planned }{ $flagged ->
        [none] {""}
       *[other] {"\u000A"}⚠️ Отмечено рисков: { $flagged }
    }

digest-empty = { $programs ->
        [none] 📭 Дайджест за неделю: у вас пока нет активных программ.
       *[other] 📭 Дайджест за неделю: в ваших программах ничего нового, рисков не видно.
    }

# /digest
digest-not-staff = Дайджест доступен кураторам и координаторам программ.
digest-refused = Эта программа вам недоступна или её больше нет.
digest-overview = 📊 Дайджест по вашим программам{ $headers ->
        [none] {""}
       *[other] {"\u000A"}{"\u000A"}{ $headers }
    }{ $programs ->
        [none] {"\u000A"}{"\u000A"}Активных программ пока нет.
       *[other] { $empty ->
            [yes] {"\u000A"}{"\u000A"}Ничего нового, рисков не видно.
           *[no] {""}
        }{"\u000A"}{"\u000A"}Выберите программу:
    }
digest-button-program = { $program }{ $flags ->
        [none] {""}
       *[other] {" "}⚠️ { $flags }
    }
digest-button-close = Закрыть
digest-chart = Встречи и средняя оценка по неделям: «{ $program }»

# The chart's words.
digest-chart-title = Встречи и оценки по неделям
digest-chart-held = проведено
digest-chart-planned = запланировано
digest-chart-rating = средняя оценка
digest-chart-meetings = встречи

# A button per flag (in the notification and on the screen) and the list it opens.
digest-button-overloaded = Кто перегружен
digest-button-quiet = Пары без встреч
digest-button-falling = У кого падают оценки
digest-button-unanswered = Кто не ответил на опрос
digest-button-unreachable = Кто недоступен
digest-button-unmatched = Кто без пары
digest-flag-title = { $kind ->
        [overloaded] Перегруженные наставники
        [quiet] Пары давно без встреч
        [falling] Падают оценки встреч
        [unanswered] Не отвечают на опрос больше недели
        [unreachable] Недоступны в мессенджерах
       *[unmatched] Наставляемые без пары
    }
digest-flagged = { $title } — «{ $program }» ({ $total }):
    { $list }{ $more ->
        [none] {""}
       *[other] {"\u000A"}…и ещё { $more }
    }
digest-flagged-none = { $title } — «{ $program }»: сейчас никого, риск снят.
digest-no-name = без имени
digest-line-overloaded = • { $name }: { $value } { $value ->
        [one] наставляемый
       *[many] наставляемых
    } при норме { $bound }
digest-line-quiet = • { $name } — { $mentees }: { $first ->
        [yes] первой встречи нет
       *[no] встреч нет
    } уже { $value } { $value ->
        [one] день
        [few] дня
       *[many] дней
    }
digest-line-falling = • { $name }: оценка { NUMBER($bound, minimumFractionDigits: 1, maximumFractionDigits: 1) } → { NUMBER($value, minimumFractionDigits: 1, maximumFractionDigits: 1) }
digest-line-unanswered = • { $name } ({ $role ->
        [mentor] наставник
       *[mentee] наставляемый
    }): { $value } { $value ->
        [one] опрос
        [few] опроса
       *[many] опросов
    } без ответа
digest-line-unreachable = • { $name } ({ $role ->
        [mentor] наставник
       *[mentee] наставляемый
    })
digest-line-unmatched = • { $name }
