// Names for containers created without --name, shaped like Docker's (`adjective_surname`):
// our own short word lists of adjectives and of people who shaped computing.

const ADJECTIVES = [
  'admiring', 'agile', 'amazing', 'bold', 'brave', 'busy', 'calm', 'clever', 'cool', 'crisp',
  'daring', 'dazzling', 'eager', 'elated', 'epic', 'fervent', 'festive', 'focused', 'gentle', 'happy',
  'hopeful', 'jolly', 'keen', 'kind', 'lucid', 'merry', 'modest', 'nifty', 'noble', 'patient',
  'peaceful', 'quirky', 'quiet', 'relaxed', 'serene', 'sharp', 'sleepy', 'stoic', 'sunny', 'tender',
  'trusting', 'upbeat', 'vibrant', 'vigilant', 'wizardly', 'wonderful', 'youthful', 'zealous', 'zen', 'witty',
];

const SURNAMES = [
  'allen', 'babbage', 'backus', 'bartik', 'berners', 'cerf', 'clarke', 'codd', 'conway', 'dijkstra',
  'easley', 'engelbart', 'floyd', 'goldberg', 'hamilton', 'hopper', 'hoare', 'johnson', 'kahn', 'kay',
  'kernighan', 'knuth', 'lamport', 'liskov', 'lovelace', 'mccarthy', 'minsky', 'moore', 'naur', 'noether',
  'perlman', 'pike', 'ritchie', 'sammet', 'shannon', 'shaw', 'sutherland', 'tanenbaum', 'thompson', 'torvalds',
  'turing', 'vonneumann', 'wilkes', 'wing', 'wirth', 'wozniak', 'yonath', 'zuse', 'lamarr', 'hodgkin',
];

/** A random `adjective_surname` not in `taken` (a digit is appended after a few collisions, as Docker does). */
export function generateName(random: (n: number) => Uint8Array, taken: (name: string) => boolean): string {
  for (let attempt = 0; ; attempt++) {
    const [a, b, c] = random(3);
    let name = `${ADJECTIVES[a! % ADJECTIVES.length]}_${SURNAMES[b! % SURNAMES.length]}`;
    if (attempt >= 3) name += String(c! % 10);
    // Docker never names a container boring_wozniak ("Steve Wozniak is not boring").
    if (name === 'boring_wozniak') continue;
    if (!taken(name)) return name;
  }
}
