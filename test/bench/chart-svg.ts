import type { TimelinePoint } from './timeline-monitor';

interface Series {
  label: string;
  colour: string;
  values: number[];
}

interface Panel {
  title: string;
  series: Series[];
  log?: boolean;
}

const WIDTH = 1200;
const PANEL_HEIGHT = 220;
const MARGIN = { left: 70, right: 20, top: 30, gap: 40 };

/**
 * Throughput, latency and lag over the run as a dependency-free SVG; phases are marked along
 * the top. chart.py draws the same as a PNG when matplotlib is installed.
 */
export function timelineSvg(points: TimelinePoint[]): string {
  const panels: Panel[] = [
    {
      title: 'events published/s and webhooks delivered/s',
      series: [
        { label: 'published/s', colour: '#888888', values: points.map((p) => p.publishedPerS) },
        { label: 'delivered/s', colour: '#1f77b4', values: points.map((p) => p.deliveredPerS) },
      ],
    },
    {
      title: 'healthy cohort latency per second, ms (log scale)',
      log: true,
      series: [
        { label: 'p50', colour: '#2ca02c', values: points.map((p) => p.p50Ms) },
        { label: 'p99', colour: '#d62728', values: points.map((p) => p.p99Ms) },
      ],
    },
    {
      title: 'consumer lag, records (filter + renderer + delivery)',
      series: [{ label: 'lag', colour: '#9467bd', values: points.map((p) => p.mainLag) }],
    },
  ];
  const height = MARGIN.top + panels.length * (PANEL_HEIGHT + MARGIN.gap);
  const times = points.map((p) => p.t);
  const t0 = times[0] ?? 0;
  const t1 = times[times.length - 1] ?? 1;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const x = (t: number) => MARGIN.left + ((t - t0) / Math.max(1, t1 - t0)) * plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ];
  for (const [start, end, phase] of phaseSpans(points)) {
    parts.push(
      `<rect x="${x(start)}" y="${MARGIN.top - 14}" width="${Math.max(1, x(end) - x(start))}" height="${height - MARGIN.top}" fill="${phase === 'drain' ? '#f4f4f4' : '#fbfbf0'}" stroke="#dddddd"/>`,
      `<text x="${x(start) + 2}" y="${MARGIN.top - 3}" fill="#555">${escape(phase)}</text>`,
    );
  }
  panels.forEach((panel, index) => {
    const top = MARGIN.top + 10 + index * (PANEL_HEIGHT + MARGIN.gap);
    const all = panel.series.flatMap((s) => s.values).filter((v) => Number.isFinite(v));
    const max = Math.max(1, ...all);
    const min = panel.log ? Math.max(0.1, Math.min(...all.filter((v) => v > 0), max)) : 0;
    const scale = (v: number) =>
      panel.log
        ? (Math.log10(Math.max(min, v)) - Math.log10(min)) / Math.max(1e-9, Math.log10(max) - Math.log10(min))
        : v / max;
    const y = (v: number) => top + PANEL_HEIGHT - scale(v) * PANEL_HEIGHT;
    parts.push(
      `<text x="${MARGIN.left}" y="${top - 4}" font-weight="bold">${escape(panel.title)}</text>`,
      `<line x1="${MARGIN.left}" y1="${top + PANEL_HEIGHT}" x2="${WIDTH - MARGIN.right}" y2="${top + PANEL_HEIGHT}" stroke="#333"/>`,
      `<line x1="${MARGIN.left}" y1="${top}" x2="${MARGIN.left}" y2="${top + PANEL_HEIGHT}" stroke="#333"/>`,
      `<text x="${MARGIN.left - 4}" y="${top + 8}" text-anchor="end">${format(max)}</text>`,
      `<text x="${MARGIN.left - 4}" y="${top + PANEL_HEIGHT}" text-anchor="end">${format(min)}</text>`,
    );
    panel.series.forEach((series, seriesIndex) => {
      const path = series.values.map((v, i) => `${x(times[i]).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
      parts.push(
        `<polyline fill="none" stroke="${series.colour}" stroke-width="1.5" points="${path}"/>`,
        `<text x="${WIDTH - MARGIN.right - 120 + seriesIndex * 60}" y="${top - 4}" fill="${series.colour}">${escape(series.label)}</text>`,
      );
    });
  });
  parts.push(
    `<text x="${WIDTH / 2}" y="${height - 6}" text-anchor="middle">seconds since the load started</text>`,
    '</svg>',
  );
  return parts.join('\n');
}

function phaseSpans(points: TimelinePoint[]): [number, number, string][] {
  const spans: [number, number, string][] = [];
  for (const point of points) {
    const last = spans[spans.length - 1];
    if (last) last[1] = point.t;
    if (!last || last[2] !== point.phase) spans.push([point.t, point.t, point.phase]);
  }
  return spans;
}

function format(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(1)}k` : value.toFixed(value < 10 ? 1 : 0);
}

function escape(text: string): string {
  return text.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] ?? c);
}
