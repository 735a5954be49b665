## «Мои мессенджеры»: one profile in Telegram and VK, where notifications go, unlinking.

menu-accounts = Мои мессенджеры

accounts-channel-telegram = Telegram
accounts-channel-vk = ВКонтакте
accounts-channel-console = Консоль

accounts-overview =
    Мессенджеры вашего профиля:
    { $accounts }

    { $notify }

    { $share ->
        [yes] Вашей паре (наставнику или наставляемому) в знакомстве придёт ссылка на ваш профиль в мессенджере.
       *[other] Ссылку на ваш профиль в мессенджере паре не показываем.
    }
accounts-line = • { $name }{ $here ->
        [yes] {" "}(вы сейчас здесь)
       *[other] {""}
    }{ $blocked ->
        [yes] {" "}— бот заблокирован, уведомления туда не приходят
       *[other] {""}
    }
accounts-notify-auto = Уведомления приходят { $channel ->
        [telegram] в Telegram
        [vk] во ВКонтакте
       *[other] сюда
    } (выбрано автоматически).
accounts-notify-chosen = Уведомления приходят { $channel ->
        [telegram] в Telegram
        [vk] во ВКонтакте
       *[other] сюда
    } — так вы выбрали.
accounts-notify-nowhere = Уведомления сейчас доставить некуда: они приходят только в Telegram или ВКонтакте, и только туда, где бот не заблокирован.
accounts-hint = Пользуетесь ботом и в Telegram, и во ВКонтакте? Свяжите их, чтобы это был один профиль: нажмите «{ accounts-button-get-code }» здесь и введите код в другом мессенджере.

accounts-button-get-code = Получить код для привязки
accounts-button-enter-code = Ввести код
accounts-button-notify = Куда присылать уведомления
accounts-button-unlink = Отвязать мессенджер
accounts-button-new-code = Новый код
accounts-button-done = Готово

accounts-code =
    Ваш код: { $code }
    { $minutes ->
        [0] Срок действия кода истёк. Нажмите «{ accounts-button-new-code }», чтобы получить другой.
        [one] Он действует ещё { $minutes } минуту и подходит только один раз.
        [few] Он действует ещё { $minutes } минуты и подходит только один раз.
       *[many] Он действует ещё { $minutes } минут и подходит только один раз.
    }

    Что сделать { $channel ->
        [telegram] во ВКонтакте
        [vk] в Telegram
       *[other] в Telegram или ВКонтакте
    }:
    1. Откройте там бота «Наставник» и напишите ему любое сообщение или /menu.
    2. В главном меню нажмите «{ menu-accounts }», затем «{ accounts-button-enter-code }».
    3. Отправьте код { $code }.
    Никому не сообщайте этот код: с ним чужой мессенджер можно привязать к вашему профилю.

accounts-enter-code = Введите код из 6 цифр. Его выдаёт бот в другом мессенджере: «{ menu-accounts }» → «{ accounts-button-get-code }».
accounts-code-format = Код — это 6 цифр, например 123456. Пробелы и дефисы между цифрами не мешают.
accounts-attempts-left = { $left ->
        [0] Попыток больше не осталось: ввести код снова можно будет через { $minutes } { $minutes ->
            [one] минуту
            [few] минуты
           *[many] минут
        }.
        [one] Осталась { $left } попытка.
        [few] Осталось { $left } попытки.
       *[many] Осталось { $left } попыток.
    }
accounts-code-wrong =
    Такого кода нет. Проверьте цифры: код пришёл в другом мессенджере, в разделе «{ menu-accounts }».
    { accounts-attempts-left }
accounts-code-expired =
    Срок действия этого кода истёк: код действует 10 минут. Получите новый код в другом мессенджере и введите его здесь.
    { accounts-attempts-left }
accounts-code-used =
    Этот код уже использован: каждый код подходит только один раз. Получите новый код в другом мессенджере.
    { accounts-attempts-left }
