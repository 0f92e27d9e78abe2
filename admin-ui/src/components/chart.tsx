// Small charts in plain SVG (no library, nothing fetched): bars for counts, lines for latency.
// Each chart is an image with a text summary for screen readers, scales to its container, and
// shows a point's exact values on hover (the SVG <title>).

export interface ChartSeries {
  label: string;
  /** One value per point; null means "no data" (a gap in a line). */
  values: (number | null)[];
  /** A CSS class giving the series its colour (chart-series-1 … chart-series-3). */
  tone: 1 | 2 | 3;
}

const WIDTH = 600;
const HEIGHT = 160;
const PAD = { top: 10, right: 8, bottom: 22, left: 58 };

/** A round top for the scale; counts get at least 2, so the middle line is a whole number. */
function niceMax(value: number, least = 2): number {
  if (value <= least) return least;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((step) => step * magnitude).find((candidate) => candidate >= value)!;
}

function Axis({ max, format, labels }: { max: number; format: (value: number) => string; labels: string[] }) {
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const every = Math.max(1, Math.ceil(labels.length / 6));
  return (
    <g class="chart-axis" aria-hidden="true">
      {[0, 0.5, 1].map((fraction) => {
        const y = PAD.top + plotHeight * (1 - fraction);
        return (
          <g>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y} y2={y} class="chart-grid" />
            <text x={PAD.left - 6} y={y + 4} text-anchor="end">
              {format(max * fraction)}
            </text>
          </g>
        );
      })}
      {labels.map((label, index) =>
        index % every === 0 ? (
          <text x={PAD.left + (plotWidth * (index + 0.5)) / labels.length} y={HEIGHT - 6} text-anchor="middle">
            {label}
          </text>
        ) : null,
      )}
    </g>
  );
}

function Legend({ series }: { series: ChartSeries[] }) {
  if (series.length < 2) return null;
  return (
    <ul class="chart-legend" aria-hidden="true">
      {series.map((item) => (
        <li>
          <span class={`chart-swatch chart-series-${item.tone}`} />
          {item.label}
        </li>
      ))}
    </ul>
  );
}

/** Grouped bars: one group per point, one bar per series. */
export function BarChart({ title, series, labels, summary, format = (value) => String(Math.round(value)) }: { title: string; series: ChartSeries[]; labels: string[]; summary: string; format?: (value: number) => string }) {
  const max = niceMax(Math.max(0, ...series.flatMap((item) => item.values.map((value) => value ?? 0))));
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = (WIDTH - PAD.left - PAD.right) / Math.max(1, labels.length);
  const barWidth = Math.max(1, (slot * 0.8) / series.length);
  return (
    <figure class="chart" data-chart={title}>
      <figcaption class="chart-title">{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${title}: ${summary}`}>
        <Axis max={max} format={format} labels={labels} />
        {labels.map((label, index) =>
          series.map((item, position) => {
            const value = item.values[index] ?? 0;
            const height = (plotHeight * value) / max;
            return (
              <rect
                class={`chart-bar chart-series-${item.tone}`}
                x={PAD.left + slot * index + slot * 0.1 + barWidth * position}
                y={PAD.top + plotHeight - height}
                width={barWidth}
                height={height}
                data-value={value}
              >
                <title>{`${label} · ${item.label}: ${format(value)}`}</title>
              </rect>
            );
          }),
        )}
      </svg>
      <Legend series={series} />
    </figure>
  );
}

/** Lines with dots; points without data leave gaps. */
export function LineChart({ title, series, labels, summary, format }: { title: string; series: ChartSeries[]; labels: string[]; summary: string; format: (value: number) => string }) {
  const max = niceMax(Math.max(0, ...series.flatMap((item) => item.values.map((value) => value ?? 0))));
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = (WIDTH - PAD.left - PAD.right) / Math.max(1, labels.length);
  const x = (index: number) => PAD.left + slot * (index + 0.5);
  const y = (value: number) => PAD.top + plotHeight - (plotHeight * value) / max;
  return (
    <figure class="chart" data-chart={title}>
      <figcaption class="chart-title">{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${title}: ${summary}`}>
        <Axis max={max} format={format} labels={labels} />
        {series.map((item) => {
          // Consecutive points with data form one segment.
          const segments: string[][] = [[]];
          item.values.forEach((value, index) => {
            if (value === null) segments.push([]);
            else segments[segments.length - 1]!.push(`${x(index)},${y(value)}`);
          });
          return (
            <g class={`chart-series-${item.tone}`}>
              {segments.filter((points) => points.length > 1).map((points) => (
                <polyline class="chart-line" points={points.join(" ")} />
              ))}
              {item.values.map((value, index) =>
                value === null ? null : (
                  <circle class="chart-dot" cx={x(index)} cy={y(value)} r={3} data-value={value}>
                    <title>{`${labels[index]} · ${item.label}: ${format(value)}`}</title>
                  </circle>
                ),
              )}
            </g>
          );
        })}
      </svg>
      <Legend series={series} />
    </figure>
  );
}
