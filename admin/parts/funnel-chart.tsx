// The double opt-in funnel as an SVG bar chart (three bars a day), with the same figures as a table.

export interface FunnelDay {
  date: string;
  subscribed: number;
  confirmed: number;
  unsubscribed: number;
  confirmationRate: number | null;
}

const SERIES = [
  ['subscribed', 'Subscribed'],
  ['confirmed', 'Confirmed'],
  ['unsubscribed', 'Unsubscribed'],
] as const;

const WIDTH = 640;
const HEIGHT = 200;
const PAD = { left: 32, bottom: 22, top: 8 };

/** Days from `from` to `to` (UTC), so a day with nothing still has its place on the axis. */
function allDays(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += 86_400_000)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

export function FunnelChart({ days, from, to }: { days: FunnelDay[]; from: string; to: string }) {
  const byDate = new Map(days.map((d) => [d.date, d]));
  const axis = allDays(from, to);
  const max = Math.max(1, ...days.flatMap((d) => [d.subscribed, d.confirmed, d.unsubscribed]));
  const slot = (WIDTH - PAD.left) / axis.length;
  const bar = Math.max(1, (slot - 2) / 3);
  const plot = HEIGHT - PAD.bottom - PAD.top;
  const y = (n: number) => HEIGHT - PAD.bottom - (n / max) * plot;
  const total = (key: (typeof SERIES)[number][0]) => days.reduce((sum, d) => sum + d[key], 0);

  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Sign-ups per day from ${from} to ${to}: ${total('subscribed')} subscribed, ${total('confirmed')} confirmed, ${total('unsubscribed')} unsubscribed`}
      >
        <line
          class="axis"
          x1={PAD.left}
          x2={WIDTH}
          y1={HEIGHT - PAD.bottom}
          y2={HEIGHT - PAD.bottom}
        />
        <text class="tick" x={PAD.left - 4} y={PAD.top + 8} text-anchor="end">
          {max}
        </text>
        <text class="tick" x={PAD.left - 4} y={HEIGHT - PAD.bottom} text-anchor="end">
          0
        </text>
        {axis.map((date, i) => {
          const day = byDate.get(date);
          const x0 = PAD.left + i * slot + 1;
          return (
            <g key={date}>
              {day &&
                SERIES.map(([key], s) => (
                  <rect
                    key={key}
                    class={`bar bar-${key}`}
                    x={x0 + s * bar}
                    y={y(day[key])}
                    width={bar}
                    height={HEIGHT - PAD.bottom - y(day[key])}
                  >
                    <title>{`${date}: ${day[key]} ${key}`}</title>
                  </rect>
                ))}
              {(i === 0 || i === axis.length - 1) && (
                <text class="tick" x={x0} y={HEIGHT - 6} text-anchor={i === 0 ? 'start' : 'end'}>
                  {date.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption class="legend">
        {SERIES.map(([key, label]) => (
          <span key={key}>
            <span class={`swatch bar-${key}`} aria-hidden="true" /> {label} {total(key)}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
