/**
 * A progress bar on stderr. On a terminal it redraws one line; in a log or pipe it prints a line
 * at each tenth, so a long import still shows it is alive.
 */
export class ProgressBar {
  private lastTenth = -1;
  private lastLabel = '';

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  update(label: string, done: number, total: number): void {
    const fraction = total === 0 ? 1 : done / total;
    if (this.out.isTTY) {
      const width = 30;
      const filled = Math.round(fraction * width);
      this.out.write(
        `\r${label.padEnd(10)} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ${done.toLocaleString('en')}/${total.toLocaleString('en')}`,
      );
      if (done >= total) this.out.write('\n');
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (label !== this.lastLabel) this.lastTenth = -1;
    if (tenth === this.lastTenth) return;
    this.lastTenth = tenth;
    this.lastLabel = label;
    this.out.write(`${label} ${tenth * 10}% (${done}/${total})\n`);
  }
}
