import { useState, type FormEvent } from 'react';
import { EMAIL_PATTERN } from '../../src/lib/credentials-form';
import { relativeTime } from '../../src/lib/relative-time';
import { useNow } from '../../src/lib/use-now';
import Button from '@atlaskit/button/new';
import SectionMessage from '@atlaskit/section-message';
import { TextField as Textfield } from '../../src/fields/Fields';
import { Truncated } from '../../src/page/Truncated';
import { createJiraUser, type SandboxHost } from './sandbox-api';

interface CreatedUser {
  accountId: string;
  displayName: string;
  email: string | null;
  createdAt: string;
}

export function CreateUserPanel({ host, onCreated }: { host: SandboxHost; onCreated?: () => void }) {
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [errors, setErrors] = useState<{ displayName?: string; email?: string }>({});
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [users, setUsers] = useState<CreatedUser[]>([]);
  const now = useNow(15_000);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const name = displayName.trim();
    const mail = email.trim();
    const found: typeof errors = {};
    if (name === '') found.displayName = 'Enter a display name.';
    if (mail !== '' && !EMAIL_PATTERN.test(mail)) found.email = 'Enter a valid email address, or leave it empty.';
    setErrors(found);
    if (found.displayName || found.email) return;
    setBusy(true);
    setFailure(null);
    const result = await createJiraUser(name, mail || undefined, host);
    setBusy(false);
    if (!result.ok) {
      setFailure(result.message);
      return;
    }
    setUsers((prev) => [{ accountId: result.body.accountId, displayName: name, email: mail || null, createdAt: new Date().toISOString() }, ...prev]);
    setDisplayName('');
    setEmail('');
    onCreated?.();
  };

  return (
    <section className="sbx-panel" aria-labelledby="sbx-user-title">
      <h2 id="sbx-user-title" className="sbx-panel__title">
        Create a Jira user
      </h2>
      {host === 'forge' ? (
        <p className="sbx-panel__text">
          Adds a user to the simulated Jira site, and Forge sends the app the <code className="ads-code">avi:jira:created:user</code> event with a
          Forge Invocation Token. Without an email, Jira does not share one, like a user with a private profile.
        </p>
      ) : (
        <p className="sbx-panel__text">
          Adds a user to the simulated Jira site and sends the app the signed <code className="ads-code">user_created</code> webhook. Without an
          email, Jira does not share one, like a user with a private profile.
        </p>
      )}
      <form noValidate onSubmit={(event) => void submit(event)} className="sbx-form">
        {failure ? (
          <SectionMessage appearance="error" title="Couldn't create the user">
            <p>{failure}</p>
          </SectionMessage>
        ) : null}
        <Textfield label="Display name" required value={displayName} onChange={setDisplayName} error={errors.displayName} autoComplete="off" />
        <Textfield label="Email" type="email" value={email} onChange={setEmail} error={errors.email} autoComplete="off" helperText="Optional." />
        <div>
          <Button type="submit" appearance="primary" isLoading={busy}>
            Create user
          </Button>
        </div>
      </form>
      {users.length > 0 ? (
        <>
          <h3 className="sbx-panel__subtitle" id="sbx-created-title">
            Created users
          </h3>
          <ul className="sbx-users" aria-labelledby="sbx-created-title">
            {users.map((user) => (
              <li key={user.accountId} className="sbx-user">
                <Truncated value={user.displayName} className="sbx-user__name" />
                {user.email ? <Truncated value={user.email} className="sbx-user__meta" /> : <span className="sbx-user__meta">No email shared</span>}
                <span className="sbx-user__meta">
                  <Truncated value={user.accountId} /> · {relativeTime(user.createdAt, now)}
                </span>
              </li>
            ))}
          </ul>
          <p className="sbx-panel__hint">Their invitations appear under Recent invitations in the app.</p>
        </>
      ) : null}
    </section>
  );
}
