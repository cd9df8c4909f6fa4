/** A-MobileNet (or any model with a card of the same kind) on a detected face. */
import { EXPRESSIONS, type Expression } from '../../shared/expressions.js';
import type { Face, FaceExpression } from '../../shared/vision.js';
import { readExpressionCard, type ExpressionCard } from './expressionCard.js';
import { cropFace } from './faceCrop.js';
import { loadOnnxModel, type OnnxModel } from './onnxRuntime.js';
import type { RgbaImage } from './rgbaImage.js';

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

  /** Runs already-preprocessed input (one face). */
  async classifyTensor(input: Float32Array): Promise<FaceExpression> {
    const { size } = this.card.input;
    const outputs = await this.model.run({ name: this.card.input.name, data: input, dims: [1, this.card.channels, size, size] }, [
      this.card.output.name,
    ]);
    const logits = outputs.get(this.card.output.name)!;
    return this.toResult(logits);
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
