// The npm peer of the intent-classification benchmark: nlp.js (@nlpjs/nlp,
// the v4 core of the node-nlp package), trained and scored on the same splits
// as candor's classifier.
//
//   node peer.js --banking77 DIR --clinc150 FILE [--json OUT]
//
// Banking77: train on train.csv, accuracy on test.csv (77 intents, closed set).
// CLINC150, the "threshold" setting of Larson et al. 2019: train on the
// in-scope train split only; an answer whose score is below a threshold (or
// nlp.js's own "None") counts as out-of-scope. The threshold is the one that
// maximises in-scope accuracy + out-of-scope recall on val + oos_val; the
// figures are then taken on test + oos_test.
'use strict';
const fs = require('fs');
const path = require('path');
const { containerBootstrap } = require('@nlpjs/core');
const { Nlp } = require('@nlpjs/nlp');
const { LangEn } = require('@nlpjs/lang-en-min');
const VERSION = require('@nlpjs/nlp/package.json').version;

const args = {};
for (let k = 2; k < process.argv.length; k += 2) args[process.argv[k].replace(/^--/, '')] = process.argv[k + 1];
if (!args.banking77 || !args.clinc150) {
  console.error('usage: node peer.js --banking77 DIR --clinc150 FILE [--json OUT]');
  process.exit(2);
}

// RFC 4180 CSV: quoted fields may hold commas, newlines and doubled quotes.
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; ++i) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; ++i; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') ++i;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

function readBanking(file) {
  const [header, ...rows] = parseCsv(fs.readFileSync(file, 'utf8'));
  if (header.join(',') !== 'text,category') throw new Error(`${file}: unexpected header ${header}`);
  return rows.filter((r) => r.length === 2).map(([text, intent]) => ({ text, intent }));
}

// A fresh container per instance, so a loaded model shares no state (caches
// of tokenised utterances) with the one that was trained.
// Settings: English only; autoSave/autoLoad off so nothing reads or writes
// model.nlp in the working directory; no training log; threshold 0 so that
// process() returns the raw best intent and score (nlp.js would otherwise
// replace answers under 0.5 by "None" — for CLINC150 that threshold is what
// we tune, for Banking77 every example has an intent); sentiment off, as it
// has no part in intent classification but process() computes it by default.
// NER is not run: process() only does it with forceNER or slot filling.
async function newNlp() {
  const container = await containerBootstrap();
  container.use(LangEn);
  return new Nlp({
    container, languages: ['en'], autoSave: false, autoLoad: false,
    threshold: 0, calculateSentiment: false, nlu: { log: false },
  });
}

const now = () => Number(process.hrtime.bigint()) / 1e9;

async function trainModel(train) {
  const t0 = now();
  const nlp = await newNlp();
  for (const { text, intent } of train) nlp.addDocument('en', text, intent);
  await nlp.train();
  return { nlp, seconds: now() - t0 };
}

async function predict(nlp, examples) {
  const out = [];
  for (const { text } of examples) {
    const r = await nlp.process('en', text);
    out.push({ intent: r.intent, score: r.score });
  }
  return out;
}

// Train, export the model as a string, load it into a fresh instance (timed),
// warm the JIT up with one pass of the trained instance over the evaluation
// set, then time the loaded one over the same set, one utterance after
// another. Warming up on the other instance keeps the loaded one's cache of
// tokenised utterances empty, so the timed pass does all the work that a
// first sight of each text costs.
async function run(train, evaluation) {
  const { nlp, seconds: trainSeconds } = await trainModel(train);
  const model = nlp.export(true);
  const t0 = now();
  const loaded = await newNlp();
  loaded.import(model);
  const loadSeconds = now() - t0;
  const warmPredictions = await predict(nlp, evaluation);
  const t1 = now();
  const predictions = await predict(loaded, evaluation);
  const predictSeconds = now() - t1;
  // The round trip must not change the answers.
  warmPredictions.forEach((p, i) => {
    if (p.intent !== predictions[i].intent) throw new Error(`loaded model disagrees on "${evaluation[i].text}"`);
  });
  return {
    nlp, predictions, modelBytes: Buffer.byteLength(model),
    train_seconds: trainSeconds, model_load_seconds: loadSeconds,
    predictions_per_second: evaluation.length / predictSeconds,
  };
}

