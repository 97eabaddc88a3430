// The events of a conversation as the API sends them (README: "Events and the work tracker").
import type { Bilingual } from './i18n';

export type Author = 'customer' | 'customer_assistant' | 'ai' | 'person' | 'ai_approved';

export interface Source {
  number: number;
  title: string;
  url: string;
  heading?: string;
  passage?: string;
}

export interface Why {
  intent?: string;
  intent_confidence?: number;
  language?: string;
  action?: string;
  rule?: string;
  reason?: Bilingual;
  composer?: string;
  confidence?: number;
  dont_know?: boolean;
  explanation?: string;
  sources?: Source[];
}

interface Base {
  seq: number;
  at: string;
  conversation_id: string;
}

export interface MessageEv extends Base {
  type: 'message';
  id: string;
  author: Author;
  text: string;
  agent?: string;
  in_reply_to?: number;
  why?: Why;
}
export interface WorkStepEv extends Base {
  type: 'work_step';
  stage: string;
  status: 'started' | 'done' | 'failed';
  label: Bilingual;
  started_at: string;
  finished_at?: string;
  detail?: string;
}
export interface UnderstandingEv extends Base {
  type: 'understanding';
  language: string;
  intent: string;
  confidence: number;
  in_scope: boolean;
  distress?: number;
}
export interface DecisionEv extends Base {
  type: 'decision';
  message_seq: number;
  action: string;
  rule: string;
  reason: Bilingual;
  trace?: string;
}
export interface DraftEv extends Base {
  type: 'draft';
  message_seq: number;
  text?: string;
  why?: Why;
}
export interface ReviewEv extends Base {
  type: 'review';
  draft_seq: number;
  outcome: string;
  agent: string;
  reason?: string;
  edit_chars?: number;
}
export interface QueueEv extends Base {
  type: 'queue';
  change: string;
  requested_by?: string;
  agent?: string;
  reason: Bilingual;
}
export interface CommitmentEv extends Base {
  type: 'commitment';
  change: string;
  commitment: number;
  source: string;
  due: string;
  agent?: string;
  notice: Bilingual;
}
export interface RevealEv extends Base {
  type: 'reveal';
  agent: string;
  placeholder: string;
  pii_type: string;
  reason: string;
  notice?: Bilingual;
}
export interface OtherEv extends Base {
  type: string;
}

export type ConvEvent =
  | MessageEv
  | WorkStepEv
  | UnderstandingEv
  | DecisionEv
  | DraftEv
  | ReviewEv
  | QueueEv
  | CommitmentEv
  | RevealEv;

export const kEventKinds = [
  'message',
  'work_step',
  'understanding',
  'decision',
  'draft',
  'review',
  'queue',
  'commitment',
  'reveal',
  'erasure',
];

export interface QueueStatus {
  with_people: boolean;
  waiting: boolean;
  position?: number | null;
  since?: string | null;
  expected_wait_seconds?: number | null;
  likely_within_seconds?: number | null;
  agents_online?: number | null;
  next_opening?: string | null;
  agent?: string | null;
}

export interface Promise_ {
  id: string | number;
  made_at?: string;
  due_at: string;
  source?: string;
  state?: 'open' | 'kept' | 'missed' | string;
  kept_at?: string;
  new_due_at?: string;
}
