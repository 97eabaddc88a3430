// The npm peer of bench/pii: redact-pii (the most used PII redaction package
// on npm that runs offline), timed on a slice of candor's benchmark text and
// scored on data/pii/eval.jsonl with the same exact-span rule as candor.
// candor's own spans for the evaluation set come from `pii_bench --spans`, so
// both tools are scored by this one piece of code.
//
//   node peer.js --slice FILE --eval EVAL.jsonl --candor-spans FILE --candor-speed FILE
'use strict';
const fs = require('fs');
const { SyncRedactor } = require('redact-pii');

const args = {};
for (let k = 2; k < process.argv.length; k += 2) args[process.argv[k].replace(/^--/, '')] = process.argv[k + 1];

// redact-pii replaces each kind with a fixed word; these are the kinds that
// correspond to candor's types (the rest: address, zip code, URL, SSN,
// username, "digits" have no counterpart and are not scored).
const PEER_TYPES = {
  EMAIL_ADDRESS: 'email', PHONE_NUMBER: 'phone', CREDIT_CARD_NUMBER: 'card', IP_ADDRESS: 'ip',
  NAME: 'name', PASSWORD: 'secret', CREDENTIALS: 'secret',
};
const ALL_PLACEHOLDERS = Object.keys(PEER_TYPES).concat([
  'STREET_ADDRESS', 'ZIPCODE', 'US_SOCIAL_SECURITY_NUMBER', 'USERNAME', 'DIGITS', 'URL']);
const TYPES = ['email', 'phone', 'iban', 'card', 'tax_id', 'ip', 'secret', 'birth_date', 'name'];

// redact-pii returns only the redacted text. Recover spans by aligning it
// with the input: literal pieces are found in order, placeholders cover what
// lies between them. Offsets are bytes, as in the evaluation set.
function peerSpans(redactor, text) {
  const out = redactor.redact(text);
  const re = new RegExp('(' + ALL_PLACEHOLDERS.sort((a, b) => b.length - a.length).join('|') + ')', 'g');
  const parts = out.split(re);
  const spans = [];
  let pos = 0;  // in characters of `text`
  for (let k = 0; k < parts.length; ++k) {
    if (k % 2 === 0) {
      const literal = parts[k];
      if (k === 0) { pos = literal.length; continue; }
      const at = literal.length === 0 ? (k === parts.length - 1 ? text.length : pos) : text.indexOf(literal, pos);
      const prev = spans[spans.length - 1];
      if (prev && prev.end === undefined) prev.end = at < 0 ? text.length : at;
      pos = at < 0 ? text.length : at + literal.length;
    } else {
      spans.push({ placeholder: parts[k], start: pos });
    }
  }
  const last = spans[spans.length - 1];
  if (last && last.end === undefined) last.end = text.length;
  const bytes = (chars) => Buffer.byteLength(text.slice(0, chars));
  return spans.filter((s) => PEER_TYPES[s.placeholder] && s.end > s.start)
    .map((s) => ({ type: PEER_TYPES[s.placeholder], start: bytes(s.start), end: bytes(s.end) }));
}

function score(gold, predicted, types) {
  const per = {};
  for (const t of types) per[t] = { tp: 0, fp: 0, fn: 0 };
  for (let i = 0; i < gold.length; ++i) {
    const key = (e) => `${e.type}:${e.start}:${e.end}`;
    const g = new Set(gold[i].filter((e) => per[e.type]).map(key));
    const p = new Set(predicted[i].filter((e) => per[e.type]).map(key));
    for (const k of p) { const t = k.split(':')[0]; if (g.has(k)) per[t].tp++; else per[t].fp++; }
    for (const k of g) { if (!p.has(k)) per[k.split(':')[0]].fn++; }
  }
  const f = (s) => {
    const precision = s.tp + s.fp ? s.tp / (s.tp + s.fp) : 1;
    const recall = s.tp + s.fn ? s.tp / (s.tp + s.fn) : 1;
    return { ...s, precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
  };
  const overall = { tp: 0, fp: 0, fn: 0 };
  for (const t of types) for (const k of ['tp', 'fp', 'fn']) overall[k] += per[t][k];
  const result = { overall: f(overall) };
  for (const t of types) result[t] = f(per[t]);
  return result;
}

function main() {
  const redactor = new SyncRedactor();
  const lines = fs.readFileSync(args.eval, 'utf8').split('\n').filter((l) => l.trim());
  const gold = lines.map((l) => JSON.parse(l));
  const candor = fs.readFileSync(args['candor-spans'], 'utf8').split('\n').filter((l) => l.trim())
    .map((l) => JSON.parse(l).entities);
  const peer = gold.map((g) => peerSpans(redactor, g.text));
  const golds = gold.map((g) => g.entities);
  const shared = ['email', 'phone', 'card', 'ip', 'secret', 'name'];
  const quality = {
    candor: { all: score(golds, candor, TYPES), shared: score(golds, candor, shared) },
    peer: { all: score(golds, peer, TYPES), shared: score(golds, peer, shared) },
  };

  // Speed: the slice, message by message, as candor's per-message figure.
  const slice = fs.readFileSync(args.slice, 'utf8');
  const messages = slice.split('\n');
  for (let k = 0; k < 200; ++k) redactor.redact(messages[k]);  // warm up the JIT
  const t0 = process.hrtime.bigint();
  for (const m of messages) redactor.redact(m);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const peerMbS = Buffer.byteLength(slice) / 1e6 / seconds;
  const candorSpeed = JSON.parse(fs.readFileSync(args['candor-speed'], 'utf8'));

  const fmt = (x) => x.toFixed(4);
  console.log('');
  console.log(`speed (single core, per message): candor ${candorSpeed.per_message_mb_s.toFixed(1)} MB/s on ` +
    `${(candorSpeed.bytes / 1e6).toFixed(0)} MB; redact-pii ${peerMbS.toFixed(3)} MB/s on a ` +
    `${(Buffer.byteLength(slice) / 1e6).toFixed(1)} MB slice of the same text (${seconds.toFixed(1)} s); ` +
    `candor is ${(candorSpeed.per_message_mb_s / peerMbS).toFixed(0)}x faster`);
  console.log(`candor whole text in one call: ${candorSpeed.whole_mb_s.toFixed(1)} MB/s`);
  console.log('');
  console.log(`quality on ${args.eval} (${gold.length} texts), exact byte spans`);
  console.log('type        candor P / R / F1            redact-pii P / R / F1');
  for (const t of TYPES.concat(['overall'])) {
    const c = quality.candor.all[t], p = quality.peer.all[t];
    console.log(`${t.padEnd(11)} ${fmt(c.precision)} ${fmt(c.recall)} ${fmt(c.f1)}     ` +
      `${fmt(p.precision)} ${fmt(p.recall)} ${fmt(p.f1)}`);
  }
  const cs = quality.candor.shared.overall, ps = quality.peer.shared.overall;
  console.log(`shared types (${shared.join(', ')}): F1 candor ${fmt(cs.f1)}, redact-pii ${fmt(ps.f1)}`);
  console.log(JSON.stringify({ speed: { candor: candorSpeed, peer_mb_s: peerMbS, peer_bytes: Buffer.byteLength(slice) }, quality }));
}

main();
