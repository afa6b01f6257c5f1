/** One line of a benchmark's summary: a figure, its value, and its target if it has one. */
export type Figure = { figure: string; value: string; target: string; met: boolean | null };

/** Collects a benchmark's figures and prints each as it is measured. */
export function figureReporter(): { figures: Figure[]; report: (figure: string, value: string, target?: string, met?: boolean | null) => void } {
  const figures: Figure[] = [];
  const report = (figure: string, value: string, target = '', met: boolean | null = null) => {
    figures.push({ figure, value, target, met });
    console.log(`  ${figure}: ${value}${target ? `   (target ${target}: ${met ? 'met' : 'NOT MET'})` : ''}`);
  };
  return { figures, report };
}