accounts-code-locked = Слишком много неверных кодов подряд. Для безопасности ввод кода приостановлен — попробуйте снова через { $minutes } { $minutes ->
        [one] минуту
        [few] минуты
       *[many] минут
    }.
accounts-code-same-channel = Этот код выдан здесь же, { $channel ->
        [telegram] в Telegram
        [vk] во ВКонтакте
       *[other] в этом чате
    }. Его нужно ввести в другом мессенджере: откройте там бота → «{ menu-accounts }» → «{ accounts-button-enter-code }». Или наоборот: получите код там и введите его здесь.
accounts-code-already-linked = Это код вашего же профиля: эти мессенджеры уже связаны, делать ничего не нужно.
accounts-code-channel-taken = К профилю, для которого выдан этот код, уже привязан другой аккаунт: { $channels }. Сначала отвяжите его — там, где вы получили код: «{ menu-accounts }» → «{ accounts-button-unlink }». Потом получите новый код.
accounts-code-busy = Этот профиль уже участвует в программе наставничества (анкета, согласие, роль в школе), поэтому объединить его с другим автоматически нельзя: данные могут потеряться или перепутаться. Попросите куратора программы связать ваши мессенджеры.
accounts-linked = Готово! Мессенджеры связаны: { $channels }. Теперь это один профиль — продолжайте в любом из них.
accounts-linked-notice = К вашему профилю в «Наставнике» привязан { $channel ->
        [telegram] Telegram
        [vk] ВКонтакте
       *[other] ещё один мессенджер
    }. Если это были не вы, откройте меню → «{ menu-accounts }» → «{ accounts-button-unlink }».

accounts-notify-choose = Куда присылать уведомления о встречах, опросах и новостях программы? Сейчас: { $chosen ->
        [telegram] Telegram
        [vk] ВКонтакте
       *[other] автоматически — туда, где бот доступен
    }.
accounts-button-notify-auto = Автоматически
accounts-notify-unreachable = Туда уведомления доставить нельзя: бот там заблокирован или мессенджер уже отвязан. Выберите другой вариант.
accounts-notify-set = { $channel ->
        [telegram] Готово: уведомления будут приходить в Telegram.
        [vk] Готово: уведомления будут приходить во ВКонтакте.
       *[other] Готово: мессенджер для уведомлений бот выберет сам — тот, где он доступен.
    }

accounts-unlink-choose = Какой мессенджер отвязать от профиля?
accounts-unlink-confirm =
    Отвязать { $channel ->
        [telegram] Telegram
        [vk] ВКонтакте
        [console] консоль
       *[other] этот мессенджер
    } от вашего профиля?
    Уведомления туда приходить перестанут. Если потом написать боту оттуда, он встретит вас как нового пользователя — мессенджеры можно будет снова связать кодом.
accounts-button-unlink-yes = Да, отвязать
accounts-button-unlink-no = Нет, оставить
accounts-unlinked = Готово: { $name } больше не связан с вашим профилем.
accounts-unlink-gone = Этот мессенджер уже не связан с вашим профилем.

## Showing the profile to the pair

accounts-button-share = Показывать мой профиль паре: { $share ->
        [yes] да
       *[other] нет
    }
accounts-share =
    Показывать ваш профиль паре?
    Если да, ваш наставник или наставляемый получит в сообщении-знакомстве ссылку на ваш профиль в мессенджере и сможет написать вам напрямую. Если нет, вы договариваетесь о встречах через бота и куратора.
    По умолчанию профиль не показывается. Сейчас: { $share ->
        [yes] показывается.
       *[other] не показывается.
    }
accounts-button-share-yes = Да, показывать
accounts-button-share-no = Нет, не показывать
accounts-share-set = { $share ->
        [yes] Готово: ваша пара получит ссылку на ваш профиль в знакомстве.
       *[other] Готово: ссылку на ваш профиль паре не показываем.
    } Это касается знакомств, которые придут после изменения.
