/** The camera as the UI sees it: one state, a message for each failure, and an on/off switch. */

export type CameraStatus = 'off' | 'starting' | 'on' | 'denied' | 'absent' | 'busy' | 'lost' | 'unsupported' | 'error';

export const CAMERA_MESSAGES: Record<CameraStatus, string> = {
  off: 'Camera is off.',
  starting: 'Starting the camera…',
  on: 'Camera is on.',
  denied: 'Camera access was denied. Allow the camera for Emotune in your system or browser settings, then turn it on again.',
  absent: 'No camera was found. Connect a webcam and turn the camera on again.',
  busy: 'The camera is in use by another application, or it could not be started.',
  lost: 'The camera stopped (it was unplugged or disabled). Emotune will turn it back on when it returns; the music goes on.',
  unsupported: 'This window cannot use a camera (camera access needs a secure page).',
  error: 'The camera could not be started.',
};

export function classifyCameraError(error: unknown): CameraStatus {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'absent';
    case 'NotReadableError':
    case 'AbortError':
      return 'busy';
    default:
      return 'error';
  }
}

export class CameraState {
  status = $state<CameraStatus>('off');
  detail = $state('');
  stream = $state<MediaStream | undefined>(undefined);

  get message(): string {
    return CAMERA_MESSAGES[this.status];
  }

  get isOn(): boolean {
    return this.status === 'on';
  }

  async start(): Promise<void> {
    if (this.status === 'on' || this.status === 'starting') return;
    if (!navigator.mediaDevices?.getUserMedia) {
      this.status = 'unsupported';
      return;
    }
    this.status = 'starting';
    this.detail = '';
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' },
        audio: false,
      });
      for (const track of stream.getVideoTracks()) {
        track.addEventListener('ended', () => {
          if (this.stream === stream) this.release('lost');
        });
      }
      this.stream = stream;
      this.status = 'on';
    } catch (error) {
      this.status = classifyCameraError(error);
      this.detail = error instanceof Error ? error.message : String(error);
    }
  }

  stop(): void {
    this.release('off');
  }

  private release(status: CameraStatus): void {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = undefined;
    this.status = status;
    if (status === 'lost') this.waitForReturn();
  }

  private retryTimer: ReturnType<typeof setInterval> | undefined;

  /** After an unplug, start again as soon as a camera is there (device events, or a slow poll). */
  private waitForReturn(): void {
    const devices = navigator.mediaDevices;
    const attempt = async () => {
      if (this.status !== 'lost') return this.stopWaiting(onChange);
      const inputs = (await devices.enumerateDevices().catch(() => [])).filter((d) => d.kind === 'videoinput');
      if (inputs.length === 0) return;
      this.status = 'off';
      await this.start();
      const after = this.status as CameraStatus;
      if (after === 'on' || after === 'denied') this.stopWaiting(onChange);
      else this.status = 'lost';
    };
    const onChange = () => void attempt();
    devices.addEventListener('devicechange', onChange);
    this.retryTimer = setInterval(onChange, 3000);
  }

  private stopWaiting(onChange: () => void): void {
    navigator.mediaDevices.removeEventListener('devicechange', onChange);
    clearInterval(this.retryTimer);
  }
}
