menu-deliveries = Проблемы доставки
deliveries-report =
    { $count ->
        [-1] Этот раздел доступен кураторам и координаторам программ.
        [0] За последние { $days } дней все сообщения участникам ваших программ доставлены.
       *[other] Кому бот не смог написать за последние { $days } дней:
            { $lines }

            Свяжитесь с ними напрямую и попросите открыть бота снова: в Telegram — нажать «Перезапустить», во ВКонтакте — разрешить сообщения сообщества.
    }
deliveries-program = «{ $program }»
deliveries-unreachable = • { $name } ({ $role }) — заблокировал бота во всех мессенджерах, сообщения не доходят
deliveries-failed = • { $name } ({ $role }) — сообщение от { $date } не доставлено
deliveries-more = …и ещё { $count }
deliveries-no-name = участник без имени (№{ $id })
deliveries-role-mentee = наставляемый
deliveries-role-mentor = наставник
