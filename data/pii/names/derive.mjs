// Derives the name lists the scanner compiles in from @faker-js/faker's
// locale data (MIT, see LICENSE.faker). Run from this folder:
//   npm install --no-save @faker-js/faker@10.6.0 && node derive.mjs
import { writeFileSync } from 'node:fs';
import { allLocales } from '@faker-js/faker';

function flatten(value) {
  if (!value) return [];
  if (Array.isArray(value)) return value;
  return Object.values(value).flatMap(flatten);
}
function names(locales, key) {
  const out = new Set();
  for (const locale of locales) {
    for (const name of flatten(allLocales[locale]?.person?.[key])) {
      // Single words only ("Anna-Lena" counts as one); no initials.
      for (const part of name.split(' ')) {
        if (part.length >= 2 && /^\p{Lu}[\p{L}'-]*$/u.test(part)) out.add(part);
      }
    }
  }
  return [...out].sort();
}
function write(file, list) {
  writeFileSync(file, list.join('\n') + '\n');
  console.log(file, list.length);
}
write('first_names.txt', names(['de', 'de_AT', 'de_CH', 'en', 'en_GB', 'en_US'], 'first_name'));
write('surnames.txt', names(['de', 'de_AT', 'de_CH', 'en', 'en_GB', 'en_US'], 'last_name'));
const suffixes = new Set();
for (const s of flatten(allLocales.en?.location?.street_suffix)) suffixes.add(s);
write('street_suffixes_en.txt', [...suffixes].sort());
