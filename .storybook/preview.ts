import '../packages/ui/src/styles.css';
import type { Preview } from '@storybook/react-vite';

const preview: Preview = {
  // Every component gets a docs page with its description and props table.
  tags: ['autodocs'],
  parameters: {
    layout: 'fullscreen',
    controls: { expanded: true },
  },
};

export default preview;
