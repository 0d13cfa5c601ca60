// The widget's strings in each shipped language, served with the form so the bundle stays small.
export interface Strings {
  title: string;
  submit: string;
  sending: string;
  success: string;
  email: string;
  phone: string;
  firstName: string;
  lastName: string;
  consentLabel: string;
  required: string;
  fixErrors: string;
  invalidEmail: string;
  failed: string;
  tooMany: string;
  notAllowed: string;
  /** The no-JS answer when the form requires a proof only the widget can compute. */
  needsScript: string;
}

/** The languages the widget ships strings for. */
export const languages = ['en', 'de', 'fr', 'es', 'ru', 'uk', 'he'] as const;
export type Lang = (typeof languages)[number];

const strings: Record<Lang, Strings> = {
  en: {
    title: 'Subscribe to our newsletter',
    submit: 'Subscribe',
    sending: 'Sending…',
    success: 'Almost done: check your inbox and click the link to confirm your subscription.',
    email: 'Email',
    phone: 'Phone',
    firstName: 'First name',
    lastName: 'Last name',
    consentLabel: 'I agree to receive emails and can unsubscribe at any time.',
    required: 'Please fill in this field.',
    fixErrors: 'Please check the highlighted fields.',
    invalidEmail: 'Please enter a valid email address.',
    failed: 'Something went wrong. Please try again.',
    tooMany: 'Too many attempts. Please try again in a minute.',
    notAllowed: 'This form cannot be used on this website.',
    needsScript:
      'This form needs JavaScript at the moment, to tell people from bots. Please enable JavaScript, reload the page with the form and send it again.',
  },
  de: {
    title: 'Newsletter abonnieren',
    submit: 'Abonnieren',
    sending: 'Wird gesendet…',
    success: 'Fast geschafft: Bitte bestätigen Sie Ihr Abonnement über den Link in der E-Mail.',
    email: 'E-Mail',
    phone: 'Telefon',
    firstName: 'Vorname',
    lastName: 'Nachname',
    consentLabel: 'Ich möchte E-Mails erhalten und kann mich jederzeit abmelden.',
    required: 'Bitte füllen Sie dieses Feld aus.',
    fixErrors: 'Bitte prüfen Sie die markierten Felder.',
    invalidEmail: 'Bitte geben Sie eine gültige E-Mail-Adresse ein.',
    failed: 'Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.',
    tooMany: 'Zu viele Versuche. Bitte versuchen Sie es in einer Minute erneut.',
    notAllowed: 'Dieses Formular kann auf dieser Website nicht verwendet werden.',
    needsScript:
      'Dieses Formular braucht gerade JavaScript, um Menschen von Bots zu unterscheiden. Bitte aktivieren Sie JavaScript, laden Sie die Seite mit dem Formular neu und senden Sie es erneut.',
  },
  fr: {
    title: 'Abonnez-vous à notre newsletter',
    submit: "S'abonner",
    sending: 'Envoi…',
    success: 'Presque fini : cliquez sur le lien reçu par e-mail pour confirmer votre abonnement.',
    email: 'E-mail',
    phone: 'Téléphone',
    firstName: 'Prénom',
    lastName: 'Nom',
    consentLabel: "J'accepte de recevoir des e-mails et peux me désabonner à tout moment.",
    required: 'Veuillez remplir ce champ.',
    fixErrors: 'Veuillez vérifier les champs signalés.',
    invalidEmail: 'Veuillez saisir une adresse e-mail valide.',
    failed: 'Une erreur est survenue. Veuillez réessayer.',
    tooMany: 'Trop de tentatives. Réessayez dans une minute.',
    notAllowed: 'Ce formulaire ne peut pas être utilisé sur ce site.',
    needsScript:
      'Ce formulaire a besoin de JavaScript en ce moment pour distinguer les personnes des robots. Activez JavaScript, rechargez la page du formulaire et envoyez-le à nouveau.',
  },
  es: {
    title: 'Suscríbete a nuestro boletín',
    submit: 'Suscribirse',
    sending: 'Enviando…',
    success: 'Casi listo: revisa tu correo y haz clic en el enlace para confirmar la suscripción.',
    email: 'Correo electrónico',
    phone: 'Teléfono',
    firstName: 'Nombre',
    lastName: 'Apellido',
    consentLabel: 'Acepto recibir correos y puedo darme de baja en cualquier momento.',
    required: 'Rellena este campo.',
    fixErrors: 'Revisa los campos marcados.',
    invalidEmail: 'Introduce una dirección de correo válida.',
    failed: 'Algo salió mal. Inténtalo de nuevo.',
    tooMany: 'Demasiados intentos. Inténtalo de nuevo en un minuto.',
    notAllowed: 'Este formulario no se puede usar en este sitio web.',
    needsScript:
      'Este formulario necesita JavaScript en este momento para distinguir a las personas de los bots. Activa JavaScript, recarga la página del formulario y vuelve a enviarlo.',
  },
  ru: {
    title: 'Подпишитесь на рассылку',
    submit: 'Подписаться',
    sending: 'Отправка…',
    success: 'Почти готово: подтвердите подписку по ссылке из письма.',
    email: 'Эл. почта',
    phone: 'Телефон',
    firstName: 'Имя',
    lastName: 'Фамилия',
    consentLabel: 'Я согласен получать письма и могу отписаться в любой момент.',
    required: 'Заполните это поле.',
    fixErrors: 'Проверьте отмеченные поля.',
    invalidEmail: 'Введите корректный адрес эл. почты.',
    failed: 'Что-то пошло не так. Попробуйте ещё раз.',
    tooMany: 'Слишком много попыток. Попробуйте через минуту.',
    notAllowed: 'Эту форму нельзя использовать на этом сайте.',
    needsScript:
      'Сейчас этой форме нужен JavaScript, чтобы отличать людей от ботов. Включите JavaScript, перезагрузите страницу с формой и отправьте её снова.',
  },
  uk: {
    title: 'Підпишіться на розсилку',
    submit: 'Підписатися',
    sending: 'Надсилання…',
    success: 'Майже готово: підтвердіть підписку за посиланням у листі.',
    email: 'Ел. пошта',
    phone: 'Телефон',
    firstName: "Ім'я",
    lastName: 'Прізвище',
    consentLabel: 'Я погоджуюся отримувати листи й можу відписатися будь-коли.',
    required: 'Заповніть це поле.',
    fixErrors: 'Перевірте позначені поля.',
    invalidEmail: 'Введіть коректну адресу ел. пошти.',
    failed: 'Щось пішло не так. Спробуйте ще раз.',
    tooMany: 'Забагато спроб. Спробуйте за хвилину.',
    notAllowed: 'Цю форму не можна використовувати на цьому сайті.',
    needsScript:
      'Зараз цій формі потрібен JavaScript, щоб відрізняти людей від ботів. Увімкніть JavaScript, перезавантажте сторінку з формою та надішліть її знову.',
  },
  he: {
    title: 'הירשמו לניוזלטר שלנו',
    submit: 'הרשמה',
    sending: 'שולח…',
    success: 'כמעט סיימנו: אשרו את ההרשמה בקישור שנשלח אליכם בדוא"ל.',
    email: 'דוא"ל',
    phone: 'טלפון',
    firstName: 'שם פרטי',
    lastName: 'שם משפחה',
    consentLabel: 'אני מסכים/ה לקבל הודעות דוא"ל ויכול/ה לבטל בכל עת.',
    required: 'נא למלא שדה זה.',
    fixErrors: 'נא לבדוק את השדות המסומנים.',
    invalidEmail: 'נא להזין כתובת דוא"ל תקינה.',
    failed: 'משהו השתבש. נסו שוב.',
    tooMany: 'יותר מדי ניסיונות. נסו שוב בעוד דקה.',
    notAllowed: 'לא ניתן להשתמש בטופס זה באתר זה.',
    needsScript:
      'טופס זה זקוק כעת ל-JavaScript כדי להבחין בין אנשים לבוטים. הפעילו JavaScript, טענו מחדש את הדף עם הטופס ושלחו אותו שוב.',
  },
};

/**
 * The first supported language of `requested` (the widget's `data-lang`), then of the browser's
 * Accept-Language, else English.
 * @example pickLanguage(undefined, 'de-CH,de;q=0.9,en;q=0.8') // 'de'
 */
export function pickLanguage(
  requested: string | undefined,
  acceptLanguage: string | undefined,
): Lang {
  const tags = [requested, ...(acceptLanguage ?? '').split(',').map((part) => part.split(';')[0])];
  for (const tag of tags) {
    const base = tag?.trim().toLowerCase().split('-')[0];
    if (base && Object.hasOwn(strings, base)) return base as Lang;
  }
  return 'en';
}

export const stringsFor = (lang: Lang): Strings => strings[lang];
export const textDirection = (lang: Lang): 'rtl' | 'ltr' => (lang === 'he' ? 'rtl' : 'ltr');
