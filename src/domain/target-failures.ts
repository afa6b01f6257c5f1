import { DomainError, type TargetError } from './errors.js';

/** Words an admin can act on, for each way Bitbucket can refuse a workspace's credentials or groups. */
export function explainTargetFailure(workspace: string, error: TargetError): DomainError {
  switch (error.kind) {
    case 'credentials-rejected':
      return new DomainError(
        'upstream-rejected',
        `Bitbucket rejected these credentials for "${workspace}". Check the OAuth consumer key and secret, or the email and API token.`,
      );
    case 'forbidden':
      return new DomainError(
        'upstream-rejected',
        `These credentials work but have no admin rights on the workspace "${workspace}". Use credentials of a workspace administrator with the account:write and workspace admin scopes. (${error.message})`,
      );
    case 'not-found':
      return new DomainError(
        'upstream-rejected',
        `Bitbucket refuses group invitations for "${workspace}": the workspace does not exist, or it is admin-managed, in which case user access is managed in Atlassian Administration. (${error.message})`,
      );
    case 'rate-limited':
    case 'unavailable':
      return new DomainError('upstream-unavailable', `Bitbucket did not answer for "${workspace}". Try again in a moment. (${error.message})`);
    case 'rejected':
      return new DomainError('upstream-rejected', `Bitbucket refused the request for "${workspace}": ${error.message}`);
  }
}
