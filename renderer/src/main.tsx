// The renderer's entry: connect to the core (the desktop app's bridge, or web mode's WebSocket), then render.
// A page that cannot connect says why and what to do, rather than showing an empty window.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { connectApi } from './api';
import './styles/tokens.css';
import './styles/app.css';

const root = document.getElementById('root');
if (root) {
  connectApi().then(
    (api) =>
      createRoot(root).render(
        <StrictMode>
          <App api={api} />
        </StrictMode>,
      ),
    (error: unknown) => {
      root.className = 'fatal';
      root.textContent = `FileFerry could not reach its core: ${error instanceof Error ? error.message : String(error)}. Start it again (npm start, or fileferry serve) and reload this page.`;
    },
  );
}
