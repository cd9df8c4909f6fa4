/**
 * Estimates moods in a worker thread: decoding and analysing a minute of audio takes a tenth of a
 * second or more, which on the main thread would hold up every API call (and every client) meanwhile.
 */
import { parentPort } from 'node:worker_threads';
import { estimateTrackMood } from '../audio/audioMood.js';
import { AudioMoodModel } from '../audio/audioMoodModel.js';
import type { EstimateReply, EstimateRequest } from './audioMoodEstimator.js';

let model: Promise<AudioMoodModel> | undefined;
let modelCard: string | undefined;

parentPort!.on('message', (request: EstimateRequest) => {
  void (async () => {
    let reply: EstimateReply;
    try {
      if (modelCard !== request.cardPath) {
        modelCard = request.cardPath;
        model = AudioMoodModel.load(request.cardPath);
      }
      reply = { id: request.id, ok: true, estimate: await estimateTrackMood(request.path, await model!) };
    } catch (error) {
      reply = { id: request.id, ok: false, message: (error as Error).message };
    }
    parentPort!.postMessage(reply);
  })();
});
