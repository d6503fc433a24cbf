import type { OrderLookup, OrderRecord } from '@concierge/proxy';

/**
 * The demo's order book: a few made-up orders, listed on the order-tracking page, so the
 * assistant's order lookup works out of the box. A real store looks its orders up in its own system.
 */
const ORDERS: OrderRecord[] = [
  {
    orderNumber: 'LF-10427',
    email: 'ada@example.com',
    status: 'shipped',
    placedAt: '2026-11-18',
    carrier: 'UPS',
    trackingUrl: 'https://www.ups.com/track?tracknum=1Z999AA10123456784',
    estimatedDelivery: 'within 2 business days',
    items: [{ name: 'Merino Crew Sweater', quantity: 1 }],
  },
  {
    orderNumber: 'LF-10512',
    email: 'grace@example.com',
    status: 'processing',
    placedAt: '2026-11-22',
    estimatedDelivery: 'ships within 1 business day',
    items: [
      { name: 'Canvas Market Tote', quantity: 1 },
      { name: 'Organic Cotton Tee', quantity: 2 },
    ],
  },
  {
    orderNumber: 'LF-09981',
    email: 'alan@example.com',
    status: 'delivered',
    placedAt: '2026-11-02',
    carrier: 'USPS',
    items: [{ name: 'Cast Iron Skillet 26 cm', quantity: 1 }],
  },
];

export const demoOrders: OrderLookup = {
  async lookup({ orderNumber, email }) {
    return ORDERS.find((order) => order.orderNumber === orderNumber.toUpperCase() && order.email === email.trim().toLowerCase());
  },
};
