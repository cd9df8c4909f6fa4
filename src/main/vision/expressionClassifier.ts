/** A-MobileNet (or any model with a card of the same kind) on a detected face. */
import { EXPRESSIONS, type Expression } from '../../shared/expressions.js';
import type { Face, FaceCropImage, FaceExpression } from '../../shared/vision.js';
import { readExpressionCard, type ExpressionCard } from './expressionCard.js';
import { cropFace } from './faceCrop.js';
import { loadOnnxModel, type OnnxModel } from './onnxRuntime.js';
import type { RgbaImage } from './rgbaImage.js';

export interface ClassifiedFace {
  expression: FaceExpression;
  /** log softmax(logits / T), in the card's class order. */
  scores: number[];
  /** The model's input for this face (NCHW, normalised). */
  input: Float32Array;
}

export class ExpressionClassifier {
  private constructor(
    readonly card: ExpressionCard,
    private readonly model: OnnxModel,
  ) {}

  static async load(cardPath: string): Promise<ExpressionClassifier> {
    const card = await readExpressionCard(cardPath);
    const { size } = card.input;
    const model = await loadOnnxModel(card.modelPath, { name: card.input.name, dims: [-1, card.channels, size, size] }, [card.output.name]);
    return new ExpressionClassifier(card, model);
  }

  get executionProvider(): string {
    return this.model.executionProvider;
  }

  /** The model input for one face: NCHW floats, normalised as the card says. */
  preprocess(image: RgbaImage, face: Face): Float32Array {
    const { size } = this.card.input;
    const { crop, mean, std } = this.card.preprocessing;
    const rgb = cropFace(image, face, { margin: crop.margin, offsetX: crop.offset_x, offsetY: crop.offset_y, size, align: true });
    const plane = size * size;
    const out = new Float32Array(this.card.channels * plane);
    for (let i = 0; i < plane; i++) {
      const r = rgb[i * 3]!;
      const g = rgb[i * 3 + 1]!;
      const b = rgb[i * 3 + 2]!;
      if (this.card.channels === 1) {
        // ITU-R 601-2 luma, rounded to a byte as PIL's convert('L') does in training.
        const grey = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
        out[i] = (grey / 255 - mean[0]!) / std[0]!;
      } else {
        out[i] = (r / 255 - mean[0]!) / std[0]!;
        out[plane + i] = (g / 255 - mean[1]!) / std[1]!;
        out[2 * plane + i] = (b / 255 - mean[2]!) / std[2]!;
      }
    }
    return out;
  }

  async classify(image: RgbaImage, face: Face): Promise<FaceExpression> {
    return this.classifyTensor(this.preprocess(image, face));
  }

  /** One face read, with what calibration and the privacy view need besides the probabilities. */
  async read(image: RgbaImage, face: Face): Promise<ClassifiedFace> {
    const input = this.preprocess(image, face);
    const logits = await this.logits(input);
    return { expression: this.toResult(logits), scores: this.scores(logits), input };
  }

  /** Runs already-preprocessed input (one face). */
  async classifyTensor(input: Float32Array): Promise<FaceExpression> {
    return this.toResult(await this.logits(input));
  }

  private async logits(input: Float32Array): Promise<ArrayLike<number>> {
    const { size } = this.card.input;
    const outputs = await this.model.run({ name: this.card.input.name, data: input, dims: [1, this.card.channels, size, size] }, [
      this.card.output.name,
    ]);
    return outputs.get(this.card.output.name)!;
  }

  /** log softmax(logits / T) in the card's class order: what the listener's calibration shifts. */
  scores(logits: ArrayLike<number>): number[] {
    const scaled = Array.from(logits, (l) => l / this.card.temperature);
    const max = Math.max(...scaled);
    const norm = max + Math.log(scaled.reduce((sum, l) => sum + Math.exp(l - max), 0));
    return scaled.map((l) => l - norm);
  }

  /** The model's input as a picture again (the normalisation undone), exactly the pixels it was given. */
  inputImage(input: Float32Array): Omit<FaceCropImage, 'at'> {
    const { size } = this.card.input;
    const { mean, std } = this.card.preprocessing;
    const plane = size * size;
    const data = new Uint8Array(this.card.channels * plane);
    // Planar NCHW in, interleaved bytes out.
    for (let c = 0; c < this.card.channels; c++) {
      for (let i = 0; i < plane; i++) {
        const value = (input[c * plane + i]! * std[c]! + mean[c]!) * 255;
        data[i * this.card.channels + c] = Math.max(0, Math.min(255, Math.round(value)));
      }
    }
    return { width: size, height: size, channels: this.card.channels, data };
  }

  /** softmax(logits / T) keyed by class name. */
  toResult(logits: ArrayLike<number>): FaceExpression {
    if (logits.length !== this.card.classes.length) {
      throw new Error(`${this.card.modelPath} gives ${logits.length} outputs, but its card lists ${this.card.classes.length} classes`);
    }
    const t = this.card.temperature;
    const scaled = Array.from(logits, (l) => l / t);
    const max = Math.max(...scaled);
    const exps = scaled.map((l) => Math.exp(l - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    // Classes a model lacks (RAF-DB has no contempt) read as probability 0.
    const probabilities = Object.fromEntries(EXPRESSIONS.map((e) => [e, 0])) as Record<Expression, number>;
    let top = this.card.classes[0]!;
    this.card.classes.forEach((name, i) => {
      probabilities[name] = exps[i]! / sum;
      if (probabilities[name] > probabilities[top]) top = name;
    });
    return { probabilities, top };
  }

  dispose(): Promise<void> {
    return this.model.dispose();
  }
}
