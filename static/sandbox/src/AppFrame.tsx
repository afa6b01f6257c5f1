export const APP_FRAME_TITLE = 'Automatic team invitations';

export function AppFrame({ src }: { src: string }) {
  return (
    <div className="sbx-frame">
      <nav className="sbx-breadcrumbs" aria-label="Breadcrumbs">
        <span>Apps</span>
        <span aria-hidden="true">›</span>
        <span aria-current="page">Automatic team invitations</span>
      </nav>
      <iframe className="sbx-frame__iframe" title={APP_FRAME_TITLE} src={src} />
    </div>
  );
}
