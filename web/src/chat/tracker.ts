// Folds a conversation's events into what the customer sees: messages,
// notices, and per customer message the work steps that really ran.
import type { Bilingual } from '../lib/i18n';
import type { ConvEvent, MessageEv, WorkStepEv } from '../lib/types';

export interface StepRow {
  key: string;
  stage: string;
  label: Bilingual;
  status: 'started' | 'done' | 'failed';
  started_at: string;
  finished_at?: string;
}

export type Item =
  | { kind: 'message'; seq: number; message: MessageEv; steps: StepRow[] }
  | { kind: 'notice'; seq: number; tone: 'queue' | 'promise' | 'reveal' | 'review'; text: Bilingual; at: string; title?: Bilingual }
  | { kind: 'steps'; seq: number; steps: StepRow[] };

function addStep(rows: StepRow[], e: WorkStepEv) {
  if (e.status !== 'started') {
    for (let i = rows.length - 1; i >= 0; --i) {
      if (rows[i].stage === e.stage && rows[i].status === 'started') {
        rows[i] = { ...rows[i], status: e.status, finished_at: e.finished_at ?? e.at, label: e.label };
        return;
      }
    }
  }
  rows.push({
    key: `${e.stage}-${e.seq}`,
    stage: e.stage,
    label: e.label,
    status: e.status,
    started_at: e.started_at ?? e.at,
    finished_at: e.finished_at,
  });
}

export function fold(events: ConvEvent[]): Item[] {
  const items: Item[] = [];
  // A customer message's intake starts before it is stored ("receive" and
  // "protect" begin first): those steps wait in `pending` for their message.
  // Steps before any customer message get a row of their own.
  let steps: StepRow[] | null = null;
  let pending: StepRow[] | null = null;
  for (const e of events) {
    switch (e.type) {
      case 'message': {
        const mine = e.author === 'customer' || e.author === 'customer_assistant';
        const item: Item = { kind: 'message', seq: e.seq, message: e as MessageEv, steps: mine && pending ? pending : [] };
        items.push(item);
        if (mine) {
          steps = item.steps;
          pending = null;
        }
        break;
      }
      case 'work_step': {
        const w = e as WorkStepEv;
        if (w.stage === 'receive' && w.status === 'started') pending = [];
        if (pending) {
          addStep(pending, w);
          break;
        }
        if (!steps) {
          const item: Item = { kind: 'steps', seq: e.seq, steps: [] };
          items.push(item);
          steps = item.steps;
        }
        addStep(steps, w);
        break;
      }
      case 'queue':
        // A new place in the queue updates the queue panel (a live region),
        // rather than adding a line each time someone ahead is helped.
        if (e.change === 'moved') break;
        items.push({ kind: 'notice', seq: e.seq, tone: 'queue', text: e.reason, at: e.at });
        break;
      case 'commitment':
        if (e.notice && (e.notice.de || e.notice.en)) {
          items.push({ kind: 'notice', seq: e.seq, tone: 'promise', text: e.notice, at: e.at });
        }
        break;
      case 'reveal': {
        const text = e.notice ?? {
          de: `Eine Person (${e.agent}) hat Ihre Daten angesehen: ${e.reason}`,
          en: `A person (${e.agent}) viewed your data: ${e.reason}`,
        };
        items.push({
          kind: 'notice',
          seq: e.seq,
          tone: 'reveal',
          text,
          at: e.at,
          title: { de: 'Einsicht in geschützte Daten', en: 'Protected data viewed' },
        });
        break;
      }
      default:
        break;
    }
  }
  if (pending) items.push({ kind: 'steps', seq: Number.MAX_SAFE_INTEGER, steps: pending });
  return items;
}

export function mergeEvents(list: ConvEvent[], more: ConvEvent[]): ConvEvent[] {
  if (more.length === 0) return list;
  // The usual case: newer events, in order, after what is there.
  const last = list.length ? list[list.length - 1].seq : 0;
  let ordered = more[0].seq > last;
  for (let i = 1; ordered && i < more.length; ++i) ordered = more[i].seq > more[i - 1].seq;
  if (ordered) return list.concat(more);
  const bySeq = new Map<number, ConvEvent>();
  for (const e of list) bySeq.set(e.seq, e);
  for (const e of more) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}
