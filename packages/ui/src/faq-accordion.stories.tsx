import { createMockTransport, type ProductFaqsResponse } from '@concierge/core';
import { ConciergeProvider } from '@concierge/react';
import type { Meta, StoryObj } from '@storybook/react-vite';
import type { ComponentProps } from 'react';
import { FaqAccordion } from './faq-accordion';
import { ar } from './locales/ar';

function FaqStory({ faqs, ...props }: { faqs: ProductFaqsResponse | 'error' } & Partial<ComponentProps<typeof FaqAccordion>>) {
  const transport = createMockTransport(faqs === 'error' ? {} : { productFaqs: faqs });
  if (faqs === 'error') transport.getProductFaqs = () => Promise.reject(new Error('offline'));
  return (
    <div className="story-page">
      <ConciergeProvider transport={transport} storage={null}>
        <FaqAccordion pageUrl="https://shop.example/products/merino" {...props} />
      </ConciergeProvider>
    </div>
  );
}

const meta = { title: 'FAQ/Accordion', component: FaqStory } satisfies Meta<typeof FaqStory>;
export default meta;
type Story = StoryObj<typeof meta>;

const READY: ProductFaqsResponse = {
  status: 'ready',
  faqs: [
    { id: 1, question: 'What is the Merino Crew Sweater made of?', answer: '100% extra-fine **merino wool**, RWS certified.', sources: [{ title: 'Merino Crew Sweater', url: '/products/merino' }] },
    { id: 2, question: 'How do I care for it?', answer: 'Hand wash cold; dry flat in shade.' },
    { id: 3, question: 'Can I return it?', answer: 'Unworn items can be returned within 30 days.', sources: [{ title: 'Returns', url: '/policies/returns' }] },
  ],
};

export const Generating: Story = { args: { faqs: { status: 'generating', retryAfterSeconds: 3600 } } };
export const Ready: Story = { args: { faqs: READY } };
export const ReadyWithOneOpen: Story = { args: { faqs: READY, defaultValue: [1] } };
export const NotAvailable: Story = { args: { faqs: { status: 'not_available', faqs: [] } } };
export const LoadError: Story = { name: 'Error', args: { faqs: 'error' } };
export const Dark: Story = { args: { faqs: READY, defaultValue: [2], theme: 'dark' } };
export const RightToLeft: Story = {
  args: {
    faqs: { status: 'ready', faqs: [{ id: 1, question: 'ما هي مادة الصنع؟', answer: 'صوف ميرينو ناعم.' }] },
    strings: ar.faq,
    dir: 'rtl',
    defaultValue: [1],
  },
};
