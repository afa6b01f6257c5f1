import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell, csvRow } from '../../src/entry/api/csv.js';
import { linkOrganization, startHarness, type Harness } from '../support/test-app.js';

/** The characters a spreadsheet reads as the start of a formula (OWASP "CSV injection"). */
const FORMULA_STARTS = ['=', '+', '-', '@', '\t', '\r'];

/** RFC 4180 cells of a CSV text, as a spreadsheet splits them. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const endCell = () => {
    row.push(cell);
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endCell();
    else if (c === '\r' && text[i + 1] === '\n') {
      endCell();
      rows.push(row);
      row = [];
      i++;
    } else cell += c;
  }
  return rows;
}

describe('the audit CSV never hands a spreadsheet a formula', () => {
  it.each(FORMULA_STARTS)('keeps a cell starting with %j as text, quoted where it must be', (start) => {
    const text = `${start}HYPERLINK("http://evil.example","x"),1`;
    const [[cell]] = parseCsv(csvRow([text])) as [[string]];
    expect(cell).toBe(`'${text}`);
  });

  it('leaves other text, dates, JSON and empty cells as they are', () => {
    expect(csvCell('Acme Cloud')).toBe('Acme Cloud');
    expect(csvCell(' =1')).toBe(' =1');
    expect(csvCell(null)).toBe('');
    expect(csvCell(new Date('2026-11-30T10:00:00.000Z'))).toBe('2026-11-30T10:00:00.000Z');
    expect(csvCell({ name: '=1+1' })).toBe('"{""name"":""=1+1""}"');
  });

  describe('end to end: names that Atlassian, Jira and admins type, in the exported log', () => {
    let h: Harness;
    const names = FORMULA_STARTS.map((start, i) => `${start}cmd|' /C calc'!A${i}`);

    beforeAll(async () => {
      h = await startHarness({ env: { LINK_ATTEMPTS_PER_MINUTE: '100' } });
      // Organizations named like formulas: each link is audited with the organization's name as its subject.
      for (const [i, name] of names.entries()) {
        const id = `org-evil-${i}`;
        h.admin.addOrganization({ id, name, directories: [{ id: `dir-evil-${i}`, name: 'Users', groups: [] }] });
        h.admin.addApiKey(`evil-key-${i}-0123456789`, [id]);
      }
      for (const i of names.keys()) {
        const call = (method: string, path: string, body?: unknown) => {
          const organizationBody = body as Record<string, unknown> | undefined;
          return h.api(
            method,
            path,
            organizationBody?.targetType ? { ...organizationBody, organizationId: `org-evil-${i}`, directoryId: `dir-evil-${i}` } : body,
          );
        };
        await linkOrganization(call, [], { apiKey: `evil-key-${i}-0123456789` });
      }
    }, 60_000);
    afterAll(() => h?.stop());

    it('prefixes every such subject with a quote in the CSV download and in the JSON-wrapped export', async () => {
      const download = await fetch(`${h.app.baseUrl}/api/audit-log/export`, {
        headers: { Authorization: `JWT ${h.site.contextToken('admin-1')}` },
      });
      expect(download.status).toBe(200);
      const wrapped = await h.api('GET', '/api/audit-log/export?as=json');
      expect(wrapped.status).toBe(200);
      for (const csv of [await download.text(), wrapped.body.csv as string]) {
        const rows = parseCsv(csv);
        const subjects = rows.slice(1).map((row) => row[4]);
        for (const name of names) expect(subjects).toContain(`'${name}`);
        for (const cell of rows.flat()) expect(FORMULA_STARTS, JSON.stringify(cell)).not.toContain(cell[0]);
      }
    });
  });
});
