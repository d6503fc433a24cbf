import type { FaqStrings } from '../faq-accordion';
import type { ConciergeStrings } from '../strings';

/** Arabic (right to left). Pass as `strings={ar.chat}` and `strings={ar.faq}`. */
export const ar: { chat: ConciergeStrings; faq: FaqStrings } = {
  chat: {
    locale: 'ar',
    dir: 'rtl',
    openChat: 'افتح المحادثة',
    closeChat: 'أغلق المحادثة',
    title: 'خدمة العملاء',
    messageLabel: 'الرسالة',
    placeholder: 'اسأل عن الطلبات والشحن والإرجاع…',
    send: 'إرسال',
    stop: 'إيقاف',
    retry: 'أعد المحاولة',
    typing: 'المساعد يكتب…',
    sources: 'المصادر',
    you: 'أنت',
    assistant: 'المساعد',
    notSent: 'لم تُرسل',
    queued: 'غير متصل: تُرسل عند عودة الاتصال',
    interrupted: 'توقّف الرد',
    emptyMessage: 'اكتب رسالة أولًا.',
    waitForReply: 'انتظر حتى يكتمل الرد، أو اضغط إيقاف.',
    tooLong: (max) => `يمكن أن تحتوي الرسالة على ${max} حرف كحد أقصى.`,
    newConversation: 'محادثة جديدة',
    jumpToLatest: 'الانتقال إلى الأحدث',
    errors: {
      network: 'تعذّر الوصول إلى المساعد. تحقّق من اتصالك وحاول مرة أخرى.',
      invalid_request: 'تعذّر إرسال هذه الرسالة. أعد صياغتها وحاول مرة أخرى.',
      forbidden: 'المحادثة غير متاحة على هذا الموقع.',
      upstream_timeout: 'استغرق المساعد وقتًا طويلًا للرد. حاول مرة أخرى.',
      upstream_unavailable: 'المساعد غير متاح مؤقتًا. حاول مرة أخرى بعد قليل.',
      upstream_malformed: 'المساعد غير متاح مؤقتًا. حاول مرة أخرى بعد قليل.',
      unauthorized: 'المساعد غير متاح مؤقتًا. حاول مرة أخرى لاحقًا.',
      billing: 'المساعد غير متاح مؤقتًا. حاول مرة أخرى لاحقًا.',
      default: 'حدث خطأ ما. حاول مرة أخرى.',
    },
    readyAgain: 'يمكنك إرسال الرسائل مرة أخرى.',
    retrying: (seconds) => (seconds > 0 ? `لا رد بعد. إعادة المحاولة خلال ${seconds} ث.` : 'لا رد بعد. جارٍ إعادة المحاولة…'),
    retryNow: 'أعد المحاولة الآن',
    rateLimited: (seconds) =>
      seconds > 0 ? `رسائل كثيرة في وقت واحد. يمكنك الإرسال مجددًا بعد ${seconds} ث.` : 'رسائل كثيرة في وقت واحد. انتظر قليلًا.',
  },
  faq: {
    title: 'أسئلة يطرحها المتسوقون',
    loading: 'جارٍ تحميل الأسئلة عن هذا المنتج…',
    error: 'تعذّر تحميل الأسئلة عن هذا المنتج.',
    retry: 'حاول مرة أخرى',
    askFollowUp: 'اطرح سؤالًا متابعًا',
    sources: 'المصادر',
  },
};
