import { concierge } from '../../../../lib/concierge';

export const { GET, POST, OPTIONS, HEAD } = concierge;
