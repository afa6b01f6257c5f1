import type { SandboxState } from './sandbox-api';
import { CopyValue } from './CopyValue';

export function DemoCredentialsPanel({ demo }: { demo: SandboxState['demo'] }) {
  return (
    <section className="sbx-panel" aria-labelledby="sbx-demo-title">
      <h2 id="sbx-demo-title" className="sbx-panel__title">
        Demo workspace
      </h2>
      <p className="sbx-panel__text">
        A simulated Bitbucket Cloud workspace. Paste these into <strong>Link account</strong> (Bitbucket workspace, credential type: OAuth consumer).
        They are fake sandbox values.
      </p>
      <dl className="sbx-values">
        <CopyValue label="Workspace" value={demo.workspace} />
        <CopyValue label="OAuth key" value={demo.oauthKey} />
        <CopyValue label="OAuth secret" value={demo.oauthSecret} />
      </dl>
      <p className="sbx-panel__hint">
        To see Bitbucket refuse the link, use the secret <code className="ads-code">{demo.badSecret}</code>.
      </p>
      {demo.emptyWorkspace ? (
        <p className="sbx-panel__hint">
          A workspace without groups: <code className="ads-code">{demo.emptyWorkspace.workspace}</code>, key{' '}
          <code className="ads-code">{demo.emptyWorkspace.oauthKey}</code>, same secret.
        </p>
      ) : null}
    </section>
  );
}

/** The simulated Atlassian organization, when the server has one (older servers do not). */
export function DemoOrganizationPanel({ organization }: { organization: NonNullable<SandboxState['demo']['organization']> }) {
  return (
    <section className="sbx-panel" aria-labelledby="sbx-demo-org-title">
      <h2 id="sbx-demo-org-title" className="sbx-panel__title">
        Demo organization
      </h2>
      <p className="sbx-panel__text">
        A simulated Atlassian organization. In <strong>Link account</strong>, choose Atlassian organization, paste this API key and click Find
        organizations. It is a fake sandbox value.
      </p>
      <dl className="sbx-values">
        <CopyValue label="Organization" value={organization.name} />
        <CopyValue label="API key" value={organization.apiKey} />
      </dl>
    </section>
  );
}
