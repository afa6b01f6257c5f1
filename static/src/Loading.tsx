import { Box, xcss } from '@atlaskit/primitives';
import Spinner from '@atlaskit/spinner';

const loadingStyles = xcss({ display: 'flex', justifyContent: 'center', paddingBlock: 'space.500' });

/** A centred spinner for a region that is loading. */
export function Loading({ label }: { label: string }) {
  return (
    <Box xcss={loadingStyles}>
      <Spinner size="large" label={label} />
    </Box>
  );
}
