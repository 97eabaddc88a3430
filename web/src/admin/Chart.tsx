// One uPlot chart over time, with the same figures as a table for screen
// readers and keyboard users (a canvas alone says nothing to them).
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatTime, type Lang } from '../lib/i18n';

export interface Line {
  label: string;
  values: (number | null)[];
  color: string;
  dash?: number[];
}

export function Chart({
  title,
  times,
  lines,
  lang,
  format,
  testid,
}: {
  title: string;
  times: number[]; // unix seconds
  lines: Line[];
  lang: Lang;
  format: (v: number | null) => string;
  testid: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = Math.max(260, el.clientWidth || 600);
    const opts: uPlot.Options = {
      width,
      height: 220,
      series: [
        {},
        ...lines.map((l) => ({ label: l.label, stroke: l.color, width: 2, dash: l.dash, points: { show: times.length < 40 } })),
      ],
      axes: [{ stroke: '#4d4d4d' }, { stroke: '#4d4d4d', values: (_u, vals) => vals.map((v) => format(v)) }],
      legend: { show: true },
      cursor: { show: true },
    };
    const plot = new uPlot(opts, [times, ...lines.map((l) => l.values)] as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(260, el.clientWidth), height: 220 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, lines, lang]);
  return (
    <figure class="chart card" data-testid={testid}>
      <figcaption>
        <h3>{title}</h3>
      </figcaption>
      <div ref={box} class="plot" aria-hidden="true" />
      <details>
        <summary>{lang === 'de' ? 'Als Tabelle' : 'As a table'}</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">{lang === 'de' ? 'Zeit' : 'Time'}</th>
              {lines.map((l) => (
                <th scope="col" key={l.label}>
                  {l.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {times.map((t, i) => (
              <tr key={t}>
                <th scope="row">{formatTime(t * 1000, lang, true)}</th>
                {lines.map((l) => (
                  <td key={l.label}>{format(l.values[i])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
