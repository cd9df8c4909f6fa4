/**
 * Writes tags into audio files with node-taglib-sharp: the mood in the spelling each format
 * uses (ID3v2.4 TMOO, ID3v2.3 TXXX:MOOD, Vorbis MOOD, MP4 ----:com.apple.iTunes:MOOD), and the
 * basic text tags the demo library needs.
 */
import type { Id3v2Tag, Mpeg4AppleTag, XiphComment } from 'node-taglib-sharp';
import { File, Id3v2FrameClassType, Id3v2FrameIdentifiers, Id3v2UserTextInformationFrame, TagTypes } from 'node-taglib-sharp';

export class TagWriteError extends Error {
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(`cannot write tags to ${path}: ${reason}`, options);
    this.name = 'TagWriteError';
  }
}

export interface TextTags {
  title?: string;
  artist?: string;
  album?: string;
  /** null removes the mood tag. */
  mood?: string | null;
}

export function writeTags(path: string, tags: TextTags): void {
  let file: File;
  try {
    file = File.createFromPath(path);
  } catch (error) {
    throw new TagWriteError(path, (error as Error).message, { cause: error });
  }
  try {
    const tag = file.tag;
    if (tags.title !== undefined) tag.title = tags.title;
    if (tags.artist !== undefined) tag.performers = [tags.artist];
    if (tags.album !== undefined) tag.album = tags.album;
    if (tags.mood !== undefined) writeMood(file, tags.mood);
    file.save();
  } catch (error) {
    throw new TagWriteError(path, (error as Error).message, { cause: error });
  } finally {
    file.dispose();
  }
}

function writeMood(file: File, mood: string | null): void {
  const types = file.tagTypes;
  let written = false;
  if (types & TagTypes.Xiph || /\.(flac|ogg|oga|opus)$/i.test(file.name)) {
    const xiph = file.getTag(TagTypes.Xiph, true) as XiphComment | undefined;
    if (xiph) {
      if (mood === null) xiph.removeField('MOOD');
      else xiph.setFieldAsStrings('MOOD', mood);
      written = true;
    }
  }
  if (types & TagTypes.Apple || /\.(m4a|mp4|m4b)$/i.test(file.name)) {
    const apple = file.getTag(TagTypes.Apple, true) as Mpeg4AppleTag | undefined;
    if (apple) {
      apple.setItunesStrings('com.apple.iTunes', 'MOOD', ...(mood === null ? [] : [mood]));
      written = true;
    }
  }
  if (!written) {
    const id3 = file.getTag(TagTypes.Id3v2, true) as Id3v2Tag | undefined;
    if (!id3) throw new Error('this file type has no tag format that can hold a mood');
    writeId3Mood(id3, mood);
  }
}

// Always defined: TMOO is in node-taglib-sharp's table of v2.4 frames.
const TMOO = Id3v2FrameIdentifiers.TMOO!;

/** v2.4 has a mood frame; v2.3 taggers (Picard, foobar2000) use a TXXX frame named MOOD. */
function writeId3Mood(id3: Id3v2Tag, mood: string | null): void {
  for (const frame of id3.getFramesByClassType<Id3v2UserTextInformationFrame>(Id3v2FrameClassType.UserTextInformationFrame)) {
    if (frame.description.toUpperCase() === 'MOOD') id3.removeFrame(frame);
  }
  id3.removeFrames(TMOO);
  if (mood === null) return;
  if (id3.version >= 4) {
    id3.setTextFrame(TMOO, mood);
  } else {
    const frame = Id3v2UserTextInformationFrame.fromDescription('MOOD');
    frame.text = [mood];
    id3.addFrame(frame);
  }
}
