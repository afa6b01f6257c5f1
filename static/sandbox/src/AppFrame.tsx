import type { Ref } from 'react';

export const APP_FRAME_TITLE = 'Automatic team invitations';

export function AppFrame({ src, frameRef }: { src: string; frameRef?: Ref<HTMLIFrameElement> }) {
  return (
    <div className="sbx-frame">
      <nav className="sbx-breadcrumbs" aria-label="Breadcrumbs">
        <span>Apps</span>
        <span aria-hidden="true">›</span>
        <span aria-current="page">Automatic team invitations</span>
      </nav>
      <iframe ref={frameRef} className="sbx-frame__iframe" title={APP_FRAME_TITLE} src={src} />
    </div>
  );
}
