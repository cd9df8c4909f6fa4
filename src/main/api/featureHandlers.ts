/**
 * The API handlers of each feature, next to nothing but the service they call: the backend composes
 * them ({ ...libraryHandlers(library), ...moodHandlers(mood), ... }) for each renderer's session.
 */
import type { ApiMethod } from '../../shared/api.js';
import { SUMMARY_PAGE_SIZE, TRACK_PAGE_SIZE } from '../../shared/schemas.js';
import type { LibraryService } from '../library/libraryService.js';
import type { MoodService } from '../mood/moodService.js';
import type { VisionService, VisionSession } from '../vision/visionService.js';
import type { ApiHandlers } from './apiDispatcher.js';

/** The handlers of one feature: every call whose name starts with `feature.`. */
export type FeatureHandlers<F extends string> = Pick<ApiHandlers, Extract<ApiMethod, `${F}.${string}`>>;

export function libraryHandlers(library: LibraryService, pickFolder?: () => Promise<string | null>): FeatureHandlers<'library'> {
  return {
    'library.folders': () => library.listFolders(),
    'library.addFolder': ({ path }) => library.addFolder(path),
    'library.pickFolder': async () => {
      if (!pickFolder) throw new Error('choosing a folder needs the desktop app: type the folder’s full path');
      const path = await pickFolder();
      return path === null ? null : library.addFolder(path);
    },
    'library.removeFolder': ({ id }) => ({ removed: library.removeFolder(id) }),
    'library.restoreFolder': ({ path }) => library.restoreFolder(path),
    'library.rescan': ({ folderId }) => library.rescan(folderId),
    'library.tracks': (query) => library.listTracks({ ...query, limit: query.limit ?? TRACK_PAGE_SIZE }),
    'library.trackCount': (filter) => ({ count: library.countTracks(filter) }),
    'library.artists': (query) => library.listArtists({ ...query, limit: query.limit ?? SUMMARY_PAGE_SIZE }),
    'library.albums': (query) => library.listAlbums({ ...query, limit: query.limit ?? SUMMARY_PAGE_SIZE }),
    'library.genres': (query) => library.listGenres({ ...query, limit: query.limit ?? SUMMARY_PAGE_SIZE }),
    'library.setMood': ({ trackIds, mood }) => ({ changed: library.setUserMood(trackIds, mood) }),
    'library.writeMoodTags': ({ trackIds }) => library.writeMoodTags(trackIds),
    'library.importPlaylist': ({ content, name }) => library.importM3u(content, name),
    'library.exportPlaylist': (params) =>
      'playlistId' in params ? library.exportSavedPlaylist(params.playlistId) : library.exportPlaylist(params.trackIds),
    'library.playlists': () => library.listPlaylists(),
    'library.playlistEntries': (query) => library.playlistEntries({ ...query, limit: query.limit ?? TRACK_PAGE_SIZE }),
    'library.createPlaylist': ({ name, trackIds }) => library.createPlaylist(name, trackIds),
    'library.renamePlaylist': ({ playlistId, name }) => library.renamePlaylist(playlistId, name),
    'library.deletePlaylist': ({ playlistId }) => ({ deleted: library.deletePlaylist(playlistId) }),
    'library.addToPlaylist': ({ playlistId, trackIds, position }) => library.addToPlaylist(playlistId, trackIds, position),
    'library.removeFromPlaylist': ({ playlistId, entryIds }) => library.removeFromPlaylist(playlistId, entryIds),
    'library.movePlaylistEntry': ({ playlistId, entryId, position }) => library.movePlaylistEntry(playlistId, entryId, position),
    'library.markUnplayable': ({ trackId, message }) => ({ marked: library.markUnplayable(trackId, message) }),
  };
}

export function moodHandlers(mood: MoodService): FeatureHandlers<'mood'> {
  return {
    'mood.policy': () => mood.moodPolicy(),
    'mood.setPolicy': ({ policy }) => {
      mood.setMoodPolicy(policy);
      return mood.moodPolicy();
    },
    'mood.next': ({ expression, mode, currentTrackId }) => mood.chooseNext(expression, mode, currentTrackId),
    'mood.recordPlay': ({ trackId, ...details }) => ({ recorded: mood.recordPlay(trackId, details) }),
    'mood.feedback': ({ trackId, kind, playedSeconds }) => ({ recorded: mood.feedback(trackId, kind, playedSeconds) }),
    'mood.history': ({ days }) => mood.history(days),
  };
}

/** `session` is the renderer's own frame queue: frames from two windows never mix. */
export function visionHandlers(vision: VisionService, session: VisionSession): FeatureHandlers<'vision'> {
  return {
    'vision.submitFrame': (frame) => ({ frameId: frame.frameId, queued: session.submit(frame) }),
    'vision.settings': () => vision.expressionSettings(),
    'vision.setSettings': ({ settings }) => vision.setExpressionSettings(settings),
    'vision.models': () => vision.expressionModels(),
    'vision.setModel': ({ model }) => vision.setExpressionModel(model),
    'vision.calibration': () => vision.calibrationStatus(),
    'vision.startCalibrationPose': ({ pose }) => session.startPose(pose),
    'vision.finishCalibrationPose': ({ pose }) => session.finishPose(pose),
    'vision.cancelCalibrationPose': () => ({ cancelled: session.cancelPose() }),
    'vision.forgetCalibration': () => vision.forgetCalibration(),
    'vision.correctExpression': ({ not }) => session.correct(not),
    // Only the caller's own frames: a window never sees the face another window's camera shows.
    'vision.faceCrop': () => session.faceCrop(),
  };
}
