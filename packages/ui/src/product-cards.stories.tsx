import type { ProductCard } from '@concierge/core';
import type { Meta, StoryObj } from '@storybook/react-vite';
import { ar } from './locales/ar';
import { AddToCartContext, ProductCards } from './product-cards';
import { StoryFrame } from './story-frame';
import { defaultStrings } from './strings';

const SWEATER: ProductCard = {
  id: 'merino-crew-sweater',
  name: 'Merino Crew Sweater',
  url: '/products/merino-crew-sweater',
  image: '/products/sweater.svg',
  imageAlt: 'Green merino crew-neck sweater',
  price: 128,
  currency: 'USD',
  availability: 'in_stock',
  reason: 'Warm without bulk, for layering on cold hikes.',
};
const JACKET: ProductCard = {
  id: 'waxed-canvas-field-jacket',
  name: 'Waxed Canvas Field Jacket',
  url: '/products/waxed-canvas-field-jacket',
  image: '/products/jacket.svg',
  price: 245,
  currency: 'USD',
  availability: 'in_stock',
  reason: 'Waxed cotton that keeps rain out.',
};
const SOCKS: ProductCard = { id: 'wool-socks', name: 'Wool Hiking Socks', url: '/products/wool-socks', price: 24, currency: 'USD', reason: 'Cushioned merino for long days.' };

const meta = {
  title: 'Chat/Product Cards',
  component: ProductCards,
  args: { products: [SWEATER], strings: defaultStrings },
  decorators: [
    (Story, { args, parameters }) => (
      <StoryFrame dir={args.strings?.dir}>
        <AddToCartContext.Provider value={parameters.addToCart === false ? undefined : () => {}}>
          <Story />
        </AddToCartContext.Provider>
      </StoryFrame>
    ),
  ],
} satisfies Meta<typeof ProductCards>;
export default meta;
type Story = StoryObj<typeof meta>;

export const OneCard: Story = {};
export const Several: Story = { args: { products: [SWEATER, JACKET, SOCKS] } };
export const NoImage: Story = { args: { products: [SOCKS] } };
export const OutOfStock: Story = { args: { products: [{ ...JACKET, availability: 'out_of_stock' }] } };
export const WithoutAddToCart: Story = { args: { products: [SWEATER, JACKET] }, parameters: { addToCart: false } };
export const InEuros: Story = { args: { products: [{ ...SWEATER, price: 119, currency: 'EUR' }], strings: { ...defaultStrings, locale: 'fr-FR' } } };
export const RightToLeft: Story = {
  args: { products: [{ ...SWEATER, name: 'كنزة صوف ميرينو', reason: 'دافئة دون ثقل.' }], strings: ar.chat },
};
