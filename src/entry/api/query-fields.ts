import { z } from 'zod';

/** `?linkedAccountId=`: the one filter every list of the admin API shares. */
export const linkedAccountFilter = z
  .string({ error: 'Filter by one linked account ID.' })
  .uuid('The linked account filter is not a linked account ID.')
  .optional();

const pageNumber = 'The page must be a whole number of 1 or more.';
const pageSize = 'The page size must be a whole number from 1 to 100.';

/** `?page=&pageSize=` of a paged list: 1-based, 25 a page unless asked, at most 100. */
export const pageFields = {
  page: z.coerce.number({ error: pageNumber }).int(pageNumber).min(1, pageNumber).default(1),
  pageSize: z.coerce.number({ error: pageSize }).int(pageSize).min(1, pageSize).max(100, pageSize).default(25),
};
