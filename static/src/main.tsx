import './styles/base.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Boot } from './Boot';
import { startBoot } from './startup';

// Before React renders anything: the host bridge, the theme, the page's code and its first reads all start now.
const boot = startBoot();
const container = document.getElementById('root');
if (!container) throw new Error('#root is missing from index.html');
createRoot(container).render(
  <StrictMode>
    <Boot boot={boot} />
  </StrictMode>,
);
