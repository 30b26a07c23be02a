/**
 * Collects small strings into chunks of roughly `chunkSize` characters, so the download stream
 * receives a few large writes instead of a million tiny ones, and nothing more is held.
 */

/** 64 Ki characters: large enough to keep stream overhead low, small enough to stay cheap. */
export const DEFAULT_CHUNK_SIZE = 64 * 1024;

export class ChunkBuffer {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly chunkSize: number = DEFAULT_CHUNK_SIZE) {
    if (!(chunkSize > 0)) throw new RangeError('chunkSize must be positive');
  }

  /** Adds text; returns a full chunk when the buffer reached chunkSize, else null. */
  push(text: string): string | null {
    this.parts.push(text);
    this.size += text.length;
    return this.size >= this.chunkSize ? this.take() : null;
  }

  /** Whatever is left (null when empty). */
  flush(): string | null {
    return this.size > 0 ? this.take() : null;
  }

  private take(): string {
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    return chunk;
  }
}
