/**
 * What a file's own tags say about its mood besides a mood tag: its genre, folded into a few broad
 * families (tag vocabularies differ between taggers and stores, families travel between them), and
 * a tagged tempo, which is more trustworthy than one measured from 60 seconds of audio.
 */
import { parseFile } from 'music-metadata';

/** Family, then words that name it (whole words, case-insensitive), most specific families first. */
const GENRE_FAMILIES = [
  ['metal', ['metal', 'metalcore', 'grindcore', 'thrash', 'doom', 'djent']],
  ['punk', ['punk', 'hardcore', 'emo', 'grunge', 'screamo']],
  [
    'electronic',
    [
      'electronic',
      'electronica',
      'techno',
      'house',
      'trance',
      'edm',
      'dance',
      'dubstep',
      'drum and bass',
      'dnb',
      'electro',
      'idm',
      'synthpop',
      'disco',
      'breakbeat',
      'garage',
    ],
  ],
  ['hiphop', ['hip hop', 'hip-hop', 'hiphop', 'rap', 'trap', 'grime']],
  ['rnb', ['r&b', 'rnb', 'soul', 'funk', 'motown', 'neo soul']],
  ['jazz', ['jazz', 'swing', 'bebop', 'big band', 'fusion']],
  ['blues', ['blues']],
  ['classical', ['classical', 'baroque', 'opera', 'orchestral', 'symphony', 'chamber', 'romantic']],
  ['ambient', ['ambient', 'new age', 'chillout', 'lounge', 'downtempo', 'meditation', 'easy listening']],
  ['country', ['country', 'folk', 'bluegrass', 'americana', 'singer-songwriter', 'acoustic']],
  ['reggae', ['reggae', 'ska', 'dub', 'dancehall']],
  ['world', ['world', 'international', 'latin', 'salsa', 'bossa nova', 'samba', 'flamenco', 'afrobeat', 'celtic', 'k-pop', 'j-pop']],
  ['soundtrack', ['soundtrack', 'stage & screen', 'score', 'film', 'musical', 'game']],
  ['religious', ['religious', 'gospel', 'christian', 'worship', 'holiday', 'christmas', "children's", 'children']],
  ['experimental', ['avant-garde', 'experimental', 'noise', 'industrial', 'free improvisation']],
  ['spoken', ['spoken', 'spoken word', 'comedy', 'audiobook', 'poetry', 'podcast']],
  ['rock', ['rock', 'pop/rock', 'alternative', 'indie', 'britpop', 'shoegaze']],
  ['pop', ['pop']],
] as const satisfies readonly (readonly [string, readonly string[]])[];

export const GENRE_FAMILY_NAMES = GENRE_FAMILIES.map(([family]) => family);
export type GenreFamily = (typeof GENRE_FAMILY_NAMES)[number];

export interface TagHints {
  /** The genre tag as written, for the record. */
  genre: string | null;
  /** Every family the genre names ("Pop/Rock" is both). */
  families: GenreFamily[];
  /** A tagged tempo, when plausible. */
  bpm: number | null;
}

const patterns = GENRE_FAMILIES.map(
  ([family, words]) =>
    [family, words.map((w) => new RegExp(`(^|[^a-z&])${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^a-z])`, 'i'))] as const,
);

export function genreFamilies(genre: string): GenreFamily[] {
  return patterns.filter(([, regexes]) => regexes.some((r) => r.test(genre))).map(([family]) => family);
}

export async function readTagHints(path: string): Promise<TagHints> {
  const { common } = await parseFile(path, { duration: false, skipCovers: true });
  const genre =
    (common.genre ?? [])
      .map((g) => g.trim())
      .filter(Boolean)
      .join('; ') || null;
  const bpm = common.bpm !== undefined && common.bpm >= 40 && common.bpm <= 250 ? common.bpm : null;
  return { genre, families: genre ? genreFamilies(genre) : [], bpm };
}
