import type { FaqStrings } from '../faq-accordion';
import type { ConciergeStrings } from '../strings';

/** French. Pass as `strings={fr.chat}` and `strings={fr.faq}`. */
export const fr: { chat: ConciergeStrings; faq: FaqStrings } = {
  chat: {
    locale: 'fr',
    dir: 'ltr',
    openChat: 'Ouvrir la discussion',
    closeChat: 'Fermer la discussion',
    title: 'Service client',
    messageLabel: 'Message',
    placeholder: 'Commandes, livraison, retours…',
    send: 'Envoyer',
    stop: 'Arrêter',
    retry: 'Réessayer',
    typing: 'L’assistant écrit…',
    sources: 'Sources',
    you: 'Vous',
    assistant: 'Assistant',
    notSent: 'Non envoyé',
    queued: 'Hors ligne : envoi au retour de la connexion',
    interrupted: 'Réponse interrompue',
    emptyMessage: 'Écrivez d’abord un message.',
    waitForReply: 'Attendez la fin de la réponse, ou appuyez sur Arrêter.',
    tooLong: (max) => `Un message peut compter au plus ${max} caractères.`,
    newConversation: 'Nouvelle discussion',
    jumpToLatest: 'Aller au plus récent',
    errors: {
      network: 'Impossible de joindre l’assistant. Vérifiez votre connexion et réessayez.',
      invalid_request: 'Ce message n’a pas pu être envoyé. Reformulez-le et réessayez.',
      forbidden: 'La discussion n’est pas disponible sur ce site.',
      upstream_timeout: 'L’assistant a mis trop de temps à répondre. Réessayez.',
      upstream_unavailable: 'L’assistant est momentanément indisponible. Réessayez dans un instant.',
      upstream_malformed: 'L’assistant est momentanément indisponible. Réessayez dans un instant.',
      unauthorized: 'L’assistant est momentanément indisponible. Réessayez plus tard.',
      billing: 'L’assistant est momentanément indisponible. Réessayez plus tard.',
      default: 'Une erreur s’est produite. Réessayez.',
    },
    readyAgain: 'Vous pouvez de nouveau envoyer des messages.',
    retrying: (seconds) => (seconds > 0 ? `Pas encore de réponse. Nouvel essai dans ${seconds} s.` : 'Pas encore de réponse. Nouvel essai…'),
    retryNow: 'Réessayer maintenant',
    rateLimited: (seconds) =>
      seconds > 0 ? `Trop de messages à la fois. Nouvel envoi possible dans ${seconds} s.` : 'Trop de messages à la fois. Patientez un instant.',
  },
  faq: {
    title: 'Questions fréquentes',
    loading: 'Chargement des questions sur ce produit…',
    error: 'Les questions sur ce produit n’ont pas pu être chargées.',
    retry: 'Réessayer',
    askFollowUp: 'Poser une question de suivi',
    sources: 'Sources',
  },
};