async function banking77(dir) {
  const train = readBanking(path.join(dir, 'train.csv'));
  const test = readBanking(path.join(dir, 'test.csv'));
  const r = await run(train, test);
  const correct = r.predictions.filter((p, i) => p.intent === test[i].intent).length;
  return {
    row: {
      dataset: 'banking77', accuracy: correct / test.length,
      in_scope_accuracy: null, oos_recall: null, oos_precision: null, threshold: null,
      train_seconds: r.train_seconds, predictions_per_second: r.predictions_per_second,
      model_load_seconds: r.model_load_seconds,
    },
    info: `train ${train.length}, test ${test.length}, model ${(r.modelBytes / 1e6).toFixed(1)} MB`,
  };
}

const OOS = 'oos';
const rejected = (p, threshold) => p.intent === 'None' || p.score < threshold;

function scoreOos(examples, predictions, threshold) {
  let inScope = 0, inCorrect = 0, oos = 0, oosRejected = 0, allRejected = 0;
  examples.forEach((e, i) => {
    const p = predictions[i], rej = rejected(p, threshold);
    if (rej) ++allRejected;
    if (e.intent === OOS) { ++oos; if (rej) ++oosRejected; }
    else { ++inScope; if (!rej && p.intent === e.intent) ++inCorrect; }
  });
  return {
    in_scope_accuracy: inCorrect / inScope, oos_recall: oosRejected / oos,
    oos_precision: allRejected ? oosRejected / allRejected : null,
    accuracy: (inCorrect + oosRejected) / examples.length,
  };
}

async function clinc150(file) {
  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  const split = (name) => data[name].map(([text, intent]) => ({ text, intent }));
  const train = split('train');
  const val = split('val').concat(split('oos_val'));
  const test = split('test').concat(split('oos_test'));
  const r = await run(train, test);
  // Choose the threshold on validation: every observed score is a candidate
  // (an answer is kept when score >= threshold); ties go to the lowest.
  const valPredictions = await predict(r.nlp, val);
  let best = { threshold: 0, objective: -1 };
  const candidates = [...new Set([0, ...valPredictions.map((p) => p.score)])].sort((a, b) => a - b);
  for (const threshold of candidates) {
    const s = scoreOos(val, valPredictions, threshold);
    const objective = s.in_scope_accuracy + s.oos_recall;
    if (objective > best.objective) best = { threshold, objective, s };
  }
  const s = scoreOos(test, r.predictions, best.threshold);
  return {
    row: {
      dataset: 'clinc150', accuracy: s.accuracy, in_scope_accuracy: s.in_scope_accuracy,
      oos_recall: s.oos_recall, oos_precision: s.oos_precision, threshold: best.threshold,
      train_seconds: r.train_seconds, predictions_per_second: r.predictions_per_second,
      model_load_seconds: r.model_load_seconds,
    },
    info: `train ${train.length} in-scope, threshold ${best.threshold.toFixed(4)} chosen on val ` +
      `(in-scope acc ${best.s.in_scope_accuracy.toFixed(4)} + oos recall ${best.s.oos_recall.toFixed(4)}), ` +
      `test ${test.length}, model ${(r.modelBytes / 1e6).toFixed(1)} MB`,
  };
}

async function main() {
  const results = [await banking77(args.banking77), await clinc150(args.clinc150)];
  const f = (x, d = 4) => (x === null ? '-' : x.toFixed(d)).padStart(10);
  console.log(`nlp.js ${VERSION} (node ${process.version})`);
  console.log('dataset     accuracy  in-scope  oos-recall  oos-prec   train s   pred/s    load s');
  for (const { row } of results) {
    console.log(`${row.dataset.padEnd(10)}${f(row.accuracy)}${f(row.in_scope_accuracy)}${f(row.oos_recall)}` +
      `${f(row.oos_precision)}${f(row.train_seconds, 1)}${f(row.predictions_per_second, 0)}${f(row.model_load_seconds, 3)}`);
  }
  for (const { row, info } of results) console.log(`${row.dataset}: ${info}`);
  if (args.json) {
    const out = { system: 'nlp.js', version: VERSION, results: results.map((r) => r.row) };
    fs.writeFileSync(args.json, JSON.stringify(out, null, 2) + '\n');
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
