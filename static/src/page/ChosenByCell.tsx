// Who chose an invitation's group: the defaults, a rule, an administrator by hand or in review.
import type { ChosenBy } from '../api/types';

export function chosenByText(chosenBy: ChosenBy | undefined): string {
  switch (chosenBy?.kind) {
    case 'rule':
      return `Rule “${chosenBy.ruleName}”`;
    case 'manual':
      return 'Invited by an admin';
    case 'review':
      return 'Chosen in review';
    case 'defaults':
    case undefined:
      return 'Default groups';
  }
}

export function ChosenByCell({ chosenBy }: { chosenBy: ChosenBy | undefined }) {
  return <span title={chosenBy && 'actorAccountId' in chosenBy ? chosenBy.actorAccountId : undefined}>{chosenByText(chosenBy)}</span>;
}
