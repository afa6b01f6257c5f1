import '../../src/styles/base.css';
import './sandbox.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { SandboxApp } from './SandboxApp';

const container = document.getElementById('root');
if (!container) throw new Error('#root is missing');
createRoot(container).render(
  <StrictMode>
    <SandboxApp />
  </StrictMode>,
);
