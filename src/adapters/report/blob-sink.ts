/**
 * Text chunks gathered into a Blob without holding them as strings: every few MB the strings so far
 * become a Blob part (the browser keeps Blob data outside the JS heap, on disk when large), and the
 * final Blob is a list of those parts, never one big copy.
 */

/** Strings kept before they are turned into a Blob part. */
const DEFAULT_PART_CHARS = 4 * 1024 * 1024;

export class BlobSink {
  private readonly parts: Blob[] = [];
  private pending: string[] = [];
  private pendingChars = 0;
  private total = 0;

  constructor(
    private readonly type: string,
    private readonly partChars: number = DEFAULT_PART_CHARS,
  ) {}

  /** Characters written so far. */
  get length(): number {
    return this.total;
  }

  write(text: string): void {
    if (text === '') return;
    this.pending.push(text);
    this.pendingChars += text.length;
    this.total += text.length;
    if (this.pendingChars >= this.partChars) this.settle();
  }

  /** The Blob of everything written; the sink can go on receiving text. */
  blob(): Blob {
    this.settle();
    return new Blob(this.parts, { type: this.type });
  }

  private settle(): void {
    if (this.pending.length === 0) return;
    this.parts.push(new Blob(this.pending));
    this.pending = [];
    this.pendingChars = 0;
  }
}
