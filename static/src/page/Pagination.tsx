import { Button } from '../ui/Button';
import { Icon } from '../ui/Icon';

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
    <nav className="ads-table-footer" aria-label="Invitation pages">
      <span aria-live="polite">
        {first}–{last} of {total}
      </span>
      {pages > 1 ? (
        <span className="ads-button-group">
          <Button appearance="subtle" iconBefore={<Icon name="chevron-left" size={16} />} disabled={page <= 1} onClick={() => onPage(page - 1)}>
            Previous
          </Button>
          <span className="ati-page-count">
            Page {page} of {pages}
          </span>
          <Button appearance="subtle" iconAfter={<Icon name="chevron-right" size={16} />} disabled={page >= pages} onClick={() => onPage(page + 1)}>
            Next
          </Button>
        </span>
      ) : null}
    </nav>
  );
}
