import Button from '@atlaskit/button/new';
import { ChevronLeftIcon, ChevronRightIcon } from '../icons';
import { Inline } from '@atlaskit/primitives';

export function Pagination({
  page,
  pageSize,
  total,
  shown,
  onPage,
}: {
  page: number;
  pageSize: number;
  total: number;
  shown: number;
  onPage: (page: number) => void;
}) {
  const first = (page - 1) * pageSize + 1;
  const last = (page - 1) * pageSize + shown;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <nav className="ati-table-footer" aria-label="Invitation pages">
      <span aria-live="polite">
        {first}–{last} of {total}
      </span>
      {pages > 1 ? (
        <Inline space="space.100" alignBlock="center">
          <Button appearance="subtle" iconBefore={ChevronLeftIcon} isDisabled={page <= 1} onClick={() => onPage(page - 1)}>
            Previous
          </Button>
          <span className="ati-page-count">
            Page {page} of {pages}
          </span>
          <Button appearance="subtle" iconAfter={ChevronRightIcon} isDisabled={page >= pages} onClick={() => onPage(page + 1)}>
            Next
          </Button>
        </Inline>
      ) : null}
    </nav>
  );
}
