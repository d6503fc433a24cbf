import '@concierge/ui/styles.css';
import { ConciergeWidget } from '@concierge/ui';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

function App() {
  return (
    <main>
      <h1>Harbor Bikes</h1>
      <p>City bikes, serviced for life. Ask the assistant in the corner anything.</p>
      <ConciergeWidget endpoint="/api/concierge" greeting="Hi! Ask me about our bikes or servicing." strings={{ title: 'Harbor help' }} />
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
